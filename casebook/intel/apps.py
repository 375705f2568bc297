from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action
from casebook.subjects.dossier import register_overview_panel
from casebook.tracking.task_page import register_related


class IntelConfig(AppConfig):
    name = "casebook.intel"
    label = "intel"
    verbose_name = _("Information")

    def ready(self):
        from . import access, dossier, guards, partner_page  # noqa: F401, PLC0415 - ready(): registration modules (some register on import) import models

        access.register_rules()
        dossier.register()  # the records tab of a subject, the records of a task
        # guards registers the tracking guards when imported
        # sharing with partner departments (tracking.partner_shares, services.partner_links)
        for code, label in partner_page.AUDIT_ACTIONS:
            register_action(code, label)
        register_related("partner_links", partner_page.task_links)
        register_overview_panel(
            "incident_partners",
            45,
            "intel/_incident_partners.html",
            partner_page.incident_panel,
            related=("partner_links",),
        )
