"""Information collection and verification: grading and handling (exports refuse what they
must), informant identities protected on every interface, duplicates and merging, field visits
with rectification, public tips, hostile uploads, and the tracking guards this module adds."""

import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter

from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.intel import services
from casebook.intel.models import InformationRecord, Rectification, Tip
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking.choices import Stage
from casebook.tracking.models import Task
from casebook.tracking.services import task_accept, task_advance, task_create
from conftest import login

INFORMANT_NAME = "钱多多"


@pytest.fixture
def crew_compartments(db):
    """The station leader and the bureau leader may read informant identities."""
    informants = Compartment.objects.get(code="informants")
    return {"leader": [informants], "bureau": [informants]}


@pytest.fixture
def person(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="王吸",
        station=org["a"],
        legal_basis_ref="城公〔2026〕2号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["handler"], crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="211")},
    )


@pytest.fixture
def place(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="place",
        category=Category.objects.get(code="internet_cafe"),
        name="极速网咖",
        station=org["a"],
        legal_basis_ref="条例",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={
            "address": "江州市科技路8号",
            "licence_numbers": "网文2026-001",
            "latitude": 30.27,
            "longitude": 120.15,
        },
    )


def record(crew, subject, **kw):
    data = {
        "method": "collection",
        "channel": "community_police",
        "content": "某人近期常出入网吧",
        "occurred_at": timezone.now() - timedelta(hours=2),
        "source_evaluation": "B",
        "info_assessment": "2",
    }
    data.update(kw)
    actor = data.pop("actor", crew["officer"])
    return services.record_create(actor=actor, subjects=[subject], **data)


@pytest.mark.django_db
class TestGradingAndHandling:
    @pytest.mark.parametrize(
        ("field", "override"),
        [
            ("source_evaluation", {"source_evaluation": ""}),
            ("info_assessment", {"info_assessment": "9"}),
            ("handling_conditions", {"handling": "C"}),
            ("content", {"content": "  "}),
            ("occurred_at", {"occurred_at": timezone.now() + timedelta(days=2)}),
            ("informant", {"channel": "informant"}),
        ],
    )
    def test_bad_input_names_the_field_and_saves_nothing(self, crew, person, field, override):
        with pytest.raises(ValidationError) as exc:
            record(crew, person, **override)
        assert field in exc.value.message_dict
        assert not InformationRecord.objects.exists()

    def test_grade_badge_and_filters(self, crew, person):
        record(crew, person, source_evaluation="A", info_assessment="1", content="亲眼所见")
        record(crew, person, source_evaluation="C", info_assessment="5", content="传闻不实")
        client = login(Client(), crew["officer"])
        page = client.get("/records/?source=A").content.decode()
        assert "亲眼所见" in page and "传闻不实" not in page and ">A1<" in page

    def test_export_withholds_conditional_records(self, crew, person):
        shareable = record(crew, person, content="可以共享的事实")
        secret = record(
            crew,
            person,
            content="仅限条件共享的事实",
            handling="C",
            handling_conditions="仅限本所内部使用",
        )
        client = login(Client(), crew["leader"])
        refused = client.get("/records/export.csv")
        assert refused.status_code == 302  # a purpose is required
        response = client.get("/records/export.csv?purpose=专项工作")
        body = response.content.decode("utf-8-sig")
        assert "可以共享的事实" in body and "仅限条件共享的事实" not in body
        assert str(secret.pk) in body.splitlines()[-1]  # named as withheld
        event = AuditEvent.objects.get(action="record.export")
        assert event.details == {"exported": [shareable.pk], "withheld": [secret.pk]}
        assert event.purpose == "专项工作"

    def test_officer_may_not_export(self, crew, person):
        record(crew, person)
        assert (
            login(Client(), crew["officer"]).get("/records/export.csv?purpose=x").status_code == 403
        )

    def test_html_in_content_is_escaped(self, crew, person):
        r = record(crew, person, content="<script>alert('x')</script>")
        page = login(Client(), crew["officer"]).get(f"/records/{r.pk}/").content.decode()
        assert "<script>alert('x')</script>" not in page
        assert "&lt;script&gt;" in page


