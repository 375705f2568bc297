"""Reads of tracked subjects for views and the API — always scoped by the access policy."""

from django.db.models import Q, QuerySet, prefetch_related_objects

from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.audit.models import AuditEvent

from . import dossier
from . import identifiers as ids
from .choices import IdentifierKind
from .filters import SubjectFilterSet
from .models import Association, Identifier, Subject
from .search import ListFilters, identifier_search, text_search  # noqa: F401 - read from here too


def visible_subjects(user, action: Action = Action.SUBJECT_VIEW) -> QuerySet:
    return Subject.objects.restrict(user, action)


def get_subject(user, pk, action: Action = Action.SUBJECT_VIEW) -> Subject:
    """The one way to fetch a subject for a user: out of scope answers 404."""
    return get_for_user_or_404(
        user,
        Subject.objects.select_related("category", "station", "area", "approved_by"),
        action,
        pk=pk,
    )


def subject_list(user, f: ListFilters) -> tuple[QuerySet, bool]:
    """(queryset, matched_identifier): the user's subjects filtered, searched and sorted —
    through the list's one FilterSet (``filters.SubjectFilterSet``), as the page and the API
    filter. Values the filter does not allow give no rows."""
    data = {
        name: "on" if value is True else str(value)
        for name, value in vars(f).items()
        if value not in ("", None, False)
    }
    filterset = SubjectFilterSet(data, queryset=subject_list_base(user))
    if not filterset.is_valid():
        return Subject.objects.none(), False
    return filterset.qs, filterset.exact


def subject_list_base(user) -> QuerySet:
    """The subjects of the list before any filter, newest change first."""
    return (
        visible_subjects(user)
        .select_related("category", "station", "area")
        .order_by("-updated_at", "-pk")
    )


PICK_LIMIT = 20
OWN_LIMIT = 10


def subject_pick(user, f: ListFilters) -> tuple[list[Subject], bool, bool]:
    """(subjects, matched_identifier, more): what a subject picker offers — at most PICK_LIMIT
    subjects the user may see matching the query (name, pinyin, initials, or an exact ID or
    phone number), by name; with no query, at most OWN_LIMIT of the user's own subjects."""
    if not f.q:
        f = ListFilters(kind=f.kind, station=f.station, officer=str(user.pk), sort="updated")
        limit = OWN_LIMIT
    else:
        f = ListFilters(q=f.q, kind=f.kind, station=f.station, sort="name")
        limit = PICK_LIMIT
    qs, exact = subject_list(user, f)
    rows = list(qs[: limit + 1])
    return rows[:limit], exact, len(rows) > limit


def with_identity(subjects: list[Subject]) -> list[Subject]:
    """Set ``masked_identifier`` on each subject (its ID number, else its licence, masked as
    lists show it) and fetch its station, in two queries: what tells two subjects of the same
    name apart in a picker."""
    subjects = list(subjects)
    masked: dict[int, str] = {}
    rows = Identifier.objects.filter(
        subject__in=[s.pk for s in subjects],
        kind__in=[IdentifierKind.ID_NUMBER, IdentifierKind.LICENCE],
    ).order_by("subject_id", "kind", "pk")  # id_number sorts before licence
    for subject_id, value in rows.values_list("subject_id", "masked"):
        masked.setdefault(subject_id, value)
    prefetch_related_objects(
        [s for s in subjects if "station" not in s._state.fields_cache], "station"
    )
    for s in subjects:
        s.masked_identifier = masked.get(s.pk, "")
    return subjects


def search_kind(query: str, *, exact: bool) -> str:
    """What kind of search a query was — the name of the identifier it matched exactly, or
    "text" — without the query itself (the audit log must not hold an ID number)."""
    if not query:
        return ""
    if not exact:
        return "text"
    if ids.looks_like_id_number(query):
        return IdentifierKind.ID_NUMBER.value
    if ids.looks_like_phone(query):
        return IdentifierKind.PHONE.value
    return IdentifierKind.LICENCE.value


