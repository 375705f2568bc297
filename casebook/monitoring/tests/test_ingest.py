import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casebook.monitoring import pipeline
from casebook.monitoring.choices import Refusal
from casebook.monitoring.models import Delivery, Event, RefusalCount

from .helpers import event, make_source, post, send, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def src(make_user, org):
    return make_source(make_user, org)


def refusals(source):
    return {r.reason: r.count for r in RefusalCount.objects.filter(source=source)}


def assert_problem(response, status, title):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] == title
    assert body["type"] == "about:blank"
    return body


def test_signed_batch_is_stored_and_answered_per_event(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1), event(2, kind="geofence_enter", fence="F1")])
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["stored"] == 2 and body["duplicate"] == 0
    assert [e["status"] for e in body["events"]] == ["stored", "stored"]
    stored = Event.objects.get(source=source, external_id="ev-2")
    assert stored.kind == "geofence_enter" and stored.fence_ref == "F1"
    assert stored.lat == pytest.approx(30.27)
    delivery = Delivery.objects.get(source=source)
    assert delivery.stored == 2
    assert refusals(source) == {}


def test_same_message_twice_answers_the_same_and_stores_once(src):
    source, secret, _ = src
    body = json.dumps({"events": [event(1), event(2)]})
    headers = signed(secret, body)
    first = post(Client(), source, body, headers)
    again = post(Client(), source, body, headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again["Webhook-Replayed"] == "true"
    assert Event.objects.filter(source=source).count() == 2
    assert Delivery.objects.filter(source=source).count() == 1


def test_same_events_in_a_new_message_are_duplicates(src):
    source, secret, _ = src
    send(Client(), source, secret, [event(1), event(2)])
    r = send(Client(), source, secret, [event(1), event(2), event(3)])
    assert [e["status"] for e in r.json()["events"]] == ["duplicate", "duplicate", "stored"]
    assert r.json()["duplicate"] == 2
    assert Event.objects.filter(source=source).count() == 3


def test_repeated_id_within_a_batch_is_one_event(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1), event(1)])
    assert [e["status"] for e in r.json()["events"]] == ["stored", "duplicate"]
    assert Event.objects.filter(source=source).count() == 1


def test_message_id_reused_for_another_body_is_refused(src):
    source, secret, _ = src
    send(Client(), source, secret, [event(1)], msg_id="msg_1")
    r = send(Client(), source, secret, [event(2)], msg_id="msg_1")
    assert_problem(r, 409, "Replayed message id")
    assert not Event.objects.filter(external_id="ev-2").exists()
    assert refusals(source) == {Refusal.REPLAY: 1}


def test_wrong_signature(src):
    source, _secret, _ = src
    body = json.dumps({"events": [event(1)]})
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    r = post(Client(), source, body, signed(other, body))
    assert_problem(r, 401, "Wrong signature")
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.SIGNATURE_INVALID: 1}


def test_tampered_body(src):
    source, secret, _ = src
    body = json.dumps({"events": [event(1)]})
    headers = signed(secret, body)
    r = post(Client(), source, body.replace("ev-1", "ev-9"), headers)
    assert_problem(r, 401, "Wrong signature")
    assert Event.objects.count() == 0


def test_garbage_signature_header(src):
    source, secret, _ = src
    body = json.dumps({"events": [event(1)]})
    headers = signed(secret, body)
    headers["HTTP_WEBHOOK_SIGNATURE"] = "nonsense"
    assert_problem(post(Client(), source, body, headers), 401, "Wrong signature")


def test_missing_signature(src):
    source, _secret, _ = src
    r = post(Client(), source, {"events": [event(1)]})
    body = assert_problem(r, 401, "Signature missing")
    assert "webhook-id" in body["detail"]
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.SIGNATURE_MISSING: 1}


def test_old_timestamp(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1)], at=timezone.now() - dt.timedelta(minutes=6))
    assert_problem(r, 401, "Timestamp outside the tolerance")
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.TIMESTAMP: 1}


def test_timestamp_within_tolerance(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1)], at=timezone.now() - dt.timedelta(minutes=4))
    assert r.status_code == 200


