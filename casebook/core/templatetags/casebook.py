"""Template helpers: Bootstrap classes on form widgets (audit action names: `{% load audit %}`)."""

from django import template

register = template.Library()

_SELECTS = {"select", "selectmultiple"}


@register.filter
def bs(field):
    """Render a bound field's widget with Bootstrap's classes (and is-invalid on error)."""
    kind = field.widget_type
    css = "form-select" if kind in _SELECTS else "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
