"""The menu bar's groups: the daily links on the bar, the others in drop-downs (a group holds
only the links its user may use, is absent when none is left, is active when one of its links
is, and carries the sum of their badges)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from casebook.accounts import navigation
from casebook.accounts.roles import Role
from casebook.core import context_processors
from casebook.core.context_processors import NavGroup, NavItem, nav_menu

TOOLS = NavGroup("tools", "Tools", "wrench")
ADMIN = NavGroup("admin", "Admin", "gear")


def link(url, group=None, *, active=False, badge=0):
    return {"url": url, "label": url, "icon": "x", "active": active, "badge": badge, "group": group}


def shape(menu):
    return [
        (e["key"], [i["url"] for i in e["items"]]) if e.get("is_group") else e["url"] for e in menu
    ]


class TestNavMenu:
    def test_a_group_gathers_its_links_where_its_first_one_comes(self):
        menu = nav_menu(
            [link("/"), link("/t1", TOOLS), link("/s"), link("/a1", ADMIN), link("/t2", TOOLS)]
        )
        # a group of one link stays a drop-down
        assert shape(menu) == ["/", ("tools", ["/t1", "/t2"]), "/s", ("admin", ["/a1"])]

    def test_a_group_is_active_with_its_link_and_sums_its_badges(self):
        menu = nav_menu(
            [
                link("/"),
                link("/t1", TOOLS, badge=2),
                link("/t2", TOOLS, active=True, badge=3),
                link("/a1", ADMIN),
                link("/a2", ADMIN, badge=0),
            ]
        )
        tools, admin = menu[1], menu[2]
        assert (tools["active"], tools["badge"]) == (True, 5)
        assert (admin["active"], admin["badge"]) == (False, 0)
        assert menu[0]["active"] is False

    def test_no_links_no_groups(self):
        assert nav_menu([]) == []


def menu_of(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.context["nav_menu"], response.content.decode()


def groups_of(menu) -> dict[str, list[str]]:
    return {e["key"]: [i["url"] for i in e["items"]] for e in menu if e.get("is_group")}


def bar_links(menu) -> list[str]:
    return [e["url"] for e in menu if not e.get("is_group")]


@pytest.mark.django_db
class TestGroupsPerRole:
    def test_the_officer_has_the_daily_links_on_the_bar_and_no_administration(self, client_for):
        client, _user = client_for(Role.TRACKING_OFFICER)
        menu, _html = menu_of(client)
        bar = bar_links(menu)
        for name in ("accounts:home", "subjects:list", "tracking:list", "intel:list"):
            assert reverse(name) in bar, name
        groups = groups_of(menu)
        # groups with nothing the officer may use are absent, not empty
        assert not {"admin", "lifecycle", "audit"} & set(groups)
        flat = bar + [url for urls in groups.values() for url in urls]
        for forbidden in ("accounts:users", "accounts:grants", "audit:log", "retention:index"):
            assert reverse(forbidden) not in flat, forbidden

    def test_the_station_leader_groups_and_the_same_links_as_before(self, client_for):
        client, _user = client_for(Role.STATION_LEADER)
        menu, html = menu_of(client)
        groups = groups_of(menu)
        assert reverse("tracking:board") in groups["daily"]
        assert reverse("reports:inbox") in groups["daily"]
        assert reverse("analysis:dashboard") in groups["analysis"]
        # grouping changes where a link shows, never who sees it: the same links as the flat list
        flat = bar_links(menu) + [url for urls in groups.values() for url in urls]
        visible = [item["url"] for item in client.get("/").context["nav_items"]]
        assert sorted(flat) == sorted(visible)
        assert len(flat) == len(set(flat))
        assert len(bar_links(menu)) <= 5
        assert 'data-testid="nav-group-daily"' in html
        assert 'data-bs-toggle="dropdown"' in html

    def test_the_audit_administrator_gets_audit_and_lifecycle_only(self, client_for, org):
        client, _user = client_for(Role.AUDIT_ADMIN, org["bureau"])
        menu, _html = menu_of(client)
        assert bar_links(menu) == ["/"]
        groups = groups_of(menu)
        assert set(groups) == {"audit", "lifecycle"}
        assert groups["audit"] == [reverse("audit:log"), reverse("retention:audit_review")]

    def test_the_system_administrator_sees_organisation_not_case_work(self, client_for, org):
        client, _user = client_for(Role.SYSTEM_ADMIN, org["bureau"])
        menu, _html = menu_of(client)
        groups = groups_of(menu)
        assert reverse("accounts:units") in groups["admin"]
        assert reverse("subjects:list") not in bar_links(menu)
        assert "audit" not in groups

    def test_the_group_of_the_page_shown_is_active(self, client_for):
        client, _user = client_for(Role.STATION_LEADER)
        menu, html = menu_of(client, reverse("tracking:board"))
        daily = next(e for e in menu if e.get("key") == "daily")
        assert daily["active"]
        assert [i["url"] for i in daily["items"] if i["active"]] == [reverse("tracking:board")]
        assert not any(e["active"] for e in menu if e is not daily)
        assert 'class="nav-link dropdown-toggle active"' in html

    def test_a_badge_inside_a_group_shows_on_its_toggle(self, client_for, org, monkeypatch):
        client, _user = client_for(Role.SECURITY_ADMIN, org["bureau"])
        monkeypatch.setitem(context_processors.NAV_BADGES, "accounts:grants", lambda user: 2)
        monkeypatch.setitem(context_processors.NAV_BADGES, "accounts:security", lambda user: 3)
        with translation.override("en"):
            menu, html = menu_of(client)
        admin = next(e for e in menu if e.get("key") == "admin")
        assert admin["badge"] == 5
        assert 'data-testid="nav-group-badge">5</span>' in html
        assert html.count('data-testid="nav-badge"') == 2


def test_every_group_of_the_menu_is_one_of_the_declared_groups():
    declared = {
        navigation.DAILY_WORK,
        navigation.ANALYSIS,
        navigation.ADMINISTRATION,
        navigation.LIFECYCLE,
        navigation.AUDIT,
    }
    used = {item.group for item in context_processors.NAV if item.group is not None}
    assert used <= declared
    # one key, one group: two groups of the same key would merge under either label
    assert len({g.key for g in declared}) == len(declared)


def test_a_request_without_a_signed_in_user_has_no_menu():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert context_processors.navigation(request) == {"nav_items": [], "nav_menu": []}


def test_nav_item_group_is_optional():
    assert NavItem("accounts:home", "Home", "house").group is None