def test_replay_after_the_tolerance_is_refused(src):
    """A captured request replayed later: its timestamp is too old, whatever its body."""
    source, secret, _ = src
    body = json.dumps({"events": [event(1)]})
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        headers = signed(secret, body)
        assert post(Client(), source, body, headers).status_code == 200
        traveller.shift(dt.timedelta(minutes=10))
        assert_problem(
            post(Client(), source, body, headers), 401, "Timestamp outside the tolerance"
        )
    assert Event.objects.count() == 1


def test_unknown_source():
    r = post(Client(), "nosuchsource", {"events": []})
    assert_problem(r, 404, "Unknown source")


def test_disabled_source(src):
    source, secret, _ = src
    source.enabled = False
    source.save()
    r = send(Client(), source, secret, [event(1)])
    assert_problem(r, 403, "Source disabled")
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.DISABLED: 1}


def test_batch_of_501_is_refused_500_accepted(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(n) for n in range(501)])
    body = assert_problem(r, 413, "Batch too large")
    assert "501" in body["detail"]
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.TOO_LARGE: 1}
    r = send(Client(), source, secret, [event(n) for n in range(500)])
    assert r.status_code == 200 and r.json()["stored"] == 500
    assert Event.objects.count() == 500


def test_malformed_json(src):
    source, secret, _ = src
    body = '{"events": [ {"id": '
    r = post(Client(), source, body, signed(secret, body))
    assert_problem(r, 400, "Malformed JSON")
    assert refusals(source) == {Refusal.MALFORMED: 1}


def test_a_form_upload_is_refused_as_unsupported_media(src):
    """A multipart form is read as form fields on the way in: answered 415, never a 500."""
    source, _, _ = src
    r = Client().post(
        f"/api/v1/monitoring/{source.code}/events", {"events": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_problem(r, 415, "Unsupported media type")
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_not_a_batch(src):
    source, secret, _ = src
    body = json.dumps([event(1)])
    assert_problem(post(Client(), source, body, signed(secret, body)), 400, "Malformed JSON")


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"lat": 91}, "lat"),
        ({"lon": -180.5}, "lon"),
        ({"lat": "30.1"}, "lat"),
        ({"occurred_at": "2026-12-02 10:00"}, "occurred_at"),
        ({"kind": "gunshot"}, "kind"),
        ({"id": ""}, "id"),
        ({"id": "x" * 101}, "id"),
    ],
)
def test_invalid_event_refuses_the_whole_batch(src, change, name):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1), event(2, **change)])
    body = assert_problem(r, 422, "Invalid events")
    assert body["errors"][0]["index"] == 1
    assert body["errors"][0]["field"] == name
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.INVALID: 1}


def test_future_and_too_old_events_are_rejected_alone(src):
    source, secret, _ = src
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    old = (timezone.now() - dt.timedelta(days=31)).isoformat()
    r = send(
        Client(),
        source,
        secret,
        [event(1), event(2, occurred_at=future), event(3, occurred_at=old)],
    )
    statuses = [(e["status"], e.get("reason", "")) for e in r.json()["events"]]
    assert statuses[0] == ("stored", "")
    assert statuses[1][0] == "rejected" and "future" in statuses[1][1]
    assert statuses[2][0] == "rejected" and "retention" in statuses[2][1]
    assert list(Event.objects.values_list("external_id", flat=True)) == ["ev-1"]


def test_positions_are_not_stored_by_default(src):
    source, secret, _ = src
    r = send(Client(), source, secret, [event(1, kind="position"), event(2)])
    assert [e["status"] for e in r.json()["events"]] == ["processed", "stored"]
    assert list(Event.objects.values_list("external_id", flat=True)) == ["ev-2"]


def test_pipeline_preparer_and_listener(src, monkeypatch):
    source, secret, _ = src
    seen = []

    def crossings(source_, events):
        out = []
        for e in events:
            if e.kind == pipeline.POSITION:
                out.append(
                    pipeline.ParsedEvent(
                        external_id=f"{e.external_id}:enter:9",
                        kind=pipeline.GEOFENCE_ENTER,
                        occurred_at=e.occurred_at,
                        device_id=e.device_id,
                        fence_ref="9",
                    )
                )
            out.append(e)
        return out

    monkeypatch.setattr(pipeline, "_preparers", [crossings])
    monkeypatch.setattr(pipeline, "_listeners", [lambda s, evs: seen.append([e.pk for e in evs])])
    r = send(Client(), source, secret, [event(1, kind="position")])
    assert r.json()["crossings"] == 1
    crossing = Event.objects.get()
    assert crossing.external_id == "ev-1:enter:9" and crossing.kind == "geofence_enter"
    assert seen == [[crossing.pk]]
    send(Client(), source, secret, [event(1, kind="position")])  # again: nothing new
    assert Event.objects.count() == 1
    assert seen == [[crossing.pk]]