@pytest.mark.django_db
class TestScope:
    def test_other_station_sees_no_record(self, crew, person):
        r = record(crew, person)
        other = login(Client(), crew["other_officer"])
        assert other.get(f"/records/{r.pk}/").status_code == 404
        assert "某人近期" not in other.get("/records/").content.decode()
        _t, key = api_token_create(actor=crew["other_officer"], name="t")
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get(f"/api/v1/records/{r.pk}/").status_code == 404
        assert api.get("/api/v1/records/").json()["count"] == 0

    def test_verification_by_station_officers_only(self, crew, person):
        r = record(crew, person)
        with pytest.raises(PermissionDenied):
            services.record_verify(
                actor=crew["other_officer"], record=r, status="verified", note="x"
            )
        with pytest.raises(PermissionDenied):
            services.record_verify(actor=crew["bureau"], record=r, status="verified", note="x")
        with pytest.raises(ValidationError):
            services.record_verify(actor=crew["analyst"], record=r, status="verified", note="")
        services.record_verify(
            actor=crew["analyst"], record=r, status="corroborated", note="与视频记录吻合"
        )
        r.refresh_from_db()
        assert (r.verification, r.verified_by, r.verification_note) == (
            "corroborated",
            crew["analyst"],
            "与视频记录吻合",
        )


@pytest.mark.django_db
class TestInformants:
    @pytest.fixture
    def informant(self, crew):
        return services.informant_register(
            actor=crew["leader"],
            handler=crew["handler"],
            real_name=INFORMANT_NAME,
            phone="13811112222",
            id_number=make_id(seq="333"),
        )

    def test_identity_encrypted_at_rest(self, informant):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT real_name, phone FROM intel_informant WHERE id = %s", [informant.pk]
            )
            row = cursor.fetchone()
        assert all(v.startswith("cb1:") for v in row)
        assert INFORMANT_NAME not in "".join(row)

    def test_identity_invisible_to_everyone_but_handler_and_leader(self, crew, person, informant):
        r = record(
            crew, person, channel="informant", informant=informant, content="线人报告其在城西出没"
        )
        for who in (
            "officer",
            "analyst",
            "bureau",
            "supervisor",
            "admin",
            "auditor",
            "other_officer",
        ):
            user = crew[who]
            client = login(Client(), user)
            pages = [
                client.get(url)
                for url in (
                    "/records/",
                    f"/records/{r.pk}/",
                    "/informants/",
                    f"/subjects/{person.pk}/?tab=records",
                    "/records/export.csv?purpose=x",
                )
            ]
            for page in pages:
                assert INFORMANT_NAME.encode() not in page.content, (who, page)
            # searching by the name finds nothing (the search box echoes the query itself)
            found = client.get(f"/records/?q={INFORMANT_NAME}").content.decode()
            if 'data-testid="record-list"' in found:
                listing = found[found.index('data-testid="record-list"') :]
                assert "线人报告" not in listing
            reveal = client.get(f"/informants/{informant.pk}/reveal/")
            assert reveal.status_code in (302, 403, 404), who
            if reveal.status_code == 302:  # step-up first; then still refused
                client.post("/accounts/reauth/", {"password": "correct horse battery staple"})
                assert client.get(f"/informants/{informant.pk}/reveal/").status_code == 404
            with pytest.raises(PermissionDenied):
                services.informant_reveal(actor=user, informant=informant, purpose="看看")
            _t, key = api_token_create(actor=user, name="t")
            api = Client(HTTP_AUTHORIZATION=f"Token {key}")
            assert INFORMANT_NAME.encode() not in api.get("/api/v1/records/").content
        assert AuditEvent.objects.filter(action="informant.reveal", outcome="denied").exists()
        # A station officer sees the code and the grade, never the name.
        page = login(Client(), crew["officer"]).get(f"/records/{r.pk}/").content.decode()
        assert informant.code in page

    @pytest.mark.parametrize("who", ["handler", "leader"])
    def test_handler_and_leader_reveal_with_purpose_and_step_up(self, crew, informant, who):
        import time_machine

        client = login(Client(), crew[who])
        with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
            stale = client.get(f"/informants/{informant.pk}/reveal/")
            assert stale.status_code == 302 and "/accounts/reauth/" in stale["Location"]
            client.post(
                stale["Location"],
                {"password": "correct horse battery staple", "token": _current_code(crew[who])},
            )
            page = client.get(f"/informants/{informant.pk}/reveal/")
            assert INFORMANT_NAME not in page.content.decode()
            shown = client.post(f"/informants/{informant.pk}/reveal/", {"purpose": "安排接头"})
        assert INFORMANT_NAME in shown.content.decode()
        event = AuditEvent.objects.get(action="informant.reveal", outcome="success")
        assert event.purpose == "安排接头" and INFORMANT_NAME not in str(event.__dict__)

    def test_grade_from_verification_history(self, crew, person, informant):
        assert services.informant_grade(informant) == "B"
        for status in ("verified", "verified", "corroborated", "verified"):
            r = record(crew, person, channel="informant", informant=informant)
            services.record_verify(actor=crew["officer"], record=r, status=status, note="核实")
        assert services.informant_grade(informant) == "A"
        for _ in range(4):
            r = record(crew, person, channel="informant", informant=informant)
            services.record_verify(
                actor=crew["officer"], record=r, status="refuted", note="经查不实"
            )
        assert services.informant_grade(informant) in ("B", "C")
        for _ in range(6):
            r = record(crew, person, channel="informant", informant=informant)
            services.record_verify(
                actor=crew["officer"], record=r, status="refuted", note="经查不实"
            )
        assert services.informant_grade(informant) == "C"

    def test_only_a_leader_with_the_compartment_registers(self, crew):
        with pytest.raises(PermissionDenied):
            services.informant_register(
                actor=crew["officer"], handler=crew["handler"], real_name="某人"
            )


