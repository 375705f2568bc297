"""The information pages: every POST through a form and the one service helper; bad input gives
a clear error and writes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casebook.intel import services
from casebook.intel.models import InformationRecord, Tip
from casebook.intel.tests import test_intel
from casebook.tracking.models import Task
from conftest import login

crew_compartments, person = test_intel.crew_compartments, test_intel.person  # fixtures
record = test_intel.record

pytestmark = pytest.mark.django_db


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_organise_refuses_malformed_ids_and_keeps_the_tags(crew, person):
    rec = record(crew, person, tags=["赌博"])
    other = record(crew, person, content="另一条")
    client = login(Client(), crew["officer"])
    response = client.post(
        f"/records/{rec.pk}/organise/", {"tags": "吸毒", "corroborates": [other.pk, "x"]}
    )
    assert response.status_code == 302 and _errors(response)
    rec.refresh_from_db()
    assert [t.name for t in rec.tags.all()] == ["赌博"]
    assert not rec.corroborates.exists()
    client = login(Client(), crew["officer"])
    response = client.post(
        f"/records/{rec.pk}/organise/", {"tags": "吸毒，盗窃", "corroborates": [other.pk]}
    )
    assert not _errors(response)
    assert sorted(t.name for t in rec.tags.all()) == ["吸毒", "盗窃"]
    assert list(rec.corroborates.all()) == [other]


def test_organise_of_another_station_is_not_found(crew, person):
    rec = record(crew, person)
    client = login(Client(), crew["other_officer"])
    response = client.post(f"/records/{rec.pk}/organise/", {"tags": "外站"})
    assert response.status_code == 404
    assert not rec.tags.exists()


def test_dismissing_a_tip_needs_a_short_reason(org, crew):
    cache.clear()
    services.tip_submit(ip="192.0.2.7", what="某小区有人深夜聚集赌博", station=org["a"])
    tip = Tip.objects.get()
    client = login(Client(), crew["leader"])
    for reason in ("", "长" * 301):
        response = client.post(f"/tips/{tip.pk}/", {"dismiss": "1", "reason": reason})
        assert response.status_code == 200 and _errors(response)
        tip.refresh_from_db()
        assert tip.status == "received" and tip.dismissed_reason == ""
    client = login(Client(), crew["leader"])
    response = client.post(f"/tips/{tip.pk}/", {"dismiss": "1", "reason": "重复举报"})
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.dismissed_reason == "重复举报"


def test_visit_with_a_refused_photo_records_nothing(crew, person):
    """The visit and its photo are one action: a refused photo leaves no visit behind."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(Client(), crew["officer"])
    response = client.post(
        f"/subjects/{person.pk}/visit/",
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "findings": "本人在家",
            "photo": SimpleUploadedFile("x.jpg", b"<script>not an image</script>"),
        },
    )
    assert response.status_code == 200  # the form again, with the upload's error
    assert not InformationRecord.objects.exists() and not Task.objects.exists()
