"""Urgent reports (立即报告): reach the on-duty leaders at once over every channel, climb the
chain when nobody acknowledges them in time, and never lose a message when a channel fails."""

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from casebook.audit.models import AuditEvent
from casebook.reports import channels, selectors, services
from casebook.reports.choices import Channel, DeliveryStatus, UrgentLevel
from casebook.reports.models import Delivery, UrgentReport
from casebook.tracking.models import Notification
from conftest import login, second_factor


def t0():
    return datetime.fromisoformat("2026-11-29T02:00:00+00:00")


def duty(unit, user, creator, hours=12):
    start = timezone.now() - timedelta(hours=1)
    return services.duty_shift_add(
        actor=creator, unit=unit, user=user, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


@pytest.fixture
def deputy(org, make_user):
    from casebook.accounts.roles import Role

    return make_user(Role.STATION_LEADER, org["a"], real_name="副所长", email="fu@test.cn")


@pytest.mark.django_db
class TestSending:
    def test_on_duty_leader_gets_it_in_app_and_queued_by_mail(self, org, crew, person, deputy):
        duty(org["a"], deputy, crew["leader"])
        report = services.urgent_report_create(
            actor=crew["officer"], text="对象扬言报复，情绪激动", place="城南路", subject=person
        )
        assert report.station == org["a"] and report.level == UrgentLevel.ON_DUTY
        got = {(d.recipient.real_name, d.channel, d.status) for d in report.deliveries.all()}
        assert got == {
            ("副所长", Channel.IN_APP, DeliveryStatus.SENT),
            ("副所长", Channel.EMAIL, DeliveryStatus.PENDING),
            ("副所长", Channel.SMS, DeliveryStatus.SKIPPED),  # no phone on file
        }
        assert Notification.objects.filter(user=deputy, url=report.get_absolute_url()).exists()
        assert not Notification.objects.filter(user=crew["leader"]).exists()  # not on duty
        event = AuditEvent.objects.get(action="urgent.create")
        assert event.recipients == "副所长" and event.details["subject"] == person.pk
        assert services.deliver_pending() == (1, 0)
        assert mail.outbox[-1].to == ["fu@test.cn"]
        # a link and a minimal summary, never the report's text (article 七(三))
        assert report.get_absolute_url() in mail.outbox[-1].body
        assert "对象扬言报复" not in mail.outbox[-1].body

    def test_without_a_roster_every_station_leader_is_reached(self, crew, person, deputy):
        report = services.urgent_report_create(
            actor=crew["officer"], text="紧急情况", subject=person
        )
        names = set(report.deliveries.values_list("recipient__real_name", flat=True))
        assert names == {"李所长", "副所长"}

    def test_empty_text_writes_nothing(self, crew, person):
        with pytest.raises(ValidationError):
            services.urgent_report_create(actor=crew["officer"], text=" ", subject=person)
        assert not UrgentReport.objects.exists() and not Delivery.objects.exists()

    def test_subject_out_of_reach_is_refused(self, crew, person):
        with pytest.raises(PermissionDenied):
            services.urgent_report_create(
                actor=crew["other_officer"], text="紧急情况", subject=person
            )
        client = login(Client(), crew["other_officer"])
        assert client.get(f"/reports/urgent/new/?subject={person.pk}").status_code == 404

    def test_phone_form_sends_and_bad_input_keeps_the_text(self, crew, person):
        client = login(Client(), crew["officer"])
        page = client.get(f"/reports/urgent/new/?subject={person.pk}").content.decode()
        assert "赵某某" in page and "李所长" in page  # who it will reach, before sending
        page = client.post(
            "/reports/urgent/new/", {"subject": person.pk, "text": "", "place": "东门"}
        )
        assert page.status_code == 200 and 'data-testid="error-text"' in page.content.decode()
        assert not UrgentReport.objects.exists()
        response = client.post(
            "/reports/urgent/new/", {"subject": person.pk, "text": "对象持刀", "place": "东门"}
        )
        report = UrgentReport.objects.get()
        assert response.url == report.get_absolute_url() and report.place == "东门"


@pytest.mark.django_db
class TestAcknowledgement:
    def test_leader_acknowledges_and_the_officer_is_told(self, crew, person):
        report = services.urgent_report_create(
            actor=crew["officer"], text="紧急情况", subject=person
        )
        leader = login(Client(), crew["leader"])
        home = leader.get("/").content.decode()
        assert 'data-testid="urgent-banner"' in home and "紧急情况" in home
        leader.post(f"/reports/urgent/{report.pk}/acknowledge/", {"note": "立即出警"})
        report.refresh_from_db()
        assert report.status == "acknowledged" and report.ack_note == "立即出警"
        assert Notification.objects.filter(user=crew["officer"], text__contains="立即出警")
        assert 'data-testid="urgent-banner"' not in leader.get("/").content.decode()
        steps = [s.text for s in selectors.urgent_timeline(report)]
        assert any("李所长" in s and "立即出警" in s for s in steps)

    def test_author_and_outsiders_cannot_acknowledge(self, crew, person):
        report = services.urgent_report_create(
            actor=crew["officer"], text="紧急情况", subject=person
        )
        with pytest.raises(PermissionDenied):
            services.urgent_acknowledge(actor=crew["officer"], report=report)
        other = login(Client(), crew["other_leader"])
        assert other.get(report.get_absolute_url()).status_code == 404
        assert other.post(f"/reports/urgent/{report.pk}/acknowledge/").status_code == 404
        report.refresh_from_db()
        assert report.status == "open"


@pytest.mark.django_db
class TestEscalation:
    def test_climbs_the_chain_with_a_frozen_clock(self, org, crew, person, deputy, settings):
        settings.CASEBOOK_URGENT_ACK_MINUTES = 10
        with time_machine.travel(t0(), tick=False) as clock:
            duty(org["a"], deputy, crew["leader"])
            report = services.urgent_report_create(
                actor=crew["officer"], text="紧急情况", subject=person
            )
            clock.shift(timedelta(minutes=9, seconds=59))
            assert services.run_urgent_escalation() == 0
            clock.shift(timedelta(seconds=1))
            assert services.run_urgent_escalation() == 1
            assert services.run_urgent_escalation() == 0  # once per window
            report.refresh_from_db()
            assert report.level == UrgentLevel.STATION
            step1 = set(
                report.deliveries.filter(level=1).values_list("recipient__real_name", flat=True)
            )
            assert step1 == {"副所长", "李所长"}
            clock.shift(timedelta(minutes=10))
            assert services.run_urgent_escalation() == 1
            report.refresh_from_db()
            assert report.level == UrgentLevel.BUREAU
            assert set(
                report.deliveries.filter(level=2).values_list("recipient__real_name", flat=True)
            ) == {"局长"}
            clock.shift(timedelta(minutes=30))
            assert services.run_urgent_escalation() == 0  # the bureau is the top
        events = AuditEvent.objects.filter(action="urgent.escalate", object_id=str(report.pk))
        assert [e.details["level"] for e in events.order_by("seq")] == [1, 2]
        texts = [s.text for s in selectors.urgent_timeline(report)]
        assert sum("局长" in t for t in texts) >= 2  # escalation and delivery

    def test_an_acknowledged_report_stays_put(self, crew, person):
        with time_machine.travel(t0(), tick=False) as clock:
            report = services.urgent_report_create(
                actor=crew["officer"], text="紧急情况", subject=person
            )
            services.urgent_acknowledge(actor=crew["leader"], report=report)
            clock.shift(timedelta(hours=2))
            assert services.run_urgent_escalation() == 0


@pytest.mark.django_db
class TestFailingChannels:
    def test_failing_e_mail_is_retried_with_back_off_and_delivered(self, crew, person, monkeypatch):
        calls = []

        def flaky(delivery, subject, body):
            calls.append(timezone.now())
            if len(calls) < 3:
                raise channels.ChannelError("e-mail: SMTP server down")

        monkeypatch.setitem(channels.SENDERS, Channel.EMAIL, flaky)
        with time_machine.travel(t0(), tick=False) as clock:
            report = services.urgent_report_create(
                actor=crew["officer"], text="紧急情况", subject=person
            )
            assert services.deliver_pending() == (0, 1)
            email = report.deliveries.get(channel=Channel.EMAIL)
            assert email.status == "pending" and email.attempts == 1
            assert "SMTP server down" in email.last_error
            assert services.deliver_pending() == (0, 0)  # not due yet
            clock.shift(timedelta(seconds=30))
            assert services.deliver_pending() == (0, 1)
            clock.shift(timedelta(seconds=59))
            assert services.deliver_pending() == (0, 0)
            clock.shift(timedelta(seconds=1))
            assert services.deliver_pending() == (1, 0)
        email.refresh_from_db()
        assert email.status == "sent" and email.attempts == 3
        assert [round((b - a).total_seconds()) for a, b in zip(calls, calls[1:], strict=False)] == [
            30,
            60,
        ]
        assert any("3" in s.text and "李所长" in s.text for s in selectors.urgent_timeline(report))

    def test_sms_gateway_webhook_fails_then_delivers_signed_messages(self, crew, person, settings):
        received = []

        class Gateway(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers["X-Casebook-Signature"]))
                self.send_response(503 if len(received) == 1 else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Gateway)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        settings.CASEBOOK_SMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
        settings.CASEBOOK_SMS_WEBHOOK_SECRET = "gateway-secret"
        try:
            with time_machine.travel(t0(), tick=False) as clock:
                report = services.urgent_report_create(
                    actor=crew["officer"], text="对象持刀", subject=person
                )
                sms = report.deliveries.get(channel=Channel.SMS)
                assert sms.status == "pending"
                services.deliver_pending()
                sms.refresh_from_db()
                assert sms.status == "pending" and "503" in sms.last_error
                clock.shift(timedelta(minutes=1))
                services.deliver_pending()
        finally:
            server.shutdown()
        sms.refresh_from_db()
        assert sms.status == "sent" and sms.attempts == 2
        body, signature = received[-1]
        assert json.loads(body)["to"] == "13900000001"
        assert report.get_absolute_url() in json.loads(body)["text"]
        assert "对象持刀" not in json.loads(body)["text"]
        expected = hmac.new(b"gateway-secret", body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)


