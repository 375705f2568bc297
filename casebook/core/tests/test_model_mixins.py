"""The abstract field groups of casebook.core.models (issue #12 item 5): each model that uses one
has exactly the fields it had before (no column, no migration changed), and the fields still
behave as they did."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from casebook.core.models import AcknowledgementMixin, TimestampMixin
from casebook.reports.models import FeedbackReport, UrgentReport
from casebook.subjects.models import Subject
from casebook.subjects.services import subject_update
from casebook.testing.factories import PersonFactory
from casebook.tracking.models import Task

USES = [
    (TimestampMixin, Subject),
    (TimestampMixin, Task),
    (AcknowledgementMixin, FeedbackReport),
    (AcknowledgementMixin, UrgentReport),
]


@pytest.mark.parametrize(("mixin", "model"), USES, ids=lambda x: x.__name__)
def test_the_model_holds_the_mixins_fields_unchanged(mixin, model):
    assert mixin._meta.abstract and issubclass(model, mixin)
    names = [f.name for f in mixin._meta.local_fields]
    assert names, mixin
    for name in names:
        theirs, ours = mixin._meta.get_field(name), model._meta.get_field(name)
        assert ours.model is model
        assert ours.column == theirs.column
        # same type, same options (null, blank, default, on_delete, related_name, label)
        assert ours.deconstruct()[1:] == theirs.deconstruct()[1:], (model, name)


@pytest.mark.django_db
def test_the_mixins_leave_the_migrations_as_they_were():
    """makemigrations --check exits non-zero (SystemExit) when a model no longer matches its
    migrations: a mixin that changed a column or a related name would show up here."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_timestamps_of_a_subject_keep_creation_and_follow_saves():
    created = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    edited = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    with time_machine.travel(created, tick=False):
        person = PersonFactory()
    assert person.created_at == person.updated_at == created
    with time_machine.travel(edited, tick=False):
        subject_update(actor=person.approved_by, subject=person, notes="复核后补充")
    person.refresh_from_db()
    assert person.created_at == created
    assert person.updated_at == edited
