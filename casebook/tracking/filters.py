"""The task list's filters, written once: the task list page and GET /api/v1/tasks/ filter
through ``TaskFilterSet``.

The page's names are kept (``queue``, ``stage``, ``station`` as an id) and the API's
(``priority``, ``lead`` as a police number, ``subject``); a value the filter does not allow is a
form error on the page and 400 problem details in the API — never every task.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casebook.core.filters import IdFilter, StrictFilterSet

from .choices import Priority, Stage
from .models import Task
from .selectors import QUEUES, queue_of


class TaskFilterSet(StrictFilterSet):
    queue = django_filters.ChoiceFilter(
        label=_("Queue"),
        method="filter_queue",
        choices=[(q, q) for q in QUEUES],
        help_text="a work queue: mine, overdue, unaccepted, station (open tasks) or archived",
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    station = django_filters.CharFilter(
        label=_("Station"),
        method="filter_station",
        help_text="a station's id or code",
        max_length=40,
    )
    lead = django_filters.CharFilter(field_name="lead__username", max_length=40)
    subject = IdFilter(field_name="subjects__id")

    class Meta:
        model = Task
        fields = []

    def filter_queue(self, qs, name, value):
        return queue_of(qs, self.request.user, value)

    def filter_station(self, qs, name, value):
        match = Q(station__code=value)
        if value.isdigit():
            match |= Q(station_id=int(value))
        return qs.filter(match)

    def search_summary(self, results: int) -> dict:
        """The filters as the audit log keeps them (codes and ids)."""
        data = getattr(self.form, "cleaned_data", {})
        filters = {
            name: str(value)
            for name, value in data.items()
            if name in self.data and value not in (None, "")
        }
        return {"filters": filters, "results": results}
