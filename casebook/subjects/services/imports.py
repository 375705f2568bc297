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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.accounts.models import User
from casebook.audit.services import record_event
from casebook.core.uploads import check_xlsx, safe_name
from casebook.core.validators import collect, validate_plain_name, validate_text_length
from casebook.crypto.services import blind_index, data_key_create

from .. import tasks as subject_tasks  # the module: its task enqueues import_run (a cycle)
from ..access import may_import
from ..choices import IdentifierKind, Kind
from ..models import Category, Identifier, Subject, SubjectImport
from ..workbook import COLUMNS, choice_lookup, read_workbook
from .details import _validate_detail
from .identifiers import DuplicateSubject
from .registration import _validate_common, approvers_for, subject_create

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


@dataclass
class _Context:
    """What every row's check needs, looked up once per file."""

    actor: object
    station: object
    categories: dict  # kind → {code: Category}
    lookup: dict  # list name → spelling → value
    approvers: dict  # police number → User
    areas: dict  # pk (text) → Unit
    seen: dict = field(default_factory=dict)  # (identifier kind, blind index) → (sheet, row)


def _error(sheet: str, row: int, kind: str, column: str, message) -> dict:
    return {"sheet": sheet, "row": row, "kind": kind, "column": column, "message": str(message)}


def _parse_date(text: str) -> date:
    return date.fromisoformat(text.strip()[:10].replace("/", "-"))


