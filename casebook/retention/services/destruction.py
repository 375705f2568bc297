"""Certified destruction (regulation 七(四); issue #14, item 2; SECURITY.md D6).

* :func:`propose_destructions` (a scheduled job) proposes, per station and retention class,
  what has reached the end of its retention: closed subjects whose clock ran out, and monitoring
  events (video and geofence records, the points of location trails) older than their period.
  Nothing under a legal hold is proposed.
* :func:`destruction_approve`: the station leader and the security administrator approve, two
  different people; the same person twice is refused. A legal hold refuses the approval.
* On the second approval the items are destroyed in one transaction: the urgent and feedback
  reports about them, the information records that concern nothing else (their attachments'
  files after commit), the tasks that concern nothing else, the subjects with all their detail
  rows; every data key involved is destroyed (``crypto.services.data_key_destroy``); exports of
  the subjects keep their register line but lose their file and key. A :class:`Tombstone` per
  item and a sealed :class:`DestructionCertificate` (no personal data) remain.
"""

import hashlib
import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, RestrictedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.services import record_event
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.crypto.models import DataKey
from casebook.crypto.services import data_key_destroy, encrypt_bytes, system_data_key
from casebook.intel.models import Attachment, InformationRecord
from casebook.reports.archive import issuer, local_time
from casebook.reports.documents import Document, Table, issue_pdf
from casebook.reports.models import Export, FeedbackReport, UrgentReport
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject
from casebook.tracking.models import Task
from casebook.tracking.notify import notify

from ..choices import ApproverRole, DataScope, HoldKind, ItemKind, ProposalStatus
from ..models import (
    DestructionApproval,
    DestructionCertificate,
    DestructionProposal,
    LegalHold,
    RetentionClass,
    RetentionClock,
    Tombstone,
)
from .classes import class_of, in_bureau
from .review import station_leaders

MONITORING_CHANNELS = ("video", "geofence")
CERTIFICATE_KEY = "retention"
METHOD = N_(
    "Rows deleted from the database; attachment and photo files deleted from storage; the data "
    "keys that encrypted them destroyed (crypto-shredding, wrapped key emptied)."
)


# --- proposals --------------------------------------------------------------------------------


def _active_holds(subject_ref: str):
    """Active holds on the subject that ``subject_ref`` (an outer field) names."""
    return LegalHold.objects.filter(subject=OuterRef(subject_ref), released_at__isnull=True)


def _in_open_proposals(kind: str) -> set[int]:
    ids: set[int] = set()
    for items in DestructionProposal.objects.filter(status=ProposalStatus.PROPOSED).values_list(
        "items", flat=True
    ):
        ids.update(int(i["id"]) for i in items if i["kind"] == kind)
    return ids


def security_admins(station):
    admins = User.objects.filter(roles__role=Role.SECURITY_ADMIN).values("pk")
    return User.objects.filter(is_active=True, pk__in=admins, unit=station.parent).order_by("pk")


def _propose(station, code: str, items: list[dict], today: date) -> DestructionProposal | None:
    reference = f"DP-{station.code or station.pk}-{today:%Y%m%d}-{code}"
    if not items or DestructionProposal.objects.filter(reference=reference).exists():
        return None
    with transaction.atomic():
        proposal = DestructionProposal.objects.create(
            reference=reference, station=station, retention_class=code, items=items
        )
        record_event(
            actor=None,
            actor_name="scheduler",
            action="retention.propose",
            obj=proposal,
            details={"class": code, "items": len(items)},
        )
        notify(
            [*station_leaders(station), *security_admins(station)],
            _("Destruction proposed (%(ref)s): %(count)s items reached the end of retention.")
            % {"ref": reference, "count": len(items)},
            url=proposal.get_absolute_url(),
        )
    return proposal


