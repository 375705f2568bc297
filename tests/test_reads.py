"""Every consultation of personal data leaves one audit event (SECURITY.md L1, L2): who, which
objects, which fields or which kind of search, the channel, the purpose where one is needed —
never the values themselves (ID numbers, phone numbers, coordinates, search text)."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casebook.accounts.services import api_token_create
from casebook.audit import reads
from casebook.audit.models import AuditEvent
from casebook.intel import services as intel
from casebook.subjects import services as subjects
from casebook.subjects.models import Category
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services as tracking
from conftest import login

ID_NUMBER = make_id(seq="771")
PHONE = "13912345678"
LAT, LNG = Decimal("30.274511"), Decimal("120.155187")
OFFENCE = "盗窃电动车案"
NOW = timezone.make_aware(timezone.datetime(2026, 11, 20, 10, 0))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _person(crew, org, name, id_number, phones=""):
    return subjects.subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="prior_offender"),
        name=name,
        station=org["a"],
        legal_basis_ref="江公(城)立字〔2026〕12号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"data_subject_category": "convicted", "id_number": id_number, "phones": phones},
    )


@pytest.fixture
def person(org, crew):
    p = _person(crew, org, "赵建国", ID_NUMBER, PHONE)
    subjects.person_record_add(
        actor=crew["leader"],
        subject=p,
        record="offence",
        data={"offence_type": OFFENCE, "judgment": "有期徒刑一年"},
    )
    return p


@pytest.fixture
def place(org, crew):
    return subjects.subject_create(
        actor=crew["leader"],
        kind="place",
        category=Category.objects.get(code="entertainment_venue"),
        name="金色年华KTV",
        station=org["a"],
        legal_basis_ref="《娱乐场所管理条例》",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        detail={
            "address": "江州市城关区人民路8号",
            "licence_numbers": "娱经许字123456号",
            "latitude": LAT,
            "longitude": LNG,
        },
    )


@pytest.fixture
def record(crew, person):
    return intel.record_create(
        actor=crew["officer"],
        subjects=[person],
        method="field_visit",
        channel="own",
        occurred_at=NOW - timedelta(hours=2),
        content="走访见本人在家",
        source_evaluation="A",
        info_assessment="1",
        address="江州市城关区解放路88号",
        latitude=LAT,
        longitude=LNG,
    )


@pytest.fixture
def task(org, crew, person):
    return tracking.task_create(
        actor=crew["leader"],
        title="核查赵建国近期动向",
        station=org["a"],
        lead=crew["officer"],
        subjects=[person],
    )


def reads_after(mark: int):
    return list(AuditEvent.objects.filter(seq__gt=mark, action__startswith="read.").order_by("seq"))


def head() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def api_client(user) -> Client:
    _t, key = api_token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def consult(client, subject, purpose="走访前核实"):
    client.post(f"/subjects/{subject.pk}/consult/", {"purpose": purpose})


# (name, url, action, what the event's ids must be)
PAGES = [
    ("dossier overview", "/subjects/{person}/", "read.subject", "person"),
    ("dossier details", "/subjects/{person}/?tab=details", "read.subject", "person"),
    ("dossier records", "/subjects/{person}/?tab=records", "read.subject", "person"),
    ("dossier links", "/subjects/{person}/?tab=associations", "read.subject", "person"),
    ("dossier archive", "/subjects/{person}/?tab=archive", "read.subject", "person"),
    ("dossier timeline", "/subjects/{person}/?tab=timeline", "read.subject", "person"),
    ("link graph", "/subjects/{person}/graph.json", "read.graph", "person"),
    ("subject list", "/subjects/", "read.subject_list", "both"),
    ("text search", "/subjects/?q=赵建国", "read.search", "person"),
    ("subject map", "/subjects/map/", "read.map", "place"),
    ("places map", "/analysis/places/", "read.map", "place"),
    ("trail", "/analysis/subjects/{person}/trail/", "read.trail", "person"),
    ("record list", "/records/", "read.record_list", "record"),
    ("record", "/records/{record}/", "read.record", "record"),
    ("task", "/tasks/{task}/", "read.task", "person"),
    ("informants", "/informants/", "read.informant_list", "none"),
]


@pytest.mark.django_db
class TestOneEventPerPage:
    @pytest.mark.parametrize(("name", "url", "action", "ids"), PAGES, ids=[p[0] for p in PAGES])
    def test_page(self, crew, person, place, record, task, name, url, action, ids):
        client = login(Client(), crew["leader"])
        consult(client, person)
        objects = {"person": person, "place": place, "record": record, "task": task}
        url = url.format(**{k: v.pk for k, v in objects.items()})
        mark = head()
        response = client.get(url, REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200, name
        events = reads_after(mark)
        assert [e.action for e in events] == [action]
        event = events[0]
        want = {
            "person": [str(person.pk)],
            "place": [str(place.pk)],
            "record": [str(record.pk)],
            "both": sorted([str(person.pk), str(place.pk)]),
            "none": [],
        }[ids]
        assert sorted(event.details["ids"]) == want
        assert event.details["count"] == len(want)
        assert event.actor_id == crew["leader"].pk and event.actor_name == "李所长"
        assert event.channel == "web" and event.ip == "10.1.2.3"
        assert event.request_id == response["X-Request-ID"]
        if len(want) == 1:
            assert event.object_id == want[0]
        stored = json.dumps(
            [event.details, event.object_repr, event.purpose], ensure_ascii=False, default=str
        )
        for secret in (ID_NUMBER, PHONE, str(LAT), str(LNG), "30.2745"):
            assert secret not in stored, (name, secret)

    def test_list_of_twenty_is_one_event_with_twenty_ids(self, org, crew):
        created = [_person(crew, org, f"列表人{i:02d}", make_id(seq=f"{i:03d}")) for i in range(20)]
        client = login(Client(), crew["officer"])
        mark = head()
        assert client.get("/subjects/").status_code == 200
        (event,) = reads_after(mark)
        assert event.action == "read.subject_list"
        assert sorted(event.details["ids"]) == sorted(str(s.pk) for s in created)
        assert event.details["count"] == 20 and event.details["search"]["results"] == 20
        assert event.object_type == "subjects.subject" and event.object_id == ""

    def test_ids_are_capped(self):
        out = reads.capped(range(250))
        assert out["count"] == 250 and len(out["ids"]) == reads.MAX_IDS == 200

    def test_out_of_scope_reads_nothing_and_logs_no_read(self, crew, person, record):
        client = login(Client(), crew["other_officer"])
        mark = head()
        for url in (
            f"/subjects/{person.pk}/",
            f"/subjects/{person.pk}/?tab=details",
            f"/analysis/subjects/{person.pk}/trail/",
            f"/records/{record.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert reads_after(mark) == []
        client.get("/subjects/")
        (event,) = reads_after(mark)
        assert event.details["ids"] == [] and event.details["count"] == 0

    def test_badge_polls_and_health_are_not_logged(self, crew):
        client = login(Client(), crew["officer"])
        mark = head()
        client.get("/tasks/notifications/count/", HTTP_HX_REQUEST="true")
        client.get("/healthz")
        assert reads_after(mark) == []

    def test_a_read_that_cannot_be_logged_is_not_shown(self, crew, person, monkeypatch):
        """L4: if the event cannot be written the page fails and shows nothing."""

        def broken(**kwargs):
            raise RuntimeError("audit store unavailable")

        monkeypatch.setattr(reads, "record_event", broken)
        client = login(Client(), crew["officer"])
        client.raise_request_exception = False
        response = client.get(f"/subjects/{person.pk}/")
        assert response.status_code == 500
        assert "赵建国" not in response.content.decode()

    def test_reads_stay_out_of_the_dossier_timeline(self, crew, person):
        client = login(Client(), crew["officer"])
        client.get(f"/subjects/{person.pk}/")
        assert AuditEvent.objects.filter(action="read.subject", object_id=str(person.pk))
        from casebook.subjects.selectors import timeline_of

        assert not [e for e in timeline_of(person) if e.action.startswith("read.")]


@pytest.mark.django_db
class TestSearch:
    def test_exact_id_number_search_logs_the_kind_not_the_number(self, org, crew, person):
        _person(crew, org, "钱某", make_id(seq="772"))
        client = login(Client(), crew["officer"])
        mark = head()
        page = client.get("/subjects/", {"q": ID_NUMBER})
        assert page.status_code == 200
        (event,) = reads_after(mark)
        assert event.action == "read.search"
        assert event.details["search"]["kind"] == "id_number"
        assert event.details["search"]["results"] == 1
        assert event.details["ids"] == [str(person.pk)]
        raw = json.dumps(
            [event.details, event.object_repr, event.purpose], ensure_ascii=False, default=str
        )
        assert ID_NUMBER not in raw and ID_NUMBER[-6:] not in raw

    def test_a_miss_is_logged_too(self, crew, person):
        client = login(Client(), crew["other_officer"])
        mark = head()
        client.get("/subjects/", {"q": ID_NUMBER})
        (event,) = reads_after(mark)
        assert event.details["search"] == {
            "filters": {},
            "results": 0,
            "kind": "id_number",
        }
        assert ID_NUMBER not in json.dumps(event.details)

    def test_text_search_keeps_no_text(self, crew, person):
        client = login(Client(), crew["officer"])
        mark = head()
        client.get("/subjects/", {"q": "赵建国", "kind": "person"})
        (event,) = reads_after(mark)
        assert event.details["search"]["kind"] == "text"
        assert event.details["search"]["filters"]["kind"] == "person"
        assert "赵建国" not in json.dumps(event.details["search"], ensure_ascii=False)

    def test_api_exact_search(self, crew, person):
        client = api_client(crew["officer"])
        mark = head()
        found = client.get("/api/v1/subjects/", {"q": ID_NUMBER}).json()
        assert found["count"] == 1
        (event,) = reads_after(mark)
        assert event.action == "read.api" and event.channel == "api"
        assert event.details["search"]["kind"] == "id_number"
        assert ID_NUMBER not in json.dumps(event.details)


@pytest.mark.django_db
class TestPurpose:
    def test_details_without_purpose_show_no_criminal_record(self, crew, person):
        client = login(Client(), crew["officer"])
        mark = head()
        page = client.get(f"/subjects/{person.pk}/?tab=details").content.decode()
        assert 'data-testid="purpose-prompt"' in page
        assert OFFENCE not in page and ID_NUMBER not in page and PHONE not in page
        (event,) = reads_after(mark)
        assert event.purpose == ""
        assert "offence" not in event.details["fields"]
        assert "id_number" not in event.details["fields"]

    def test_details_with_purpose_show_it_and_log_the_purpose(self, crew, person):
        client = login(Client(), crew["officer"])
        refused = client.post(f"/subjects/{person.pk}/consult/", {"purpose": " "}, follow=True)
        assert OFFENCE not in refused.content.decode()
        consult(client, person, "本月走访核实住址")
        mark = head()
        page = client.get(f"/subjects/{person.pk}/?tab=details").content.decode()
        assert OFFENCE in page and ID_NUMBER in page
        (event,) = reads_after(mark)
        assert event.purpose == "本月走访核实住址"
        assert {"offence", "id_number", "phones"} <= set(event.details["fields"])
        assert OFFENCE not in json.dumps(event.details, ensure_ascii=False)

    def test_purpose_lapses(self, crew, person):
        client = login(Client(), crew["officer"])
        with time_machine.travel(NOW, tick=False) as traveller:
            consult(client, person)
            traveller.shift(timedelta(seconds=reads.PURPOSE_SECONDS + 60))
            client.get("/")  # keep the session alive
            page = client.get(f"/subjects/{person.pk}/?tab=details").content.decode()
        assert OFFENCE not in page and 'data-testid="purpose-prompt"' in page

    def test_purpose_is_per_subject(self, org, crew, person):
        other = _person(crew, org, "孙某", make_id(seq="773"))
        subjects.person_record_add(
            actor=crew["leader"], subject=other, record="offence", data={"offence_type": "诈骗案"}
        )
        client = login(Client(), crew["officer"])
        consult(client, person)
        assert "诈骗案" not in client.get(f"/subjects/{other.pk}/?tab=details").content.decode()

    def test_trail_asks_for_a_purpose(self, crew, person, record):
        client = login(Client(), crew["officer"])
        url = f"/analysis/subjects/{person.pk}/trail/"
        mark = head()
        page = client.get(url).content.decode()
        assert 'data-testid="purpose-prompt"' in page
        assert "解放路88号" not in page and "30.2745" not in page
        assert reads_after(mark) == []
        bad = client.post(url, {"purpose": ""})
        assert bad.status_code == 200 and "解放路88号" not in bad.content.decode()
        assert not AuditEvent.objects.filter(action="subject.consult", seq__gt=mark).exists()
        assert client.post(url, {"purpose": "研判近期活动规律"}).status_code == 302
        page = client.get(url).content.decode()
        assert "解放路88号" in page and "30.2745" in page
        (event,) = reads_after(mark)
        assert event.action == "read.trail" and event.purpose == "研判近期活动规律"
        assert event.details["records"]["ids"] == [str(record.pk)]
        assert "30.2745" not in json.dumps(event.details)

    def test_overview_needs_no_purpose(self, crew, person):
        client = login(Client(), crew["officer"])
        page = client.get(f"/subjects/{person.pk}/").content.decode()
        assert 'data-testid="purpose-prompt"' not in page and "赵建国" in page


@pytest.mark.django_db
class TestApi:
    @pytest.mark.parametrize(
        ("resource", "kind"),
        [("subjects", "person"), ("records", "record"), ("tasks", "task")],
    )
    def test_list_and_retrieve_logged_with_channel_api(
        self, crew, person, record, task, resource, kind
    ):
        obj = {"person": person, "record": record, "task": task}[kind]
        client = api_client(crew["officer"])
        mark = head()
        listed = client.get(f"/api/v1/{resource}/")
        assert listed.status_code == 200
        one = client.get(f"/api/v1/{resource}/{obj.pk}/")
        assert one.status_code == 200
        first, second = reads_after(mark)
        for event, view in ((first, "list"), (second, "retrieve")):
            assert event.action == "read.api" and event.channel == "api"
            assert event.details["view"] == view and event.details["ids"] == [str(obj.pk)]
            assert event.actor_id == crew["officer"].pk
            raw = json.dumps(event.details)
            assert ID_NUMBER not in raw and "30.2745" not in raw
        assert second.object_id == str(obj.pk)
        assert second.request_id == one["X-Request-ID"]
        if kind != "person":
            assert first.details["subjects"]["ids"] == [str(person.pk)]

    def test_out_of_scope_retrieve_logs_nothing(self, crew, person):
        client = api_client(crew["other_officer"])
        mark = head()
        assert client.get(f"/api/v1/subjects/{person.pk}/").status_code == 404
        assert reads_after(mark) == []
