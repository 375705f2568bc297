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
class NavItem:
    """One link of the menu: a URL name, its (translatable) label, a Bootstrap icon, and who
    sees it: ``visible(user)``, or every signed-in user when it is None."""

    url_name: str
    label: str
    icon: str
    visible: Callable | None = None


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
        return {"nav_items": []}
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(request, user))}


def _nav_items(request, user) -> list[dict]:
    items = [
        {
            "url": reverse(item.url_name),
            "label": item.label,
            "icon": item.icon,
            "active": False,
            "badge": NAV_BADGES[item.url_name](user) if item.url_name in NAV_BADGES else 0,
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
