"""in_batches walks a queryset by primary key, one short read per batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebook.accounts.services import unit_create
from casebook.core.batches import in_batches
from casebook.core.choices import UnitKind
from casebook.core.models import Unit


@pytest.mark.django_db
def test_every_row_once_in_order_with_one_query_per_batch():
    bureau = unit_create(actor=None, kind=UnitKind.BUREAU, name="批次局", code="BQ")
    for n in range(7):
        unit_create(actor=None, kind=UnitKind.STATION, name=f"站{n}", code=f"BQ{n}", parent=bureau)
    everything = Unit.objects.all()
    expected = sorted(everything.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        seen = [u.pk for u in in_batches(everything.order_by("-name"), size=3)]
    assert seen == expected
    assert len(queries) == 3  # 3 + 3 + 2 rows: the last short batch ends the walk
    tuples = list(in_batches(everything.values_list("pk", "code"), size=2))
    assert [t[0] for t in tuples] == expected


@pytest.mark.django_db
def test_rows_written_during_the_walk_do_not_break_it():
    bureau = unit_create(actor=None, kind=UnitKind.BUREAU, name="写入局", code="WQ")
    walked = []
    for unit in in_batches(Unit.objects.filter(kind=UnitKind.BUREAU), size=1):
        walked.append(unit.pk)
        if len(walked) == 1:
            unit_create(actor=None, kind=UnitKind.BUREAU, name="新局", code="WQ2")
    assert bureau.pk in walked and len(walked) == 2
