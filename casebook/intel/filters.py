"""The information records list's and the tip queue's filters, written once: the list page, its CSV export and
GET /api/v1/records/ filter through ``RecordFilterSet``.

The page's names are kept (``source``, ``info``, ``tag``), and the API's (``source_evaluation``,
``info_assessment``); a value the filter does not allow is a form error on the page and 400
problem details in the API — never every record.
"""

import django_filters
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from casebook.core.filters import IdFilter, StrictFilterSet

from .choices import (
    Channel,
    Handling,
    InfoAssessment,
    SourceEvaluation,
    TipStatus,
    Verification,
)
from .models import InformationRecord, Tip
from .selectors import search_records


class RecordFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=200,
        help_text="Text the content holds, as a phrase (keyed-token search; see docs).",
    )
    subject = IdFilter(field_name="subjects__id")
    task = IdFilter(field_name="task")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    verification = django_filters.ChoiceFilter(
        label=_("Verification"), choices=Verification.choices
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), field_name="source_evaluation", choices=SourceEvaluation.choices
    )
    source_evaluation = django_filters.ChoiceFilter(choices=SourceEvaluation.choices)
    info = django_filters.ChoiceFilter(
        label=_("Information credibility"),
        field_name="info_assessment",
        choices=InfoAssessment.choices,
    )
    info_assessment = django_filters.ChoiceFilter(choices=InfoAssessment.choices)
    handling = django_filters.ChoiceFilter(label=_("Handling code"), choices=Handling.choices)
    tag = django_filters.CharFilter(label=_("Topics"), field_name="tags__name", max_length=30)
    before = IdFilter(
        label=_("Older than"),
        method="filter_before",
        help_text="a record's id: the records after it in the list's order (newest first)",
    )

    class Meta:
        model = InformationRecord
        fields = []

    def filter_text(self, queryset, name, value):
        return search_records(queryset, value) if value.strip() else queryset

    def filter_before(self, queryset, name, value):
        """Keyset paging (issue #13): the records that come after record ``value`` in the list's
        order (time, then id, newest first) — a new list starting below it, read from the
        ``(station, occurred_at, id)`` index instead of an OFFSET past thousands of rows. The
        anchor is looked up among the records the user may see (``self.queryset``): the id of a
        record one may not see gives no rows and reveals nothing of it."""
        anchor = self.queryset.order_by().filter(pk=value).values("occurred_at")[:1]
        return queryset.filter(
            Q(occurred_at__lt=Subquery(anchor)) | Q(occurred_at=Subquery(anchor), pk__lt=value)
        )

    def search_summary(self, results: int) -> dict:
        """The filters as the audit log keeps them: codes and ids, never the text searched."""
        data = getattr(self.form, "cleaned_data", {})
        filters = {
            name: str(value)
            for name, value in data.items()
            if name != "q" and name in self.data and value not in (None, "")
        }
        summary = {"filters": filters, "results": results}
        if (data.get("q") or "").strip():
            summary["kind"] = "text"
        return summary


class TipFilterSet(StrictFilterSet):
    """The tip triage queue's filter, for its page and GET /api/v1/tips/."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=TipStatus.choices)

    class Meta:
        model = Tip
        fields = []
