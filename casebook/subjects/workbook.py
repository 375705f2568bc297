"""The Excel workbook of a station's existing registers: its columns, the downloadable template
(always in Chinese: an instructions sheet, one sheet per kind, drop-down lists for every choice)
and the reading of an uploaded workbook into rows (values as text, never as formulas).

Validation of the rows read here is the import service's (``services.imports``); this module
knows only the shape of the workbook.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from casebook.core.choices import Classification
from casebook.core.spreadsheet import safe_cell

from .choices import DataSubjectCategory, IncidentStatus, Kind, Sex

#: Most data rows read from one sheet (a station's register; more is an error, not a timeout).
MAX_ROWS_PER_SHEET = 20_000
#: Columns holding numbers that must stay text, and how many template rows are pre-formatted so.
TEXT_NUMBERS = frozenset({"id_number", "phones", "approved_by", "licence_numbers", "credit_code"})
TEXT_FORMAT_ROWS = 2_000


@dataclass(frozen=True)
class Column:
    key: str  # the service's field name
    label: object  # lazy translated header
    required: bool = False
    kind: str = "text"  # text | date | datetime | int | decimal | choice
    choices: str = ""  # name of a list on the lists sheet


_COMMON_HEAD = (
    Column("category", gettext_lazy("Category"), True, "choice", "category"),
    Column("legal_basis_ref", gettext_lazy("Legal basis"), True),
    Column("approved_by", gettext_lazy("Approver's police number"), True),
    Column("approved_on", gettext_lazy("Approval date"), True, "date"),
    Column("review_due", gettext_lazy("Review date"), False, "date"),
    Column("area", gettext_lazy("Community area"), False, "choice", "area"),
    Column("classification", gettext_lazy("Classification"), False, "choice", "classification"),
)
_NOTES = Column("notes", gettext_lazy("Notes"))

COLUMNS = {
    Kind.PERSON: (
        Column("name", gettext_lazy("Name"), True),
        *_COMMON_HEAD,
        Column("id_number", gettext_lazy("Resident ID number")),
        Column("sex", gettext_lazy("Sex"), False, "choice", "sex"),
        Column("date_of_birth", gettext_lazy("Date of birth"), False, "date"),
        Column("phones", gettext_lazy("Phone numbers")),
        Column("household_address", gettext_lazy("Household registration address")),
        Column("current_address", gettext_lazy("Current address")),
        Column("occupation", gettext_lazy("Occupation")),
        Column("employer", gettext_lazy("Employer")),
        Column(
            "data_subject_category",
            gettext_lazy("Data-subject category"),
            True,
            "choice",
            "data_subject",
        ),
        _NOTES,
    ),
    Kind.PLACE: (
        Column("name", gettext_lazy("Place name"), True),
        *_COMMON_HEAD,
        Column("address", gettext_lazy("Address"), True),
        Column("licence_numbers", gettext_lazy("Licence numbers")),
        Column("credit_code", gettext_lazy("Unified social credit code")),
        Column("operator_name", gettext_lazy("Operator")),
        Column("opening_hours", gettext_lazy("Opening hours")),
        Column("latitude", gettext_lazy("Latitude"), False, "decimal"),
        Column("longitude", gettext_lazy("Longitude"), False, "decimal"),
        _NOTES,
    ),
    Kind.INCIDENT: (
        Column("name", gettext_lazy("Incident name"), True),
        *_COMMON_HEAD,
        Column("incident_type", gettext_lazy("Incident type"), True),
        Column("started_at", gettext_lazy("Started at"), True, "datetime"),
        Column("location", gettext_lazy("Location"), True),
        Column("incident_status", gettext_lazy("Incident status"), False, "choice", "incident"),
        Column("cause", gettext_lazy("Cause")),
        Column("scale", gettext_lazy("Scale")),
        Column("people_involved", gettext_lazy("People involved"), False, "int"),
        Column("departments", gettext_lazy("Departments involved")),
        _NOTES,
    ),
}

SHEET_TITLES = {
    Kind.PERSON: gettext_lazy("Key persons"),
    Kind.PLACE: gettext_lazy("Key places"),
    Kind.INCIDENT: gettext_lazy("Incidents"),
}


def _labels(text) -> set[str]:
    """A header or a choice as written in Chinese or in English (either template is read)."""
    forms = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            forms.add(str(text).strip())
    return forms


def choice_lists(station, categories) -> dict[str, list[tuple[str, str]]]:
    """For every list: (value stored, text shown in the template)."""
    return {
        "category": [(c.code, c.name) for c in categories],
        "area": [(str(a.pk), a.name) for a in station.children.order_by("name")],
        "classification": [(str(v), str(label)) for v, label in Classification.choices if v <= 2],
        "sex": [(v, str(label)) for v, label in Sex.choices],
        "data_subject": [(v, str(label)) for v, label in DataSubjectCategory.choices],
        "incident": [(v, str(label)) for v, label in IncidentStatus.choices],
    }


def choice_lookup(station, categories) -> dict[str, dict[str, str]]:
    """For every list: every accepted spelling (Chinese, English, the code) → the value."""
    lookup: dict[str, dict[str, str]] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for name, pairs in choice_lists(station, categories).items():
                target = lookup.setdefault(name, {})
                for value, text in pairs:
                    target[text.strip().lower()] = value
                    target[str(value).lower()] = value
    for c in categories:
        lookup["category"][c.name_en.strip().lower()] = c.code
    return lookup


def build_template(station, categories_by_kind) -> bytes:
    """The template workbook, in Chinese whatever the reader's language."""
    with translation.override("zh-hans"):
        return _build_template(station, categories_by_kind)