def search_summary(f: ListFilters, *, exact: bool, results: int) -> dict:
    """A search or filtered list as the audit log keeps it: the kind of query and the filters
    (codes and ids only), never the text searched for."""
    filters = {
        name: str(value)
        for name, value in vars(f).items()
        if name != "q" and value not in ("", None, False)
    }
    summary = {"filters": filters, "results": results}
    if f.q:
        summary["kind"] = search_kind(f.q, exact=exact)
    return summary


def associations_of(user, subject: Subject) -> list[dict]:
    """Links in both directions whose other end the user may see (others are not shown)."""
    visible = set(
        visible_subjects(user)
        .filter(Q(links_in__source_subject=subject) | Q(links_out__target_subject=subject))
        .values_list("pk", flat=True)
    )
    links = Association.objects.filter(
        Q(source_subject=subject) | Q(target_subject=subject)
    ).select_related("source_subject", "target_subject", "created_by")
    rows = []
    for link in links:
        other = link.target_subject if link.source_subject_id == subject.pk else link.source_subject
        if other.pk in visible:
            rows.append(
                {"link": link, "other": other, "outgoing": link.source_subject_id == subject.pk}
            )
    return rows


def hidden_association_count(user, subject: Subject) -> int:
    total = Association.objects.filter(
        Q(source_subject=subject) | Q(target_subject=subject)
    ).count()
    return total - len(associations_of(user, subject))


def graph_of(user, subject: Subject, hops: int = 2, limit: int = 80) -> dict:
    """Nodes and edges around a subject, up to ``hops`` links away, only what the user sees."""
    visible = visible_subjects(user)
    seen = {subject.pk}
    frontier = {subject.pk}
    edges = []
    for _ in range(hops):
        links = Association.objects.filter(
            Q(source_subject__in=frontier) | Q(target_subject__in=frontier)
        )
        allowed = (
            set(
                visible.filter(Q(links_in__in=links) | Q(links_out__in=links)).values_list(
                    "pk", flat=True
                )
            )
            | seen
        )
        nxt = set()
        for link in links:
            a, b = link.source_subject_id, link.target_subject_id
            if a in allowed and b in allowed:
                edges.append((a, b, link.get_type_display()))
                for end in (a, b):
                    if end not in seen and len(seen) < limit:
                        seen.add(end)
                        nxt.add(end)
        frontier = nxt
        if not frontier:
            break
    nodes = Subject.objects.filter(pk__in=seen).only("pk", "name", "kind", "risk_level")
    edges = list(dict.fromkeys(e for e in edges if e[0] in seen and e[1] in seen))
    return {
        "nodes": [
            {
                "id": str(n.pk),
                "name": n.name,
                "kind": n.kind,
                "risk": n.risk_level,
                "centre": n.pk == subject.pk,
            }
            for n in nodes
        ],
        "edges": [{"source": str(a), "target": str(b), "label": label} for a, b, label in edges],
    }


def timeline_of(subject: Subject, limit: int = 200):
    """Everything that happened to the subject, newest first, from the audit log."""
    return (
        AuditEvent.objects.filter(object_type="subjects.subject", object_id=str(subject.pk))
        .exclude(action__startswith="read.")  # who looked is for the audit log, not the dossier
        .order_by("-seq")[:limit]
    )


def purpose_suggestion(user, subject: Subject) -> str:
    """The purpose pre-filled in the consultation prompt: the first one a higher module suggests
    (tracking: the user's task on the subject), else empty."""
    for suggest in dossier.purpose_suggesters():
        if purpose := suggest(user, subject):
            return purpose
    return ""


def current_names(user, ids: list[str]) -> dict[str, str]:
    """Names of the subjects among ``ids`` that still exist and that ``user`` may see, for the
    audit log's display (registered with ``audit.naming`` from ``ready()``)."""
    pks = [int(i) for i in ids if str(i).isdigit()]
    rows = Subject.objects.restrict(user, Action.SUBJECT_VIEW).filter(pk__in=pks)
    return {str(pk): name for pk, name in rows.values_list("pk", "name")}
