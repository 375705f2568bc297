"""What the officer file, the pledge and training register in the layers below (called from
``StaffConfig.ready()``): access rules, audit codes, the gates, the file's sections, the home
panel and the menu."""

from django.utils.translation import gettext_lazy as _

from casebook.access.gates import register_exempt, register_gate
from casebook.accounts.navigation import ADMINISTRATION, DAILY_WORK
from casebook.accounts.roles import CASE_ROLES, Role
from casebook.audit.labels import register_action
from casebook.core.context_processors import NavItem, register_nav
from casebook.core.home import register_home_panel

from . import access, gates, home, sections

ACTIONS = (
    ("staff.profile", _("Officer's post changed")),
    ("staff.certificate_add", _("Certificate recorded")),
    ("staff.conduct_add", _("Commendation or discipline recorded")),
    ("staff.pledge_issue", _("Confidentiality pledge issued")),
    ("staff.pledge_sign", _("Confidentiality pledge signed")),
    ("staff.policy", _("Staff policy changed")),
    ("staff.course_create", _("Training course created")),
    ("staff.session_create", _("Training session created")),
    ("staff.material_add", _("Training material added")),
    ("staff.attendance", _("Training attendance recorded")),
    ("staff.requirement", _("Training quota set")),
    ("read.officer_file", _("Officer file viewed")),
    ("read.staff_file", _("Officer's file document viewed")),
)

#: Pages reachable while a gate is closed: leaving, the account's own security settings, the
#: language, the polled badge (a count, no personal data).
EXEMPT_URLS = (
    "accounts:logout",
    "accounts:reauth",
    "accounts:profile",
    "accounts:mfa_setup",
    "accounts:mfa_remove",
    "accounts:token_revoke",
    "accounts:password_set",
    "set_language",
    "javascript-catalog",
    "tracking:notifications_count",
)


def _case_worker(user) -> bool:
    return bool(user.role_set & CASE_ROLES)


def _leader(user) -> bool:
    return bool(user.role_set & {Role.STATION_LEADER, Role.BUREAU_LEADER})


def register() -> None:
    access.register_rules()
    for code, label in ACTIONS:
        register_action(code, label)
    register_gate("pledge", gates.pledge_gate)
    register_gate("training", gates.training_gate)
    register_exempt(*EXEMPT_URLS)
    sections.register_sections()
    register_home_panel(home.staff_panel)
    register_nav(
        NavItem("staff:my_file", _("My file"), "person-badge", _case_worker, group=DAILY_WORK),
        NavItem("staff:officers", _("Officers"), "people", _leader, group=DAILY_WORK),
        NavItem("staff:training", _("Training"), "mortarboard", _case_worker, group=DAILY_WORK),
        NavItem(
            "staff:pledge_admin",
            _("Confidentiality pledge"),
            "pen",
            access.is_security_admin,
            group=ADMINISTRATION,
        ),
    )
