"""The identifier index of subjects (blind indexes of ID numbers, phones and licences, with their
masked forms) and the refusal of twins: an ID number or a licence identifies one subject."""

from functools import wraps

from django.core.exceptions import (
    ValidationError,
)
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from casebook.audit.services import record_event
from casebook.crypto.services import (
    blind_index,
)

from .. import identifiers as ids
from ..choices import IdentifierKind, Kind
from ..models import (
    Identifier,
    Subject,
)


class DuplicateSubject(ValidationError):
    """An identifier already belongs to a subject. ``existing`` is set only when the actor may
    see it; otherwise the message says no more than that the number is registered."""

    def __init__(self, field: str, existing: Subject | None, clash: Subject):
        self.field, self.existing, self.clash = field, existing, clash
        if existing is not None:
            message = _(
                "Already registered: %(name)s. Open the existing record instead of creating a twin."
            ) % {"name": existing.name}
        else:
            message = _(
                "This number is already registered to a subject you cannot see. Ask "
                "your station leader to check it."
            )
        super().__init__({field: [message]})


def _identifiers(kind: str, detail) -> list[tuple[str, str, str]]:
    """(kind, blind index, masked) for every identifier the detail row holds."""
    found = []
    if kind == Kind.PERSON:
        if detail.id_number:
            found.append(
                (
                    IdentifierKind.ID_NUMBER,
                    blind_index(detail.id_number, kind=IdentifierKind.ID_NUMBER),
                    ids.mask_id_number(detail.id_number),
                )
            )
        for phone in detail.phone_list:
            found.append(
                (
                    IdentifierKind.PHONE,
                    blind_index(phone, kind=IdentifierKind.PHONE),
                    ids.mask_phone(phone),
                )
            )
    elif kind == Kind.PLACE:
        for licence in detail.licence_list:
            found.append(
                (IdentifierKind.LICENCE, blind_index(licence, kind=IdentifierKind.LICENCE), licence)
            )
    return found


#: Identifier kinds that must be unique across subjects (a phone may be shared by a family).
UNIQUE_KINDS = {IdentifierKind.ID_NUMBER: "id_number", IdentifierKind.LICENCE: "licence_numbers"}


def _check_duplicates(actor, kind: str, detail, exclude: Subject | None = None) -> None:
    for ident_kind, index, _masked in _identifiers(kind, detail):
        if ident_kind not in UNIQUE_KINDS:
            continue
        clash = Identifier.objects.filter(kind=ident_kind, blind_index=index)
        if exclude is not None:
            clash = clash.exclude(subject=exclude)
        other = clash.select_related("subject").first()
        if other is not None:
            visible = Subject.objects.filter(pk=other.subject_id).restrict(actor)
            existing = visible.first()
            raise DuplicateSubject(UNIQUE_KINDS[ident_kind], existing, other.subject)


def _outside_transaction_on_duplicate(write):
    """Run ``write`` in a transaction; a refused twin of a subject the actor cannot see is
    recorded after the rollback, so that leaders can resolve it."""

    @wraps(write)
    def wrapper(*args, actor, **kwargs):
        try:
            with transaction.atomic():
                return write(*args, actor=actor, **kwargs)
        except DuplicateSubject as exc:
            if exc.existing is None:
                record_event(
                    actor=actor,
                    action="subject.duplicate_blocked",
                    obj=exc.clash,
                    outcome="denied",
                    details={"field": exc.field},
                )
            raise

    return wrapper


def _sync_identifiers(actor, subject: Subject, detail) -> None:
    """Replace the subject's identifiers. The check before the write cannot see a twin being
    registered at the same moment; the unique constraint can: the loser gets the same clear
    error as a twin found by the check (naming the other subject only to one who may see it)."""
    Identifier.objects.filter(subject=subject).delete()
    try:
        with transaction.atomic():
            Identifier.objects.bulk_create(
                Identifier(subject=subject, kind=k, blind_index=i, masked=m)
                for k, i, m in _identifiers(subject.kind, detail)
            )
    except IntegrityError:
        _check_duplicates(actor, subject.kind, detail, exclude=subject)
        raise
