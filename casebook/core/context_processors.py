"""Navigation: only the modules the user's roles may use (no dead links).

The core owns the menu's machinery; which links it holds and who sees each is not the core's to
know (roles and the access policy sit above it): ``casebook.accounts.navigation`` registers the
menu with :func:`register_nav` from ``AppConfig.ready()``, and the modules with something waiting
register a badge with :func:`register_nav_badge`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the menu bar: its key, (translatable) label and Bootstrap icon. It is shown
    where its first visible link would be, and only when one of its links is visible."""

    key: str
    label: str
    icon: str


@dataclass(frozen=True)
class NavItem:
    """One link of the menu: a URL name, its (translatable) label, a Bootstrap icon, and who
    sees it: ``visible(user)``, or every signed-in user when it is None. A link with a ``group``
    is shown in that group's drop-down instead of on the bar itself."""

    url_name: str
    label: str
    icon: str
    visible: Callable | None = None
    group: NavGroup | None = None


#: The menu, in the order shown; filled by :func:`register_nav`.
NAV: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    """Append links to the menu, in the order given (a URL name already there is left as is)."""
    known = {item.url_name for item in NAV}
    for item in items:
        if item.url_name not in known:
            NAV.append(item)
            known.add(item.url_name)


#: url name -> callable(user) giving a count shown as a badge on that link (0: no badge).
#: Higher apps register theirs from ``AppConfig.ready()`` (core never imports them).
NAV_BADGES: dict = {}


def register_nav_badge(url_name: str, count) -> None:
    NAV_BADGES[url_name] = count


def navigation(request):
    """The menu, built only when a template shows it (fragments such as the polled notification
    badge do not, and must not pay for the badges' counts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    items = SimpleLazyObject(lambda: _nav_items(request, user))
    return {"nav_items": items, "nav_menu": SimpleLazyObject(lambda: nav_menu(items))}


def _nav_items(request, user) -> list[dict]:
    """The links the user may use, in menu order, each with its group (None: on the bar)."""
    items = [
        {
            "url": reverse(item.url_name),
            "label": item.label,
            "icon": item.icon,
            "active": False,
            "badge": NAV_BADGES[item.url_name](user) if item.url_name in NAV_BADGES else 0,
            "group": item.group,
        }
        for item in NAV
        if item.visible is None or item.visible(user)
    ]
    # the longest link that the current path starts with is the active one
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items


def nav_menu(items) -> list[dict]:
    """The menu bar: the ungrouped links, and one entry a group (``is_group``) holding its
    visible links, placed where its first link comes; a group is active when one of its links
    is, and its badge is the sum of theirs; a group with no visible link is absent. A group of
    one link stays a drop-down: a link is found in the same place whatever the user's roles."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        group = item["group"]
        if group is None:
            entries.append(item)
            continue
        entry = groups.get(group.key)
        if entry is None:
            entry = groups[group.key] = {
                "is_group": True,
                "key": group.key,
                "label": group.label,
                "icon": group.icon,
                "items": [],
                "active": False,
                "badge": 0,
            }
            entries.append(entry)
        entry["items"].append(item)
        entry["active"] = entry["active"] or item["active"]
        entry["badge"] += item["badge"] or 0
    return entries
