"""Query filters for the API: a value the OpenAPI schema does not allow answers 400.

django-filter is lenient by default — an empty ``?status=`` or ``?review_overdue=maybe`` is
silently ignored and a fraction passes as an id — so a client with a typo gets every row instead
of an error. These classes make the filters as strict as the schema says.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework.fields import BooleanField

from .api import MAX_ID

_TRUE = {"true", "True", "1"}
_FALSE = {"false", "False", "0"}


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than 'no filter'."""

    widget = forms.TextInput  # the select widgets turn an unknown value into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value is True or value in _TRUE:
            return True
        if value is False or value in _FALSE:
            return False
        raise ValidationError(BooleanField.default_error_messages["invalid"], code="invalid")

    def validate(self, value):
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number (an unknown id simply matches nothing)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value is an error, except free text (which may be empty)."""

    def is_valid(self):
        valid = super().is_valid()
        for name, field in self.form.fields.items():
            if isinstance(self.filters[name], django_filters.CharFilter):
                continue
            if name in self.data and self.data.get(name) in ("", None) and name not in self.errors:
                self.form.add_error(name, ValidationError(field.error_messages["required"]))
                valid = False
        return valid


class CheckboxField(StrictBooleanField):
    """A page's checkbox: ``on`` (what a browser sends for a ticked box) or true/false."""

    def to_python(self, value):
        if value == "on":
            return True
        return super().to_python(value)


class CheckboxFilter(django_filters.BooleanFilter):
    field_class = CheckboxField


def bind_page_filters(filterset_class, request, queryset, **kwargs):
    """A list page's FilterSet bound to its query string. An empty field of the page's form
    means "no filter" (the API, stricter, calls an empty value an error); ``page`` belongs to
    the paginator."""
    data = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v != ""]
        if key != "page" and kept:
            data.setlist(key, kept)
    return filterset_class(data, queryset=queryset, request=request, **kwargs)


def filter_errors(filterset) -> list[str]:
    """The filters' errors as the page shows them: "Label: message"."""
    lines = []
    for name, errors in filterset.errors.items():
        field = filterset.form.fields.get(name)
        label = (field.label if field is not None else None) or name
        lines += [f"{label}: {error}" for error in errors]
    return lines
