"""Bringing a station's existing registers in from an Excel workbook (issue 18, item 10).

Three steps, each a service:

1. ``import_check`` reads the uploaded workbook (checked by ``core.uploads.check_xlsx``),
   validates every row exactly as ``subject_create`` would (the same validators, plus twins
   inside the file and against the identifier index) and keeps the rows, encrypted, with the
   errors per sheet, row and column. Nothing is registered yet.
2. ``import_start`` records the officer's choice — only when every row is clean, or only the
   clean rows — and queues the background job.
3. ``import_run`` (the job) registers the rows through ``subject_create`` (each with its own
   ``subject.create`` event) in batches, each batch one transaction together with the progress
   counter, so a restarted worker resumes where it stopped and never registers a row twice; it
   ends with one ``subject.import`` event.

The same file (same SHA-256) imported again into the same station creates nothing and says so.
"""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.accounts.models import User
from casebook.audit.services import record_event
from casebook.core.uploads import check_xlsx, safe_name
from casebook.crypto.services import data_key_create

from .. import tasks as subject_tasks  # the module: its task enqueues import_run (a cycle)
from ..access import may_import
from ..models import Category, SubjectImport
from ..workbook import read_workbook
from .identifiers import DuplicateSubject
from .import_rows import _check_rows, _error, _identifiers_of, _registered
from .registration import subject_create

#: Rows registered per transaction (and per step of the progress bar).
BATCH_SIZE = 100


class AlreadyImported(ValidationError):
    """The same file was already imported into this station: nothing is created again."""

    def __init__(self, previous: SubjectImport):
        self.previous = previous
        super().__init__(
            {
                "file": [
                    _(
                        "This file was already imported on %(at)s by %(who)s "
                        "(%(n)s subjects created): nothing is created twice."
                    )
                    % {
                        "at": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
                        "who": previous.created_by.real_name,
                        "n": previous.created_count,
                    }
                ]
            }
        )


def _previous_import(station, digest: str) -> SubjectImport | None:
    return (
        SubjectImport.objects.filter(
            station=station,
            digest=digest,
            state__in=[
                SubjectImport.State.QUEUED,
                SubjectImport.State.RUNNING,
                SubjectImport.State.DONE,
            ],
        )
        .select_related("created_by")
        .first()
    )


def import_check(*, actor, station, data: bytes, file_name: str) -> SubjectImport:
    """Read and check an uploaded workbook; keep its rows and errors for the preview.

    Raises ``AlreadyImported`` when the same content was imported into this station before."""
    if not may_import(actor, station):
        raise PermissionDenied(_("Only a station leader may import registers."))
    check_xlsx(data, field="file")
    digest = hashlib.sha256(data).hexdigest()
    previous = _previous_import(station, digest)
    if previous is not None:
        raise AlreadyImported(previous)
    try:
        sheets = read_workbook(data)
    except ValueError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    except Exception as exc:  # noqa: BLE001 - a parser of untrusted input: damaged is damaged
        raise ValidationError({"file": [_("The workbook cannot be read.")]}) from exc
    clean, errors, read = _check_rows(actor, station, sheets)
    if not read:
        raise ValidationError({"file": [_("The workbook holds no rows to import.")]})
    with transaction.atomic():
        subject_import = SubjectImport(
            station=station,
            created_by=actor,
            file_name=safe_name(file_name),
            digest=digest,
            total_rows=read,
            clean_rows=len(clean),
            errors=errors,
            data_key=data_key_create(label=f"import:{digest[:16]}"),
        )
        subject_import.rows = json.dumps(clean, ensure_ascii=False)
        subject_import.save()
        record_event(
            actor=actor,
            action="subject.import_check",
            obj=subject_import,
            details={
                "digest": digest,
                "rows": read,
                "clean": len(clean),
                "errors": len(errors),
            },
        )
    return subject_import


def import_start(*, actor, subject_import: SubjectImport, mode: str) -> SubjectImport:
    """Queue the import: ``mode`` ALL only when no row has an error; CLEAN imports the clean
    rows and leaves the others out."""

    if not may_import(actor, subject_import.station) or actor.pk != subject_import.created_by_id:
        raise PermissionDenied(_("Only the leader who uploaded the file may import it."))
    if mode not in SubjectImport.Mode.values:
        raise ValidationError({"mode": [_("Choose how to import.")]})
    with transaction.atomic():
        locked = SubjectImport.objects.select_for_update().get(pk=subject_import.pk)
        if locked.state != SubjectImport.State.PREVIEW:
            raise ValidationError({"mode": [_("This import has already been started.")]})
        if mode == SubjectImport.Mode.ALL and locked.errors:
            raise ValidationError(
                {
                    "mode": [
                        _(
                            "Some rows have errors: correct the file and upload it again, or "
                            "choose to import only the clean rows."
                        )
                    ]
                }
            )
        if not locked.clean_rows:
            raise ValidationError({"mode": [_("No row is clean: nothing can be imported.")]})
        previous = _previous_import(locked.station, locked.digest)
        if previous is not None:
            raise AlreadyImported(previous)
        locked.state, locked.mode = SubjectImport.State.QUEUED, mode
        try:
            with transaction.atomic():
                locked.save(update_fields=["state", "mode"])
        except IntegrityError as exc:  # the same file started at the same moment
            raise AlreadyImported(_previous_import(locked.station, locked.digest)) from exc
        transaction.on_commit(lambda: subject_tasks.run_import.enqueue(locked.pk))
    return locked


