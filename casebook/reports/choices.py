"""Choices of feedback reports, urgent reports, exports and periodic reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.core.choices import ExportFormat  # noqa: F401 - offered by pages of other modules


class FeedbackStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the leader")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("feedback", "Acknowledged")


class UrgentStatus(models.TextChoices):
    OPEN = "open", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("urgent report", "Acknowledged")


class UrgentLevel(models.IntegerChoices):
    """Who an urgent report has reached: it climbs one step each time nobody acknowledges it."""

    ON_DUTY = 0, _("On-duty leader of the station")
    STATION = 1, _("All leaders of the station")
    BUREAU = 2, _("The bureau")


class Channel(models.TextChoices):
    IN_APP = "inapp", _("In the system")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    SENT = "sent", _("Delivered")
    SKIPPED = "skipped", _("No address")


class DutyPost(models.TextChoices):
    LEADER = "leader", _("Duty leader")
    OFFICER = "officer", _("Duty officer")


class ExportKind(models.TextChoices):
    DOSSIER = "dossier", _("Tracking record archive")
    RECORD = "record", _("Information record")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Period(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")
