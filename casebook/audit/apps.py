from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.core.home import register_home_panel


class AuditConfig(AppConfig):
    name = "casebook.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import home  # noqa: PLC0415 - ready(): the app's registration modules import models

        register_home_panel(home.my_events)
        register_home_panel(home.audit_figures)
