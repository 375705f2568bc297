"""The production server tuned for 2 cores (issue #13): gunicorn settings, database connection
options, compression of text answers, and per-request memory of the user's stations.

docs/operations.md, "Sizing and tuning (2 cores)", explains each choice; these tests hold them.
"""

import gzip
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.services import unit_create
from casebook.core.choices import UnitKind
from casebook.core.middleware import GZipTextMiddleware
from casebook.settings import postgres_options
from casebook.testing.factories import PersonFactory
from conftest import login

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


# --- gunicorn ------------------------------------------------------------------------------------


def load_gunicorn_conf(monkeypatch, **env) -> dict:
    """The settings gunicorn.conf.py gives under ``env`` (variables it reads start unset)."""
    for name in (
        "CASEBOOK_BIND",
        "CASEBOOK_WEB_WORKERS",
        "CASEBOOK_WEB_THREADS",
        "CASEBOOK_WEB_TIMEOUT",
        "CASEBOOK_WEB_MAX_REQUESTS",
        "CASEBOOK_DB_STATEMENT_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_is_sized_for_two_cores(monkeypatch):
    import os

    conf = load_gunicorn_conf(monkeypatch)
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == 3 and conf["threads"] == 4
    assert conf["bind"] == "127.0.0.1:8000"  # nginx in front: loopback only
    assert conf["preload_app"] is True
    assert conf["timeout"] >= 30 and conf["graceful_timeout"] > 0
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    # web requests get a statement timeout; the value reaches settings through the environment
    assert os.environ["CASEBOOK_DB_STATEMENT_TIMEOUT"] == "30"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import os

    conf = load_gunicorn_conf(
        monkeypatch,
        CASEBOOK_BIND="127.0.0.1:9001",
        CASEBOOK_WEB_WORKERS="5",
        CASEBOOK_WEB_THREADS="2",
        CASEBOOK_DB_STATEMENT_TIMEOUT="0",
    )
    assert (conf["bind"], conf["workers"], conf["threads"]) == ("127.0.0.1:9001", 5, 2)
    assert os.environ["CASEBOOK_DB_STATEMENT_TIMEOUT"] == "0"  # an explicit value is kept


def test_gunicorn_accepts_every_setting_of_the_file(monkeypatch):
    """Each name the file sets is a gunicorn setting with a valid value (a typo would be
    silently ignored by gunicorn)."""
    from gunicorn.config import Config

    conf = load_gunicorn_conf(monkeypatch)
    cfg = Config()
    names = {k for k in conf if not k.startswith("_") and k not in {"os"} and k in cfg.settings}
    unknown = {
        k
        for k, v in conf.items()
        if not k.startswith("_") and k != "os" and not callable(v) and k not in cfg.settings
    }
    assert not unknown, unknown
    for name in names:
        cfg.set(name, conf[name])  # validates the type
    assert cfg.worker_class_str == "gthread"
    assert callable(cfg.pre_fork)


def test_access_log_has_the_request_id_and_no_query_string(monkeypatch):
    fmt = load_gunicorn_conf(monkeypatch)["access_log_format"]
    assert "%({x-request-id}o)s" in fmt
    assert "%(M)s" in fmt  # duration
    # searches put names and ID numbers in the query string: not in a plain log file
    assert "%(U)s" in fmt
    for with_query in ("%(r)s", "%(q)s", "%({raw_uri})s"):
        assert with_query not in fmt


def test_pre_fork_closes_the_masters_connections(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    closed = []
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    conf["pre_fork"](None, None)
    assert closed == [True]


# --- database ------------------------------------------------------------------------------------


def test_postgres_options_turn_jit_off_and_add_the_statement_timeout():
    assert postgres_options() == "-c jit=off"
    assert postgres_options("", 30) == "-c jit=off -c statement_timeout=30000"
    # options given in DATABASE_URL are kept, ours follow
    assert postgres_options("-c search_path=casebook", 0) == "-c search_path=casebook -c jit=off"
    assert "statement_timeout" not in postgres_options("", 0)


def test_database_connections_are_reused_and_checked():
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        assert db["CONN_MAX_AGE"] == settings.CASEBOOK_DB_CONN_MAX_AGE > 0
        assert db["CONN_HEALTH_CHECKS"] is True
        assert "-c jit=off" in db["OPTIONS"]["options"]
    else:  # SQLite opens a file: nothing to keep
        assert db["CONN_MAX_AGE"] == 0


@pytest.mark.django_db
def test_postgres_sessions_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# --- compression ---------------------------------------------------------------------------------


def test_gzip_sits_below_whitenoise_and_above_the_views():
    middleware = settings.MIDDLEWARE
    gz = middleware.index("casebook.core.middleware.GZipTextMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < gz
    assert gz < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


@pytest.mark.django_db
def test_pages_are_compressed_when_the_browser_accepts_gzip(crew):
    client = login(Client(), crew["leader"])
    response = client.get("/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "<html" in page and crew["leader"].real_name in page
    assert int(response["Content-Length"]) == len(response.content) < len(page.encode()) / 2

    plain = client.get("/")
    assert not plain.has_header("Content-Encoding")
    assert crew["leader"].real_name in plain.content.decode()


@pytest.mark.django_db
def test_api_answers_are_compressed(crew):
    leader = crew["leader"]
    for _ in range(3):
        PersonFactory(actor=leader, officers=[crew["officer"]])
    client = login(Client(), leader)
    response = client.get("/api/v1/subjects/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"].startswith("application/json")
    import json

    body = json.loads(gzip.decompress(response.content))
    assert body["count"] == 3


@pytest.mark.django_db
def test_anonymous_login_page_is_compressed_and_its_csrf_token_changes(client):
    """BREACH needs a secret that stays the same across responses: the CSRF token is masked
    afresh each time, and each compressed answer is padded with random bytes."""
    tokens, lengths = set(), set()
    for _ in range(6):
        response = client.get("/accounts/login/", **GZIP)
        assert response["Content-Encoding"] == "gzip"
        page = gzip.decompress(response.content).decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
        lengths.add(len(response.content))
    assert len(tokens) == 6
    assert len(lengths) > 1


def _through_gzip(response, accept="gzip"):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return GZipTextMiddleware(lambda r: response)(request)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/png",
        "application/octet-stream",
        "application/zip",
    ],
)
def test_binary_answers_are_not_compressed(content_type):
    """Already compressed or encrypted files: compressing costs CPU and gains nothing."""
    body = b"%PDF-1.7 " + b"A" * 5000
    response = _through_gzip(HttpResponse(body, content_type=content_type))
    assert not response.has_header("Content-Encoding")
    assert response.content == body


def test_downloads_are_streamed_uncompressed(tmp_path):
    path = tmp_path / "export.pdf"
    path.write_bytes(b"%PDF-1.7 " + b"B" * 10000)
    response = _through_gzip(FileResponse(path.open("rb"), content_type="application/pdf"))
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content) == path.read_bytes()


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=utf-8", "application/json", "application/problem+json", "text/csv"],
)
def test_text_answers_are_compressed(content_type):
    body = ("<p>张三 李四 王五</p>" * 200).encode()
    response = _through_gzip(HttpResponse(body, content_type=content_type))
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == body
    untouched = _through_gzip(HttpResponse(body, content_type=content_type), accept="identity")
    assert untouched.content == body and not untouched.has_header("Content-Encoding")


