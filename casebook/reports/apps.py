from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "casebook.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from casebook.core.health import register_check

        from . import access, dossier, guards  # noqa: F401 - guards: an acknowledged feedback report

        access.register_rules()
        dossier.register()  # the archive tab of a subject
        from .selectors import outbox_health

        register_check(outbox_health)  # /healthz: urgent messages stuck in the outbox
