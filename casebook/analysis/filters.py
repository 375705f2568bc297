"""The warnings list's filter, written once (there is no warnings API yet: an API would reuse
``WarningFilterSet`` as the records and tips lists do). A value the filter does not allow is a
form error on the page with no rows — never every warning."""

import django_filters
from django.utils.translation import gettext_lazy as _

from casebook.core.filters import IdFilter, StrictFilterSet

from .models import Warning, WarningStatus


class WarningFilterSet(StrictFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WarningStatus.choices)
    rule = django_filters.CharFilter(label=_("Rule"), field_name="rule__code", max_length=40)
    station = IdFilter(field_name="station")
    subject = IdFilter(field_name="subject")

    class Meta:
        model = Warning
        fields = []

    def search_summary(self, results: int) -> dict:
        """The filters as the audit log keeps them: codes and ids only."""
        data = getattr(self.form, "cleaned_data", {})
        filters = {
            name: str(value.pk if hasattr(value, "pk") else value)
            for name, value in data.items()
            if name in self.data and value not in (None, "")
        }
        return {"filters": filters, "results": results}
