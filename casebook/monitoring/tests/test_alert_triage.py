"""Alerts: collapsing within the window, the unbound triage queue, acknowledge / dismiss /
promote / urgent report, scope (another station's fence, binding or alert is absent), the pages."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.intel.models import InformationRecord
from casebook.monitoring import alert_services as services
from casebook.monitoring import pipeline
from casebook.monitoring.alerts import collapse
from casebook.monitoring.geo_models import Alert, AlertStatus, Geofence
from casebook.monitoring.models import Event
from casebook.testing.factories import PersonFactory, PlaceFactory

from .geo_helpers import bind, make_fence, make_source, position, square, store, video


@pytest.fixture
def s(org, make_user):
    leader = make_user(Role.STATION_LEADER, org["a"])
    officer = make_user(Role.TRACKING_OFFICER, org["a"])
    source = make_source(org["a"], leader, kind="video")
    place = PlaceFactory(station=org["a"])
    bind(org["a"], leader, place, device_id="CAM-01", source=source, kind="camera")
    return {"leader": leader, "officer": officer, "source": source, "place": place, "org": org}


def test_events_within_the_window_collapse_into_one_alert(s):
    events = [video(s["source"], n, minutes=n * 5) for n in range(3)]  # 0, 5, 10 minutes
    collapse(s["source"], events)
    alert = Alert.objects.get()
    assert alert.count == 3
    assert alert.first_at == events[0].occurred_at and alert.last_at == events[2].occurred_at
    assert alert.subject == s["place"] and alert.binding is not None
    assert alert.links.count() == 3
    # a later batch within the window joins it
    collapse(s["source"], [video(s["source"], 9, minutes=30)])
    assert Alert.objects.get().count == 4


@override_settings(CASEBOOK_MONITORING_ALERT_WINDOW_MINUTES=10)
def test_the_window_is_configurable_and_a_gap_opens_a_new_alert(s):
    collapse(s["source"], [video(s["source"], 1, minutes=0), video(s["source"], 2, minutes=25)])
    assert sorted(Alert.objects.values_list("count", flat=True)) == [1, 1]


def test_other_device_or_handled_alert_is_not_joined(s):
    collapse(s["source"], [video(s["source"], 1)])
    collapse(s["source"], [video(s["source"], 2, device="CAM-99")])
    assert Alert.objects.count() == 2
    first = Alert.objects.get(device_id="CAM-01")
    with translation.override("en"):
        services.alert_dismiss(actor=s["officer"], alert=first, reason="设备测试")
    collapse(s["source"], [video(s["source"], 3, minutes=1)])
    assert Alert.objects.filter(device_id="CAM-01").count() == 2


def test_unbound_camera_goes_to_the_triage_queue(s, org):
    from casebook.monitoring.alert_selectors import alert_queue

    collapse(s["source"], [video(s["source"], 1, device="CAM-UNBOUND")])
    alert = Alert.objects.get()
    assert alert.binding is None and alert.subject is None
    assert list(alert_queue(s["officer"], "unbound")) == [alert]
    assert list(alert_queue(s["officer"], "open")) == []


def test_geofence_crossings_become_one_alert_with_in_and_out(org, make_user):
    leader = make_user(Role.STATION_LEADER, org["a"])
    source = make_source(org["a"], leader)
    person = PersonFactory(station=org["a"])
    bind(org["a"], leader, person, source=source)
    fence = make_fence(org["a"], leader)
    crossings = pipeline.prepare(
        source,
        [position(1, 120.15, 30.27), position(2, 120.2, 30.3, minutes=3)],
    )
    collapse(source, store(source, crossings))
    alert = Alert.objects.get()
    assert (alert.fence, alert.subject, alert.count, alert.entered, alert.exited) == (
        fence,
        person,
        2,
        1,
        1,
    )


def test_dismiss_without_reason_is_refused(s):
    collapse(s["source"], [video(s["source"], 1)])
    alert = Alert.objects.get()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.alert_dismiss(actor=s["officer"], alert=alert, reason="  ")
    assert "Say why" in str(exc.value)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    services.alert_dismiss(actor=s["officer"], alert=alert, reason="误报：施工人员")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.reason == "误报：施工人员"
    assert AuditEvent.objects.filter(action="monitoring.alert_dismiss").count() == 1


def test_acknowledge_then_it_stays_live(s):
    collapse(s["source"], [video(s["source"], 1)])
    alert = services.alert_acknowledge(actor=s["officer"], alert=Alert.objects.get())
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.handled_by == s["officer"]
    with translation.override("en"), pytest.raises(ValidationError):
        services.alert_acknowledge(actor=s["officer"], alert=alert)


def test_promote_creates_the_record_and_marks_the_events(s):
    events = [video(s["source"], n, minutes=n) for n in range(2)]
    other = video(s["source"], 99, device="CAM-77")
    collapse(s["source"], events + [other])
    alert = Alert.objects.get(device_id="CAM-01")
    services.alert_promote(
        actor=s["officer"],
        alert=alert,
        subject=s["place"],
        content="摄像头发现门口人员聚集约二十人",
        source_evaluation="A",
        info_assessment="1",
    )
    alert.refresh_from_db()
    record = InformationRecord.objects.get()
    assert alert.status == AlertStatus.PROMOTED and alert.record == record
    assert (record.channel, record.method) == ("video", "technical")
    assert list(record.subjects.all()) == [s["place"]]
    assert set(Event.objects.filter(promoted=True).values_list("pk", flat=True)) == {
        e.pk for e in events
    }
    assert not Event.objects.get(pk=other.pk).promoted


def test_promote_refuses_another_stations_subject_and_writes_nothing(s, org):
    collapse(s["source"], [video(s["source"], 1)])
    foreign = PlaceFactory(station=org["b"])
    with translation.override("en"), pytest.raises((ValidationError, PermissionDenied)):
        services.alert_promote(
            actor=s["officer"],
            alert=Alert.objects.get(),
            subject=foreign,
            content="x",
            source_evaluation="A",
            info_assessment="1",
        )
    assert not InformationRecord.objects.exists()
    assert not Event.objects.filter(promoted=True).exists()


def test_urgent_report_through_the_registered_sender(s):
    from casebook.reports.models import UrgentReport

    collapse(s["source"], [video(s["source"], 1)])
    alert = services.alert_raise_urgent(
        actor=s["officer"], alert=Alert.objects.get(), text="危化品仓库门口人员聚集，请求支援"
    )
    report = UrgentReport.objects.get()
    assert alert.status == AlertStatus.ESCALATED and alert.urgent_report_id == report.pk
    assert report.subject == s["place"]


def test_other_station_cannot_triage(s, org, make_user):
    collapse(s["source"], [video(s["source"], 1)])
    stranger = make_user(Role.TRACKING_OFFICER, org["b"])
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=stranger, alert=Alert.objects.get())


# --- fences through the services ------------------------------------------------------------


def _fence_data(**kw):
    now = timezone.now()
    data = {
        "name": "江州化工仓库周界",
        "kind": "area",
        "geometry": json.dumps(square()),
        "legal_basis": "城公(治)字〔2026〕12号",
        "valid_from": now,
        "valid_until": now + timedelta(days=30),
    }
    data.update(kw)
    return data


def test_bad_polygon_saves_nothing(s):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.fence_create(
            actor=s["officer"], station=s["org"]["a"], **_fence_data(geometry=bowtie)
        )
    assert "crosses itself" in " ".join(exc.value.message_dict["geometry"])
    with translation.override("en"), pytest.raises(ValidationError):
        services.fence_create(
            actor=s["officer"], station=s["org"]["a"], **_fence_data(legal_basis="")
        )
    assert not Geofence.objects.exists()
    fence = services.fence_create(actor=s["officer"], station=s["org"]["a"], **_fence_data())
    assert fence.geometry["type"] == "Polygon"


def test_import_is_all_or_nothing(s):
    good = {"type": "Feature", "properties": {"name": "一号库区"}, "geometry": square()}
    bad = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[500, 0], [1, 1], [1, 0], [500, 0]]]},
    }
    now = timezone.now()
    args = {
        "actor": s["officer"],
        "station": s["org"]["a"],
        "legal_basis": "城公(治)字〔2026〕12号",
        "valid_from": now,
        "valid_until": now + timedelta(days=3),
    }
    with translation.override("en"), pytest.raises(ValidationError):
        services.fence_import(
            geojson={"type": "FeatureCollection", "features": [good, bad]}, **args
        )
    assert not Geofence.objects.exists()
    fences = services.fence_import(
        geojson=json.dumps({"type": "FeatureCollection", "features": [good]}), **args
    )
    assert [f.name for f in fences] == ["一号库区"]


def test_binding_needs_legal_basis_and_end_date(s):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.binding_create(
            actor=s["leader"],
            station=s["org"]["a"],
            kind="device",
            device_id="GPS-9",
            subject=PersonFactory(station=s["org"]["a"]),
            legal_basis="",
            starts_on=timezone.localdate(),
            ends_on=None,
        )
    assert {"legal_basis", "ends_on"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):  # an officer does not bind (the leader does)
        services.binding_create(
            actor=s["officer"],
            station=s["org"]["a"],
            kind="device",
            device_id="GPS-9",
            subject=PersonFactory(station=s["org"]["a"]),
            legal_basis="(2026)浙0102刑初88号",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=30),
        )


# --- pages --------------------------------------------------------------------------------


def test_pages_of_another_station_are_absent(s, org, client_for):
    fence = make_fence(org["a"], s["leader"])
    collapse(s["source"], [video(s["source"], 1)])
    alert = Alert.objects.get()
    client, _ = client_for(Role.TRACKING_OFFICER, org["b"])
    for url in (f"/monitoring/fences/{fence.pk}/", f"/monitoring/alerts/{alert.pk}/"):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 404
    assert client.post(f"/monitoring/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert client.post(f"/monitoring/fences/{fence.pk}/", {"name": "x"}).status_code == 404
    page = client.get("/monitoring/alerts/?queue=all", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f"#{alert.pk} " not in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_pages_render_and_reads_are_logged(s, org, client_for):
    make_fence(org["a"], s["leader"])
    collapse(s["source"], [video(s["source"], 1)])
    alert = Alert.objects.get()
    client, _ = client_for(Role.TRACKING_OFFICER, org["a"])
    for url in (
        "/monitoring/alerts/",
        f"/monitoring/alerts/{alert.pk}/",
        "/monitoring/map/",
        "/monitoring/map/live/",
        "/monitoring/fences/",
        "/monitoring/fences/new/",
        "/monitoring/fences/import/",
        "/monitoring/bindings/",
    ):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, url
    assert AuditEvent.objects.filter(
        action="read.monitoring_alert", object_id=str(alert.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="read.monitoring_alerts").count() >= 2


def test_dismiss_page_without_reason_shows_the_error(s, org, client_for):
    collapse(s["source"], [video(s["source"], 1)])
    alert = Alert.objects.get()
    client, _ = client_for(Role.TRACKING_OFFICER, org["a"])
    page = client.post(
        f"/monitoring/alerts/{alert.pk}/dismiss/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400 and "Say why the alert is dismissed." in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_fence_form_refuses_a_self_intersecting_drawing(s, org, client_for):
    client, _ = client_for(Role.TRACKING_OFFICER, org["a"])
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    page = client.post(
        "/monitoring/fences/new/",
        {
            "name": "围栏",
            "kind": "area",
            "geometry": json.dumps(bowtie),
            "legal_basis": "城公(治)字〔2026〕12号",
            "valid_from": "2026-01-01 00:00",
            "valid_until": "2030-01-01 00:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400 and "crosses itself" in page.content.decode()
    assert not Geofence.objects.exists()
