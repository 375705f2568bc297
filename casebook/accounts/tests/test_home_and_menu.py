"""The home page and the menu after the move out of core (issue #12 item 3): the menu is the
core's machinery filled by accounts, each link shown only to roles whose access reaches it; the
audit module adds "my recent activity" and the audit administrator's figures as home panels."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from casebook.accounts.roles import Role
from casebook.audit.services import record_event
from casebook.core import context_processors
from casebook.core.context_processors import NavItem, register_nav


def menu_urls(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    return [item["url"] for item in response.context["nav_items"]]


@pytest.mark.django_db
class TestMenu:
    def test_an_officer_sees_case_work_and_no_administration(self, client_for):
        client, _user = client_for(Role.TRACKING_OFFICER)
        urls = menu_urls(client)
        assert urls[0] == "/"
        assert reverse("subjects:list") in urls
        assert reverse("tracking:list") in urls
        for forbidden in ("accounts:units", "accounts:users", "audit:log", "analysis:bureau"):
            assert reverse(forbidden) not in urls, forbidden
            # and the page behind the missing link refuses the officer
            assert client.get(reverse(forbidden)).status_code in (403, 404), forbidden

    def test_the_system_administrator_sees_the_organisation_and_no_case_data(self, client_for, org):
        client, _user = client_for(Role.SYSTEM_ADMIN, org["bureau"])
        urls = menu_urls(client)
        assert reverse("accounts:units") in urls
        assert reverse("accounts:users") in urls
        assert reverse("subjects:list") not in urls
        assert reverse("audit:log") not in urls
        # the organisation page is where the link says (address unchanged by the move)
        assert reverse("accounts:units") == "/organisation/"
        assert client.get("/organisation/").status_code == 200

    def test_the_audit_administrator_sees_the_audit_and_no_case_data(self, client_for, org):
        # the audit log, and since the retention module its audit review, retention and
        # processing register (both read through AUDIT_VIEW / RETENTION_VIEW); no case work
        client, _user = client_for(Role.AUDIT_ADMIN, org["bureau"])
        urls = menu_urls(client)
        assert urls[:2] == ["/", reverse("audit:log")]
        assert reverse("retention:audit_review") in urls
        for forbidden in ("subjects:list", "tracking:list", "intel:list", "accounts:users"):
            assert reverse(forbidden) not in urls, forbidden

    def test_bureau_level_users_compare_stations_instead_of_one_dashboard(self, client_for, org):
        leader, _ = client_for(Role.STATION_LEADER)
        bureau, _ = client_for(Role.BUREAU_LEADER, org["bureau"])
        assert reverse("analysis:dashboard") in menu_urls(leader)
        assert reverse("analysis:bureau") not in menu_urls(leader)
        assert reverse("analysis:bureau") in menu_urls(bureau)
        assert reverse("analysis:dashboard") not in menu_urls(bureau)

    def test_anonymous_users_get_no_menu(self):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        assert context_processors.navigation(request) == {"nav_items": [], "nav_menu": []}


def test_register_nav_keeps_the_order_and_ignores_a_repeated_link(monkeypatch):
    monkeypatch.setattr(context_processors, "NAV", [])
    first = NavItem("accounts:home", "Home", "house")
    register_nav(first, NavItem("audit:log", "Audit", "journal-text"))
    register_nav(NavItem("accounts:home", "Again", "x"), NavItem("accounts:units", "Units", "y"))
    assert [i.url_name for i in context_processors.NAV] == [
        "accounts:home",
        "audit:log",
        "accounts:units",
    ]
    assert context_processors.NAV[0] is first


@pytest.mark.django_db
class TestHomePanels:
    def test_my_recent_activity_lists_my_actions_not_my_reads_nor_others(self, client_for):
        me_client, me = client_for(Role.TRACKING_OFFICER)
        other_client, other = client_for(Role.TRACKING_OFFICER)
        record_event(actor=me, action="subject.update", object_repr="MINE-7731")
        record_event(actor=me, action="read.subject", object_repr="READ-7731")
        record_event(actor=other, action="subject.update", object_repr="THEIRS-7731")
        mine = me_client.get("/").content.decode()
        assert "MINE-7731" in mine
        assert "READ-7731" not in mine
        assert "THEIRS-7731" not in mine
        assert "MINE-7731" not in other_client.get("/").content.decode()

    def test_audit_figures_on_the_audit_administrators_home_only(self, client_for, org):
        auditor, _ = client_for(Role.AUDIT_ADMIN, org["bureau"])
        page = auditor.get("/")
        assert page.status_code == 200
        assert page.context["event_count"] > 0
        assert "last_checkpoint" in page.context
        assert reverse("audit:log") in page.content.decode()
        officer, _ = client_for(Role.TRACKING_OFFICER)
        page = officer.get("/")
        assert "event_count" not in page.context
        assert "last_checkpoint" not in page.context
