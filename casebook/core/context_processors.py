"""Navigation: only the modules the user's roles may use (no dead links)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action, reach

#: (url name, label, icon, action that must be granted or None for every user)
NAV = [
    ("core:home", _("Home"), "house", None),
    ("analysis:dashboard", _("Dashboard"), "speedometer2", Action.STATION_DASHBOARD),  # one station
    ("analysis:bureau", _("Stations"), "buildings", Action.BUREAU_DASHBOARD),
    ("subjects:list", _("Tracked subjects"), "person-lines-fill", Action.SUBJECT_VIEW),
    ("subjects:map", _("Map"), "geo-alt", Action.SUBJECT_VIEW),
    ("tracking:list", _("Tasks"), "list-check", Action.TASK_VIEW),
    ("intel:list", _("Information"), "journal-richtext", Action.SUBJECT_VIEW),
    ("intel:tips", _("Public tips"), "megaphone", Action.TIP_TRIAGE),
    ("analysis:warnings", _("Warnings"), "exclamation-triangle", Action.SUBJECT_VIEW),
    ("reports:inbox", _("Reports"), "send-exclamation", Action.SUBJECT_VIEW),
    ("tracking:board", _("Stage board"), "kanban", Action.TASK_ASSIGN),
    ("accounts:users", _("Accounts"), "people", Action.USER_MANAGE),
    ("core:units", _("Organisation"), "diagram-3", Action.UNIT_MANAGE),
    ("subjects:categories", _("Categories"), "tags", Action.CATEGORY_MANAGE),
    ("analysis:rules", _("Warning rules"), "bell", Action.CATEGORY_MANAGE),
    ("accounts:grants", _("Access approvals"), "person-check", Action.GRANT_APPROVE),
    ("accounts:security", _("Security policy"), "shield-lock", Action.POLICY_MANAGE),
    ("audit:log", _("Audit log"), "journal-text", Action.AUDIT_VIEW),
]


#: url name -> callable(user) giving a count shown as a badge on that link (0: no badge).
#: Higher apps register theirs from ``AppConfig.ready()`` (core never imports them).
NAV_BADGES: dict = {}


def register_nav_badge(url_name: str, count) -> None:
    NAV_BADGES[url_name] = count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    bureau_level = reach(user, Action.BUREAU_DASHBOARD) is not None
    items = [
        {
            "url": reverse(name),
            "label": label,
            "icon": icon,
            "active": False,
            "badge": NAV_BADGES[name](user) if name in NAV_BADGES else 0,
        }
        for name, label, icon, action in NAV
        if (action is None or reach(user, action) is not None)
        # bureau-level users compare stations instead of one station's dashboard
        and not (name == "analysis:dashboard" and bureau_level)
    ]
    # the longest link that the current path starts with is the active one
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
