"""Reads of the information module that views, the API and other modules use; each scoped by
`access` (a record the user may not see does not exist for them)."""

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404

from casebook.access.policy import Action
from casebook.core.pagination import COUNT_CAP, CappedPaginator
from casebook.crypto.textindex import as_fts5_phrase, as_tsquery, query_tokens
from casebook.tracking.choices import Stage
from casebook.tracking.models import Task
from casebook.tracking.selectors import queue, visible_tasks

from .models import InformationRecord

#: Search counts stop here: past it the list says "1000+" instead of counting every match.
SEARCH_COUNT_CAP = COUNT_CAP


def visible_records(user):
    return (
        InformationRecord.objects.restrict(user, Action.SUBJECT_VIEW)
        .select_related("informant", "created_by", "task", "data_key")
        .prefetch_related("subjects", "tags")
    )


def own_open_tasks(user, tasks_qs):
    """Of ``tasks_qs``, the tasks ``user`` leads or works on, newest first: the choices a
    record form lists (a station's open tasks can be thousands)."""
    team = Task.team.through.objects.filter(task=OuterRef("pk"), user=user.pk)
    return tasks_qs.filter(Q(lead=user.pk) | Exists(team)).order_by("-created_at", "-pk")


def get_record(user, pk) -> InformationRecord:
    try:
        return visible_records(user).get(pk=pk)
    except (InformationRecord.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def search_records(queryset, text: str):
    """``queryset`` (already scoped to the user) narrowed to records whose content holds
    ``text`` as a phrase, through the keyed-token index (casebook.crypto.textindex): a GIN-indexed
    ``tsvector`` phrase query on PostgreSQL, an FTS5 phrase on SQLite. Never a LIKE: the column
    holds ciphertext. A text with no character, letter or digit matches nothing."""
    tokens = query_tokens(text)
    if not tokens:
        return queryset.none()
    if connection.vendor == "postgresql":
        sql = "SELECT record_id FROM intel_recordtokens WHERE tokens @@ %s::tsquery"
        param = as_tsquery(tokens)
    else:
        sql = "SELECT rowid FROM intel_record_fts WHERE intel_record_fts MATCH %s"
        param = as_fts5_phrase(tokens)
    return queryset.filter(pk__in=RawSQL(sql, [param]))  # noqa: S611 - constant SQL, one parameter


class SearchPaginator(CappedPaginator):
    """Pages of a text search whose count stops at :data:`SEARCH_COUNT_CAP` (``capped`` says
    it did): counting every match of a common word over millions of records would cost more
    than finding the first page. The records list without a search uses the same cap."""

    cap = SEARCH_COUNT_CAP


def visit_tasks(user, subject, chosen=None):
    """The open tasks a visit to ``subject`` may serve, for ``user``: the subject's open tasks
    the user works on (lead, team, share), and ``chosen`` (a task id from the task page) when
    it is an open task of this subject the user may see. Ordered by due date."""
    mine = queue(user, "mine").filter(subjects=subject)
    pks = set(mine.values_list("pk", flat=True))
    if chosen is not None and str(chosen).isdigit():
        extra = (
            visible_tasks(user)
            .filter(pk=int(chosen), subjects=subject)
            .exclude(stage=Stage.ARCHIVED)
            .values_list("pk", flat=True)
        )
        pks.update(extra)
    return queue(user, "station").filter(pk__in=pks)
