from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action


class MonitoringConfig(AppConfig):
    """Technical monitoring (article 三(三)): video-analytics and geofence events, in real time."""

    name = "casebook.monitoring"
    label = "monitoring"
    verbose_name = _("Technical monitoring")

    def ready(self):
        from . import access, geo_access, hooks  # noqa: PLC0415 - ready(): these import the models

        access.register_rules()
        hooks.register()
        geo_access.register()  # part B: fences, bindings, alerts (rules, audit codes, pipeline, menu)
        for code, label in (
            ("monitoring.source_create", _("Monitoring source registered")),
            ("monitoring.source_update", _("Monitoring source changed")),
            ("monitoring.secret_rotate", _("Monitoring source secret rotated")),
            ("monitoring.purge", _("Old monitoring events deleted")),
        ):
            register_action(code, label)
