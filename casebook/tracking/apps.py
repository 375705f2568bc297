from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "casebook.tracking"
    label = "tracking"
    verbose_name = _("Tracking tasks")

    def ready(self):
        from . import access, dossier

        access.register_rules()
        dossier.register()  # the tasks card of a subject's overview
