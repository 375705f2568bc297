"""Words officers and the public read (issue #18 item 5): an inspection of a place is 检查, not 走访
(persons keep 走访); public pages carry their own footer, not the internal one; the audit log
names actors by name and police number and filters by police number; dates are yyyy-mm-dd
whatever the browser's language."""

from datetime import date, datetime

import pytest
from django import forms
from django.test import Client
from django.utils import timezone, translation

from casebook.audit.services import record_event
from casebook.core.forms import IsoDateInput, IsoDateTimeInput
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from conftest import login

INTERNAL = "Internal use only; every access is recorded."


@pytest.fixture
def place(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="place",
        category=Category.objects.get(code="internet_cafe"),
        name="检查用网咖",
        station=org["a"],
        legal_basis_ref="条例",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"address": "江州市科技路9号", "latitude": 30.27, "longitude": 120.15},
    )


@pytest.mark.django_db
def test_place_inspection_is_worded_as_inspection(crew, place):
    client = login(Client(), crew["officer"])
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(f"/subjects/{place.pk}/visit/", HTTP_ACCEPT_LANGUAGE="en").content
    page = page.decode()
    assert "Time of the inspection" in page and "Save the inspection record" in page
    assert "Time of the visit" not in page and "Save the visit" not in page


@pytest.mark.django_db
def test_public_pages_have_their_own_footer(crew):
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get("/tip/").content.decode()
    assert INTERNAL not in public and "call 110" in public
    internal = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["officer"]).get("/").content
    assert INTERNAL in internal.decode()


@pytest.mark.django_db
def test_audit_log_shows_and_filters_by_police_number(crew):
    record_event(actor=crew["officer"], action="task.comment", details={})
    record_event(actor=crew["colleague"], action="task.comment", details={})
    client = login(Client(), crew["auditor"])
    page = client.get("/audit/", {"action": "task.comment"}).content.decode()
    officer = crew["officer"]
    assert f'{officer.real_name}<span class="text-muted">（{officer.username}）</span>' in page
    assert f"#{officer.pk}<" not in page
    found = client.get("/audit/", {"actor": officer.username, "action": "task.comment"})
    body = found.content.decode()
    assert officer.real_name in body and crew["colleague"].real_name not in body
    nobody = client.get("/audit/", {"actor": "999999", "action": "task.comment"}).content
    assert officer.real_name not in nobody.decode().split("<tbody>")[1]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_render_and_read_as_iso(language):
    class Form(forms.Form):
        day = forms.DateField(widget=IsoDateInput())
        moment = forms.DateTimeField(widget=IsoDateTimeInput())

    with translation.override(language):
        html = str(Form(initial={"day": date(2026, 3, 4), "moment": datetime(2026, 3, 4, 5, 6)}))
        assert 'value="2026-03-04"' in html and 'value="2026-03-04 05:06"' in html
        assert 'type="date"' not in html and "datetime-local" not in html
        bound = Form({"day": "2026-03-04", "moment": "2026-03-04 05:06"})
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data["day"] == date(2026, 3, 4)
        local = timezone.localtime(bound.cleaned_data["moment"])
        assert (local.hour, local.minute) == (5, 6)
        assert not Form({"day": "03/04/2026x", "moment": "soon"}).is_valid()
