"""The session is written when it changes, not on every request (issue #13), and the idle limit
(SECURITY.md S4) still holds: a session ends at most LAST_SEEN_RESOLUTION early, never late."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casebook.accounts import authflow
from casebook.accounts.middleware import LAST_SEEN_RESOLUTION
from casebook.accounts.tests.test_auth import LOGIN, events, post_login
from casebook.audit.models import AuditEvent


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
class TestSessionWrites:
    def test_a_request_soon_after_the_last_does_not_write_the_session(self, make_user):
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            seen = client.session[authflow.LAST_SEEN]
            traveller.shift(timedelta(seconds=LAST_SEEN_RESOLUTION - 5))
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
            assert session_writes(queries.captured_queries) == []
            assert client.session[authflow.LAST_SEEN] == seen

    def test_activity_after_the_resolution_is_written(self, make_user):
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            seen = client.session[authflow.LAST_SEEN]
            traveller.shift(timedelta(seconds=LAST_SEEN_RESOLUTION))
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
            assert len(session_writes(queries.captured_queries)) == 1
            assert client.session[authflow.LAST_SEEN] == pytest.approx(seen + LAST_SEEN_RESOLUTION)

    def test_steady_activity_keeps_the_session_and_the_idle_limit_still_ends_it(self, make_user):
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            for _ in range(100):  # a request every 25 s for over 40 minutes: never idle
                traveller.shift(timedelta(seconds=25))
                assert client.get("/").status_code == 200
            # the idle limit counts from the activity written, at most a minute before the last
            # request: 30 minutes after the last request the session has ended
            traveller.shift(timedelta(minutes=30))
            response = client.get("/")
            assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert events("auth.session_end", details__reason="idle").exists()

    def test_the_session_never_outlives_the_idle_limit(self, make_user, settings):
        """Whatever the moment of the last write, a request after the limit ends the session."""
        user = make_user()
        client = Client()
        limit = settings.CASEBOOK_IDLE_TIMEOUT
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            traveller.shift(timedelta(seconds=LAST_SEEN_RESOLUTION - 1))
            assert client.get("/").status_code == 200  # not written: under the resolution
            traveller.shift(limit - timedelta(seconds=LAST_SEEN_RESOLUTION - 2))
            # 30 min + 1 s after the login (the last write), 29 min 1 s after the last request
            response = client.get("/")
            assert response.status_code == 302
        ended = AuditEvent.objects.filter(action="auth.session_end", actor_id=user.pk)
        assert ended.get().details == {"reason": "idle"}
