"""Exports and printing: documents asked for with a purpose, prepared in the background, sealed,
encrypted, handed only to their requester while they may still have them, and expired."""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core.choices import Classification
from casebook.crypto.services import decrypt_bytes, encrypt_bytes
from casebook.intel.choices import Handling
from casebook.tracking.notify import notify

from .. import archive
from ..choices import (
    ExportFormat,
    ExportKind,
    ExportStatus,
)
from ..documents import issue, transport
from ..models import Export
from ..tasks import build_export
from ._common import _text

logger = logging.getLogger(__name__)


def _reference(prefix: str, pk: int) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{pk:06d}"


def _purpose(purpose: str) -> str:
    purpose = _text(purpose)
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("State the purpose of the export.")]})
    return purpose[:300]


def _marking(classification: int) -> str:
    return str(Classification(classification).label)


def export_request(
    *,
    actor,
    fmt: str,
    purpose: str,
    subject=None,
    record=None,
    filters: dict | None = None,
    for_recipient: bool = False,
) -> Export:
    """Ask for a document. It is prepared in the background; the request itself is audited
    with its purpose. A record whose handling code forbids sharing is refused outright.
    ``for_recipient``: the file is handed out only as a transport copy encrypted for its
    recipient (:func:`export_transport_copy`)."""

    if fmt not in ExportFormat.values:
        raise ValidationError({"fmt": [_("Choose PDF, Word or Excel.")]})
    if (subject is None) == (record is None):
        raise ValidationError(_("Export either a subject's archive or one record."))
    if subject is not None:
        if not policy.can(actor, Action.SUBJECT_EXPORT, subject):
            raise PermissionDenied
        station, kind = subject.station, ExportKind.DOSSIER
        title = _("%(name)s — tracking record archive") % {"name": subject.name}
        classification = subject.classification
    else:
        if not policy.can(actor, Action.SUBJECT_EXPORT, record):
            raise PermissionDenied
        station, kind = record.station, ExportKind.RECORD
        title = _("Information record #%(pk)s") % {"pk": record.pk}
        classification = max([0, *record.subjects.values_list("classification", flat=True)])
        if record.handling == Handling.CONDITIONS:
            with transaction.atomic():  # the refusal is kept: it is not inside the request
                record_event(
                    actor=actor,
                    action="record.export",
                    obj=record,
                    outcome="denied",
                    purpose=_text(purpose)[:300],
                    details={"reason": "handling code C", "format": fmt},
                )
            raise ValidationError(
                _(
                    "This record is shared only under conditions (%(conditions)s): "
                    "it may not leave the system as an export."
                )
                % {"conditions": record.handling_conditions or "C"}
            )
    purpose = _purpose(purpose)
    with transaction.atomic():
        return _export_create(
            actor=actor,
            kind=kind,
            fmt=fmt,
            station=station,
            subject=subject,
            record=record,
            title=title,
            purpose=purpose,
            filters=filters,
            marking=_marking(classification),
            for_recipient=bool(for_recipient),
        )


def _export_create(
    *, actor, kind, fmt, station, subject, record, title, purpose, filters, marking, for_recipient
):
    export = Export.objects.create(
        reference=f"EXP-new-{uuid.uuid4().hex[:16]}",  # replaced by the number just below
        user=actor,
        kind=kind,
        fmt=fmt,
        station=station,
        subject=subject,
        record=record,
        title=title[:200],
        purpose=purpose,
        filters={**(filters or {}), "lang": translation.get_language() or settings.LANGUAGE_CODE},
        marking=marking,
        for_recipient=for_recipient,
    )
    export.reference = _reference("EXP", export.pk)
    export.save(update_fields=["reference"])
    record_event(
        actor=actor,
        action="export.request",
        obj=export,
        purpose=purpose,
        details={
            "format": fmt,
            "subject": subject.pk if subject else None,
            "record": record.pk if record else None,
            "filters": filters or {},
            "for_recipient": for_recipient,
        },
    )
    transaction.on_commit(lambda: _kick_export(export.pk))
    return export