@pytest.mark.django_db
def test_escalated_report_shows_the_bureau_leader_the_banner(crew, person):
    with time_machine.travel(t0(), tick=False) as clock:
        report = services.urgent_report_create(
            actor=crew["officer"], text="紧急情况", subject=person
        )
        client = login(Client(), crew["bureau"])
        assert 'data-testid="urgent-banner"' not in client.get("/").content.decode()
        clock.shift(timedelta(minutes=25))
        services.run_urgent_escalation()
        services.run_urgent_escalation()
        clock.shift(timedelta(minutes=11))
        services.run_urgent_escalation()
        report.refresh_from_db()
        assert report.level == UrgentLevel.BUREAU
        client = login(Client(), crew["bureau"])  # a fresh session: the first one timed out
        page = client.get("/").content.decode()
    assert 'data-testid="urgent-banner"' in page and "紧急情况" in page
    # an officer who tracks the subject sees the report (it is in the archive) but may not
    # acknowledge it, and gets no banner
    officer = login(Client(), crew["officer"])
    assert officer.get(report.get_absolute_url()).status_code == 200
    analyst = login(Client(), crew["analyst"])
    page = analyst.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="urgent-ack-form"' not in page
    assert 'data-testid="urgent-banner"' not in analyst.get("/").content.decode()


