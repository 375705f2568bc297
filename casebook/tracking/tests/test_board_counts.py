"""The stage board's counts come from one aggregate (issue #13): each column's count and late
count still equal the tasks of that column, and the board's queries do not grow with its
columns' contents."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casebook.testing.factories import PersonFactory, TaskFactory
from casebook.tracking.choices import Stage
from casebook.tracking.models import Task, TaskDeadline
from casebook.tracking.selectors import board, queue


def _task(crew, subject, stage: str, due_in_hours: int | None, *, other=False):
    task = TaskFactory(
        actor=crew["other_leader" if other else "leader"],
        subjects=[subject],
        lead=crew["other_officer" if other else "officer"],
    )
    Task.objects.filter(pk=task.pk).update(stage=stage)
    TaskDeadline.objects.filter(task=task).delete()
    if due_in_hours is not None:
        TaskDeadline.objects.create(
            task=task, stage=stage, due_at=timezone.now() + timedelta(hours=due_in_hours)
        )
    return task


@pytest.mark.django_db
def test_board_counts_equal_the_tasks_of_each_column(crew, org):
    subject = PersonFactory(actor=crew["leader"], officers=[crew["officer"]])
    other = PersonFactory(actor=crew["other_leader"], officers=[crew["other_officer"]])
    plan = [
        (Stage.ASSIGNED, -5),
        (Stage.ASSIGNED, 5),
        (Stage.ASSIGNED, None),
        (Stage.COLLECTING, -1),
        (Stage.COLLECTING, -2),
        (Stage.ANALYSING, 10),
        (Stage.ARCHIVED, -3),
    ]
    for stage, due in plan:
        _task(crew, subject, stage, due)
    _task(crew, other, Stage.ASSIGNED, -5, other=True)  # another station's: on nobody's board here
    with CaptureQueriesContext(connection) as queries:
        columns = board(crew["leader"])
    by_stage = {c["stage"]: c for c in columns}
    assert Stage.ARCHIVED not in by_stage
    now = timezone.now()
    for stage, column in by_stage.items():
        tasks = queue(crew["leader"], "station").filter(stage=stage)
        assert column["count"] == tasks.count()
        assert column["late"] == tasks.filter(due__lt=now).count()
        assert [t.pk for t in column["cards"]] == list(tasks.values_list("pk", flat=True)[:20])
    assert (by_stage[Stage.ASSIGNED]["count"], by_stage[Stage.ASSIGNED]["late"]) == (3, 1)
    assert (by_stage[Stage.COLLECTING]["count"], by_stage[Stage.COLLECTING]["late"]) == (2, 2)
    assert (by_stage[Stage.ANALYSING]["count"], by_stage[Stage.ANALYSING]["late"]) == (1, 0)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1, counts  # one aggregate for every column
