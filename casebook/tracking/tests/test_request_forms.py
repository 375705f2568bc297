"""Every POST of the task pages goes through a form and one service helper: bad input gives a
clear error and writes nothing; a refused service call shows the service's own reason."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from casebook.tracking import services
from casebook.tracking.models import Notification, Task, TaskComment
from casebook.tracking.tests import test_tracking
from conftest import login

subject, task = test_tracking.subject, test_tracking.task  # fixtures

pytestmark = pytest.mark.django_db


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_bulk_refuses_a_malformed_id_and_accepts_nothing(crew, task):
    client = login(Client(), crew["officer"])
    response = client.post("/tasks/bulk/", {"action": "accept", "task": [task.pk, "1 OR 1=1"]})
    assert response.status_code == 302 and response["Location"] == "/tasks/?queue=mine"
    assert _errors(response)
    task.refresh_from_db()
    assert task.accepted_at is None


def test_bulk_refuses_an_unknown_action_and_queue(crew, task):
    client = login(Client(), crew["officer"])
    response = client.post(
        "/tasks/bulk/", {"action": "delete", "task": [task.pk], "queue": "//evil.example"}
    )
    assert response["Location"] == "/tasks/?queue=mine"
    assert _errors(response)
    task.refresh_from_db()
    assert task.accepted_at is None


def test_bulk_hand_over_needs_a_worker_of_the_own_station(crew, task):
    client = login(Client(), crew["leader"])
    for lead in ("", crew["other_officer"].pk):  # none, or an officer of station B
        response = client.post(
            "/tasks/bulk/",
            {"action": "reassign", "task": [task.pk], "lead": lead, "reason": "调整"},
        )
        assert _errors(response)
        assert Task.objects.get(pk=task.pk).lead == crew["officer"]
    client = login(Client(), crew["leader"])  # messages not yet shown would stay in the cookie
    response = client.post(
        "/tasks/bulk/",
        {"action": "reassign", "task": [task.pk], "lead": crew["colleague"].pk, "reason": "调整"},
    )
    assert not _errors(response)
    assert Task.objects.get(pk=task.pk).lead == crew["colleague"]


def test_comment_too_long_or_empty_writes_nothing(crew, task):
    client = login(Client(), crew["officer"])
    for text in ("x" * 2001, "", None):
        data = {} if text is None else {"text": text}
        response = client.post(f"/tasks/{task.pk}/comment/", data)
        assert response.status_code == 302
        assert _errors(response)
    assert not TaskComment.objects.filter(task=task).exists()
    client = login(Client(), crew["officer"])
    client.post(f"/tasks/{task.pk}/comment/", {"text": "已电话联系"})
    assert TaskComment.objects.filter(task=task).count() == 1


def test_return_without_reason_changes_nothing(crew, task):
    services.task_accept(actor=crew["officer"], task=task)
    stage = Task.objects.get(pk=task.pk).stage
    client = login(Client(), crew["officer"])
    response = client.post(f"/tasks/{task.pk}/return/", {"reason": ""})
    assert _errors(response)
    assert Task.objects.get(pk=task.pk).stage == stage


def test_refused_service_call_reports_its_reason(crew, task):
    """A colleague outside the task may not accept it: the service's PermissionDenied becomes
    an error message, not a 403 page, and nothing is written."""
    client = login(Client(), crew["other_officer"])
    response = client.post(f"/tasks/{task.pk}/accept/")
    assert response.status_code == 404  # out of scope: not even found
    client = login(Client(), crew["colleague"])
    response = client.post(f"/tasks/{task.pk}/accept/")
    task.refresh_from_db()
    assert task.accepted_at is None
    if response.status_code == 302:
        assert _errors(response)
    else:
        assert response.status_code == 404


def test_notifications_read_refuses_malformed_ids(crew, task):
    client = login(Client(), crew["officer"])
    assert Notification.objects.filter(user=crew["officer"], read_at__isnull=True).exists()
    response = client.post("/tasks/notifications/read/", {"id": ["abc"]})
    assert response.status_code == 302 and _errors(response)
    assert Notification.objects.filter(user=crew["officer"], read_at__isnull=True).exists()
    client.post("/tasks/notifications/read/", {})
    assert not Notification.objects.filter(user=crew["officer"], read_at__isnull=True).exists()