@pytest.mark.django_db
class TestDutyRoster:
    def form(self, org, user, start, hours=12):
        prefix = f"u{org['a'].pk}"
        fmt = "%Y-%m-%dT%H:%M"
        return {
            "unit": org["a"].pk,
            f"{prefix}-user": user.pk,
            f"{prefix}-post": "leader",
            f"{prefix}-starts_at": timezone.localtime(start).strftime(fmt),
            f"{prefix}-ends_at": timezone.localtime(start + timedelta(hours=hours)).strftime(fmt),
        }

    def test_leader_keeps_the_roster_and_everyone_sees_who_is_on_duty(self, org, crew, deputy):
        from casebook.reports.models import DutyShift

        leader = login(Client(), crew["leader"])
        start = timezone.now() - timedelta(hours=1)
        response = leader.post("/reports/duty/", self.form(org, deputy, start))
        assert response.status_code == 302
        shift = DutyShift.objects.get()
        assert shift.user == deputy and shift.created_by == crew["leader"]
        assert AuditEvent.objects.filter(action="duty.add").count() == 1
        officer = login(Client(), crew["officer"])
        page = officer.get("/reports/duty/").content.decode()
        assert "副所长" in page and f"/reports/duty/{shift.pk}/remove/" not in page
        assert officer.post(f"/reports/duty/{shift.pk}/remove/").status_code == 404
        assert officer.post("/reports/duty/", self.form(org, deputy, start)).status_code == 403
        leader.post(f"/reports/duty/{shift.pk}/remove/")
        assert not DutyShift.objects.exists()
        assert AuditEvent.objects.filter(action="duty.remove").count() == 1

    def test_bad_shifts_are_refused_with_the_reason(self, org, crew, deputy):
        from casebook.reports.models import DutyShift

        leader = login(Client(), crew["leader"])
        start = timezone.now() + timedelta(hours=2)
        page = leader.post("/reports/duty/", self.form(org, deputy, start, hours=-3))
        assert page.status_code == 200 and "结束时间须晚于开始时间" in page.content.decode()
        page = leader.post("/reports/duty/", self.form(org, deputy, start, hours=80))
        assert "每班最长 72 小时" in page.content.decode()
        page = leader.post("/reports/duty/", self.form(org, crew["other_officer"], start))
        assert page.status_code == 200
        assert not DutyShift.objects.exists()
        with pytest.raises(PermissionDenied):
            services.duty_shift_add(
                actor=crew["other_leader"],
                unit=org["a"],
                user=deputy,
                starts_at=start,
                ends_at=start + timedelta(hours=8),
            )


