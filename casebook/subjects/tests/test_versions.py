"""No lost updates (issue #11 item 7): two officers edit one subject; the second save, made on
the version the first one replaced, is refused with the other editor's name, time and fields,
and nothing of it is written — on the service, the edit page and the API."""

from datetime import datetime

import pytest
import time_machine
from django.test import Client

from casebook.accounts.services import api_token_create
from casebook.subjects import services
from casebook.subjects.forms import DETAIL_FORMS, SubjectForm
from casebook.subjects.models import Subject
from conftest import login

from .conftest import make_id


def _form_data(user, subject) -> dict:
    """What the edit page posts when the officer changes nothing: every field's shown value."""
    form = SubjectForm(instance=subject, kind=subject.kind, station=subject.station, user=user)
    detail = DETAIL_FORMS[subject.kind](instance=services._detail_of(subject), prefix="d")
    data = {}
    for f in (form, detail):
        for bound in f:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, datetime):
                data[bound.html_name] = value.strftime("%Y-%m-%dT%H:%M")
            else:
                data[bound.html_name] = str(value)
    data["d-phones"] = ", ".join(services._detail_of(subject).phone_list)
    return data


@pytest.fixture
def person(make_person, people):
    return make_person("吴十", id_number=make_id(seq="431"), officers=[people["officer_a"]])


@pytest.mark.django_db
class TestService:
    def test_second_stale_save_refused_first_kept(self, person, people):
        seen = person.version
        with time_machine.travel(datetime.fromisoformat("2026-05-04T10:15:00+08:00")):
            services.subject_update(
                actor=people["leader_a"], subject=person, expected_version=seen, notes="甲的备注"
            )
        with pytest.raises(services.StaleEdit) as caught:
            services.subject_update(
                actor=people["officer_a"],
                subject=person,
                expected_version=seen,
                detail={"occupation": "司机"},
            )
        message = " ".join(caught.value.messages)
        assert "甲所长" in message and "2026-05-04 10:15" in message
        assert "notes" in caught.value.changed
        person.refresh_from_db()
        assert person.notes == "甲的备注" and person.person.occupation != "司机"
        assert person.version == seen + 1

    def test_saving_again_on_the_current_version_goes_through(self, person, people):
        services.subject_update(actor=people["leader_a"], subject=person, notes="一")
        person.refresh_from_db()
        services.subject_update(
            actor=people["officer_a"], subject=person, expected_version=person.version, notes="二"
        )
        person.refresh_from_db()
        assert person.notes == "二" and person.version == 3

    def test_a_save_that_slips_past_the_check_still_cannot_win(self, person, people):
        """Two saves that both read version 1 (no row lock on SQLite): the conditional UPDATE
        lets only one move the version on."""
        Subject.objects.filter(pk=person.pk).update(version=person.version + 1)  # the other save

        original = Subject.objects.select_for_update

        class Stale:
            def get(self, **kw):
                obj = original().get(**kw)
                obj.version -= 1  # what this save read before the other committed
                return obj

        Subject.objects.select_for_update = lambda: Stale()
        try:
            with pytest.raises(services.StaleEdit):
                services.subject_update(
                    actor=people["officer_a"], subject=person, expected_version=1, notes="迟到"
                )
        finally:
            del Subject.objects.select_for_update
        person.refresh_from_db()
        assert person.notes != "迟到"


@pytest.mark.django_db
class TestEditPage:
    def test_stale_form_keeps_input_and_names_the_other_editor(self, person, people):
        first = login(Client(), people["leader_a"])
        second = login(Client(), people["officer_a"])
        data_first = _form_data(people["leader_a"], person)
        data_second = _form_data(people["officer_a"], person)
        assert data_first["version"] == str(person.version)
        data_first["notes"] = "所长改的备注"
        assert first.post(f"/subjects/{person.pk}/edit/", data_first).status_code == 302
        data_second["d-occupation"] = "外卖配送员"
        page = second.post(f"/subjects/{person.pk}/edit/", data_second)
        assert page.status_code == 200
        html = page.content.decode()
        assert "甲所长" in html  # who changed it
        assert 'data-testid="conflict"' in html and "所长改的备注" in html  # current values
        assert "外卖配送员" in html  # the officer's input is kept
        person.refresh_from_db()
        assert person.notes == "所长改的备注"
        assert person.person.occupation != "外卖配送员"
        # saving again, knowingly, on the version now shown goes through
        assert f'name="version" value="{person.version}"' in html
        data_second["version"] = str(person.version)
        assert second.post(f"/subjects/{person.pk}/edit/", data_second).status_code == 302
        person.refresh_from_db()
        assert person.person.occupation == "外卖配送员"


def _api(user) -> Client:
    _t, key = api_token_create(actor=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.django_db
class TestApi:
    def test_patch_needs_the_version_and_refuses_a_stale_one(self, person, people):
        api = _api(people["officer_a"])
        url = f"/api/v1/subjects/{person.pk}/"
        version = api.get(url).json()["version"]
        missing = api.patch(url, {"notes": "无版本"}, content_type="application/json")
        assert missing.status_code == 400
        ok = api.patch(
            url, {"version": version, "notes": "接口备注"}, content_type="application/json"
        )
        assert ok.status_code == 200, ok.content
        assert ok.json()["version"] == version + 1
        stale = api.patch(
            url, {"version": version, "notes": "过时的备注"}, content_type="application/json"
        )
        assert stale.status_code == 409
        assert stale["Content-Type"] == "application/problem+json"
        body = stale.json()
        assert body["status"] == 409 and body["current_version"] == version + 1
        assert "甲民警" in body["detail"]
        person.refresh_from_db()
        assert person.notes == "接口备注"

    def test_patch_out_of_scope_is_404(self, person, people):
        api = _api(people["officer_b"])
        response = api.patch(
            f"/api/v1/subjects/{person.pk}/",
            {"version": 1, "notes": "越权"},
            content_type="application/json",
        )
        assert response.status_code == 404
        person.refresh_from_db()
        assert person.notes != "越权"

    def test_schema_documents_the_version(self, client_for):
        client, _user = client_for()  # the schema is for logged-in users only
        schema = client.get("/api/schema/?format=json").json()
        patch = schema["paths"]["/api/v1/subjects/{id}/"]["patch"]
        assert "409" in patch["responses"]
