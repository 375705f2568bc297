"""SECURITY.md I2: the API is fuzzed from its own OpenAPI schema with schemathesis.

Every operation of /api/v1/ is called in-process (the WSGI application, no server) with
generated valid and invalid data, for several users, and every response must pass all of
schemathesis's checks: no server error, only documented status codes and content types,
bodies that match the schema, invalid data refused, valid data accepted, authentication
enforced. The database holds a small bureau with real subjects, tasks, records, tips and an
urgent report, so that detail routes reach real objects as well as missing ones.
"""

import json
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.intel import services as intel
from casebook.reports.services import urgent_report_create
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking.services import task_create
from casebook.wsgi import application


def _openapi() -> dict:
    """The schema exactly as /api/schema/ serves it (built in-process, no request needed)."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(spec, renderer_context={}))


#: Two settings, each with its reason; no check and no operation is left out.
CONFIG = SchemathesisConfig.from_dict(
    {
        # The API refuses a NUL character anywhere in a request with 400, on purpose
        # (PostgreSQL cannot store it; casebook/core/tests/test_bad_input.py tests the refusal).
        "generation": {"allow-x00": False},
        "operations": [
            {
                # A write names other objects (a category code, subjects, a lead officer, an
                # approving leader, an informant) and obeys rules across fields and states (the
                # task's stage, a tip already dismissed, particulars only for persons) that a
                # schema cannot express, so well-formed data may still be refused — with 400 and
                # the reason by field. Reads stay strict: a valid filter is never refused.
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
                    }
                },
            }
        ],
    }
)

schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
schema.app = application

#: the users whose tokens fuzz the API: case data (analyst), a leader, and an administrator
#: who holds no case data at all (SECURITY.md A3)
ROLES = [Role.ANALYST, Role.STATION_LEADER, Role.SYSTEM_ADMIN]


@pytest.fixture
def bureau(org, make_user):
    """A station with a person, a place, a task, records (one from an informant), a tip and an
    urgent report, made through the services."""
    informants = Compartment.objects.get(code="informants")
    leader = make_user(Role.STATION_LEADER, org["a"], compartments=[informants])
    officer = make_user(Role.TRACKING_OFFICER, org["a"])
    person = subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="prior_offender"),
        name="张三丰",
        station=org["a"],
        legal_basis_ref="城公(治)字〔2026〕1号",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        officers=[officer],
        detail={"data_subject_category": "convicted", "id_number": make_id()},
    )
    place = subject_create(
        actor=leader,
        kind="place",
        category=Category.objects.get(code="entertainment_venue"),
        name="金色年华KTV",
        station=org["a"],
        legal_basis_ref="《娱乐场所管理条例》",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        detail={"address": "江州市城关区人民路8号", "licence_numbers": "娱经许字123456号"},
    )
    task = task_create(
        actor=leader, title="核查张三丰近期动向", station=org["a"], lead=officer, subjects=[person]
    )
    informant = intel.informant_register(actor=leader, handler=officer, real_name="钱多多")
    for source in (None, informant):
        intel.record_create(
            actor=officer,
            subjects=[person, place],
            method="field_visit",
            channel="own" if source is None else "informant",
            occurred_at=timezone.now(),
            content="走访见本人在家，情绪平稳",
            source_evaluation="B",
            info_assessment="2",
            task=task,
            informant=source,
        )
    intel.tip_submit(ip="192.0.2.5", what="有人在小区兜售可疑物品多次", station=org["a"])
    urgent_report_create(actor=officer, text="发现张三丰携带管制刀具", subject=person)
    return {"person": person, "place": place, "task": task, "leader": leader}


@pytest.fixture(params=ROLES)
def token(request, org, make_user, bureau):
    role = request.param
    unit = org["bureau"] if role == Role.SYSTEM_ADMIN else org["a"]
    user = make_user(role, unit)
    # a token works only while its owner's second factor is enrolled, where one is required
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _token, key = api_token_create(actor=user, name="schemathesis")
    return key


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI handler closes the database connection when a request starts and ends (it is in a
    transaction, as every test is); keep it open, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema(case, token):
    CASES_RUN[0] += 1
    # identity: the in-process WSGI transport does not undo the gzip that text answers get
    case.call_and_validate(
        headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    )


#: how many generated requests the fuzzing test sent (shown with ``pytest -s``)
CASES_RUN = [0]


@pytest.fixture(scope="module", autouse=True)
def _report_cases():
    yield
    if CASES_RUN[0]:
        print(f"\nschemathesis: {CASES_RUN[0]} generated requests")  # noqa: T201


# --- the fixes the fuzzer asked for, each pinned by an ordinary test --------------------------


@pytest.fixture
def analyst_api(org, make_user, bureau):
    from django.test import Client

    _token, key = api_token_create(actor=make_user(Role.ANALYST, org["a"]), name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/subjects/?review_overdue=maybe",
        "/api/v1/subjects/?kind=",
        "/api/v1/subjects/?status=nonsense",
        "/api/v1/tasks/?subject=0.5",
        "/api/v1/tasks/?subject=99999999999999999999999",
        "/api/v1/records/?task=x",
        "/api/v1/tips/?status=",
    ],
)
def test_invalid_filter_values_answer_400_not_everything(analyst_api, query):
    name = query.split("?")[1].split("=")[0]
    assert name in _problem(analyst_api.get(query), 400)["errors"]


def test_valid_filters_still_filter(analyst_api, bureau):
    person = bureau["person"]
    assert analyst_api.get("/api/v1/subjects/?review_overdue=false").json()["count"] == 2
    assert analyst_api.get("/api/v1/subjects/?review_overdue=true").json()["count"] == 0
    records = analyst_api.get(f"/api/v1/records/?subject={person.pk}").json()
    assert records["count"] == 2
    assert {r["informant"] is None for r in records["results"]} == {True, False}
    assert analyst_api.get("/api/v1/records/?task=987654").json()["count"] == 0  # not a 400


def test_json_body_types_are_held_to_the_schema(org, make_user, bureau):
    from django.test import Client

    from casebook.reports.models import UrgentReport

    _token, key = api_token_create(actor=make_user(Role.TRACKING_OFFICER, org["a"]), name="t")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    before = UrgentReport.objects.count()
    for body, field in [
        ({"text": "对象持刀", "place": 0}, "place"),  # a number where text is due
        ({"text": "对象持刀", "subject": str(bureau["person"].pk)}, "subject"),  # text for an id
        ({"text": "对象持刀", "subject": 2**70}, "subject"),  # beyond any id
        ({"text": "对象持刀", "subject": True}, "subject"),
    ]:
        response = api.post("/api/v1/urgent-reports/", body, content_type="application/json")
        assert field in _problem(response, 400)["errors"]
    assert UrgentReport.objects.count() == before  # nothing written
    ok = api.post(
        "/api/v1/urgent-reports/",
        {"text": "对象持刀", "subject": bureau["person"].pk},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content


def test_unknown_api_address_and_page_are_problems(analyst_api):
    _problem(analyst_api.get("/api/v1/tips/?page="), 404)  # not silently the first page
    assert analyst_api.get("/api/v1/tips/?page=1").status_code == 200
    _problem(analyst_api.get("/api/v1/subjects/0.5/"), 404)
    _problem(analyst_api.get("/api/v1/no-such-thing/"), 404)


def test_schema_documents_problem_details_for_every_operation():
    spec = _openapi()
    assert "Problem" in spec["components"]["schemas"]
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in methods.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), (method, path)
            if "{id}" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}
                assert {"400", "415"} <= set(responses), (method, path)
            for code in ("400", "401", "403", "404", "415"):
                if code in responses:
                    assert "application/problem+json" in responses[code]["content"], (method, path)
