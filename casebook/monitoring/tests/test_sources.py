import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.monitoring.choices import Refusal, SourceFormat, SourceKind
from casebook.monitoring.models import Event, RefusalCount, Source, SourceSecret
from casebook.monitoring.services import secret_rotate, source_create, source_update
from conftest import login

from .helpers import event, make_source, post, send

pytestmark = pytest.mark.django_db


def test_secret_is_stored_encrypted(make_user, org):
    source, secret, _ = make_source(make_user, org)
    assert secret.startswith("whsec_")
    row = SourceSecret.objects.get(source=source)
    raw = row.__dict__["secret"]
    assert secret not in str(raw) and secret[6:] not in str(raw)
    assert row.secret == secret
    assert AuditEvent.objects.filter(action="monitoring.source_create").count() == 1


def test_only_the_bureaus_admin_registers_a_source(make_user, org):
    leader = make_user(Role.STATION_LEADER, org["a"])
    with pytest.raises(PermissionDenied):
        source_create(
            actor=leader, station=org["a"], name="x", kind=SourceKind.VIDEO, format="casebook"
        )
    other_admin = make_user(Role.SYSTEM_ADMIN, org["other_bureau"])
    with pytest.raises(PermissionDenied):
        source_create(
            actor=other_admin, station=org["a"], name="x", kind=SourceKind.VIDEO, format="casebook"
        )
    assert Source.objects.count() == 0


def test_traccar_source_needs_networks_and_valid_cidr(make_user, org):
    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        source_create(
            actor=admin, station=org["a"], name="t", kind=SourceKind.GEOFENCE, format="traccar"
        )
    assert "allowed_networks" in exc.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        source_create(
            actor=admin,
            station=org["a"],
            name="t",
            kind=SourceKind.GEOFENCE,
            format="traccar",
            allowed_networks="10.0.0.0/33",
        )
    assert "Not an address" in exc.value.message_dict["allowed_networks"][0]
    assert Source.objects.count() == 0


def test_rotation_keeps_the_old_secret_for_the_overlap(make_user, org):
    source, old, admin = make_source(make_user, org)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        new = secret_rotate(actor=admin, source=source, overlap=dt.timedelta(hours=2))
        assert new != old
        assert send(Client(), source, old, [event(1)]).status_code == 200
        assert send(Client(), source, new, [event(2)]).status_code == 200
        traveller.shift(dt.timedelta(hours=2, minutes=1))
        r = send(Client(), source, old, [event(3)])
        assert r.status_code == 401
        assert send(Client(), source, new, [event(4)]).status_code == 200
    assert set(Event.objects.values_list("external_id", flat=True)) == {"ev-1", "ev-2", "ev-4"}
    assert AuditEvent.objects.filter(action="monitoring.secret_rotate").count() == 1


def test_rotation_with_no_overlap_ends_the_old_secret_now(make_user, org):
    source, old, admin = make_source(make_user, org)
    new = secret_rotate(actor=admin, source=source, overlap=dt.timedelta(0))
    assert send(Client(), source, old, [event(1)]).status_code == 401
    assert send(Client(), source, new, [event(1)]).status_code == 200


def test_rotation_overlap_is_bounded(make_user, org):
    source, _old, admin = make_source(make_user, org)
    with pytest.raises(ValidationError):
        secret_rotate(actor=admin, source=source, overlap=dt.timedelta(days=8))
    assert SourceSecret.objects.filter(source=source).count() == 1


def test_update_is_audited_and_scoped(make_user, org):
    source, _s, admin = make_source(make_user, org)
    source_update(actor=admin, source=source, enabled=False)
    source.refresh_from_db()
    assert source.enabled is False
    assert AuditEvent.objects.filter(action="monitoring.source_update").exists()
    other_admin = make_user(Role.SYSTEM_ADMIN, org["other_bureau"])
    with pytest.raises(PermissionDenied):
        source_update(actor=other_admin, source=source, enabled=True)


# -- Traccar ------------------------------------------------------------------------------------


def traccar_event(n=42, type_="geofenceEnter", **kw):
    data = {
        "event": {
            "id": n,
            "type": type_,
            "eventTime": timezone.now().isoformat(),
            "deviceId": 7,
            "geofenceId": 3,
            "positionId": 991,
            "attributes": {},
        },
        "position": {"id": 991, "deviceId": 7, "latitude": 30.27, "longitude": 120.15},
        "device": {"id": 7, "name": "手环07", "uniqueId": "860000000000007"},
        "geofence": {"id": 3, "name": "化工厂围栏"},
    }
    data["event"].update(kw)
    return data


@pytest.fixture
def traccar(make_user, org):
    return make_source(make_user, org, fmt=SourceFormat.TRACCAR, networks="10.9.0.0/24", name="T")


