"""Walk a large queryset in keyset batches, each read completely before any write.

A server-side cursor (``.iterator()``) keeps a read transaction open while the loop writes; on
SQLite a writer that started its read before another connection committed then fails at once
with "database is locked" (no busy wait can help a stale snapshot). Reading one batch at a time
into memory and walking by primary key keeps every read short, on SQLite and PostgreSQL alike.
"""

from collections.abc import Iterator

from django.db.models import QuerySet


def in_batches(queryset: QuerySet, size: int = 500) -> Iterator:
    """Yield every row of ``queryset`` (objects, or ``values_list`` tuples whose first column is
    the primary key), ordered by primary key, ``size`` rows per query."""
    flat_values = queryset._iterable_class.__name__ in {"ValuesListIterable"}
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield from rows
        last = rows[-1][0] if flat_values else rows[-1].pk
        if len(rows) < size:
            return
