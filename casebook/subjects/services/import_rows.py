"""The check of a register import's rows (step 1 of ``services.imports``): each row of the
workbook validated exactly as ``subject_create`` would validate it (the same validators), twins
refused inside the file and against the identifier index, and the errors listed per sheet, row
and column. Nothing is written here."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.core.validators import collect, validate_plain_name, validate_text_length
from casebook.crypto.services import blind_index

from ..choices import IdentifierKind, Kind
from ..models import Category, Identifier, Subject
from ..workbook import COLUMNS, choice_lookup
from .details import _validate_detail
from .registration import _validate_common, approvers_for


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