def _build_template(station, categories_by_kind) -> bytes:
    book = Workbook()
    intro = book.active
    intro.title = _("How to fill in")
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    lines = [
        _("Importing existing registers into Casebook"),
        _("Station: %(station)s") % {"station": station.name},
        "",
        _("Fill one row per subject on the sheet of its kind; do not rename sheets or headers."),
        _("Columns marked * must be filled; choose categories and other choices from the lists."),
        _("Dates as yyyy-mm-dd; times as yyyy-mm-dd hh:mm."),
        _("The approver is the police number of the leader who approved the tracking."),
        _("The review date may be left empty: the category's review cycle then sets it."),
        _("Several phone or licence numbers are separated by commas."),
        _(
            "Every row is checked before anything is imported; the preview lists the errors "
            "by sheet, row and column."
        ),
        _("The same file imported twice creates nothing the second time."),
    ]
    for line in lines:
        intro.append([safe_cell(line)])
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["A"].width = 100

    lists = book.create_sheet(_("Lists"))
    ranges: dict[tuple[str, str], str] = {}
    for kind, categories in categories_by_kind.items():
        data = choice_lists(station, categories)
        for name, pairs in data.items():
            key = (kind if name == "category" else "", name)
            if key in ranges:
                continue
            col = len(ranges) + 1
            letter = get_column_letter(col)
            lists.cell(row=1, column=col, value=name if not key[0] else f"{name}:{kind}")
            for i, (_value, text) in enumerate(pairs, start=2):
                lists.cell(row=i, column=col, value=safe_cell(text))
            last = max(2, len(pairs) + 1)
            ranges[key] = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${last}"
    lists.sheet_state = "hidden"

    for kind, columns in COLUMNS.items():
        sheet = book.create_sheet(str(SHEET_TITLES[kind]))
        sheet.append([str(c.label) + (" *" if c.required else "") for c in columns])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill = header_font, header_fill
            sheet.column_dimensions[letter].width = 18
            cells = f"{letter}2:{letter}{MAX_ROWS_PER_SHEET + 1}"
            if column.kind == "choice":
                key = (kind if column.choices == "category" else "", column.choices)
                rule = DataValidation(type="list", formula1=ranges[key], allow_blank=True)
                rule.error = _("Choose a value from the list.")
                rule.showErrorMessage = True
                sheet.add_data_validation(rule)
                rule.add(cells)
            elif column.key in TEXT_NUMBERS:
                # typed as numbers, Excel would keep 15 digits of an 18-digit ID number
                for row in range(2, TEXT_FORMAT_ROWS + 2):
                    sheet.cell(row=row, column=index).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class SheetRows:
    kind: str
    title: str
    rows: list[tuple[int, dict[str, str]]]  # (row number in the sheet, column key → text)
    missing_headers: list[str]


def _text(value) -> str:
    """A cell as text: dates as ISO, integral floats without ``.0``, formulas as the text typed
    (never evaluated: the workbook is read without cached results)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="minutes").removesuffix(" 00:00")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(data: bytes) -> list[SheetRows]:
    """The rows of every kind's sheet, keyed by column, in sheet order. Blank rows are skipped.
    Raises ValueError with a message for the officer when a sheet is missing or too long."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    titles = {}
    for kind, title in SHEET_TITLES.items():
        for form in _labels(title):
            titles[form] = kind
    found = []
    try:
        for sheet in book.worksheets:
            kind = titles.get(sheet.title.strip())
            if kind is None:
                continue
            columns = COLUMNS[kind]
            header_forms = {}
            for column in columns:
                for form in _labels(column.label):
                    header_forms[form] = column.key
            rows_iter = sheet.iter_rows(values_only=True)
            header = next(rows_iter, None) or ()
            positions = {}
            for i, value in enumerate(header):
                key = header_forms.get(_text(value).removesuffix("*").strip())
                if key:
                    positions[i] = key
            missing = [
                str(c.label) for c in columns if c.required and c.key not in positions.values()
            ]
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                record = {positions[i]: _text(v) for i, v in enumerate(values) if i in positions}
                if not any(record.values()):
                    continue
                if len(rows) >= MAX_ROWS_PER_SHEET:
                    raise ValueError(
                        _("The sheet %(sheet)s has more than %(n)s rows.")
                        % {"sheet": sheet.title, "n": MAX_ROWS_PER_SHEET}
                    )
                rows.append((number, record))
            found.append(SheetRows(kind, sheet.title, rows, missing))
    finally:
        book.close()
    if not found:
        raise ValueError(
            _(
                "The workbook has none of the sheets of the template (key persons, places, incidents)."
            )
        )
    return found
