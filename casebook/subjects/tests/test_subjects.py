"""Tracked subjects through the pages and the API: scope on every interface, Chinese search,
the purpose prompt, duplicates, bad input, encryption at rest."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from casebook.accounts.models import Compartment
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification
from casebook.subjects import services
from casebook.subjects.models import Association, Category, PersonDetail, Subject
from conftest import login

from .conftest import make_id


def client_of(user) -> Client:
    return login(Client(), user)


def api(user) -> Client:
    _t, key = api_token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def listing(client, **params) -> str:
    """The result table of the list page (the search box echoes the query, so not the page)."""
    page = client.get("/subjects/", params).content.decode()
    start = page.index('data-testid="subject-table"')
    return page[start : page.index("</table>", start)]


@pytest.mark.django_db
class TestScope:
    """Another station's officer gets nothing: list, dossier, search, API, graph, photo."""

    def test_other_station_sees_nothing(self, people, make_person):
        person = make_person("张三丰", id_number=make_id(seq="555"))
        outsider = client_of(people["officer_b"])
        assert "张三丰" not in listing(outsider)
        assert "张三丰" not in listing(outsider, q="张三丰")
        assert "张三丰" not in listing(outsider, q=person.person.id_number)
        for url in (
            f"/subjects/{person.pk}/",
            f"/subjects/{person.pk}/?tab=details",
            f"/subjects/{person.pk}/edit/",
            f"/subjects/{person.pk}/graph.json",
            f"/subjects/{person.pk}/photo/",
        ):
            assert outsider.get(url).status_code == 404, url
        response = outsider.post(f"/subjects/{person.pk}/consult/", {"purpose": "想看看"})
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="subject.consult").exists()
        token = api(people["officer_b"])
        assert token.get(f"/api/v1/subjects/{person.pk}/").status_code == 404
        assert token.get("/api/v1/subjects/").json()["count"] == 0
        assert (
            token.post(f"/api/v1/subjects/{person.pk}/consult/", {"purpose": "x"}).status_code
            == 404
        )

    def test_same_station_and_bureau_see_it(self, people, make_person):
        person = make_person("张三丰")
        for who in ("officer_a", "leader_a", "bureau"):
            page = client_of(people[who]).get(f"/subjects/{person.pk}/")
            assert page.status_code == 200 and "张三丰" in page.content.decode(), who

    def test_administrators_see_no_case_data(self, people, make_person):
        person = make_person()
        admin = client_of(people["sysadmin"])
        assert admin.get("/subjects/").status_code == 403
        assert admin.get(f"/subjects/{person.pk}/").status_code == 404
        assert api(people["sysadmin"]).get("/api/v1/subjects/").json()["count"] == 0

    def test_compartment_hides_subject_everywhere(self, people, make_person):
        informants = Compartment.objects.get(code="informants")
        people["leader_a"].compartments.add(informants)
        people["leader_a"].__dict__.pop("compartment_codes", None)
        secret = make_person("线人甲", compartments=[informants], id_number=make_id(seq="777"))
        officer = client_of(people["officer_a"])
        assert "线人甲" not in listing(officer)
        assert "线人甲" not in listing(officer, q="线人甲")
        assert officer.get(f"/subjects/{secret.pk}/").status_code == 404
        assert api(people["officer_a"]).get(f"/api/v1/subjects/{secret.pk}/").status_code == 404

    def test_need_to_know_for_classified(self, people, make_person):
        classified = make_person(
            "王秘密",
            classification=Classification.CONFIDENTIAL,
            officers=[people["officer_a"]],
            id_number=make_id(seq="321"),
        )
        assert client_of(people["officer_a"]).get(f"/subjects/{classified.pk}/").status_code == 200
        assert client_of(people["officer_a2"]).get(f"/subjects/{classified.pk}/").status_code == 404

    def test_officer_edits_only_assigned(self, people, make_person):
        mine = make_person("李四", officers=[people["officer_a"]], id_number=make_id(seq="101"))
        other = make_person("王五", officers=[people["officer_a2"]], id_number=make_id(seq="103"))
        officer = client_of(people["officer_a"])
        assert officer.get(f"/subjects/{mine.pk}/edit/").status_code == 200
        assert officer.get(f"/subjects/{other.pk}/edit/").status_code == 404

    def test_association_graph_hides_out_of_scope_ends(self, people, make_person):
        a = make_person("甲人", id_number=make_id(seq="201"))
        b = make_person("乙人", station="b", id_number=make_id(seq="203"))
        Association.objects.create(
            source_subject=a,
            target_subject=b,
            type="associate",
            source="test",
            created_by=people["leader_a"],
        )
        graph = client_of(people["officer_a"]).get(f"/subjects/{a.pk}/graph.json").json()
        assert {n["name"] for n in graph["nodes"]} == {"甲人"}
        page = client_of(people["officer_a"]).get(f"/subjects/{a.pk}/?tab=associations")
        assert "乙人" not in page.content.decode()
        assert client_of(people["bureau"]).get(f"/subjects/{a.pk}/graph.json").json()["edges"]


