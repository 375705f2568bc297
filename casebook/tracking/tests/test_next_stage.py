"""Accepting starts the collection, and every task page says what the next stage needs
(issue #18 item 3), from the guards each module registers with a description of itself."""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from casebook.audit.models import AuditEvent
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services
from casebook.tracking.choices import Stage
from conftest import login


@pytest.fixture
def task(org, crew):
    subject = subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="阶段对象",
        station=org["a"],
        legal_basis_ref="城公〔2026〕5号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="417")},
    )
    return services.task_create(
        actor=crew["leader"],
        title="阶段任务",
        station=org["a"],
        lead=crew["officer"],
        subjects=[subject],
    )


@pytest.mark.django_db
def test_accepting_moves_to_collecting_and_records_both(task, crew):
    task = services.task_accept(actor=crew["officer"], task=task)
    task.refresh_from_db()
    assert task.stage == Stage.COLLECTING and task.accepted_at is not None
    events = AuditEvent.objects.filter(object_id=str(task.pk), action__startswith="task.")
    actions = list(events.order_by("seq").values_list("action", "details"))
    assert [a for a, _d in actions] == ["task.create", "task.accept", "task.transition"]
    assert actions[-1][1]["from"] == Stage.ASSIGNED and actions[-1][1]["to"] == Stage.COLLECTING
    page = login(Client(), crew["officer"]).get(f"/tasks/{task.pk}/").content.decode()
    history = page.split('data-testid="history"')[1]
    assert history.count("<li") == 3  # created, accepted, moved to collecting


@pytest.mark.django_db
def test_refused_acceptance_moves_nothing(task, crew):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, whatever the wording
        services.task_accept(actor=crew["colleague"], task=task)
    task.refresh_from_db()
    assert task.stage == Stage.ASSIGNED and task.accepted_at is None
    assert not AuditEvent.objects.filter(action="task.transition").exists()


@pytest.mark.django_db
def test_page_names_what_the_next_stage_needs(task, crew):
    client = login(Client(), crew["colleague"])  # even a reader who cannot move it sees it
    with translation.override("en"):
        rows = services.requirements_for(task, Stage.COLLECTING)
    assert [r["met"] for r in rows] == [False]
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-testid="next-needs"' in page and 'data-met="0"' in page
    task = services.task_accept(actor=crew["officer"], task=task)
    with translation.override("en"):
        rows = services.requirements_for(task, Stage.ORGANISING)
        assert rows == [
            {
                "text": "at least one information record for this task",
                "met": False,
                "missing": ["Record at least one piece of information for this task."],
            }
        ]


@pytest.mark.django_db
def test_a_guard_describes_itself(task, crew, monkeypatch):
    monkeypatch.setattr(  # copies: the guard must not outlive this test
        services, "_GUARDS", {key: list(guards) for key, guards in services._GUARDS.items()}
    )
    monkeypatch.setattr(services, "_REQUIREMENTS", dict(services._REQUIREMENTS))
    state = {"ok": False}
    services.register_guard(
        Stage.ASSIGNED,
        Stage.COLLECTING,
        lambda t: [] if state["ok"] else ["第三方条件未满足"],
        requirement="第三方模块的条件",
    )
    page = login(Client(), crew["officer"]).get(f"/tasks/{task.pk}/").content.decode()
    assert "第三方模块的条件" in page and "第三方条件未满足" in page
    # while a guard still refuses, accepting records the acceptance but does not move on
    task = services.task_accept(actor=crew["officer"], task=task)
    task.refresh_from_db()
    assert task.stage == Stage.ASSIGNED
    state["ok"] = True
    rows = services.requirements_for(task, Stage.COLLECTING)
    assert {r["text"] for r in rows if r["met"]} >= {"第三方模块的条件"}
    assert all(r["met"] for r in rows)