def test_a_failing_listener_stores_nothing(src, monkeypatch):
    source, secret, _ = src

    def boom(source_, events):
        raise RuntimeError("listener failed")

    monkeypatch.setattr(pipeline, "_listeners", [boom])
    client = Client(raise_request_exception=False)
    r = send(client, source, secret, [event(1)])
    assert r.status_code == 500
    assert Event.objects.count() == 0 and Delivery.objects.count() == 0


def test_over_capacity_answers_429_with_retry_after(src, monkeypatch):
    source, secret, _ = src

    class Full:
        def acquire(self, blocking=True):
            return False

        def release(self):
            raise AssertionError("not acquired")

    monkeypatch.setattr("casebook.monitoring.ingest._slots", Full())
    r = send(Client(), source, secret, [event(1)])
    assert_problem(r, 429, "Over capacity")
    assert int(r["Retry-After"]) > 0
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.BUSY: 1}


def test_database_error_answers_503_and_nothing_is_stored(src, monkeypatch):
    from django.db import OperationalError

    source, secret, _ = src

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("casebook.monitoring.ingest.Delivery.objects.create", down)
    r = send(Client(), source, secret, [event(1)])
    assert_problem(r, 503, "Service unavailable")
    assert r["Retry-After"]
    assert Event.objects.count() == 0


def test_address_restriction_for_a_signed_source(make_user, org):
    source, secret, _ = make_source(make_user, org, networks="10.1.0.0/16")
    r = send(Client(), source, secret, [event(1)])
    assert_problem(r, 403, "Address not allowed")
    r = send(Client(), source, secret, [event(1)], REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 200


def test_counters_add_up(src):
    source, secret, _ = src
    for _ in range(3):
        post(Client(), source, {"events": [event(1)]})
    send(Client(), source, secret, [event(1)], at=timezone.now() - dt.timedelta(hours=1))
    assert refusals(source) == {Refusal.SIGNATURE_MISSING: 3, Refusal.TIMESTAMP: 1}


def test_a_deadlocked_batch_is_retried_then_stored_once(src, monkeypatch):
    from django.db import OperationalError

    source, secret, _ = src
    calls = []

    def deadlock_once(source_, events):
        calls.append(len(events))
        if len(calls) == 1:
            raise OperationalError("deadlock detected")

    monkeypatch.setattr(pipeline, "_listeners", [deadlock_once])
    monkeypatch.setattr("casebook.monitoring.ingest.time.sleep", lambda s: None)
    r = send(Client(), source, secret, [event(1), event(2)])
    assert r.status_code == 200 and r.json()["stored"] == 2
    assert calls == [2, 2]
    assert Event.objects.count() == 2 and Delivery.objects.count() == 1


def test_persistent_contention_answers_429_and_stores_nothing(src, monkeypatch):
    from django.db import OperationalError

    source, secret, _ = src

    def always(source_, events):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(pipeline, "_listeners", [always])
    monkeypatch.setattr("casebook.monitoring.ingest.time.sleep", lambda s: None)
    r = send(Client(), source, secret, [event(1)])
    assert_problem(r, 429, "Over capacity")
    assert r["Retry-After"]
    assert Event.objects.count() == 0
    assert refusals(source) == {Refusal.BUSY: 1}


def test_listeners_get_events_in_device_order(src, monkeypatch):
    source, secret, _ = src
    seen = []
    monkeypatch.setattr(
        pipeline, "_listeners", [lambda s, evs: seen.extend(e.device_id for e in evs)]
    )
    send(Client(), source, secret, [event(1, device_id="B"), event(2, device_id="A")])
    assert seen == ["A", "B"]
