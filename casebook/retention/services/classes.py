"""Retention classes: each bureau's own (issues #12 and #14).

A class belongs to one bureau; its security administrator adds classes and sets their periods,
and nothing they do reaches another bureau. Whatever names a class — a category's
``retention_class``, a retention clock, a destruction proposal, a tombstone — names it by code,
resolved within its own bureau (the category's, the station's). A new bureau gets the classes
of a fresh installation (its first bureau) or a copy of the shipped ones
(:func:`bureau_setup`, registered with ``core.bureaus``).
"""

import re
from importlib import import_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.subjects.choices import ChangeStatus
from casebook.subjects.models import Category, CategoryChange

from ..choices import DataScope, ProposalStatus
from ..models import DestructionProposal, RetentionClass, RetentionClock

MIN_DAYS, MAX_DAYS = 30, 36500


def shipped_classes() -> list[tuple[str, str, str, str, int]]:
    """The classes Casebook ships: ``(code, name, name_en, scope, days)``."""
    return import_module("casebook.retention.migrations.0002_default_classes_and_rule").CLASSES


def bureau_setup(bureau) -> None:
    """A new bureau's retention classes: the unowned ones of a fresh installation, else a copy
    of the shipped classes (never another bureau's periods). A bureau without classes could
    name none for its categories."""
    RetentionClass.objects.filter(bureau__isnull=True).update(bureau=bureau)
    own = set(RetentionClass.objects.filter(bureau=bureau).values_list("code", flat=True))
    RetentionClass.objects.bulk_create(
        RetentionClass(bureau=bureau, code=code, name=name, name_en=name_en, scope=scope, days=days)
        for code, name, name_en, scope, days in shipped_classes()
        if code not in own
    )


def in_bureau(path: str, bureau_id: int | None) -> Q:
    """Rows whose unit ``path`` (a station, or an area under one) lies in the bureau."""
    return (
        Q(**{f"{path}_id": bureau_id})
        | Q(**{f"{path}__parent_id": bureau_id})
        | Q(**{f"{path}__parent__parent_id": bureau_id})
    )


def class_of(station, code: str) -> RetentionClass | None:
    """The class ``code`` of the station's bureau (what a proposal or certificate names)."""
    bureau = station.bureau if station is not None else None
    if bureau is None:
        return None
    return RetentionClass.objects.filter(bureau=bureau, code=code).first()


def _check_days(days) -> None:
    if not isinstance(days, int) or days < MIN_DAYS or days > MAX_DAYS:
        raise ValidationError({"days": [_("Give a period between 30 and 36500 days.")]})


def _audit(actor, action: str, klass: RetentionClass, details: dict | None = None) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="retention.retentionclass",
        object_id=str(klass.pk),
        object_repr=f"{klass.name} ({klass.code})",
        details={"code": klass.code, "bureau": klass.bureau_id, **(details or {})},
    )


@transaction.atomic
def retention_class_update(*, actor, retention_class: RetentionClass, days: int):
    """Change the period of one of the administrator's own bureau's classes."""
    policy.check(actor, Action.RETENTION_CONFIGURE, retention_class)
    retention_class = RetentionClass.objects.select_for_update().get(pk=retention_class.pk)
    _check_days(days)
    old = retention_class.days
    retention_class.days = days
    retention_class.save(update_fields=["days"])
    _audit(actor, "retention.configure", retention_class, {"days": {"from": old, "to": days}})
    return retention_class


@transaction.atomic
def retention_class_create(
    *, actor, code: str, name: str, name_en: str, days: int
) -> RetentionClass:
    """Add a class for closed subjects to the administrator's own bureau; its categories can
    name it at once (offered by ``subjects.retention_classes``, registered in ``hooks``)."""
    policy.require(actor, Action.RETENTION_CONFIGURE)
    bureau = actor.unit.bureau if actor.unit_id else None
    if bureau is None:
        raise PermissionDenied(_("Retention classes belong to a bureau: you have none."))
    code, name, name_en = code.strip(), name.strip(), name_en.strip()
    errors = {}
    if not re.fullmatch(r"[a-z][a-z0-9_-]{1,15}", code):
        errors["code"] = [_("Give a code of 2 to 16 lower-case letters, digits, - or _.")]
    elif RetentionClass.objects.filter(bureau=bureau, code=code).exists():
        errors["code"] = [_("This code is already used by another retention class.")]
    if not name:
        errors["name"] = [_("Give a name.")]
    try:
        _check_days(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    created = RetentionClass.objects.create(
        bureau=bureau,
        code=code,
        name=name,
        name_en=name_en or name,
        scope=DataScope.SUBJECTS,
        days=days,
    )
    _audit(actor, "retention.class_create", created, {"days": days})
    return created


@transaction.atomic
def retention_class_delete(*, actor, retention_class: RetentionClass) -> None:
    """Remove a class of the administrator's own bureau; refused while one of the bureau's
    categories (or a category change awaiting approval), a running clock or an open proposal
    uses it."""
    policy.check(actor, Action.RETENTION_CONFIGURE, retention_class)
    code, bureau_id = retention_class.code, retention_class.bureau_id
    users = (
        Category.objects.filter(bureau_id=bureau_id, retention_class=code).count()
        + CategoryChange.objects.filter(
            category__bureau_id=bureau_id,
            status=ChangeStatus.PENDING,
            values__retention_class=code,
        ).count()
    )
    clocks = RetentionClock.objects.filter(
        retention_class=code, subject__category__bureau_id=bureau_id
    ).count()
    proposals = (
        DestructionProposal.objects.filter(retention_class=code, status=ProposalStatus.PROPOSED)
        .filter(in_bureau("station", bureau_id))
        .count()
    )
    if retention_class.scope == DataScope.MONITORING or users or clocks or proposals:
        raise ValidationError(
            _(
                "The retention class “%(name)s” is in use (%(categories)s categories, "
                "%(clocks)s closed subjects, %(proposals)s open proposals; the monitoring class "
                "is always in use) and cannot be removed: move them to another class first."
            )
            % {
                "name": retention_class.label,
                "categories": users,
                "clocks": clocks,
                "proposals": proposals,
            }
        )
    _audit(actor, "retention.class_delete", retention_class)
    retention_class.delete()
