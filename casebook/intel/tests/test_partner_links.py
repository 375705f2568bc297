"""Sharing with partner departments (issue 18 item 9): the register, the secure link (valid,
expired, revoked, wrong — one 404 look), the answer as a record of the task with its audit
events and notification, the share completed by the partner, what the department does not see,
rate limiting, who may share, and an incident's participants and departments."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.intel.choices import Channel, Verification
from casebook.intel.models import InformationRecord, PartnerLink
from casebook.intel.services import partner_links
from casebook.partners import services as partner_services
from casebook.partners.models import PartnerContact
from casebook.subjects import services as subject_services
from casebook.testing.factories import IncidentFactory, PersonFactory, TaskFactory
from casebook.tracking.models import Notification, TaskShare
from conftest import login

SECRET_NAME = "机密人物甲"
SUMMARY = "请核实东门路口昨晚22时的监控录像中是否有人群聚集。"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner(crew):
    fire = partner_services.partner_create(
        actor=crew["leader"], name="城关交警中队", kind="traffic_police", address="东门路1号"
    )
    partner_services.contact_add(
        actor=crew["leader"], partner=fire, name="赵队长", title="中队长", phone="13912345678"
    )
    return fire


@pytest.fixture
def task(crew, org):
    person = PersonFactory(
        actor=crew["leader"], station=org["a"], name=SECRET_NAME, officers=[crew["officer"]]
    )
    return TaskFactory(subjects=[person], lead=crew["officer"], actor=crew["leader"])


def share(crew, task, partner, **extra):
    return partner_links.link_for_task(
        actor=crew["officer"],
        task=task,
        partner=partner,
        summary=SUMMARY,
        request="请于三日内回复。",
        **extra,
    )


def public_url(token):
    return reverse("intel:partner_public", args=[token])


@pytest.mark.django_db
def test_contact_phone_is_encrypted(partner):
    contact = PartnerContact.objects.get(partner=partner)
    assert contact.phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM partners_partnercontact WHERE id = %s", [contact.pk])
        raw = cursor.fetchone()[0]
    assert "13912345678" not in raw and raw.startswith("cb1:")
    event = AuditEvent.objects.filter(action="partner.contact_add").latest("seq")
    assert "13912345678" not in str(event.details)


@pytest.mark.django_db
def test_register_kept_by_leaders_seen_by_the_bureau(crew, org, make_user, partner):
    officer = login(Client(), crew["officer"])
    assert officer.get(reverse("partners:list")).status_code == 200
    assert officer.get(reverse("partners:create")).status_code == 403
    assert officer.get(reverse("partners:edit", args=[partner.pk])).status_code == 404
    with pytest.raises(partner_services.PermissionDenied):
        partner_services.partner_create(actor=crew["officer"], name="医院", kind="hospital")
    page = officer.get(reverse("partners:detail", args=[partner.pk]))
    assert "13912345678" in page.content.decode()  # shown to the bureau's case workers, logged
    assert AuditEvent.objects.filter(action="read.partner_contacts").exists()
    # another bureau sees nothing of it
    stranger = make_user(Role.STATION_LEADER, org["c"])
    response = login(Client(), stranger).get(reverse("partners:detail", args=[partner.pk]))
    assert response.status_code == 404
    admin = login(Client(), crew["admin"])
    assert admin.get(reverse("partners:create")).status_code == 200


@pytest.mark.django_db
def test_the_link_opens_while_valid_and_shows_only_the_share(crew, task, partner):
    link, token = share(crew, task, partner)
    assert link.token_hash != token and token not in link.token_hash
    page = Client().get(public_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert SUMMARY in body and "请于三日内回复" in body
    assert SECRET_NAME not in body and task.title not in body  # never the task or the dossier
    assert reverse("tracking:list") not in body  # no internal navigation
    assert page["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in page
    assert 'data-testid="public-footer"' in body
    link.refresh_from_db()
    assert link.opened_count == 1
    opened = AuditEvent.objects.filter(action="partner.link_open", outcome="success")
    assert opened.count() == 1 and opened.get().actor_name.endswith(partner.name)


@pytest.mark.django_db
def test_wrong_expired_and_revoked_links_look_the_same(crew, task, partner):
    link, token = share(crew, task, partner, days=2)
    wrong = Client().get(public_url("x" + token[1:]))
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1)):
        expired = Client().get(public_url(token))
    partner_links.link_revoke(actor=crew["officer"], link=link)
    revoked = Client().get(public_url(token))
    for response in (wrong, expired, revoked):
        assert response.status_code == 404
    assert wrong.content == expired.content == revoked.content
    assert SUMMARY not in revoked.content.decode()
    assert AuditEvent.objects.filter(action="partner.link_open", outcome="denied").count() == 3
    assert AuditEvent.objects.filter(action="partner.link_revoke").count() == 1
    # a revoked link takes no answer either
    response = Client().post(public_url(token), {"text": "迟到的回复"})
    assert response.status_code == 404
    assert not InformationRecord.objects.filter(channel=Channel.DEPARTMENT).exists()


@pytest.mark.django_db
def test_the_answer_becomes_an_unverified_record_of_the_task(crew, task, partner):
    link, token = share(crew, task, partner)
    before = Notification.objects.filter(user=crew["officer"]).count()
    response = Client().post(
        public_url(token),
        {"text": "录像显示22时约有30人聚集，22时40分散去。", "answered_by": "赵队长", "done": "on"},
    )
    assert response.status_code == 302
    record = InformationRecord.objects.get(channel=Channel.DEPARTMENT)
    assert record.task == task and list(record.subjects.all()) == list(task.subjects.all())
    assert record.verification == Verification.UNVERIFIED  # 去伪存真 like any record
    assert "城关交警中队" in record.content and "30人" in record.content
    share_row = TaskShare.objects.get(partner=partner)
    assert share_row.done_at is not None  # completed by the partner
    link.refresh_from_db()
    assert link.done_at is not None
    assert Notification.objects.filter(user=crew["officer"]).count() > before
    answered = AuditEvent.objects.get(action="partner.answer")
    assert answered.actor_id is None and "赵队长" in answered.actor_name
    assert AuditEvent.objects.filter(action="task.share_done").exists()
    # the officer sees the answer among the task's records
    page = login(Client(), crew["officer"]).get(task.get_absolute_url())
    assert reverse("intel:detail", args=[record.pk]) in page.content.decode()


@pytest.mark.django_db
def test_an_answer_with_a_bad_attachment_records_nothing(crew, task, partner):
    _link, token = share(crew, task, partner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    evil = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = Client().post(public_url(token), {"text": "附件见后", "file": evil})
    assert response.status_code == 200
    assert not InformationRecord.objects.filter(channel=Channel.DEPARTMENT).exists()


@pytest.mark.django_db
def test_opening_is_rate_limited(crew, task, partner, monkeypatch):
    monkeypatch.setattr(partner_links, "OPEN_LIMIT", 3)
    _link, token = share(crew, task, partner)
    codes = [Client().get(public_url(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_who_may_share(crew, task, partner):
    for key in ("other_officer", "other_leader", "supervisor"):
        client = login(Client(), crew[key])
        url = reverse("intel:partner_share_task", args=[task.pk])
        assert client.get(url).status_code in (403, 404)
    with pytest.raises(partner_links.PermissionDenied):
        partner_links.link_for_task(
            actor=crew["analyst"], task=task, partner=partner, summary="x", request="y"
        )
    assert not PartnerLink.objects.exists()
    # a bad form writes nothing
    client = login(Client(), crew["officer"])
    response = client.post(
        reverse("intel:partner_share_task", args=[task.pk]),
        {"partner": partner.pk, "summary": "", "request": "请回复", "days": 99},
    )
    assert response.status_code == 200 and not PartnerLink.objects.exists()
    with translation.override("en"):
        response = client.post(
            reverse("intel:partner_share_task", args=[task.pk]),
            {"partner": partner.pk, "summary": SUMMARY, "request": "请回复", "days": 7},
        )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "/partner/" in response.content.decode()
    assert AuditEvent.objects.filter(action="partner.link_create").count() == 1


@pytest.mark.django_db
def test_incident_page_shows_participants_and_departments(crew, org, partner):
    incident = IncidentFactory(actor=crew["leader"], station=org["a"], officers=[crew["officer"]])
    person = PersonFactory(actor=crew["leader"], station=org["a"], name="组织者乙")
    subject_services.association_create(
        actor=crew["leader"],
        source=person,
        target=incident,
        type="participant_in",
        role="组织者",
        source_text="现场核查",
        confidence="high",
    )
    _link, token = partner_links.link_for_incident(
        actor=crew["leader"],
        incident=incident,
        partner=partner,
        summary=SUMMARY,
        request="协助疏导",
    )
    Client().post(public_url(token), {"text": "已派两名交警疏导交通。"})
    page = login(Client(), crew["officer"]).get(incident.get_absolute_url())
    body = page.content.decode()
    assert 'data-testid="incident-partners"' in body
    assert "城关交警中队" in body and "组织者乙" in body
    record = InformationRecord.objects.get(channel=Channel.DEPARTMENT)
    assert list(record.subjects.all()) == [incident] and record.task is None