def propose_destructions(today: date | None = None) -> int:
    """The scheduled job: one proposal per station and class with what is due. Idempotent
    (an item already in an open proposal, or a proposal of the day, is not proposed again)."""
    today = today or timezone.localdate()
    made = 0
    pending_subjects = _in_open_proposals(ItemKind.SUBJECT)
    due = (
        RetentionClock.objects.filter(retain_until__lt=today, subject__status=Status.CLOSED)
        .exclude(subject_id__in=pending_subjects)
        .filter(~Exists(_active_holds("subject_id")))
        .values_list("subject__station_id", "retention_class", "subject_id")
        .order_by("subject__station_id", "retention_class", "subject_id")
    )
    groups: dict[tuple[int, str], list[dict]] = {}
    for station_id, code, subject_id in due:
        groups.setdefault((station_id, code), []).append(
            {"kind": ItemKind.SUBJECT, "id": subject_id}
        )
    # each bureau's monitoring class, over the records of that bureau's stations only
    monitoring_classes = RetentionClass.objects.filter(
        scope=DataScope.MONITORING, bureau__isnull=False
    ).order_by("bureau_id", "pk")
    for monitoring in monitoring_classes:
        limit = timezone.make_aware(
            datetime.combine(today - timedelta(days=monitoring.days), datetime.min.time())
        )
        held = LegalHold.objects.filter(released_at__isnull=True, subject__records=OuterRef("pk"))
        records = (
            InformationRecord.objects.filter(channel__in=MONITORING_CHANNELS, occurred_at__lt=limit)
            .filter(in_bureau("station", monitoring.bureau_id))
            .exclude(pk__in=_in_open_proposals(ItemKind.RECORD))
            .filter(~Exists(held))
            .values_list("station_id", "pk")
            .order_by("station_id", "pk")
        )
        for station_id, pk in records:
            groups.setdefault((station_id, monitoring.code), []).append(
                {"kind": ItemKind.RECORD, "id": pk}
            )
    stations = Unit.objects.in_bulk({station_id for station_id, _code in groups})
    for (station_id, code), items in sorted(groups.items()):
        if _propose(stations[station_id], code, items, today) is not None:
            made += 1
    return made


# --- approval ---------------------------------------------------------------------------------


def approver_role(user, proposal: DestructionProposal) -> str | None:
    """As whom ``user`` may approve ``proposal``: its station's leader or a security
    administrator of its bureau; None otherwise."""
    if not policy.can(user, Action.DESTRUCTION_APPROVE, proposal):
        return None
    if Role.STATION_LEADER in user.role_set:
        return ApproverRole.STATION_LEADER
    if Role.SECURITY_ADMIN in user.role_set:
        return ApproverRole.SECURITY_ADMIN
    return None


def _held_subject_ids(proposal: DestructionProposal) -> set[int]:
    subject_ids = set(proposal.ids_of(ItemKind.SUBJECT))
    record_ids = proposal.ids_of(ItemKind.RECORD)
    if record_ids:
        subject_ids |= set(
            InformationRecord.subjects.through.objects.filter(
                informationrecord_id__in=record_ids
            ).values_list("subject_id", flat=True)
        )
    return set(
        LegalHold.objects.filter(subject_id__in=subject_ids, released_at__isnull=True).values_list(
            "subject_id", flat=True
        )
    )


@transaction.atomic
def destruction_approve(*, actor, proposal: DestructionProposal) -> DestructionProposal:
    """One approval; the second one (the other role, another person) destroys."""
    proposal = DestructionProposal.objects.select_for_update().get(pk=proposal.pk)
    role = approver_role(actor, proposal)
    if role is None:
        raise PermissionDenied
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(_("This proposal is no longer awaiting approval."))
    approvals = list(proposal.approvals.all())
    if any(a.user_id == actor.pk for a in approvals):
        raise ValidationError(
            _("You have approved this destruction already: a second person must approve it.")
        )
    if any(a.role == role for a in approvals):
        raise ValidationError(
            _(
                "This destruction has the approval of a %(role)s already: the other one must give it."
            )
            % {"role": ApproverRole(role).label}
        )
    held = _held_subject_ids(proposal)
    if held:
        raise ValidationError(
            ngettext(
                "%(count)s subject of this proposal is under a legal hold: nothing is destroyed "
                "while a hold is in place. Release the hold or withdraw the proposal.",
                "%(count)s subjects of this proposal are under a legal hold: nothing is destroyed "
                "while a hold is in place. Release the hold or withdraw the proposal.",
                len(held),
            )
            % {"count": len(held)}
        )
    DestructionApproval.objects.create(proposal=proposal, user=actor, role=role)
    record_event(actor=actor, action="retention.approve", obj=proposal, details={"as": role})
    if len(approvals) + 1 >= 2:
        _destroy(proposal)
    return proposal


