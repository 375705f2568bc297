from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Technical monitoring (article 三(三)): video-analytics and geofence events, in real time."""

    name = "casebook.monitoring"
    label = "monitoring"
    verbose_name = _("Technical monitoring")
