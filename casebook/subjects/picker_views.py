"""The search behind every subject picker (``widgets.SubjectPicker``): an HTML fragment of at
most a few subjects the user may see, asked for by htmx as the officer types."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit import reads

from . import selectors
from .choices import Kind

MAX_QUERY = 100


@login_required
@require_GET
def subject_pick(request):
    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    g = request.GET
    filters = selectors.ListFilters(
        q=" ".join(g.get("q", "").split())[:MAX_QUERY],
        kind=g.get("kind", "") if g.get("kind", "") in Kind.values else "",
        station=g.get("station", "") if g.get("station", "").isdigit() else "",
    )
    subjects, exact, more = selectors.subject_pick(request.user, filters)
    subjects = selectors.with_identity(subjects)  # station and masked ID tell namesakes apart
    reads.record_read(  # names and kinds are shown: a consultation, without the text searched
        request,
        what="search" if filters.q else "subject_list",
        objects=subjects,
        object_type="subjects.subject",
        fields=["name", "kind", "category", "station", "masked_identifier"],
        search=selectors.search_summary(filters, exact=exact, results=len(subjects)),
        details={"picker": "search" if filters.q else "own"},
    )
    return render(
        request,
        "subjects/picker_results.html",
        {
            "subjects": subjects,
            "q": filters.q,
            "more": more,
            "limit": selectors.PICK_LIMIT,
        },
    )
