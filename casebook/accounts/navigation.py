"""The menu: every module's link and the access each needs, registered into the core's menu
(``casebook.core.context_processors.register_nav``) from ``AccountsConfig.ready()``. One list,
so the order of the menu is read in one place; a link is shown only to users whose roles reach
its action in the access policy (no dead links).

The bar holds the links of every day (home, subjects, tasks, information, warnings); the rest sit
in drop-downs named as a station names its work: 日常工作 (case work beyond the daily four),
分析研判 (dashboards and the map), 系统管理 (accounts, organisation, categories, policies),
信息生命周期 (retention, destruction, the processing register) and 审计. Other apps put their
links into these groups with the constants below."""

from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action, reach
from casebook.accounts.roles import Role
from casebook.core.context_processors import NavGroup, NavItem

DAILY_WORK = NavGroup("daily", _("Daily work"), "briefcase")
ANALYSIS = NavGroup("analysis", _("Analysis"), "graph-up")
ADMINISTRATION = NavGroup("admin", _("Administration"), "gear")
LIFECYCLE = NavGroup("lifecycle", _("Information lifecycle"), "archive")
AUDIT = NavGroup("audit", _("Audit"), "journal-text")


def granted(action: Action):
    """Visible to the users whose roles give them the action at some reach."""

    def visible(user) -> bool:
        return reach(user, action) is not None

    return visible


def _one_station_dashboard(user) -> bool:
    # bureau-level users compare stations instead of one station's dashboard
    return (
        reach(user, Action.STATION_DASHBOARD) is not None
        and reach(user, Action.BUREAU_DASHBOARD) is None
    )


def _partner_register(user) -> bool:
    # case workers share with the departments; the system administrator keeps the register
    return reach(user, Action.TASK_VIEW) is not None or reach(user, Action.UNIT_MANAGE) is not None


def _station_informants(user) -> bool:
    # the informants of one's own station: what the informants page lists (codes and grades;
    # identities only for the handler and the station leader)
    return reach(user, Action.SUBJECT_VIEW) is not None and user.unit.station is not None


def _monitoring_sources(user) -> bool:
    # the bureau's system administrator registers the systems that send monitoring events
    return Role.SYSTEM_ADMIN in set(user.role_set) and user.unit_id is not None


#: On the bar first (the daily links), then the groups in the order they show.
MENU = [
    NavItem("accounts:home", _("Home"), "house"),
    NavItem(
        "subjects:list", _("Tracked subjects"), "person-lines-fill", granted(Action.SUBJECT_VIEW)
    ),
    NavItem("tracking:list", _("Tasks"), "list-check", granted(Action.TASK_VIEW)),
    NavItem("intel:list", _("Information"), "journal-richtext", granted(Action.SUBJECT_VIEW)),
    NavItem(
        "analysis:warnings", _("Warnings"), "exclamation-triangle", granted(Action.SUBJECT_VIEW)
    ),
    NavItem(
        "reports:inbox",
        _("Reports"),
        "send-exclamation",
        granted(Action.SUBJECT_VIEW),
        group=DAILY_WORK,
    ),
    NavItem(
        "tracking:board", _("Stage board"), "kanban", granted(Action.TASK_ASSIGN), group=DAILY_WORK
    ),
    NavItem(
        "intel:tips", _("Public tips"), "megaphone", granted(Action.TIP_TRIAGE), group=DAILY_WORK
    ),
    NavItem(
        "intel:informants", _("Informants"), "incognito", _station_informants, group=DAILY_WORK
    ),
    NavItem(
        "partners:list", _("Partner departments"), "building", _partner_register, group=DAILY_WORK
    ),
    NavItem(
        "subjects:import",
        _("Import registers"),
        "file-earmark-spreadsheet",
        granted(Action.SUBJECT_APPROVE),
        group=DAILY_WORK,
    ),
    NavItem(
        "analysis:dashboard", _("Dashboard"), "speedometer2", _one_station_dashboard, group=ANALYSIS
    ),
    NavItem(
        "analysis:bureau",
        _("Stations"),
        "buildings",
        granted(Action.BUREAU_DASHBOARD),
        group=ANALYSIS,
    ),
    NavItem("subjects:map", _("Map"), "geo-alt", granted(Action.SUBJECT_VIEW), group=ANALYSIS),
    NavItem(
        "accounts:users", _("Accounts"), "people", granted(Action.USER_MANAGE), group=ADMINISTRATION
    ),
    NavItem(
        "accounts:units",
        _("Organisation"),
        "diagram-3",
        granted(Action.UNIT_MANAGE),
        group=ADMINISTRATION,
    ),
    NavItem(
        "subjects:categories",
        _("Categories"),
        "tags",
        granted(Action.CATEGORY_MANAGE),
        group=ADMINISTRATION,
    ),
    NavItem(
        "analysis:rules",
        _("Warning rules"),
        "bell",
        granted(Action.CATEGORY_MANAGE),
        group=ADMINISTRATION,
    ),
    NavItem(
        "monitoring:sources",
        _("Monitoring sources"),
        "broadcast",
        _monitoring_sources,
        group=ADMINISTRATION,
    ),
    NavItem(
        "accounts:grants",
        _("Access approvals"),
        "person-check",
        granted(Action.GRANT_APPROVE),
        group=ADMINISTRATION,
    ),
    NavItem(
        "accounts:security",
        _("Security policy"),
        "shield-lock",
        granted(Action.POLICY_MANAGE),
        group=ADMINISTRATION,
    ),
    NavItem("audit:log", _("Audit log"), "journal-text", granted(Action.AUDIT_VIEW), group=AUDIT),
]
