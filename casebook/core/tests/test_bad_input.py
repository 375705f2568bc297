"""Malformed requests answer 400 (problem details in the API), never a 500 (issue #11)."""

import io
import json

import pytest
from django.test import Client
from rest_framework.exceptions import ParseError

from casebook.accounts.models import RolePolicy
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.core.models import Unit
from casebook.core.parsers import SafeJSONParser
from conftest import login


@pytest.fixture
def officer(make_user):
    RolePolicy.objects.update_or_create(
        role=Role.TRACKING_OFFICER, defaults={"mfa_required": False}
    )
    return make_user(Role.TRACKING_OFFICER)


@pytest.fixture
def api(officer):
    _token, key = api_token_create(actor=officer, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}", raise_request_exception=False)


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


@pytest.mark.django_db
class TestNul:
    def test_nul_in_query_string_page(self, officer):
        client = login(Client(raise_request_exception=False), officer)
        response = client.get("/records/?q=%00")
        assert response.status_code == 400
        assert b"<html" in response.content and b"Traceback" not in response.content
        assert client.get("/records/?q=ok").status_code == 200

    def test_nul_in_query_string_api(self, api):
        assert_problem(api.get("/api/v1/records/?q=a%00b"), 400)
        assert_problem(api.get("/api/v1/records/?a%00=1"), 400)

    def test_nul_in_form_writes_nothing(self, make_user, org):
        admin = make_user(Role.SYSTEM_ADMIN)
        client = login(Client(raise_request_exception=False), admin)
        before = Unit.objects.count(), AuditEvent.objects.count()
        response = client.post(
            "/organisation/new/",
            {"kind": "station", "name": "丙\x00派出所", "code": "TX", "parent": org["bureau"].pk},
        )
        assert response.status_code == 400
        assert (Unit.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
class TestJson:
    def test_json_nested_5000_deep_is_a_problem_not_a_500(self, api):
        body = "[" * 5000 + "]" * 5000
        response = api.post("/api/v1/records/", body, content_type="application/json")
        assert_problem(response, 400)

    def test_json_deeper_than_the_limit(self, api):
        body = json.dumps({"text": "x", "extra": json.loads("[" * 65 + "]" * 65)})
        problem = assert_problem(
            api.post("/api/v1/records/", body, content_type="application/json"), 400
        )
        assert "64" in problem["detail"]  # the parser's message, not the serializer's

    def test_parser_limits(self):
        parser = SafeJSONParser()
        ok = {"a": [[["x"]]], "deep": json.loads("[" * 63 + "]" * 63)}
        assert parser.parse(io.BytesIO(json.dumps(ok).encode())) == ok
        for bad in (
            "[" * 65 + "]" * 65,
            json.dumps({"k": json.loads("[" * 64 + "]" * 64)}),
            json.dumps({"text": "a\x00b"}),
            json.dumps({"a\x00": 1}),
            json.dumps([{"x": ["\x00"]}]),
        ):
            with pytest.raises(ParseError):
                parser.parse(io.BytesIO(bad.encode()))

    def test_json_with_nul_in_a_string(self, api):
        body = json.dumps({"text": "a\x00b"})
        assert_problem(api.post("/api/v1/records/", body, content_type="application/json"), 400)

    def test_malformed_json(self, api):
        response = api.post("/api/v1/records/", "{not json", content_type="application/json")
        assert_problem(response, 400)


@pytest.mark.django_db
def test_api_500_is_problem_details_without_the_exception_text(api, monkeypatch):
    class Broken:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("secret internal detail")

    monkeypatch.setattr("casebook.accounts.api.views.MeSerializer", Broken)
    response = api.get("/api/v1/me/")
    body = assert_problem(response, 500)
    assert "secret internal detail" not in response.content.decode()
    assert "<html" not in response.content.decode() and body["type"] == "about:blank"


@pytest.mark.django_db
def test_page_500_is_still_the_html_page(officer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("casebook.intel.views._filtered", broken)
    client = login(Client(raise_request_exception=False), officer)
    response = client.get("/records/")
    assert response.status_code == 500
    assert b"<html" in response.content and b"secret internal detail" not in response.content
