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
        dossier.register()  # the archive tab of a subject, urgent reports on the dashboard
        from casebook.core.jobs import FREQUENT, register_job

        from .tasks import (
            deliver_urgent_reports,
            escalate_urgent_reports,
            export_housekeeping,
            generate_periodic_reports,
        )

        register_job(generate_periodic_reports)
        register_job(export_housekeeping)
        register_job(escalate_urgent_reports, every=FREQUENT)
        register_job(deliver_urgent_reports, every=FREQUENT)
        from casebook.core.home import register_home_panel

        from .home import feedback_panel

        register_home_panel(feedback_panel)
        from .selectors import outbox_health

        register_check(outbox_health)  # /healthz: urgent messages stuck in the outbox
