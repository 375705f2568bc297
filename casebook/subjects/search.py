"""Searching subjects: the full-text search, the exact search by an identifier through the blind
index, and the values of the subject list's filters. Used by the list's FilterSet
(``filters.SubjectFilterSet``) and, through it, by the reads in ``selectors``."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from casebook.crypto.services import blind_index

from . import identifiers as ids
from .choices import IdentifierKind
from .models import Identifier


def _fts_query(text: str) -> str:
    """An FTS5 phrase of the text, quotes doubled (no operator injection)."""
    return '"' + text.replace('"', '""') + '"'


def text_search(qs: QuerySet, query: str) -> QuerySet:
    """Chinese full-text search over the search text (names, aliases, pinyin, addresses…)."""
    needle = re.sub(r"\s+", " ", query).strip().lower()
    if not needle:
        return qs
    if connection.vendor == "sqlite" and len(needle) >= 3:
        return qs.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH %s", [_fts_query(needle)]
            )
        )
    # PostgreSQL: LIKE on the lower-cased text is served by the pg_trgm GIN index.
    return qs.filter(search_text__contains=needle)


def identifier_search(qs: QuerySet, query: str) -> QuerySet | None:
    """Exact search by a full ID or phone number through the blind index; None if the query
    is neither."""
    if ids.looks_like_id_number(query):
        kind, value = IdentifierKind.ID_NUMBER, ids.normalise_id_number(query)
    elif ids.looks_like_phone(query):
        kind, value = IdentifierKind.PHONE, ids.normalise_phone(query)
    else:
        licence = query.strip().upper()
        hits = Identifier.objects.filter(
            kind=IdentifierKind.LICENCE,
            blind_index=blind_index(licence, kind=IdentifierKind.LICENCE),
        )
        return qs.filter(pk__in=hits.values("subject_id")) if hits.exists() else None
    index = blind_index(value, kind=kind)
    return qs.filter(
        pk__in=Identifier.objects.filter(kind=kind, blind_index=index).values("subject_id")
    )


@dataclass
class ListFilters:
    q: str = ""
    kind: str = ""
    category: str = ""
    risk: str = ""
    status: str = ""
    station: str = ""
    officer: str = ""
    overdue: bool = False
    sort: str = "updated"
