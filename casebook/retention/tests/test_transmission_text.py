"""Urgent-report and tip text encrypted at rest (item 6), and urgent messages that carry a link
and a minimal summary unless the security administrator allows the text (item 5)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.intel.models import Tip
from casebook.intel.services.tips import tip_submit
from casebook.reports.models import UrgentReport
from casebook.reports.services import urgent as urgent_services
from casebook.retention.transmission_policy import urgent_text_set
from casebook.testing.factories import PersonFactory
from conftest import login

SECRET = "对象携带管制刀具前往"


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def person(crew, org):
    return PersonFactory(station=org["a"], actor=crew["leader"])


def test_urgent_text_and_place_are_ciphertext(crew, person):
    report = urgent_services.urgent_report_create(
        actor=crew["officer"], text=SECRET, place="城南路十号", subject=person
    )
    for column, plain in (("text", SECRET), ("place", "城南路十号")):
        raw = _raw("reports_urgentreport", column, report.pk)
        assert raw.startswith("cb1:") and plain not in raw
    assert UrgentReport.objects.get(pk=report.pk).text == SECRET
    event = AuditEvent.objects.get(action="urgent.create")
    assert SECRET not in event.object_repr


def test_urgent_report_without_subject_uses_the_system_key(crew):
    report = urgent_services.urgent_report_create(actor=crew["officer"], text=SECRET)
    assert _raw("reports_urgentreport", "text", report.pk).startswith("cb1:")
    assert UrgentReport.objects.get(pk=report.pk).text == SECRET


def test_tip_text_is_ciphertext(org, db):
    tip = tip_submit(ip="203.0.113.9", what=f"{SECRET}的人很多", where="人民广场", station=org["a"])
    assert SECRET not in _raw("intel_tip", "what", tip.pk)
    assert "人民广场" not in _raw("intel_tip", "where", tip.pk)
    assert Tip.objects.get(pk=tip.pk).what == f"{SECRET}的人很多"


def test_messages_carry_the_text_only_when_the_security_admin_allows(
    crew, person, settings, make_user
):
    settings.CASEBOOK_BASE_URL = "https://casebook.example.cn"
    security = make_user(Role.SECURITY_ADMIN, crew["admin"].unit)
    report = urgent_services.urgent_report_create(
        actor=crew["officer"], text=SECRET, subject=person
    )
    subject, body = urgent_services._message(report)
    assert SECRET not in body and "https://casebook.example.cn/" in body
    with pytest.raises(PermissionDenied):
        urgent_text_set(actor=crew["leader"], allowed=True, reason="值班需要")
    urgent_text_set(actor=security, allowed=True, reason="指挥中心要求短信含全文")
    assert SECRET in urgent_services._message(report)[1]
    event = AuditEvent.objects.filter(action="security.urgent_text").latest("seq")
    assert event.actor_id == security.pk and event.details == {"allowed": True, "before": False}
    urgent_text_set(actor=security, allowed=False, reason="恢复默认")
    assert SECRET not in urgent_services._message(report)[1]
    urgent_services.deliver_pending()
    assert all(SECRET not in m.body for m in mail.outbox)


def test_transmission_page_for_the_security_admin_only(crew, make_user):
    security = make_user(Role.SECURITY_ADMIN, crew["admin"].unit)
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), security)  # the page asserted in English
    with translation.override("en"):
        page = client.get(reverse("retention:transmission"))
        assert page.status_code == 200 and "minimal summary" in page.content.decode()
        refused = client.post(reverse("retention:transmission"), {"allowed": "on", "reason": ""})
        assert refused.status_code == 200
        assert not AuditEvent.objects.filter(action="security.urgent_text").exists()
        done = client.post(
            reverse("retention:transmission"), {"allowed": "on", "reason": "指挥中心要求"}
        )
    assert done.status_code == 302 and urgent_services.urgent_text_allowed()
    for key in ("officer", "leader", "admin", "auditor"):
        other = login(Client(), crew[key])
        assert other.get(reverse("retention:transmission")).status_code == 403
        assert (
            other.post(reverse("retention:transmission"), {"reason": "xxxxxx"}).status_code == 403
        )
