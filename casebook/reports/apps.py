from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.core.home import register_home_panel
from casebook.core.jobs import FREQUENT, register_job


class ReportsConfig(AppConfig):
    name = "casebook.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from casebook.core.health import register_check  # noqa: PLC0415 - ready(): imports core's models

        from . import access, dossier, guards, home, notifications, selectors, tasks  # noqa: F401, PLC0415 - ready(): registration modules (some register on import) import models

        access.register_rules()
        from casebook.audit.labels import register_action  # noqa: PLC0415 - ready(): audit's registry

        register_action("export.encrypt", _("Export encrypted for its recipient"))
        dossier.register()  # the archive tab of a subject, urgent reports on the dashboard
        # guards: an acknowledged feedback report (registered when imported)
        register_job(tasks.generate_periodic_reports)
        register_job(tasks.export_housekeeping)
        register_job(tasks.escalate_urgent_reports, every=FREQUENT)
        register_job(tasks.deliver_urgent_reports, every=FREQUENT)
        register_home_panel(home.feedback_panel)
        notifications.register()  # urgent (never muted) and feedback kinds, the SMS channel
        register_check(selectors.outbox_health)  # /healthz: urgent messages stuck in the outbox
