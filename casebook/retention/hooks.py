"""How the retention module plugs into the layers below (from ``RetentionConfig.ready()``):
access rules, audit action codes, jobs, the warning rule, the menu and the register of issued
documents that ``verify_export`` asks."""

from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action, reach
from casebook.accounts.navigation import ADMINISTRATION, LIFECYCLE
from casebook.analysis.rules import register_rule
from casebook.audit.labels import register_action
from casebook.core.bureaus import register_bureau_setup
from casebook.core.context_processors import NavItem, register_nav
from casebook.core.jobs import register_job
from casebook.reports.archive import local_time
from casebook.reports.selectors import Issued, register_issued_lookup
from casebook.subjects.retention_classes import register_retention_classes

from . import access, rules, services, tasks
from .choices import DataScope
from .models import DestructionCertificate, RegisterExport, RetentionClass

ACTIONS = {
    "retention.review_overdue": _("Review overdue announced"),
    "retention.restrict": _("Subject restricted (review overdue)"),
    "retention.renew": _("Restricted subject renewed"),
    "retention.propose": _("Destruction proposed"),
    "retention.approve": _("Destruction approved"),
    "retention.withdraw": _("Destruction proposal withdrawn"),
    "retention.destroy": _("Data destroyed"),
    "retention.hold": _("Legal hold placed"),
    "retention.release": _("Legal hold released"),
    "retention.configure": _("Retention period changed"),
    "retention.class_create": _("Retention class added"),
    "retention.class_delete": _("Retention class removed"),
    "retention.certificate_download": _("Destruction certificate downloaded"),
    "read.retention": _("Retention page viewed"),
    "read.processing_register": _("Processing register viewed"),
    "processing_register.export": _("Processing register exported"),
}


def issued_certificate(digest: str):
    certificate = DestructionCertificate.objects.filter(digest=digest).first()
    if certificate is None:
        return None
    return Issued(
        _("Destruction certificate %(ref)s: %(count)s items, list digest %(list)s")
        % {
            "ref": certificate.reference,
            "count": certificate.item_count,
            "list": certificate.list_digest,
        }
    )


def issued_register(digest: str):
    issued = RegisterExport.objects.filter(digest=digest).select_related("issued_by").first()
    if issued is None:
        return None
    return Issued(
        _("Processing register %(ref)s issued by %(name)s (%(number)s) at %(time)s")
        % {
            "ref": issued.reference,
            "name": issued.issued_by.real_name,
            "number": issued.issued_by.username,
            "time": local_time(issued.issued_at),
        }
    )


def subject_classes(bureau_id: int | None) -> list[tuple[str, str]]:
    """The classes a category of the bureau ``bureau_id`` may name (``subjects.
    retention_classes``): that bureau's subject classes."""
    return [
        (c.code, c.label)
        for c in RetentionClass.objects.filter(bureau_id=bureau_id, scope=DataScope.SUBJECTS)
    ]


def register() -> None:
    access.register_rules()
    register_retention_classes(subject_classes)
    register_bureau_setup(services.bureau_setup)
    for code, label in ACTIONS.items():
        register_action(code, label)
    register_job(tasks.retention_review)
    register_job(tasks.retention_propose)
    register_rule("review_overdue", rules.review_overdue)
    register_issued_lookup(issued_certificate)
    register_issued_lookup(issued_register)
    register_nav(
        NavItem(
            "retention:index",
            _("Retention and destruction"),
            "recycle",
            lambda user: reach(user, Action.RETENTION_VIEW) is not None,
            group=LIFECYCLE,
        ),
        NavItem(
            "subjects:category_changes",
            _("Category approvals"),
            "patch-check",
            lambda user: reach(user, Action.CATEGORY_APPROVE) is not None,
            group=ADMINISTRATION,
        ),
        NavItem(
            "retention:register",
            _("Processing register"),
            "journal-check",
            lambda user: reach(user, Action.PROCESSING_REGISTER) is not None,
            group=LIFECYCLE,
        ),
    )