# --- per-request memory of the user's stations --------------------------------------------------

STATION_LIST = re.compile(
    r'SELECT "core_unit"\."id" AS "pk" FROM "core_unit" '
    r'WHERE \("core_unit"\."kind" = \'station\' AND "core_unit"\."parent_id" = \d+\)'
)


@pytest.mark.django_db
def test_the_bureau_dashboard_asks_for_the_bureaus_stations_once(crew):
    """Every list, count and figure of a page asks for the user's stations: a bureau leader's
    dashboard asked the database for them 43 times per page."""
    client = login(Client(), crew["bureau"])
    client.get("/analysis/bureau/")  # warm per-session state
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/analysis/bureau/")
    assert response.status_code == 200
    asked = [q["sql"] for q in ctx.captured_queries if STATION_LIST.search(q["sql"])]
    assert len(asked) == 1, asked
    assert len(ctx.captured_queries) <= 55


@pytest.mark.django_db
def test_the_users_roles_and_stations_are_read_once_per_page(crew):
    leader = crew["leader"]
    client = login(Client(), leader)
    client.get("/")
    for url in ("/", "/subjects/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        own_roles = [
            q
            for q in ctx.captured_queries
            if 'FROM "accounts_userrole"' in q["sql"]
            and f'"accounts_userrole"."user_id" = {leader.pk} ' in q["sql"]
        ]
        assert len(own_roles) == 1, url
        compartments = [
            q for q in ctx.captured_queries if '"accounts_compartment"."code"' in q["sql"]
        ]
        assert len(compartments) <= 1, url


