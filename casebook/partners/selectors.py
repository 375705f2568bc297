"""Reads of the partner register for views and the modules above (tracking, intel, reports)."""

from .models import PartnerUnit


def partners_for(user, *, active_only: bool = True):
    """The partner departments of the user's bureau."""
    qs = PartnerUnit.objects.restrict(user, "view")
    return qs.filter(is_active=True) if active_only else qs