@pytest.mark.django_db
class TestSearch:
    def test_chinese_name_fragment_pinyin_alias_address(self, people, make_person, make_place):
        make_person("欧阳振华", aliases="华哥", id_number=make_id(seq="301"))
        make_place("星光娱乐会所", address="江州市滨江区江南大道1288号")
        officer = client_of(people["officer_a"])
        assert "欧阳振华" in listing(officer, q="欧阳振")  # three characters: FTS trigram path
        assert "欧阳振华" in listing(officer, q="振华")  # two characters
        assert "欧阳振华" in listing(officer, q="oyzh")  # pinyin initials
        assert "欧阳振华" in listing(officer, q="ouyang")  # full pinyin
        assert "欧阳振华" in listing(officer, q="华哥")  # alias
        assert "星光娱乐会所" in listing(officer, q="江南大道")  # a place's address
        result = listing(officer, q="欧阳振")
        assert "星光娱乐会所" not in result

    def test_exact_id_and_phone_through_blind_index(self, people, make_person):
        number = make_id(seq="405")
        make_person("钱六", id_number=number, phones="13800138000")
        make_person("孙七", id_number=make_id(seq="407"), phones="13900139000")
        officer = client_of(people["officer_a"])
        page = listing(officer, q=number)
        assert "钱六" in page and "孙七" not in page
        assert "钱六" in listing(officer, q="138 0013 8000")
        assert "孙七" not in listing(officer, q="13800138000")
        # a fragment of an ID number finds nothing: identifiers are not in the text index
        assert "钱六" not in listing(officer, q=number[:10])

    def test_list_masks_identifiers(self, people, make_person):
        number = make_id(seq="409")
        make_person("周八", id_number=number)
        page = listing(client_of(people["officer_a"]))
        assert number not in page
        assert f"{number[:6]}********{number[-4:]}" in page

    def test_filters(self, people, make_person, make_place):
        make_person("人员甲", id_number=make_id(seq="501"))
        make_place("场所乙")
        officer = client_of(people["officer_a"])
        page = listing(officer, kind="place")
        assert "场所乙" in page and "人员甲" not in page
        page = listing(officer, category="prior_offender")
        assert "人员甲" in page and "场所乙" not in page
        Subject.objects.filter(name="人员甲").update(review_due=date(2020, 1, 1))
        page = listing(officer, overdue="on")
        assert "人员甲" in page and "场所乙" not in page

    def test_fts_query_cannot_inject_operators(self, people, make_person):
        make_person("测试人", id_number=make_id(seq="503"))
        officer = client_of(people["officer_a"])
        for q in ['"', 'a" OR "b', "NEAR(", "*", '测试人" OR "x']:
            assert officer.get("/subjects/", {"q": q}).status_code == 200