def _kick_export(pk: int) -> None:
    try:
        build_export.enqueue(pk)
    except Exception:  # noqa: BLE001 - export_housekeeping enqueues it again
        logger.warning("could not enqueue export %s", pk, exc_info=True)


def export_build(pk: int) -> Export:
    """Prepare the document of an export request (run by the worker): assemble what the user
    may see, render, seal with its digest (a PDF is also PDF/A and signed), encrypt and keep it. Progress is saved as it goes."""

    claimed = Export.objects.filter(pk=pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=1, finished_at=None
    )
    export = Export.objects.select_related("user", "subject", "record").get(pk=pk)
    if not claimed:  # another worker has it, or it is done
        return export
    last = [0]

    def progress(done: int, total: int) -> None:
        value = 5 + int(90 * done / max(1, total))
        if value >= last[0] + 5:
            last[0] = value
            Export.objects.filter(pk=pk).update(progress=min(95, value))

    try:
        with translation.override(export.filters.get("lang") or settings.LANGUAGE_CODE):
            if not _may_still_export(export.user, export):
                raise PermissionDenied("the requester may no longer export this")
            document, withheld = archive.document_for_export(export)
            sealed, algorithm, digest = issue(export.fmt, document, progress=progress)
        key = (export.subject or export.record).get_data_key()
        with transaction.atomic():
            Export.objects.filter(pk=pk).update(
                status=ExportStatus.DONE,
                progress=100,
                content=encrypt_bytes(key, sealed, context=f"export:{export.reference}"),
                data_key=key,
                size=len(sealed),
                algorithm=algorithm,
                digest=digest,
                withheld=withheld,
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                actor_name="system",
                action="export.complete",
                obj=export,
                details={"digest": digest, "algorithm": algorithm, "withheld": withheld},
            )
    except Exception as exc:
        logger.exception("export %s failed", export.reference)
        with transaction.atomic():
            Export.objects.filter(pk=pk).update(
                status=ExportStatus.FAILED,
                error=_("The document could not be prepared. Please try again.")[:300],
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                actor_name="system",
                action="export.fail",
                obj=export,
                outcome="error",
                details={"error": exc.__class__.__name__},
            )
    export.refresh_from_db()
    if export.status == ExportStatus.DONE:
        notify(
            [export.user],
            _("Your export %(ref)s is ready to download.") % {"ref": export.reference},
            url=export.get_absolute_url(),
        )
    return export


def _original(export: Export) -> bytes:
    return decrypt_bytes(
        export.data_key, bytes(export.content), context=f"export:{export.reference}"
    )


def _transport_context(export: Export) -> str:
    return f"export-transport:{export.reference}"


@transaction.atomic
def export_download(*, actor, export: Export) -> bytes:
    """The sealed file, to its requester only, while it is kept. Every download is audited.
    An export for a recipient hands out only its encrypted transport copy."""
    if export.user_id != actor.pk or not _may_still_export(actor, export):
        raise PermissionDenied
    if export.status != ExportStatus.DONE or export.content is None:
        raise ValidationError(_("This export is not available for download."))
    if export.for_recipient:
        transport = Export.objects.filter(pk=export.pk).values_list("transport", flat=True)[0]
        if transport is None:
            raise ValidationError(_("Encrypt the file for its recipient first."))
        data = decrypt_bytes(export.data_key, bytes(transport), context=_transport_context(export))
        details = {
            "digest": export.transport_digest or export.digest,
            "encrypted": True,
            "encryption": export.transport_algorithm,
        }
    else:
        data = _original(export)
        details = {"digest": export.digest}
    record_event(actor=actor, action="export.download", obj=export, details=details)
    return data


