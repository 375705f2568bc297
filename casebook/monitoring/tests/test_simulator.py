import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from casebook.monitoring.models import Delivery, Event
from casebook.monitoring.simulator import Scene, Sender, Totals, run

from .helpers import make_source


class Flaky(BaseHTTPRequestHandler):
    """Answers 503, then 429, then 200 with every event stored; records what it received."""

    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Flaky.seen.append((self.headers.get("webhook-id"), json.loads(body)))
        n = len(Flaky.seen)
        if n == 1:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            payload = b"{}"
        elif n == 2:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            payload = b"{}"
        else:
            events = json.loads(body)["events"]
            payload = json.dumps({"stored": len(events), "duplicate": 0}).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_sender_retries_with_the_same_ids_and_message_id():
    Flaky.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sender = Sender(
            f"http://127.0.0.1:{server.server_port}",
            "code",
            "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=",
            scene=Scene.default(),
            seed=1,
        )
        sender.random.random = lambda: 0.0  # no jitter
        totals = Totals()
        assert sender.send_batch(5, totals) == 200
    finally:
        server.shutdown()
    assert len(Flaky.seen) == 3
    assert len({msg for msg, _ in Flaky.seen}) == 1
    assert Flaky.seen[0][1] == Flaky.seen[2][1]
    assert totals.sent == 5 and totals.stored == 5 and totals.retries == 2
    event = Flaky.seen[0][1]["events"][0]
    assert event["kind"] == "video_alert" and event["label"]


@pytest.mark.django_db
def test_simulate_monitoring_signs_what_the_server_accepts(make_user, org, capsys, monkeypatch):
    """The command end to end, its HTTP routed through the test client (no live server)."""
    source, _secret, _ = make_source(make_user, org)
    client = Client()

    def through_client(self, body, headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        extra.pop("HTTP_CONTENT_TYPE")
        r = client.post(self.path, data=body, content_type="application/json", **extra)
        return r.status_code, json.loads(r.content), dict(r.items())

    monkeypatch.setattr(Sender, "_post", through_client)
    call_command(
        "simulate_monitoring",
        "--source",
        source.name,
        "--rate",
        "0",
        "--duration",
        "0.3",
        "--batch",
        "50",
    )
    out = capsys.readouterr().out
    stored = Event.objects.filter(source=source).count()
    assert stored >= 50 and stored % 50 == 0
    assert f"stored {stored}" in out and "failed 0" in out
    assert Delivery.objects.filter(source=source).count() == stored // 50
    assert set(Event.objects.values_list("kind", flat=True)) == {"video_alert"}


def test_unknown_source_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("simulate_monitoring", "--source", "nothing", "--duration", "0")


def test_run_paces_to_the_rate(monkeypatch):
    calls = []

    class Fake:
        def send_batch(self, size, totals):
            calls.append(size)

    run(Fake(), rate=100, duration=0.35, batch=10)
    assert 3 <= len(calls) <= 5