@pytest.mark.django_db
class TestPurpose:
    def test_full_particulars_need_a_purpose_and_are_logged(self, people, make_person):
        number = make_id(seq="601")
        person = make_person("赵九", id_number=number, phones="13912345678")
        officer = client_of(people["officer_a"])
        page = officer.get(f"/subjects/{person.pk}/?tab=details").content.decode()
        assert 'data-testid="purpose-prompt"' in page and number not in page
        refused = officer.post(f"/subjects/{person.pk}/consult/", {"purpose": ""}, follow=True)
        assert number not in refused.content.decode()
        assert not AuditEvent.objects.filter(action="subject.consult").exists()
        officer.post(f"/subjects/{person.pk}/consult/", {"purpose": "本月走访核实住址"})
        page = officer.get(f"/subjects/{person.pk}/?tab=details").content.decode()
        assert number in page and "13912345678" in page
        event = AuditEvent.objects.get(action="subject.consult")
        assert event.purpose == "本月走访核实住址"
        assert event.actor_id == people["officer_a"].pk
        assert event.object_id == str(person.pk)
        assert number not in str(event.__dict__)  # never the value itself (L2)

    def test_consultation_expires(self, people, make_person):
        import time_machine

        person = make_person("钱十", id_number=make_id(seq="603"))
        officer = client_of(people["officer_a"])
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            officer.post(f"/subjects/{person.pk}/consult/", {"purpose": "核查"})
            assert (
                'data-testid="full-id"'
                in officer.get(f"/subjects/{person.pk}/?tab=details").content.decode()
            )
            traveller.shift(timedelta(minutes=16))
            officer.get("/")  # keep the session alive
            assert (
                'data-testid="purpose-prompt"'
                in officer.get(f"/subjects/{person.pk}/?tab=details").content.decode()
            )

    def test_api_consult(self, people, make_person):
        number = make_id(seq="605")
        person = make_person("孙十一", id_number=number)
        client = api(people["officer_a"])
        detail = client.get(f"/api/v1/subjects/{person.pk}/").json()
        assert number not in str(detail)
        assert detail["identifiers"][0]["masked"].startswith(number[:6] + "********")
        assert client.post(f"/api/v1/subjects/{person.pk}/consult/", {}).status_code == 400
        revealed = client.post(f"/api/v1/subjects/{person.pk}/consult/", {"purpose": "协查"}).json()
        assert revealed["id_number"] == number
        assert AuditEvent.objects.filter(action="subject.consult", purpose="协查").exists()


@pytest.mark.django_db
class TestEncryption:
    def test_columns_hold_ciphertext(self, people, make_person):
        number = make_id(seq="701")
        person = make_person("加密人", id_number=number, phones="13700137000")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number, phones, current_address FROM "
                "subjects_persondetail WHERE subject_id = %s",
                [person.pk],
            )
            row = cursor.fetchone()
        assert all(value.startswith("cb1:") for value in row)
        assert number not in "".join(row) and "13700137000" not in "".join(row)
        assert "解放路" not in "".join(row)
        assert PersonDetail.objects.get(pk=person.pk).id_number == number

    def test_no_sensitive_value_in_the_audit_log(self, people, make_person):
        number = make_id(seq="703")
        person = make_person("审计人", id_number=number, phones="13600136000")
        services.subject_update(
            actor=people["leader_a"],
            subject=person,
            detail={"id_number": make_id(seq="705"), "current_address": "新地址路9号"},
        )
        dump = str(list(AuditEvent.objects.values()))
        for secret in (number, make_id(seq="705"), "13600136000", "新地址路9号"):
            assert secret not in dump
        update = AuditEvent.objects.get(action="subject.update")
        assert update.details["id_number"] == {"changed": True}


