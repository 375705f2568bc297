"""``Model.objects.restrict(user, action)``: the queryset side of the registry.

Models holding tracked data use :class:`RestrictedManager` (or a manager built from
:class:`RestrictedQuerySet`), so that every queryset of theirs — filtered, ordered, annotated —
can be narrowed to what a user may reach, by the rule the owning app registered.
"""

from django.db import models

from . import registry


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action=None):
        """The rows ``user`` may reach for ``action`` (the model's default action when None).
        A model without a registered rule raises :class:`registry.NotRegistered`."""
        return registry.restrict(user, self, action)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass
