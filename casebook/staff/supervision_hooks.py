"""How summaries and supervision plug into the layers below (from ``StaffConfig.ready()``):
access rules, audit action codes, notification kinds, the overdue-summary job, the menu, the
officer file's sections and the register of issued documents that ``verify_export`` asks."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.accounts.navigation import AUDIT, DAILY_WORK
from casebook.accounts.officer_file import register_section
from casebook.accounts.roles import Role
from casebook.audit.labels import register_action
from casebook.core.context_processors import NavItem, register_nav
from casebook.core.jobs import register_job
from casebook.reports.selectors import register_issued_lookup
from casebook.tracking.notify import register_kind

from . import supervision_access, supervision_report, supervision_tasks
from . import supervision_selectors as sel
from .supervision_access import SUMMARY_WRITERS

ACTIONS = {
    "summary.cadence": _("Summary cadence set"),
    "summary.submit": _("Work summary submitted"),
    "summary.comment": _("Work summary commented by the leader"),
    "summary.overdue": _("Overdue work summary reminded"),
    "inspection.plan": _("Inspection planned"),
    "inspection.record": _("Inspection recorded"),
    "supervision.rectification_open": _("Rectification opened"),
    "supervision.rectification_close": _("Rectification closed with evidence"),
    "complaint.register": _("Complaint registered"),
    "complaint.update": _("Complaint followed up"),
    "supervision.report": _("Training and supervision summary issued"),
    "supervision.audit_view": _("Audit log of supervised units viewed"),
    "read.work_summary": _("Work summary viewed"),
    "read.complaint": _("Complaint viewed"),
    "read.rectification_evidence": _("Rectification evidence downloaded"),
}


#: Roles that read summaries and supervision records of stations (no query: the menu is built
#: on every page).
READERS = frozenset({Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR})


def _summaries_link(user) -> bool:
    return bool((SUMMARY_WRITERS | READERS) & set(user.role_set))


def _supervision_link(user) -> bool:
    # leaders and supervisors; officers find the rectifications they own there
    return bool((SUMMARY_WRITERS | READERS) & set(user.role_set))


def _supervisor(user) -> bool:
    return Role.SUPERVISOR in user.role_set


# --- the officer file's sections ----------------------------------------------------------------


def summaries_section(viewer, officer):
    summaries = list(sel.visible_summaries(viewer).filter(officer=officer)[:12])
    return {"summaries": summaries} if summaries else None


def rectifications_section(viewer, officer):
    rows = list(sel.visible_rectifications(viewer).filter(owner=officer)[:20])
    return {"rectifications": rows} if rows else None


def complaints_section(viewer, officer):
    rows = list(sel.visible_complaints(viewer).filter(officer=officer)[:20])
    return {"complaints": rows} if rows else None


def register() -> None:
    supervision_access.register_rules()
    for code, label in ACTIONS.items():
        register_action(code, label)
    register_kind("summary", _("Work summaries: reminders and comments"))
    register_kind("supervision", _("Inspections and rectifications"))
    register_job(supervision_tasks.remind_summaries)
    register_issued_lookup(supervision_report.issued_report)
    register_section(
        "summaries", _("Work summaries"), summaries_section, "staff/file_summaries.html", 60
    )
    register_section(
        "rectifications",
        _("Inspection findings to rectify"),
        rectifications_section,
        "staff/file_rectifications.html",
        70,
    )
    register_section(
        "complaints", _("Complaints"), complaints_section, "staff/file_complaints.html", 80
    )
    register_nav(
        NavItem(
            "staff:summaries",
            _("Work summaries"),
            "journal-check",
            _summaries_link,
            group=DAILY_WORK,
        ),
        NavItem(
            "staff:supervision",
            pgettext_lazy("inspections", "Supervision"),
            "clipboard-check",
            _supervision_link,
            group=DAILY_WORK,
        ),
        NavItem(
            "staff:supervised_audit",
            _("Audit log of supervised units"),
            "journal-text",
            _supervisor,
            group=AUDIT,
        ),
    )
