"""Fixtures for reports: a station crew, a tracked person, and a task at the analysis stage."""

from datetime import date

import pytest
from django.utils import timezone

from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services as tracking
from casebook.tracking.choices import Stage


@pytest.fixture
def person(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="threat_of_violence"),
        name="赵某某",
        station=org["a"],
        legal_basis_ref="江公(城)立字〔2026〕12号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 1),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="517")},
    )


def add_record(actor, subjects, text="走访见本人在家，情绪平稳", handling="P", task=None):
    from casebook.intel.services import record_create, record_verify

    record = record_create(
        actor=actor,
        subjects=subjects,
        method="field_visit",
        channel="own",
        occurred_at=timezone.now(),
        content=text,
        source_evaluation="A",
        info_assessment="1",
        handling=handling,
        handling_conditions="仅限本所使用" if handling == "C" else "",
        task=task,
    )
    record_verify(actor=actor, record=record, status="verified", note="当面核实")
    return record


@pytest.fixture
def analysing_task(org, crew, person):
    """A task assigned to the officer and moved to the analysis stage, with an assessment."""
    from casebook.analysis.services import Rating, assessment_create

    task = tracking.task_create(
        actor=crew["leader"],
        title="核查赵某某近期动向",
        station=org["a"],
        lead=crew["officer"],
        subjects=[person],
    )
    task = tracking.task_accept(actor=crew["officer"], task=task)  # on to collecting at once
    add_record(crew["officer"], [person], task=task)
    task = tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ORGANISING)
    task = tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ANALYSING)
    factor = person.category.risk_factors.filter(kind="protective").first()
    assessment_create(
        actor=crew["officer"],
        subject=person,
        task=task,
        ratings=[Rating(factor, list(task.records.all()))],
    )
    return task
