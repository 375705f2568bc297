"""The subject list's filters, written once: the list page, GET /api/v1/subjects/, the
dashboards' counts and the subject picker all filter through ``SubjectFilterSet``.

The page's parameter names and values are kept (bookmarks and the dashboards' links use them:
``station`` and ``officer`` as ids, ``risk=high+``, ``overdue=on``, ``sort``); the API's older
names stay as well (``risk_level``, ``review_overdue``, ``station`` as a code, ``officer`` as a
police number). A value the filter does not allow is an error: 400 problem details in the API,
a form error on the page — never every row.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.core.filters import CheckboxFilter, StrictBooleanFilter, StrictFilterSet

from .choices import Kind, RiskLevel, Status
from .models import Subject
from .search import ListFilters, identifier_search, text_search

HIGH_OR_ABOVE = "high+"
SORTS = {
    "updated": "-updated_at",
    "name": "name",
    "-name": "-name",
    "risk": "-risk_level",
    "review": "review_due",
    "created": "-created_at",
}


class SubjectFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        help_text="name, pinyin, initials, alias or address; or a full identifier (exact)",
        max_length=100,
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    category = django_filters.CharFilter(
        label=_("Category"), field_name="category__code", max_length=40
    )
    risk = django_filters.ChoiceFilter(
        label=_("Risk"),
        method="filter_risk",
        choices=[(HIGH_OR_ABOVE, _("High or critical"))]
        + [(str(v), label) for v, label in RiskLevel.choices],
    )
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    station = django_filters.CharFilter(
        label=_("Station"),
        method="filter_station",
        help_text="a station's id or code",
        max_length=40,
    )
    officer = django_filters.CharFilter(
        label=_("Officer"),
        method="filter_officer",
        help_text="an officer's id or police number",
        max_length=40,
    )
    overdue = CheckboxFilter(label=_("Review overdue"), method="filter_overdue")
    review_overdue = StrictBooleanFilter(method="filter_overdue")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_sort",
        choices=[(key, key) for key in SORTS],
    )

    class Meta:
        model = Subject
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact = False  # the query matched a full identifier

    def filter_q(self, qs, name, value):
        by_identifier = identifier_search(qs, value)
        if by_identifier is not None:
            self.exact = True
            return by_identifier
        return text_search(qs, value)

    def filter_risk(self, qs, name, value):
        if value == HIGH_OR_ABOVE:
            return qs.filter(risk_level__gte=RiskLevel.HIGH)
        return qs.filter(risk_level=int(value))

    def filter_station(self, qs, name, value):
        match = Q(station__code=value)
        if value.isdigit():
            match |= Q(station_id=int(value))
        return qs.filter(match)

    def filter_officer(self, qs, name, value):
        match = Q(user__username=value)
        if value.isdigit():
            match |= Q(user_id=int(value))
        through = Subject.officers.through.objects.filter(match)
        return qs.filter(pk__in=through.values("subject_id"))

    def filter_overdue(self, qs, name, value):
        overdue = qs.filter(review_due__lt=timezone.localdate()).exclude(status=Status.CLOSED)
        return overdue if value else qs.exclude(pk__in=overdue.values("pk"))

    def filter_sort(self, qs, name, value):
        return qs.order_by(SORTS[value], "-pk")


def list_filters_of(filterset):
    """The page's filters as the read log and the selectors know them (``ListFilters``): the
    values given and valid, none of the others."""
    data = getattr(filterset.form, "cleaned_data", {})
    given = {
        name: data[name]
        for name in ListFilters.__dataclass_fields__
        if name in filterset.data and data.get(name) not in (None, "")
    }
    return ListFilters(**{"sort": "", **given})