@pytest.mark.django_db
def test_an_unexpected_error_does_not_block_the_outbox(crew, person, make_user, monkeypatch):
    from casebook.accounts.roles import Role

    make_user(Role.STATION_LEADER, real_name="另一所长", email="other@test.cn")
    calls = []

    def broken_then_fine(delivery, subject, body):
        calls.append(delivery.recipient.real_name)
        if delivery.recipient.real_name == "李所长":
            raise ValueError("unknown url type: ''")

    monkeypatch.setitem(channels.SENDERS, Channel.EMAIL, broken_then_fine)
    report = services.urgent_report_create(actor=crew["officer"], text="紧急情况", subject=person)
    assert services.deliver_pending() == (1, 1)
    assert set(calls) == {"李所长", "另一所长"}
    broken = report.deliveries.get(channel=Channel.EMAIL, recipient=crew["leader"])
    assert (
        broken.status == "pending" and broken.attempts == 1 and "unknown url" in broken.last_error
    )


@pytest.mark.django_db
def test_without_a_roster_the_second_step_goes_straight_to_the_bureau(crew, person):
    with time_machine.travel(t0(), tick=False) as clock:
        report = services.urgent_report_create(
            actor=crew["officer"], text="紧急情况", subject=person
        )
        clock.shift(timedelta(minutes=10))
        assert services.run_urgent_escalation() == 1
    report.refresh_from_db()
    assert report.level == UrgentLevel.BUREAU  # the station's leaders had it already
    assert set(
        report.deliveries.filter(level=2).values_list("recipient__real_name", flat=True)
    ) == {"局长"}


@pytest.mark.django_db
def test_api_raise_follow_and_acknowledge(crew, person):
    from casebook.accounts.services import api_token_create

    _t, officer_key = api_token_create(actor=crew["officer"], name="指挥中心")
    second_factor(crew["leader"])  # a leader's token works only with a second factor enrolled
    _t, leader_key = api_token_create(actor=crew["leader"], name="t")
    _t, other_key = api_token_create(actor=crew["other_officer"], name="t")
    officer = Client(HTTP_AUTHORIZATION=f"Token {officer_key}")
    leader = Client(HTTP_AUTHORIZATION=f"Token {leader_key}")
    other = Client(HTTP_AUTHORIZATION=f"Token {other_key}")
    bad = officer.post("/api/v1/urgent-reports/", {"text": " ", "subject": person.pk})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    hidden = other.post(
        "/api/v1/urgent-reports/",
        {"text": "紧急", "subject": person.pk},
        content_type="application/json",
    )
    assert hidden.status_code == 404  # another station's subject does not exist for them
    assert not UrgentReport.objects.exists()
    created = officer.post(
        "/api/v1/urgent-reports/",
        {"text": "对象持刀", "place": "东门", "subject": person.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["subject"] == person.pk and body["status"] == "open"
    assert any("李所长" in step["text"] for step in body["timeline"])
    pk = body["id"]
    assert other.get(f"/api/v1/urgent-reports/{pk}/").status_code == 404
    assert officer.post(f"/api/v1/urgent-reports/{pk}/acknowledge/").status_code == 403
    done = leader.post(
        f"/api/v1/urgent-reports/{pk}/acknowledge/",
        {"note": "立即出警"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["acknowledged_by"] == crew["leader"].username
    listed = leader.get("/api/v1/urgent-reports/").json()
    assert [r["id"] for r in listed["results"]] == [pk]
    schema = leader.get("/api/schema/?format=json").json()  # for logged-in users only
    assert "/api/v1/urgent-reports/{id}/acknowledge/" in schema["paths"]