@transaction.atomic
def destruction_withdraw(*, actor, proposal: DestructionProposal, reason: str):
    proposal = DestructionProposal.objects.select_for_update().get(pk=proposal.pk)
    if approver_role(actor, proposal) is None:
        raise PermissionDenied
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(_("This proposal is no longer awaiting approval."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the withdrawal.")]})
    proposal.status, proposal.decided_at = ProposalStatus.WITHDRAWN, timezone.now()
    proposal.withdrawn_reason = reason[:300]
    proposal.save(update_fields=["status", "decided_at", "withdrawn_reason"])
    record_event(actor=actor, action="retention.withdraw", obj=proposal, details={"reason": reason})
    return proposal


# --- destruction ------------------------------------------------------------------------------


def list_digest(proposal: DestructionProposal) -> str:
    """SHA-256 of the canonical list of what is destroyed (kinds and ids, sorted)."""
    items = sorted((str(i["kind"]), int(i["id"])) for i in proposal.items)
    canonical = json.dumps(
        {"reference": proposal.reference, "items": items}, separators=(",", ":")
    ).encode()
    return hashlib.sha256(canonical).hexdigest()


def _only_within(through, own: str, pks: set[int], ids: set[int]) -> set[int]:
    """Of the rows ``pks`` (records, tasks), those whose every subject is in ``ids``."""
    outside = set(
        through.objects.filter(**{f"{own}__in": pks})
        .exclude(subject_id__in=ids)
        .values_list(own, flat=True)
    )
    return pks - outside


def _destroy(proposal: DestructionProposal) -> None:
    subject_ids = set(proposal.ids_of(ItemKind.SUBJECT))
    record_ids = set(proposal.ids_of(ItemKind.RECORD))
    subjects = list(
        Subject.objects.select_for_update().filter(pk__in=subject_ids).select_related("category")
    )
    if len(subjects) != len(subject_ids) or any(s.status != Status.CLOSED for s in subjects):
        raise ValidationError(
            _(
                "Some subjects of this proposal were reopened or are gone since it was made: "
                "withdraw it; the next run proposes what is due."
            )
        )
    rthrough = InformationRecord.subjects.through
    linked = set(
        rthrough.objects.filter(subject_id__in=subject_ids).values_list(
            "informationrecord_id", flat=True
        )
    )
    records = record_ids | _only_within(rthrough, "informationrecord_id", linked, subject_ids)
    tthrough = Task.subjects.through
    linked_tasks = set(
        tthrough.objects.filter(subject_id__in=subject_ids).values_list("task_id", flat=True)
    )
    tasks = _only_within(tthrough, "task_id", linked_tasks, subject_ids)

    files = [
        name
        for pair in Attachment.objects.filter(record_id__in=records).values_list(
            "stored_name", "thumbnail_name"
        )
        for name in pair
        if name
    ]
    files += [s.person.photo for s in subjects if s.kind == "person" and s.person.photo]
    key_ids = set(Subject.objects.filter(pk__in=subject_ids).values_list("data_key_id", flat=True))
    key_ids |= set(
        InformationRecord.objects.filter(pk__in=records).values_list("data_key_id", flat=True)
    )
    exports = Export.objects.filter(subject_id__in=subject_ids) | Export.objects.filter(
        record_id__in=records
    )
    key_ids |= {k for k in exports.values_list("data_key_id", flat=True) if k is not None}
    exports.update(content=None, title="—", size=0)

    try:
        UrgentReport.objects.filter(subject_id__in=subject_ids).delete()
        UrgentReport.objects.filter(record_id__in=records).delete()
        UrgentReport.objects.filter(task_id__in=tasks).delete()
        FeedbackReport.objects.filter(task_id__in=tasks).delete()
        InformationRecord.objects.filter(merged_into_id__in=records).exclude(pk__in=records).update(
            merged_into=None
        )
        InformationRecord.objects.filter(pk__in=records).delete()
        Task.objects.filter(pk__in=tasks).delete()
        Subject.objects.filter(pk__in=subject_ids).delete()
    except (ProtectedError, RestrictedError) as exc:
        kinds = sorted(
            {o._meta.verbose_name for o in exc.protected_objects if hasattr(o, "_meta")}
            if hasattr(exc, "protected_objects")
            else {str(exc)}
        )
        raise ValidationError(
            _("The destruction cannot remove rows that other data still refers to: %(what)s.")
            % {"what": ", ".join(str(k) for k in kinds)}
        ) from exc

    reason = f"destruction {proposal.reference}"
    destroyed = []
    for dk in DataKey.objects.filter(pk__in=key_ids, system_purpose__isnull=True).order_by("pk"):
        data_key_destroy(dk, reason=reason)
        destroyed.append(f"{dk.pk}:{dk.label}")

    now = timezone.now()
    proposal.status, proposal.decided_at = ProposalStatus.DESTROYED, now
    proposal.save(update_fields=["status", "decided_at"])
    certificate = _certificate(proposal, destroyed)
    categories = {s.pk: s.category.code for s in subjects}
    Tombstone.objects.bulk_create(
        Tombstone(
            kind=i["kind"],
            object_id=int(i["id"]),
            station_id=proposal.station_id,
            retention_class=proposal.retention_class,
            category_code=categories.get(int(i["id"]), "") if i["kind"] == ItemKind.SUBJECT else "",
            certificate=certificate,
            destroyed_at=now,
        )
        for i in proposal.items
    )
    record_event(
        actor=None,
        actor_name="system",
        action="retention.destroy",
        obj=proposal,
        details={
            "items": len(proposal.items),
            "records": len(records),
            "tasks": len(tasks),
            "keys": len(destroyed),
            "files": len(files),
            "list_digest": certificate.list_digest,
            "certificate": certificate.reference,
        },
    )

    def remove_files():
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(remove_files)


def _certificate(proposal: DestructionProposal, key_ids: list[str]) -> DestructionCertificate:
    reference = f"DC-{proposal.reference[3:]}"
    digest_of_list = list_digest(proposal)
    approvals = list(proposal.approvals.select_related("user"))
    klass = class_of(proposal.station, proposal.retention_class)
    counts: dict[str, int] = {}
    for item in proposal.items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    issued = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        document = Document(
            title=_("Destruction certificate %(ref)s") % {"ref": reference},
            marking=str(Classification.INTERNAL.label),
            watermark=_("Issued by Casebook at %(time)s") % {"time": local_time(issued)},
            reference=reference,
            issuer=issuer(proposal.station),
            facts=[
                (_("Proposal"), proposal.reference),
                (_("Station"), proposal.station.name),
                (_("Class of data"), klass.label if klass else proposal.retention_class),
                *[(ItemKind(kind).label, str(n)) for kind, n in sorted(counts.items())],
                (_("Items in all"), str(len(proposal.items))),
                *[
                    (
                        ApproverRole(a.role).label,
                        f"{a.user.real_name} ({a.user.username}) {local_time(a.approved_at)}",
                    )
                    for a in approvals
                ],
                (_("Destroyed at"), local_time(issued)),
                (_("Method"), _(METHOD)),
                (_("SHA-256 of the list"), digest_of_list),
            ],
            tables=[Table(_("Data keys destroyed"), [_("Key id")], [[k] for k in key_ids])],
            notes=[
                _(
                    "The list digest is the SHA-256 of the proposal reference and the sorted "
                    "kinds and former ids of the items; the items themselves are gone. This "
                    "certificate holds no personal data."
                )
            ],
        )
        sealed, algorithm, digest = issue_pdf(document)
    key = system_data_key(CERTIFICATE_KEY)
    return DestructionCertificate.objects.create(
        proposal=proposal,
        reference=reference,
        station_id=proposal.station_id,
        item_count=len(proposal.items),
        key_ids=key_ids,
        list_digest=digest_of_list,
        method=METHOD,
        issued_at=issued,
        content=encrypt_bytes(key, sealed, context=f"certificate:{reference}"),
        data_key=key,
        size=len(sealed),
        algorithm=algorithm,
        digest=digest,
    )


# --- legal holds ------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor, subject: Subject, kind: str, reference: str) -> LegalHold:
    policy.check(actor, Action.LEGAL_HOLD, subject)

    errors = {}
    if kind not in HoldKind.values:
        errors["kind"] = [_("Choose the kind of hold.")]
    if not (reference or "").strip():
        errors["reference"] = [_("Give the case, complaint or court reference.")]
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(
        subject=subject,
        station_id=subject.station_id,
        kind=kind,
        reference=reference.strip()[:200],
        placed_by=actor,
    )
    record_event(
        actor=actor,
        action="retention.hold",
        obj=subject,
        details={"hold": hold.pk, "kind": kind},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, actor, hold: LegalHold, reason: str) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    policy.check(actor, Action.LEGAL_HOLD, hold.subject)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was released already."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for releasing the hold.")]})
    hold.released_at, hold.released_by = timezone.now(), actor
    hold.release_reason = reason.strip()[:300]
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    record_event(
        actor=actor,
        action="retention.release",
        obj=hold.subject,
        details={"hold": hold.pk, "reason": hold.release_reason},
    )
    return hold


def stations_of_bureau(user):
    bureau = user.unit.bureau
    return (
        Unit.objects.filter(kind=UnitKind.STATION, parent=bureau) if bureau else Unit.objects.none()
    )