def create_form(people, org, **overrides):
    data = {
        "name": "新人员",
        "category": Category.objects.get(code="drug_involved").pk,
        "area": org["area"].pk,
        "classification": 1,
        "legal_basis_ref": "城公〔2026〕9号",
        "approved_by": people["leader_a"].pk,
        "approved_on": "2026-03-01",
        "d-data_subject_category": "suspect",
        "d-sex": "0",
        "d-id_number": make_id(seq="801"),
        "d-phones": "13512345678",
        "d-supervision_status": "none",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCreateAndBadInput:
    def test_create_person_through_the_form(self, people, org):
        officer = client_of(people["officer_a"])
        response = officer.post("/subjects/new/person/", create_form(people, org))
        assert response.status_code == 302
        subject = Subject.objects.get(name="新人员")
        assert subject.station == org["a"]
        assert list(subject.officers.all()) == [people["officer_a"]]  # defaults to the creator
        assert subject.person.sex == "1"  # derived from the ID number (seq 801 is odd)
        assert subject.person.date_of_birth == date(1985, 3, 17)
        assert subject.review_due == timezone.localdate() + timedelta(days=180)
        assert AuditEvent.objects.filter(
            action="subject.create", object_id=str(subject.pk)
        ).exists()

    @pytest.mark.parametrize(
        ("override", "field"),
        [
            ({"d-id_number": "330106198503171230"}, "id_number"),  # wrong check digit
            ({"d-id_number": "12345"}, "id_number"),
            ({"d-date_of_birth": "2099-01-01"}, "date_of_birth"),
            ({"d-date_of_birth": "1990-01-01"}, "id_number"),  # does not match the ID number
            ({"legal_basis_ref": ""}, "legal_basis_ref"),
            ({"category": 99999}, "category"),
            ({"category": "x"}, "category"),
            ({"d-data_subject_category": ""}, "data_subject_category"),
            ({"d-phones": "12345"}, "phones"),
            ({"approved_on": "2099-01-01"}, "approved_on"),
        ],
    )
    def test_bad_person_input_clear_error_nothing_saved(self, people, org, override, field):
        officer = client_of(people["officer_a"])
        before = (
            Subject.objects.count(),
            AuditEvent.objects.filter(action="subject.create").count(),
        )
        response = officer.post("/subjects/new/person/", create_form(people, org, **override))
        assert response.status_code == 200
        assert f'data-testid="error-{field}"' in response.content.decode()
        assert (
            Subject.objects.count(),
            AuditEvent.objects.filter(action="subject.create").count(),
        ) == before

    def test_place_without_address_refused(self, people, org):
        officer = client_of(people["officer_a"])
        response = officer.post(
            "/subjects/new/place/",
            {
                "name": "无地址网吧",
                "category": Category.objects.get(code="internet_cafe").pk,
                "classification": 1,
                "legal_basis_ref": "条例",
                "approved_by": people["leader_a"].pk,
                "approved_on": "2026-03-01",
                "d-address": "",
            },
        )
        assert 'data-testid="error-address"' in response.content.decode()
        assert not Subject.objects.filter(name="无地址网吧").exists()

    def test_category_of_another_kind_refused(self, people, org):
        officer = client_of(people["officer_a"])
        response = officer.post(
            "/subjects/new/person/",
            create_form(people, org, category=Category.objects.get(code="internet_cafe").pk),
        )
        assert 'data-testid="error-category"' in response.content.decode()

    def test_approver_must_be_a_leader(self, people, org, make_person):
        with pytest.raises(services.ValidationError) as exc:
            make_person(
                "无权批准", id_number=make_id(seq="901"), approved_by_override=people["officer_a"]
            ) if False else services.subject_create(
                actor=people["officer_a"],
                kind="person",
                category=Category.objects.get(code="prior_offender"),
                name="无权批准",
                station=org["a"],
                legal_basis_ref="x",
                approved_by=people["officer_a"],
                approved_on=date(2026, 1, 1),
                detail={"data_subject_category": "suspect"},
            )
        assert "approved_by" in exc.value.message_dict

    def test_cannot_create_for_another_station(self, people, org):
        with pytest.raises(services.PermissionDenied):
            services.subject_create(
                actor=people["officer_a"],
                kind="person",
                category=Category.objects.get(code="prior_offender"),
                name="越权",
                station=org["b"],
                legal_basis_ref="x",
                approved_by=people["leader_b"],
                approved_on=date(2026, 1, 1),
                detail={"data_subject_category": "suspect"},
            )

    def test_html_is_escaped(self, people, make_person):
        person = make_person("<script>alert(1)</script>", id_number=make_id(seq="905"))
        page = client_of(people["officer_a"]).get(f"/subjects/{person.pk}/").content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
class TestDuplicates:
    def test_visible_twin_links_to_the_existing(self, people, org, make_person):
        number = make_id(seq="911")
        existing = make_person("原有人", id_number=number)
        officer = client_of(people["officer_a"])
        response = officer.post(
            "/subjects/new/person/",
            create_form(people, org, **{"d-id_number": number, "name": "双胞胎"}),
        )
        page = response.content.decode()
        assert 'data-testid="duplicate"' in page and f"/subjects/{existing.pk}/" in page
        assert not Subject.objects.filter(name="双胞胎").exists()

    def test_invisible_twin_reveals_nothing_but_is_blocked_and_logged(
        self, people, org, make_person
    ):
        number = make_id(seq="913")
        make_person("别所人", station="b", id_number=number)
        officer = client_of(people["officer_a"])
        response = officer.post(
            "/subjects/new/person/",
            create_form(people, org, **{"d-id_number": number, "name": "双胞胎"}),
        )
        page = response.content.decode()
        assert "别所人" not in page and 'data-testid="error-id_number"' in page
        assert not Subject.objects.filter(name="双胞胎").exists()
        assert AuditEvent.objects.filter(
            action="subject.duplicate_blocked", actor_id=people["officer_a"].pk
        ).exists()

    def test_licence_twin(self, people, make_place):
        make_place("甲KTV", licence="娱经许字000001号")
        with pytest.raises(services.DuplicateSubject):
            make_place("乙KTV", licence="娱经许字000001号")


@pytest.mark.django_db
class TestLifecycle:
    def test_closing_needs_a_leader_and_a_reason(self, people, make_person):
        person = make_person("待结人", officers=[people["officer_a"]], id_number=make_id(seq="921"))
        officer = client_of(people["officer_a"])
        officer.post(f"/subjects/{person.pk}/status/", {"status": "closed", "reason": "已迁出"})
        person.refresh_from_db()
        assert person.status == "active"  # an officer may not close
        leader = client_of(people["leader_a"])
        leader.post(f"/subjects/{person.pk}/status/", {"status": "closed", "reason": ""})
        person.refresh_from_db()
        assert person.status == "active"
        leader.post(
            f"/subjects/{person.pk}/status/", {"status": "closed", "reason": "已迁出本辖区"}
        )
        person.refresh_from_db()
        assert person.status == "closed" and person.status_reason == "已迁出本辖区"
        event = AuditEvent.objects.get(action="subject.status")
        assert event.details == {"from": "active", "to": "closed", "reason": "已迁出本辖区"}

    def test_timeline_shows_what_happened(self, people, make_person):
        person = make_person("时间线", id_number=make_id(seq="923"))
        services.subject_consult(actor=people["officer_a"], subject=person, purpose="走访")
        page = client_of(people["leader_a"]).get(f"/subjects/{person.pk}/?tab=timeline")
        html = page.content.decode()
        assert "走访" in html and "甲民警" in html

    def test_risk_level_is_not_editable_here(self, people, make_person):
        person = make_person("风险人", id_number=make_id(seq="925"))
        with pytest.raises(ValueError):
            services.subject_update(actor=people["leader_a"], subject=person, risk_level=4)

    def test_link_and_category_records(self, people, make_person, make_place):
        person = make_person("连接人", id_number=make_id(seq="927"))
        place = make_place("连接KTV", licence="L-1")
        leader = client_of(people["leader_a"])
        leader.post(
            f"/subjects/{person.pk}/links/",
            {"target": place.pk, "type": "frequents", "source": "视频巡查", "confidence": "high"},
        )
        assert Association.objects.filter(source_subject=person, target_subject=place).exists()
        assert AuditEvent.objects.filter(action="subject.link").exists()
        leader.post(
            f"/subjects/{person.pk}/records/offence/",
            {
                "offence-offence_type": "盗窃",
                "offence-offence_date": "2020-05-01",
                "offence-judgment": "有期徒刑一年",
            },
        )
        assert person.person.offences.get().offence_type == "盗窃"
        leader.post(
            f"/subjects/{person.pk}/records/offence/",
            {"offence-offence_type": "未来罪", "offence-offence_date": "2099-05-01"},
        )
        assert person.person.offences.count() == 1


@pytest.mark.django_db
class TestPhoto:
    def _png(self) -> bytes:
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (40, 50), (200, 10, 10)).save(out, format="PNG")
        return out.getvalue()

    def test_photo_encrypted_and_shown_only_after_consultation(
        self, people, make_person, settings, tmp_path
    ):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path)},
            },
        }
        person = make_person("有照片", id_number=make_id(seq="931"))
        leader = client_of(people["leader_a"])
        upload = io.BytesIO(self._png())
        upload.name = "../../etc/passwd.png"
        leader.post(f"/subjects/{person.pk}/photo/upload/", {"photo": upload})
        person.person.refresh_from_db()
        assert person.person.photo.startswith("photos/") and ".." not in person.person.photo
        stored = (tmp_path / person.person.photo).read_bytes()
        assert stored.startswith(b"cb1:") and b"PNG" not in stored and b"JFIF" not in stored
        assert leader.get(f"/subjects/{person.pk}/photo/").status_code == 403
        leader.post(f"/subjects/{person.pk}/consult/", {"purpose": "核对相貌"})
        photo = leader.get(f"/subjects/{person.pk}/photo/")
        assert photo.status_code == 200 and photo.content.startswith(b"\xff\xd8")

    def test_file_lying_about_its_type_refused(self, people, make_person):
        person = make_person("假照片", id_number=make_id(seq="933"))
        leader = client_of(people["leader_a"])
        fake = io.BytesIO(b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>")
        fake.name = "photo.png"
        response = leader.post(f"/subjects/{person.pk}/photo/upload/", {"photo": fake}, follow=True)
        assert (
            "not a readable image" in response.content.decode()
            or "无法识别" in response.content.decode()
            or "不是" in response.content.decode()
        )
        person.person.refresh_from_db()
        assert person.person.photo == ""


@pytest.mark.django_db
class TestApiCreate:
    def test_create_place_and_filter(self, people):
        client = api(people["officer_a"])
        response = client.post(
            "/api/v1/subjects/",
            {
                "kind": "place",
                "category": "internet_cafe",
                "name": "API网吧",
                "legal_basis_ref": "条例",
                "approved_by": people["leader_a"].username,
                "approved_on": "2026-02-01",
                "place": {"address": "江州市科技路1号", "licence_numbers": "网文001"},
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["details"]["licence_numbers"] == ["网文001"]
        listed = client.get("/api/v1/subjects/?kind=place&q=科技路").json()
        assert [s["name"] for s in listed["results"]] == ["API网吧"]

    def test_bad_input_is_problem_details(self, people):
        client = api(people["officer_a"])
        response = client.post(
            "/api/v1/subjects/",
            {
                "kind": "person",
                "category": "prior_offender",
                "name": "坏数据",
                "legal_basis_ref": "x",
                "approved_by": people["leader_a"].username,
                "approved_on": "2026-02-01",
                "person": {"data_subject_category": "suspect", "id_number": "330106198503171230"},
            },
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert "id_number" in response.json()["errors"]
        assert not Subject.objects.filter(name="坏数据").exists()

    def test_schema_documents_subjects(self, client_for):
        client, _user = client_for()  # the schema is for logged-in users only
        schema = client.get("/api/schema/?format=json").json()
        assert "/api/v1/subjects/" in schema["paths"]
        assert "/api/v1/subjects/{id}/consult/" in schema["paths"]


@pytest.mark.django_db
def test_demo_loader_creates_subjects_for_every_category(org):
    """The demo bureau (separate from the org fixture) gets subjects in all categories."""
    from django.core.management import call_command

    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    station = Subject.objects.values("station").distinct().count()
    assert station == 3
    for code in (
        "prior_offender",
        "drug_involved",
        "threat_of_violence",
        "entertainment_venue",
        "internet_cafe",
        "hazchem_unit",
        "mass_incident",
        "disaster",
    ):
        assert Subject.objects.filter(category__code=code).count() >= 30, code
    assert Association.objects.count() > 300
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())  # idempotent
    assert Subject.objects.count() == 600


@pytest.mark.django_db
def test_home_numbers_equal_the_lists_they_link_to(people, make_person, make_place):
    import re

    make_person("甲一", officers=[people["officer_a"]], id_number=make_id(seq="941"))
    make_person("甲二", id_number=make_id(seq="943"))
    make_place("甲三", licence="L-943")
    make_person("乙一", station="b", id_number=make_id(seq="945"))  # out of scope
    Subject.objects.filter(name="甲二").update(review_due=date(2020, 1, 1))
    officer = client_of(people["officer_a"])
    home = officer.get("/").content.decode()
    block = home[home.index('data-testid="subject-stats"') :]
    cards = re.findall(r'href="(/subjects/[^"]*)".*?display-6[^>]*>(\d+)<', block, re.S)[:6]
    assert len(cards) == 6
    for href, number in cards:
        listed = officer.get(href.replace("&amp;", "&"))
        assert listed.context["page"].paginator.count == int(number), href
    assert [int(n) for _h, n in cards][:4] == [1, 2, 1, 0]


@pytest.mark.django_db
class TestCategoryAdministration:
    def test_sysadmin_configures_a_category_with_checklist(self, people):
        admin = client_of(people["sysadmin"])
        response = admin.post(
            "/subjects/categories/new/",
            {
                "code": "karaoke_bar",
                "kind": "place",
                "name": "歌舞厅",
                "name_en": "Dance hall",
                "legal_basis": "《娱乐场所管理条例》",
                "review_cycle_days": 365,
                "visit_cycle_days": 60,
                "retention_class": "standard",
                "impact_assessment": "处理经营者信息，限于治安管理职责。",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        category = Category.objects.get(code="karaoke_bar")
        assert not category.is_active  # until a bureau leader approves (test_category_approval)
        admin.post(
            f"/subjects/categories/{category.pk}/checklist/",
            {"section": "消防", "text": "灭火器在有效期内", "text_en": "Extinguishers in date"},
        )
        item = category.checklist.get()
        admin.post(f"/subjects/categories/{category.pk}/checklist/{item.pk}/retire/")
        item.refresh_from_db()
        assert not item.is_active  # kept for past inspections, gone from new ones
        assert (
            AuditEvent.objects.filter(
                action__startswith="category.", actor_id=people["sysadmin"].pk
            ).count()
            == 3
        )

    def test_category_without_legal_basis_refused(self, people):
        admin = client_of(people["sysadmin"])
        response = admin.post(
            "/subjects/categories/new/",
            {
                "code": "nobasis",
                "kind": "person",
                "name": "无依据",
                "name_en": "No basis",
                "legal_basis": "",
                "review_cycle_days": 365,
                "visit_cycle_days": 60,
                "retention_class": "standard",
            },
        )
        assert 'data-testid="error-legal_basis"' in response.content.decode()
        assert not Category.objects.filter(code="nobasis").exists()

    def test_kind_of_a_category_in_use_cannot_change(self, people, make_person):
        make_person("在用", id_number=make_id(seq="951"))
        category = Category.objects.get(code="prior_offender")
        admin = client_of(people["sysadmin"])
        data = {
            f: getattr(category, f)
            for f in (
                "name",
                "name_en",
                "description",
                "legal_basis",
                "review_cycle_days",
                "visit_cycle_days",
                "retention_class",
                "impact_assessment",
            )
        }
        response = admin.post(
            f"/subjects/categories/{category.pk}/", {**data, "kind": "place", "is_active": "on"}
        )
        assert 'data-testid="error-kind"' in response.content.decode()
        category.refresh_from_db()
        assert category.kind == "person"

    def test_officers_cannot_configure(self, people):
        for who in ("officer_a", "leader_a", "bureau"):
            assert client_of(people[who]).get("/subjects/categories/").status_code == 403