def _current_code(user) -> str:
    """The TOTP code of the user's device, if the test login gave them one."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return ""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.mark.django_db
class TestDuplicates:
    def test_similar_record_suggested_and_merge_keeps_both(self, crew, person):
        first = record(
            crew,
            person,
            content="王吸晚上十点在极速网咖与两名男子交谈",
            latitude=30.2700,
            longitude=120.1500,
            address="科技路8号",
        )
        second = record(
            crew,
            person,
            content="王吸晚上十点在极速网咖和两名男子交谈",
            latitude=30.2702,
            longitude=120.1501,
            address="科技路8号",
            occurred_at=first.occurred_at + timedelta(minutes=30),
        )
        unrelated = record(crew, person, content="社区矫正报到正常", latitude=30.3, longitude=120.3)
        assert services.duplicate_candidates(first) == [second]
        page = login(Client(), crew["officer"]).get(f"/records/{first.pk}/").content.decode()
        assert 'data-testid="duplicates"' in page and f"#{second.pk}" in page
        services.record_merge(
            actor=crew["officer"], primary=first, duplicate=second, reason="同一事件两次记录"
        )
        second.refresh_from_db()
        assert second.merged_into == first
        assert InformationRecord.objects.filter(pk=second.pk).exists()  # the original stays
        assert services.duplicate_candidates(first) == []
        assert unrelated.merged_into is None
        assert AuditEvent.objects.filter(action="record.merge").exists()


def _png(with_exif: bool = False) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), (20, 120, 200))
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.django_db
class TestAttachments:
    @pytest.fixture(autouse=True)
    def _media(self, settings, tmp_path):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path)},
            },
        }
        self.media = tmp_path

    def test_image_encrypted_checksummed_metadata_stripped(self, crew, person):
        r = record(crew, person)
        a = services.attachment_add(
            actor=crew["officer"], record=r, name="../../etc/现场.jpg", data=_png(with_exif=True)
        )
        assert a.original_name == "现场.jpg" and ".." not in a.stored_name
        stored = (self.media / a.stored_name).read_bytes()
        assert stored.startswith(b"cb1:") and b"SecretCam" not in stored
        data = services.attachment_bytes(a)
        assert data.startswith(b"\xff\xd8") and b"SecretCam" not in data
        assert a.thumbnail_name
        client = login(Client(), crew["officer"])
        assert client.get(f"/attachments/{a.pk}/").content == data
        assert (
            login(Client(), crew["other_officer"]).get(f"/attachments/{a.pk}/").status_code == 404
        )

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("photo.jpg", b"MZ\x90\x00 this is an executable"),
            ("photo.png", b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>"),
            ("doc.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >>\n%%EOF"),
            ("archive.zip", b"PK\x03\x04 zipped"),
            ("empty.jpg", b""),
        ],
    )
    def test_lying_or_active_files_refused(self, crew, person, name, data):
        r = record(crew, person)
        with pytest.raises(ValidationError):
            services.attachment_add(actor=crew["officer"], record=r, name=name, data=data)
        assert not r.attachments.exists()
        assert not list(self.media.rglob("*.bin"))

    def test_oversized_refused_and_valid_pdf_accepted(self, crew, person):
        r = record(crew, person)
        with pytest.raises(ValidationError):
            services.attachment_add(
                actor=crew["officer"],
                record=r,
                name="big.pdf",
                data=b"%PDF-1.4" + b"0" * (10 * 1024 * 1024) + b"%%EOF",
            )
        writer, out = PdfWriter(), io.BytesIO()
        writer.add_blank_page(width=595, height=842)
        writer.write(out)
        pdf = out.getvalue()
        a = services.attachment_add(actor=crew["officer"], record=r, name="笔录.pdf", data=pdf)
        assert a.content_type == "application/pdf" and services.attachment_bytes(a) == pdf

    def test_upload_through_the_page_keeps_the_record(self, crew, person):
        r = record(crew, person)
        client = login(Client(), crew["officer"])
        bad = io.BytesIO(b"not an image")
        bad.name = "x.jpg"
        response = client.post(f"/records/{r.pk}/attach/", {"file": bad}, follow=True)
        assert response.status_code == 200 and InformationRecord.objects.filter(pk=r.pk).exists()
        assert not r.attachments.exists()


@pytest.mark.django_db
class TestFieldVisits:
    def test_failed_point_creates_rectification_and_follow_up_task(self, crew, place):
        items = list(place.category.checklist.filter(is_active=True))
        results = {i.pk: ("pass", "") for i in items}
        results[items[2].pk] = ("fail", "发现两名未成年人在上网")
        visit = services.field_visit(
            actor=crew["officer"],
            subject=place,
            occurred_at=timezone.now(),
            findings="例行检查",
            checklist=results,
        )
        order = Rectification.objects.get()
        assert order.subject == place and "未成年人" in order.requirement
        assert order.deadline == timezone.localdate() + timedelta(days=15)
        assert order.follow_up.lead == crew["officer"]
        assert list(order.follow_up.subjects.all()) == [place]
        assert visit.method == "field_visit" and visit.grade == "A1"
        assert visit.checklist.count() == len(items)

    def test_missing_result_or_failure_without_finding_refused(self, crew, place):
        items = list(place.category.checklist.filter(is_active=True))
        results = {i.pk: ("pass", "") for i in items[1:]}
        with pytest.raises(ValidationError) as exc:
            services.field_visit(
                actor=crew["officer"],
                subject=place,
                occurred_at=timezone.now(),
                findings="x",
                checklist=results,
            )
        assert f"item_{items[0].pk}" in exc.value.message_dict
        results[items[0].pk] = ("fail", "")
        with pytest.raises(ValidationError):
            services.field_visit(
                actor=crew["officer"],
                subject=place,
                occurred_at=timezone.now(),
                findings="x",
                checklist=results,
            )
        assert not InformationRecord.objects.exists() and not Task.objects.exists()

    def test_person_visit_through_the_form(self, crew, person):
        client = login(Client(), crew["officer"])
        response = client.post(
            f"/subjects/{person.pk}/visit/",
            {
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "present": "本人、母亲",
                "condition": "精神状态良好",
                "findings": "按时参加社区戒毒",
            },
        )
        assert response.status_code == 302
        r = InformationRecord.objects.get()
        assert r.observations == {"present": "本人、母亲", "condition": "精神状态良好"}


@pytest.mark.django_db
class TestTips:
    @pytest.fixture(autouse=True)
    def _clear_cache(self):
        cache.clear()

    def test_public_flow_and_triage(self, org, crew, person):
        public = Client()
        page = public.get("/tip/")
        assert page.status_code == 200 and 'name="website"' in page.content.decode()
        response = public.post(
            "/tip/",
            {
                "what": "科技路网吧每晚都有未成年人上网到深夜",
                "where": "科技路8号",
                "station": org["a"].pk,
                "anonymous": "on",
            },
        )
        assert response.status_code == 200
        tip = Tip.objects.get()
        assert tip.reference in response.content.decode()
        status = public.get(f"/tip/status/?reference={tip.reference}").content.decode()
        assert 'data-testid="tip-status"' in status and "科技路" not in status
        # the triage queue of the station
        officer = login(Client(), crew["officer"])
        assert tip.reference in officer.get("/tips/").content.decode()
        assert (
            tip.reference
            not in login(Client(), crew["other_officer"]).get("/tips/").content.decode()
        )
        officer.post(
            f"/tips/{tip.pk}/",
            {
                "link": "1",
                "subjects": [person.pk],
                "source_evaluation": "B",
                "info_assessment": "3",
            },
        )
        tip.refresh_from_db()
        assert tip.status == "handling" and tip.record.channel == "public_tip"
        services.record_verify(
            actor=crew["officer"], record=tip.record, status="verified", note="现场检查属实"
        )
        tip.refresh_from_db()
        assert tip.status == "closed"
        assert public.get(f"/tip/status/?reference={tip.reference.lower()}").status_code == 200

    def test_flood_from_one_address_refused_nothing_lost(self):
        public = Client(REMOTE_ADDR="203.0.113.9")
        for i in range(services.TIP_LIMIT):
            assert (
                public.post(
                    "/tip/", {"what": f"第{i}条举报内容，内容足够长", "anonymous": "on"}
                ).status_code
                == 200
            )
        flooded = public.post("/tip/", {"what": "第六条举报内容，内容足够长", "anonymous": "on"})
        assert flooded.status_code == 429
        assert Tip.objects.count() == services.TIP_LIMIT
        other = Client(REMOTE_ADDR="198.51.100.7")
        assert (
            other.post(
                "/tip/", {"what": "另一地址的举报内容，足够长", "anonymous": "on"}
            ).status_code
            == 200
        )

    def test_honeypot_and_bad_input(self):
        public = Client()
        bot = public.post("/tip/", {"what": "buy cheap watches now!!!", "website": "spam.example"})
        assert bot.status_code == 429 and not Tip.objects.exists()
        short = public.post("/tip/", {"what": "太短", "anonymous": "on"})
        assert 'data-testid="error-what"' in short.content.decode()
        no_contact = public.post("/tip/", {"what": "我想实名举报但没留联系方式的内容"})
        assert 'data-testid="error-contact"' in no_contact.content.decode()
        assert not Tip.objects.exists()
        unknown = public.get("/tip/status/?reference=JB-XXXX-XXXX").content.decode()
        assert 'data-testid="tip-status"' not in unknown

    def test_dismiss_needs_a_reason_and_contact_encrypted(self, org, crew):
        services.tip_submit(
            ip="192.0.2.1",
            what="某处有人聚众赌博，经常深夜",
            station=org["a"],
            anonymous=False,
            contact="13900001111",
        )
        tip = Tip.objects.get()
        with connection.cursor() as cursor:
            cursor.execute("SELECT contact FROM intel_tip WHERE id = %s", [tip.pk])
            assert "13900001111" not in cursor.fetchone()[0]
        with pytest.raises(ValidationError):
            services.tip_dismiss(actor=crew["officer"], tip=tip, reason="")
        services.tip_dismiss(actor=crew["officer"], tip=tip, reason="重复举报，已并案处理")
        tip.refresh_from_db()
        assert tip.status == "closed"


@pytest.mark.django_db
class TestTrackingGuards:
    def test_record_before_organising_and_verified_before_analysing(self, org, crew, person):
        task = task_create(
            actor=crew["leader"],
            title="核查",
            station=org["a"],
            lead=crew["officer"],
            subjects=[person],
        )
        task = task_accept(actor=crew["officer"], task=task)  # on to collecting at once
        with pytest.raises(ValidationError) as exc:
            task_advance(actor=crew["officer"], task=task, to_stage=Stage.ORGANISING)
        assert "at least one" in str(exc.value) or "至少" in str(exc.value)
        r = record(crew, person, task=task)
        task = task_advance(actor=crew["officer"], task=task, to_stage=Stage.ORGANISING)
        with pytest.raises(ValidationError) as exc:
            task_advance(actor=crew["officer"], task=task, to_stage=Stage.ANALYSING)
        assert "unverified" in str(exc.value) or "未核实" in str(exc.value)
        services.record_verify(actor=crew["officer"], record=r, status="refuted", note="经查不实")
        task = task_advance(actor=crew["officer"], task=task, to_stage=Stage.ANALYSING)
        assert task.stage == Stage.ANALYSING


@pytest.mark.django_db
def test_api_records_and_tips(org, crew, person):
    _t, key = api_token_create(actor=crew["officer"], name="t")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post(
        "/api/v1/records/",
        {
            "subjects": [person.pk],
            "method": "collection",
            "channel": "video",
            "occurred_at": timezone.now().isoformat(),
            "content": "视频监控发现其出现在车站",
            "source_evaluation": "A",
            "info_assessment": "1",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = api.post(
        f"/api/v1/records/{pk}/verify/", {"status": "verified"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    ok = api.post(
        f"/api/v1/records/{pk}/verify/",
        {"status": "verified", "note": "比对属实"},
        content_type="application/json",
    )
    assert ok.json()["verification"] == "verified"
    ungraded = api.post(
        "/api/v1/records/",
        {
            "subjects": [person.pk],
            "method": "collection",
            "channel": "video",
            "occurred_at": timezone.now().isoformat(),
            "content": "无分级",
        },
        content_type="application/json",
    )
    assert ungraded.status_code == 400
    services.tip_submit(ip="192.0.2.5", what="有人在小区兜售可疑物品多次", station=org["a"])
    tips = api.get("/api/v1/tips/").json()
    assert tips["count"] == 1 and "contact" not in tips["results"][0]
    schema = api.get("/api/schema/?format=json").json()  # for logged-in users only
    assert "/api/v1/records/{id}/verify/" in schema["paths"]


@pytest.mark.django_db
def test_informant_code_of_another_station_answers_as_an_unknown_one(org, crew, person, make_user):
    """No oracle: the API cannot tell another station's informant code from a made-up one."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    leader_b = make_user(
        Role.STATION_LEADER, org["b"], compartments=[Compartment.objects.get(code="informants")]
    )
    theirs = services.informant_register(
        actor=leader_b, handler=crew["other_officer"], real_name="孙某", phone="13900001111"
    )
    ours = services.informant_register(
        actor=crew["leader"], handler=crew["handler"], real_name="赵某", phone="13900002222"
    )
    _t, key = api_token_create(actor=crew["handler"], name="t")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    api.get("/api/v1/me/")  # the token's first use writes its last-used time: not compared

    def post(code, channel="informant"):
        body = {
            "subjects": [person.pk],
            "method": "collection",
            "channel": channel,
            "informant": code,
            "occurred_at": timezone.now().isoformat(),
            "content": "线人称其近日常去城西",
            "source_evaluation": "B",
            "info_assessment": "2",
        }
        with CaptureQueriesContext(db) as queries:
            response = api.post("/api/v1/records/", body, content_type="application/json")
        return response, len(queries)

    unknown = "TB-E9999" if theirs.code != "TB-E9999" else "TB-E9998"
    for channel in ("informant", "video"):
        (other, other_queries), (made_up, made_up_queries) = (
            post(theirs.code, channel),
            post(unknown, channel),
        )
        assert other.status_code == made_up.status_code == 400
        assert other.json() == made_up.json()
        assert other_queries == made_up_queries  # the same work, so the same time
    assert not InformationRecord.objects.exists()
    created, _n = post(ours.code)
    assert created.status_code == 201 and created.json()["informant"] == ours.code