def test_traccar_event_with_token_from_allowed_address(traccar):
    source, token, _ = traccar
    r = post(Client(), source, traccar_event(), HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5")
    assert r.status_code == 200, r.content
    assert r.json()["events"] == [{"id": "event:42", "status": "stored"}]
    stored = Event.objects.get()
    assert (stored.kind, stored.fence_ref, stored.device_id) == (
        "geofence_enter",
        "3",
        "860000000000007",
    )
    assert stored.label == "化工厂围栏"
    again = post(
        Client(), source, traccar_event(), HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5"
    )
    assert again.json()["events"] == [{"id": "event:42", "status": "duplicate"}]
    assert Event.objects.count() == 1


def test_traccar_wrong_token_or_address(traccar):
    source, token, _ = traccar
    r = post(
        Client(), source, traccar_event(), HTTP_X_CASEBOOK_TOKEN="nope", REMOTE_ADDR="10.9.0.5"
    )
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    r = post(Client(), source, traccar_event(), REMOTE_ADDR="10.9.0.5")
    assert r.status_code == 401
    r = post(Client(), source, traccar_event(), HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.8.0.5")
    assert r.status_code == 403 and r.json()["title"] == "Address not allowed"
    assert Event.objects.count() == 0
    counts = {c.reason: c.count for c in RefusalCount.objects.filter(source=source)}
    assert counts == {Refusal.TOKEN_INVALID: 2, Refusal.ADDRESS: 1}


def test_traccar_other_event_types_are_rejected_alone(traccar):
    source, token, _ = traccar
    r = post(
        Client(),
        source,
        traccar_event(type_="deviceOnline"),
        HTTP_X_CASEBOOK_TOKEN=token,
        REMOTE_ADDR="10.9.0.5",
    )
    assert r.status_code == 200
    assert r.json()["events"][0]["status"] == "rejected"
    assert "deviceOnline" in r.json()["events"][0]["reason"]
    assert Event.objects.count() == 0


def test_traccar_position_forwarding_and_bad_coordinates(traccar):
    source, token, _ = traccar
    position = {
        "position": {
            "id": 5,
            "deviceId": 7,
            "fixTime": timezone.now().isoformat(),
            "latitude": 30.2,
            "longitude": 120.1,
        },
        "device": {"id": 7, "uniqueId": "860000000000007"},
    }
    r = post(Client(), source, position, HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5")
    assert r.json()["events"] == [{"id": "position:5", "status": "processed"}]
    position["position"]["latitude"] = 123.0
    r = post(Client(), source, position, HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5")
    assert r.status_code == 422 and r.json()["title"] == "Invalid events"
    assert Event.objects.count() == 0


def test_traccar_malformed(traccar):
    source, token, _ = traccar
    r = post(Client(), source, "{nope", HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5")
    assert r.status_code == 400 and r.json()["title"] == "Malformed JSON"
    r = post(
        Client(), source, json.dumps({"x": 1}), HTTP_X_CASEBOOK_TOKEN=token, REMOTE_ADDR="10.9.0.5"
    )
    assert r.status_code == 400


# -- pages ---------------------------------------------------------------------------------------


def test_admin_registers_a_source_and_sees_the_secret_once(make_user, org):
    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    client = login(Client(), admin)
    r = client.post(
        "/monitoring/sources/new/",
        {
            "station": org["a"].pk,
            "name": "海康视频平台",
            "kind": "video",
            "format": "casebook",
            "allowed_networks": "10.1.0.0/16",
            "enabled": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    source = Source.objects.get()
    secret = SourceSecret.objects.get(source=source).secret
    assert secret in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    page = client.get(f"/monitoring/sources/{source.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert f"/api/v1/monitoring/{source.code}/events" in page.content.decode()
    r = client.post(f"/monitoring/sources/{source.pk}/rotate/", {"overlap_hours": "24"})
    new = SourceSecret.objects.filter(source=source, expires_at__isnull=True).get().secret
    assert new != secret and new in r.content.decode()


def test_pages_are_scoped_to_the_admins_bureau(make_user, org):
    source, _secret, _admin = make_source(make_user, org)
    RefusalCount.objects.create(source=source, reason=Refusal.TIMESTAMP, count=3)
    own = login(Client(), make_user(Role.SYSTEM_ADMIN, org["bureau"]))
    page = own.get(f"/monitoring/sources/{source.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Timestamp outside the tolerance" in page.content.decode()
    assert source.name in own.get("/monitoring/sources/").content.decode()
    other = login(Client(), make_user(Role.SYSTEM_ADMIN, org["other_bureau"]))
    for url in ("", "edit/"):
        assert other.get(f"/monitoring/sources/{source.pk}/{url}").status_code == 404
    assert (
        other.post(f"/monitoring/sources/{source.pk}/rotate/", {"overlap_hours": 1}).status_code
        == 404
    )
    assert source.name not in other.get("/monitoring/sources/").content.decode()
    assert SourceSecret.objects.filter(source=source).count() == 1
    officer = login(Client(), make_user(Role.STATION_LEADER, org["a"]))
    assert officer.get("/monitoring/sources/").status_code == 403
    assert officer.get(f"/monitoring/sources/{source.pk}/").status_code == 404


def test_other_bureaus_admin_cannot_register_for_our_station(make_user, org):
    other = login(Client(), make_user(Role.SYSTEM_ADMIN, org["other_bureau"]))
    r = other.post(
        "/monitoring/sources/new/",
        {"station": org["a"].pk, "name": "x", "kind": "video", "format": "casebook"},
    )
    assert r.status_code == 200  # the form again: not a station of theirs
    assert Source.objects.count() == 0
