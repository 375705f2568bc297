"""Template helpers of the audit log: readable names of audit actions (``{% load audit %}``)."""

from django import template

from casebook.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _action_label(code)