@transaction.atomic
def export_transport_copy(*, actor, export: Export) -> str:
    """Encrypt the finished document of an export for its recipient with a new random password
    and keep that transport copy (encrypted at rest) for download; returns the password, which
    is shown once and kept nowhere. The archive keeps the signed original unencrypted (a PDF/A
    file may not be encrypted). Each call makes a new password and replaces the copy."""
    if export.user_id != actor.pk or not _may_still_export(actor, export):
        raise PermissionDenied
    if not export.for_recipient:
        raise ValidationError(_("This export was not requested encrypted for a recipient."))
    if export.status != ExportStatus.DONE or export.content is None:
        raise ValidationError(_("This export is not available for download."))
    original = _original(export)
    password = transport.make_password()
    if export.fmt == ExportFormat.PDF:
        with translation.override(export.filters.get("lang") or settings.LANGUAGE_CODE):
            data, digest = transport.encrypt_pdf(
                original,
                password,
                reason=_("Issued by Casebook: %(reference)s (copy encrypted for the recipient)")
                % {"reference": export.reference},
                location=archive.issuer(export.station),
            )
        algorithm = transport.PDF_ALGORITHM
    else:
        data, digest = transport.encrypt_office(original, password), ""
        algorithm = transport.OFFICE_ALGORITHM
    Export.objects.filter(pk=export.pk).update(
        transport=encrypt_bytes(export.data_key, data, context=_transport_context(export)),
        transport_algorithm=algorithm,
        transport_digest=digest,
    )
    export.transport_algorithm, export.transport_digest = algorithm, digest
    record_event(
        actor=actor,
        action="export.encrypt",
        obj=export,
        details={
            "encryption": algorithm,
            "format": export.fmt,
            "size": len(data),
            "transport_digest": digest,  # of the encrypted file (PDF); Office: the original's
        },
    )
    return password


def _may_still_export(actor, export: Export) -> bool:
    """Rights change (a compartment withdrawn, a transfer): a file is handed out only while its
    requester may still export what it holds."""

    if export.subject is not None:
        return policy.can(actor, Action.SUBJECT_EXPORT, export.subject)
    if export.record is None:
        return False
    return export.record.handling != Handling.CONDITIONS and policy.can(
        actor, Action.SUBJECT_EXPORT, export.record
    )


#: An export waiting this long was not picked up (enqueue failed): enqueue it again.
STALE_QUEUED = timedelta(minutes=5)
#: An export running this long has lost its worker: it failed.
STALE_RUNNING = timedelta(minutes=30)


def export_housekeeping(now: datetime | None = None) -> dict:
    """Re-enqueue exports nobody picked up, fail those whose worker died, drop old files."""
    now = now or timezone.now()
    requeued = 0
    for pk in Export.objects.filter(
        status=ExportStatus.QUEUED, created_at__lt=now - STALE_QUEUED
    ).values_list("pk", flat=True):
        _kick_export(pk)
        requeued += 1
    stale = Export.objects.filter(status=ExportStatus.RUNNING, created_at__lt=now - STALE_RUNNING)
    failed = 0
    for export in stale.only("pk", "reference", "title"):
        with transaction.atomic():
            if Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED,
                error=_("The document could not be prepared. Please try again.")[:300],
                finished_at=now,
            ):
                record_event(
                    actor=None,
                    actor_name="system",
                    action="export.fail",
                    obj=export,
                    outcome="error",
                    details={"error": "worker lost"},
                )
                failed += 1
    return {"requeued": requeued, "failed": failed, "expired": expire_exports(now)}


def expire_exports(now: datetime | None = None) -> int:
    """Drop the files of exports older than ``CASEBOOK_EXPORT_KEEP_DAYS``; the register stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CASEBOOK_EXPORT_KEEP_DAYS)
    old = Export.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)
    count = 0
    for export in old.only("pk", "reference"):
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, content=None)
            record_event(actor=None, actor_name="system", action="export.expire", obj=export)
        count += 1
    return count


@transaction.atomic
def dossier_print(*, actor, subject, purpose: str, filters: dict) -> None:
    """Printing the archive is a disclosure like an export: it needs a purpose and is audited."""
    if not policy.can(actor, Action.SUBJECT_VIEW, subject):
        raise PermissionDenied
    record_event(
        actor=actor,
        action="dossier.print",
        obj=subject,
        purpose=_purpose(purpose),
        details={"filters": filters},
    )
