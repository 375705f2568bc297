"""``{% load partner_links %}``: may the reader share a task with a department?"""

from django import template

from casebook.tracking.partner_shares import may_share_with_partner

register = template.Library()


@register.filter
def may_share_partner(user, task) -> bool:
    return may_share_with_partner(user, task)