def _parse_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("/", "-"))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _check_row(ctx: _Context, kind: str, record: dict[str, str]):
    """(service arguments as JSON, errors as {column: [message]}) for one row."""
    errors: dict[str, list] = {}
    values: dict = {}
    columns = {c.key: c for c in COLUMNS[kind]}
    for key, column in columns.items():
        text = (record.get(key) or "").strip()
        if not text:
            if column.required:
                errors.setdefault(key, []).append(_("This field is required."))
            values[key] = None if column.kind != "text" else ""
            continue
        try:
            if column.kind == "date":
                values[key] = _parse_date(text)
            elif column.kind == "datetime":
                values[key] = _parse_datetime(text)
            elif column.kind == "int":
                values[key] = int(Decimal(text))
            elif column.kind == "decimal":
                values[key] = Decimal(text)
            elif column.kind == "choice":
                found = ctx.lookup[
                    f"category:{kind}" if column.choices == "category" else column.choices
                ].get(text.lower())
                if found is None:
                    raise ValueError
                values[key] = found
            else:
                values[key] = text
        except (ValueError, InvalidOperation, ArithmeticError):
            if column.kind == "choice":
                message = _("Not one of the choices of the list.")
            elif column.kind in ("date", "datetime"):
                message = _("Not a date (write yyyy-mm-dd).")
            else:
                message = _("Not a number.")
            errors.setdefault(key, []).append(message)
            values[key] = None

    collect(errors, "name", validate_plain_name, values.get("name") or "")
    collect(errors, "name", validate_text_length, values.get("name") or "", 100)
    category = ctx.categories[kind].get(values.get("category"))
    approver = None
    if values.get("approved_by"):
        approver = ctx.approvers.get(values["approved_by"])
        if approver is None:
            errors.setdefault("approved_by", []).append(
                _("No leader with this police number may approve tracking for this station.")
            )
    area = ctx.areas.get(values.get("area")) if values.get("area") else None
    classification = int(values.get("classification") or 1)
    if "category" not in errors and "approved_by" not in errors and "approved_on" not in errors:
        try:
            _validate_common(
                ctx.actor,
                kind=kind,
                category=category,
                station=ctx.station,
                area=area,
                approved_by=approver,
                approved_on=values.get("approved_on"),
                legal_basis_ref=values.get("legal_basis_ref") or "",
                classification=classification,
                compartments=(),
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key not in errors:
                    errors[key] = messages
    review_due = values.get("review_due")
    if review_due is not None and category is not None:
        if review_due < timezone.localdate():
            errors.setdefault("review_due", []).append(_("The review date is in the past."))
        elif review_due > Subject.next_review(category):
            errors.setdefault("review_due", []).append(
                _("The review date is later than the category's review cycle allows.")
            )
    detail_in = {
        key: values[key]
        for key in columns
        if key
        not in (
            "name",
            "category",
            "legal_basis_ref",
            "approved_by",
            "approved_on",
            "review_due",
            "area",
            "classification",
            "notes",
        )
        and values.get(key) not in (None, "")
    }
    if kind == Kind.PERSON and not values.get("sex"):
        detail_in.pop("sex", None)
    detail = {}
    try:
        detail = _validate_detail(kind, detail_in)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if key in columns and key not in errors:
                errors[key] = messages
            elif key not in columns:
                errors.setdefault("name", []).extend(messages)
    arguments = {
        "kind": kind,
        "name": values.get("name") or "",
        "category": category.code if category else None,
        "legal_basis_ref": values.get("legal_basis_ref") or "",
        "approved_by": approver.pk if approver else None,
        "approved_on": _jsonable(values.get("approved_on")),
        "review_due": _jsonable(review_due),
        "area": area.pk if area else None,
        "classification": classification,
        "notes": values.get("notes") or "",
        "detail": {k: _jsonable(v) for k, v in detail.items() if v not in (None, "")},
    }
    return arguments, errors


def _identifiers_of(arguments: dict) -> list[tuple[str, str, str]]:
    """(identifier kind, blind index, column) of the unique identifiers of a checked row."""
    detail = arguments["detail"]
    found = []
    if arguments["kind"] == Kind.PERSON and detail.get("id_number"):
        found.append(
            (
                IdentifierKind.ID_NUMBER,
                blind_index(detail["id_number"], kind=IdentifierKind.ID_NUMBER),
                "id_number",
            )
        )
    if arguments["kind"] == Kind.PLACE and detail.get("licence_numbers"):
        for licence in detail["licence_numbers"].split(","):
            found.append(
                (
                    IdentifierKind.LICENCE,
                    blind_index(licence, kind=IdentifierKind.LICENCE),
                    "licence_numbers",
                )
            )
    return found


def _registered(indexes: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (kind, blind index) pairs are already in the identifier index."""
    found: set[tuple[str, str]] = set()
    by_kind: dict[str, list[str]] = {}
    for kind, index in indexes:
        by_kind.setdefault(kind, []).append(index)
    for kind, values in by_kind.items():
        for start in range(0, len(values), 500):
            found.update(
                (kind, index)
                for index in Identifier.objects.filter(
                    kind=kind, blind_index__in=values[start : start + 500]
                ).values_list("blind_index", flat=True)
            )
    return found


def _context(actor, station) -> _Context:
    categories = {
        kind: {
            c.code: c
            for c in Category.objects.filter(bureau=station.parent_id, kind=kind, is_active=True)
        }
        for kind in COLUMNS
    }
    lookup: dict = {}
    for kind in COLUMNS:
        per_kind = choice_lookup(station, list(categories[kind].values()))
        lookup.update({k: v for k, v in per_kind.items() if k != "category"})
        lookup[f"category:{kind}"] = per_kind["category"]
    return _Context(
        actor=actor,
        station=station,
        categories=categories,
        lookup=lookup,
        approvers={u.username: u for u in approvers_for(station)},
        areas={str(a.pk): a for a in station.children.all()},
    )


def _check_rows(actor, station, sheets) -> tuple[list[dict], list[dict], int]:
    """(clean rows as service arguments, errors, number of rows read)."""
    ctx = _context(actor, station)
    checked = []  # (sheet, row, kind, arguments, errors)
    for sheet in sheets:
        for missing in sheet.missing_headers:
            checked.append(
                (sheet.title, 1, sheet.kind, None, {"name": [_("Missing column: %s") % missing]})
            )
        for number, record in sheet.rows:
            arguments, errors = _check_row(ctx, sheet.kind, record)
            checked.append((sheet.title, number, sheet.kind, arguments, errors))
    # twins inside the file, then against the subjects already registered
    indexes = set()
    for title, number, _kind, arguments, errors in checked:
        if arguments is None:
            continue
        for ident_kind, index, column in _identifiers_of(arguments):
            if column in errors:
                continue
            first = ctx.seen.setdefault((ident_kind, index), (title, number))
            if first != (title, number):
                errors.setdefault(column, []).append(
                    _("The same number is on sheet %(sheet)s, row %(row)s of this file.")
                    % {"sheet": first[0], "row": first[1]}
                )
            indexes.add((ident_kind, index))
    registered = _registered(indexes)
    for _title, _number, _kind, arguments, errors in checked:
        if arguments is None:
            continue
        for ident_kind, index, column in _identifiers_of(arguments):
            if (ident_kind, index) in registered and column not in errors:
                errors.setdefault(column, []).append(
                    _("This number is already registered in Casebook.")
                )
    clean, all_errors, read = [], [], 0
    for title, number, kind, arguments, errors in checked:
        if arguments is not None:
            read += 1
        if errors:
            for column, messages in errors.items():
                for message in messages:
                    all_errors.append(_error(title, number, kind, column, message))
        elif arguments is not None:
            clean.append({"sheet": title, "row": number, **arguments})
    return clean, all_errors, read


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
