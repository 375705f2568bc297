from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    """The departments a station works with (regulation 一(三)4, 二(三)2, 四(五))."""

    TRAFFIC_POLICE = "traffic_police", _("Traffic police")
    FIRE = "fire", _("Fire and rescue")
    STREET_OFFICE = "street_office", _("Street office")
    HOSPITAL = "hospital", _("Hospital")
    EMERGENCY = "emergency", _("Emergency management")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    OTHER = "other", _("Other department")
