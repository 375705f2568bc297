"""The audit review's weekly job, audit action codes and menu link (registered by the app
config)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from casebook.access.policy import Action, reach
from casebook.accounts.navigation import ADMINISTRATION, AUDIT
from casebook.audit.labels import register_action
from casebook.core import request_context
from casebook.core.context_processors import NavItem, register_nav
from casebook.core.jobs import register_job
from casebook.core.resilience import retry_when_busy

from . import audit_review

ACTIONS = {
    "audit.review": _("Audit review produced"),
    "audit.review.export": _("Audit review exported"),
    "audit.archive": _("Audit log segment archived"),
    "security.urgent_text": _("Text in urgent messages allowed or forbidden"),
}


@task()
def file_weekly_audit_review() -> str:
    """File the sealed PDF of the last complete week's audit review, once."""

    with request_context.for_job():
        path = retry_when_busy(audit_review.file_weekly_review)
        return str(path or "")


def register() -> None:
    for code, label in ACTIONS.items():
        register_action(code, label)
    register_job(file_weekly_audit_review)
    register_nav(
        NavItem(
            "retention:audit_review",
            _("Audit review"),
            "clipboard-data",
            lambda user: reach(user, Action.AUDIT_VIEW) is not None,
            group=AUDIT,
        ),
        NavItem(
            "retention:transmission",
            _("Protected transmission"),
            "shield-lock",
            lambda user: reach(user, Action.POLICY_MANAGE) is not None,
            group=ADMINISTRATION,
        ),
    )
