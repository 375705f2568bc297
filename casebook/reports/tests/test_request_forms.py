"""The reports pages: every POST through a form and the one service helper; bad input gives a
clear error and writes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from casebook.reports import services
from casebook.reports.models import DutyShift, Export
from casebook.reports.tests.test_feedback import submit
from conftest import login

pytestmark = pytest.mark.django_db


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_urgent_acknowledgement_note_is_bounded(crew, person):
    report = services.urgent_report_create(actor=crew["officer"], text="紧急情况", subject=person)
    leader = login(Client(), crew["leader"])
    response = leader.post(f"/reports/urgent/{report.pk}/acknowledge/", {"note": "长" * 301})
    assert response.status_code == 302 and _errors(response)
    report.refresh_from_db()
    assert report.status == "open"


def test_feedback_acknowledgement_needs_an_instruction(analysing_task, crew):
    report = submit(analysing_task, crew["officer"])
    leader = login(Client(), crew["leader"])
    for data in ({}, {"instruction": ""}, {"instruction": "批" * 2001}):
        response = leader.post(f"/reports/feedback/{report.pk}/acknowledge/", data)
        assert response.status_code == 302 and _errors(response)
        leader = login(Client(), crew["leader"])
    report.refresh_from_db()
    assert report.status == "submitted"


def test_export_target_must_be_a_whole_id(crew, person):
    client = login(Client(), crew["analyst"])
    for target in ({"subject": "1 OR 1=1"}, {"record": "x"}, {}):
        response = client.post("/reports/exports/new/", {"fmt": "pdf", "purpose": "移交", **target})
        assert response.status_code == 404
    assert not Export.objects.exists()


def test_export_of_another_stations_subject_is_not_found(crew, person):
    client = login(Client(), crew["other_officer"])
    response = client.post(
        "/reports/exports/new/", {"fmt": "pdf", "purpose": "移交", "subject": person.pk}
    )
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_duty_roster_refuses_a_unit_the_user_does_not_keep(org, crew):
    leader = login(Client(), crew["leader"])
    response = leader.post(
        "/reports/duty/",
        {
            "unit": org["b"].pk,
            f"u{org['b'].pk}-user": crew["other_leader"].pk,
            f"u{org['b'].pk}-post": "leader",
            f"u{org['b'].pk}-starts_at": "2026-03-01T08:00",
            f"u{org['b'].pk}-ends_at": "2026-03-01T20:00",
        },
    )
    assert response.status_code == 403
    response = leader.post("/reports/duty/", {"unit": "abc"})
    assert response.status_code == 403
    assert not DutyShift.objects.exists()
