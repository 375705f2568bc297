from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def percent(value):
    return "" if value is None else f"{value * 100:.0f}%"
