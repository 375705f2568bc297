from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "casebook.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from casebook.core.home import register_home_panel

        from .home import audit_figures, my_events

        register_home_panel(my_events)
        register_home_panel(audit_figures)