def _arguments(row: dict, categories: dict, users: dict, areas: dict) -> dict:
    detail = dict(row["detail"])
    if detail.get("date_of_birth"):
        detail["date_of_birth"] = date.fromisoformat(detail["date_of_birth"])
    if detail.get("started_at"):
        detail["started_at"] = datetime.fromisoformat(detail["started_at"])
    for key in ("latitude", "longitude"):
        if detail.get(key) is not None:
            detail[key] = Decimal(detail[key])
    return {
        "kind": row["kind"],
        "category": categories.get(row["category"]),
        "name": row["name"],
        "legal_basis_ref": row["legal_basis_ref"],
        "approved_by": users.get(row["approved_by"]),
        "approved_on": date.fromisoformat(row["approved_on"]),
        "review_due": date.fromisoformat(row["review_due"]) if row["review_due"] else None,
        "area": areas.get(row["area"]),
        "classification": row["classification"],
        "notes": row["notes"],
        "detail": detail,
    }


def import_run(import_id: int) -> SubjectImport | None:
    """The background job: register the rows, resuming after the last committed batch."""

    with transaction.atomic():
        subject_import = (
            SubjectImport.objects.select_for_update()
            .select_related("station", "created_by")
            .filter(pk=import_id)
            .first()
        )
        if subject_import is None or subject_import.state not in (
            SubjectImport.State.QUEUED,
            SubjectImport.State.RUNNING,
        ):
            return subject_import
        if subject_import.state == SubjectImport.State.QUEUED:
            subject_import.state = SubjectImport.State.RUNNING
            subject_import.started_at = timezone.now()
            subject_import.save(update_fields=["state", "started_at"])
    actor = subject_import.created_by
    rows = json.loads(str(subject_import.rows) or "[]")
    categories = {
        c.code: c for c in Category.objects.filter(bureau=subject_import.station.parent_id)
    }
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in={r["approved_by"] for r in rows}).select_related("unit")
    }
    areas = {a.pk: a for a in subject_import.station.children.all()}
    if subject_import.done_rows == 0:
        # the registers may have changed since the check: a twin registered meanwhile stops an
        # all-or-nothing import before anything is written
        late = _registered({(k, i) for r in rows for k, i, _c in _identifiers_of(r)})
        clashes = [r for r in rows if any((k, i) in late for k, i, _c in _identifiers_of(r))]
        if clashes and subject_import.mode == SubjectImport.Mode.ALL:
            return _finish(
                subject_import,
                failure=_(
                    "%(n)s rows were registered by someone else after the check; nothing was "
                    "imported. Upload the file again."
                )
                % {"n": len(clashes)},
            )
    while subject_import.done_rows < len(rows):
        start = subject_import.done_rows
        batch = rows[start : start + BATCH_SIZE]
        with transaction.atomic():
            created, errors = 0, []
            for row in batch:
                try:
                    with transaction.atomic():
                        subject_create(
                            actor=actor,
                            station=subject_import.station,
                            **_arguments(row, categories, users, areas),
                        )
                    created += 1
                except (ValidationError, PermissionDenied) as exc:
                    if subject_import.mode == SubjectImport.Mode.ALL:
                        transaction.set_rollback(True)
                        break
                    messages = (
                        exc.message_dict.items()
                        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict")
                        else [("name", [str(exc)])]
                    )
                    if isinstance(exc, DuplicateSubject):
                        messages = [(exc.field, [_("This number is already registered.")])]
                    for column, texts in messages:
                        for text in texts:
                            errors.append(
                                _error(row["sheet"], row["row"], row["kind"], column, text)
                            )
            else:
                SubjectImport.objects.filter(pk=subject_import.pk).update(
                    done_rows=start + len(batch),
                    created_count=subject_import.created_count + created,
                    errors=subject_import.errors + errors,
                )
                subject_import.done_rows = start + len(batch)
                subject_import.created_count += created
                subject_import.errors = subject_import.errors + errors
                continue
        return _finish(
            subject_import,
            failure=_(
                "Sheet %(sheet)s, row %(row)s could not be registered; the import stopped "
                "after %(n)s subjects."
            )
            % {"sheet": row["sheet"], "row": row["row"], "n": subject_import.created_count},
        )
    return _finish(subject_import)


def _finish(subject_import: SubjectImport, *, failure: str = "") -> SubjectImport:
    with transaction.atomic():
        subject_import.state = SubjectImport.State.FAILED if failure else SubjectImport.State.DONE
        subject_import.failure = failure
        subject_import.finished_at = timezone.now()
        subject_import.rows = ""  # the particulars read from the file are no longer needed
        subject_import.save(update_fields=["state", "failure", "finished_at", "rows"])
        record_event(
            actor=subject_import.created_by,
            action="subject.import",
            obj=subject_import,
            outcome="failure" if failure else "success",
            details={
                "digest": subject_import.digest,
                "mode": subject_import.mode,
                "rows": subject_import.total_rows,
                "clean": subject_import.clean_rows,
                "created": subject_import.created_count,
            },
        )
    return subject_import


def station_for_import(actor):
    """The station ``actor`` imports into: their own, if they may import there."""
    station = actor.unit.station if actor.unit_id else None
    return station if station is not None and may_import(actor, station) else None


__all__ = [
    "AlreadyImported",
    "BATCH_SIZE",
    "import_check",
    "import_run",
    "import_start",
    "station_for_import",
]