@pytest.mark.django_db
def test_station_memory_lasts_one_user_object(crew, org):
    """The memory lives on the user object of one request; the next request loads the user
    afresh and sees a new station of the bureau (and, as tested in accounts, a revoked role)."""
    bureau_leader = User.objects.get(pk=crew["bureau"].pk)
    before = policy.station_ids(bureau_leader, Action.SUBJECT_VIEW)
    assert before == {org["a"].pk, org["b"].pk}
    new = unit_create(
        actor=None, kind=UnitKind.STATION, name="丁派出所", code="TD", parent=org["bureau"]
    )
    with CaptureQueriesContext(connection) as ctx:
        assert policy.station_ids(bureau_leader, Action.SUBJECT_VIEW) == before
        assert policy.station_ids(bureau_leader, Action.TASK_VIEW) == before
    assert not ctx.captured_queries
    # a caller changing the answer does not change the memory
    policy.station_ids(bureau_leader, Action.SUBJECT_VIEW).add(999)
    assert policy.station_ids(bureau_leader, Action.SUBJECT_VIEW) == before
    fresh = User.objects.get(pk=crew["bureau"].pk)
    assert policy.station_ids(fresh, Action.SUBJECT_VIEW) == before | {new.pk}


@pytest.mark.django_db
def test_station_memory_keeps_reaches_apart(crew, org):
    """A station leader reaches one station; the memory for that never answers a bureau-wide
    question, and a user without the grant reaches nothing."""
    leader = User.objects.get(pk=crew["leader"].pk)
    assert policy.station_ids(leader, Action.SUBJECT_VIEW) == {org["a"].pk}
    assert policy.station_ids(leader, Action.BUREAU_DASHBOARD) == set()
    bureau_leader = User.objects.get(pk=crew["bureau"].pk)
    assert policy.station_ids(bureau_leader, Action.SUBJECT_VIEW) == {org["a"].pk, org["b"].pk}
    admin = User.objects.get(pk=crew["admin"].pk)
    assert policy.station_ids(admin, Action.SUBJECT_VIEW) == set()


# --- the home page's subject figures in one query -------------------------------------------------


@pytest.mark.django_db
def test_home_subject_figures_are_counted_in_one_query(crew):
    """The six figures of the home page come from one aggregate over the subjects the user may
    see, and agree with counting each figure on its own; another station's subjects count for
    nothing."""
    from datetime import date

    import time_machine

    from casebook.subjects.choices import Kind, RiskLevel, Status
    from casebook.subjects.home import subject_stats
    from casebook.subjects.models import Subject
    from casebook.subjects.selectors import visible_subjects
    from casebook.testing.factories import IncidentFactory, PlaceFactory

    leader, officer = crew["leader"], crew["officer"]
    with time_machine.travel("2026-06-01 10:00 +08:00", tick=False):
        made = [
            PersonFactory(actor=leader, officers=[officer]),
            PersonFactory(actor=leader, officers=[officer]),
            PersonFactory(actor=leader, officers=[crew["colleague"]]),
            PlaceFactory(actor=leader, officers=[officer]),
            IncidentFactory(actor=leader, officers=[crew["colleague"]]),
            PersonFactory(actor=leader, officers=[officer]),  # closed below
        ]
        outsider = PersonFactory(actor=crew["other_leader"], officers=[crew["other_officer"]])
        # arrange states directly (the services' own tests cover how they are reached)
        Subject.objects.filter(pk=made[5].pk).update(status=Status.CLOSED)
        Subject.objects.filter(pk__in=[made[0].pk, made[3].pk, made[5].pk]).update(
            review_due=date(2026, 5, 1)
        )
        Subject.objects.filter(pk__in=[made[1].pk, made[4].pk, outsider.pk]).update(
            risk_level=RiskLevel.HIGH
        )
        user = User.objects.get(pk=officer.pk)
        visible_subjects(user).count()  # the user's roles, compartments and stations, read once
        with CaptureQueriesContext(connection) as ctx:
            figures = subject_stats(user, None)["subjects"]
        counts = [q for q in ctx.captured_queries if 'FROM "subjects_subject"' in q["sql"]]
        assert len(counts) == 1, [q["sql"] for q in ctx.captured_queries]

        active = visible_subjects(user).filter(status=Status.ACTIVE)
        expected = {
            "mine": active.filter(officers=user).count(),
            "persons": active.filter(kind=Kind.PERSON).count(),
            "places": active.filter(kind=Kind.PLACE).count(),
            "incidents": active.filter(kind=Kind.INCIDENT).count(),
            "overdue": visible_subjects(user)
            .exclude(status=Status.CLOSED)
            .filter(review_due__lt=date(2026, 6, 1))
            .count(),
            "high": active.filter(risk_level__gte=RiskLevel.HIGH).count(),
        }
        assert expected == {
            "mine": 3,
            "persons": 3,
            "places": 1,
            "incidents": 1,
            "overdue": 2,
            "high": 2,
        }
        assert {k: figures[k] for k in expected} == expected
        assert {s.pk for s in figures["mine_list"]} == {made[0].pk, made[1].pk, made[3].pk}
        assert subject_stats(User.objects.get(pk=crew["admin"].pk), None) == {"subjects": None}
