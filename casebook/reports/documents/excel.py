"""Excel (.xlsx) rendering with openpyxl in write-only mode (streams rows; fast for 10k rows).

Sheets: an information sheet (title, marking, issuer, exporting user, export reference, facts,
notes), the tracking records (one row per entry), then one sheet per table. Every sheet prints
the marking and the issuer in its page header, and the export reference, "page N of M" and the
watermark text in its page footer.

Every text cell is written as a string, never as a formula, and text that a spreadsheet would
read as one (``=HYPERLINK(...)`` typed by a user) gets the leading quote of
:func:`casebook.core.spreadsheet.safe_cell`, so it stays inert even when the sheet is edited or
saved again as CSV.
"""

import io
import re
import unicodedata

from django.utils.translation import gettext, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from casebook.core.spreadsheet import safe_cell

from .model import (
    Document,
    Progress,
    ProgressCallback,
    clean,
    column_weights,
    grid,
    page_of,
    reference_line,
)

MAX_CELL = 32767  # Excel's limit on the characters of a cell
MAX_ROW_HEIGHT = 409  # points
DEFAULT_ROW_HEIGHT = 16
FONT_NAME = "宋体"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NO_WRAP = Alignment(vertical="center")
_BODY = Font(name=FONT_NAME, size=10)
_BOLD = Font(name=FONT_NAME, size=10, bold=True)
_TITLE = Font(name=FONT_NAME, size=14, bold=True)
_MARKING = Font(name=FONT_NAME, size=12, bold=True, color="C01010")
_FILL = PatternFill("solid", fgColor="E6EBF2")


def sheet_title(title: str, taken: set[str]) -> str:
    """``title`` made valid as a sheet name and unique among ``taken`` (compared without
    case, as Excel does), which it is added to."""
    base = _BAD_TITLE.sub("_", clean(title).replace("\n", " ")).strip().strip("'").strip()
    if not base or base.lower() == "history":  # "History" is reserved by Excel
        base = f"{base or 'Sheet'}_"
    base = base[:31]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _header_text(value: str) -> str:
    """Text for a page header or footer, where ``&`` starts a code."""
    return clean(value).replace("\n", " ").replace("&", "&&")


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a cell: East-Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Sheet:
    """A write-only worksheet that appends styled string cells and sets each row's height
    from the lines its wrapped text will take (Excel does not measure rows on opening)."""

    def __init__(self, ws, widths: list[float]):
        self.ws = ws
        self.widths = widths
        self.row = 0

    def cell(
        self,
        value: object,
        font: Font = _BODY,
        fill: PatternFill | None = None,
        alignment: Alignment = _WRAP,
    ):
        text = safe_cell(clean(value))
        if len(text) > MAX_CELL:
            text = text[: MAX_CELL - 1] + "…"
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # never a formula or an error code
        cell.font = font
        cell.alignment = alignment
        if fill is not None:
            cell.fill = fill
        return cell

    def append(self, cells: list) -> None:
        self.row += 1
        needed = 0.0
        for cell, width in zip(cells, self.widths, strict=False):
            if not cell.value:
                continue
            size = cell.font.size or 10
            lines = cell.value.split("\n")
            count = len(lines)
            if cell.alignment.wrap_text:
                room = max(int((width - 1) * 10 / size), 1)
                count = sum(-(-_display_width(line) // room) or 1 for line in lines)
            needed = max(needed, count * size * 1.3 + 3)
        if needed > DEFAULT_ROW_HEIGHT:
            self.ws.row_dimensions[self.row].height = min(needed, MAX_ROW_HEIGHT)
        self.ws.append(cells)

    def texts(self, values: list, font: Font = _BODY, fill: PatternFill | None = None) -> None:
        self.append([self.cell(v, font, fill) for v in values])


class _Writer:
    def __init__(self, doc: Document, workbook: Workbook):
        self.doc = doc
        self.workbook = workbook
        self.taken: set[str] = set()

    def sheet(self, title: str, widths: list[float], *, header: list[str] | None = None):
        ws = self.workbook.create_sheet(sheet_title(title, self.taken))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self._decorate(ws)
        sheet = _Sheet(ws, widths)
        if header:
            ws.freeze_panes = "A2"
            ws.print_title_rows = "1:1"
            sheet.texts(header, _BOLD, _FILL)
        return sheet

    def _decorate(self, ws) -> None:
        doc = self.doc
        marking = _header_text(doc.marking)
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        header, footer = ws.oddHeader, ws.oddFooter
        header.left.text = _header_text(doc.issuer)
        header.left.size = 9
        if marking:
            for part, size in ((header.center, 14), (header.right, 10)):
                part.text = marking
                part.size = size
                part.font = f"{FONT_NAME},Bold"
                part.color = "C01010"
        footer.left.text = _header_text(reference_line(doc.reference))
        footer.center.text = page_of("&P", "&N")
        footer.right.text = " ".join(p for p in (marking, _header_text(doc.watermark)) if p)
        for part in (footer.left, footer.center, footer.right):
            part.size = 8


def _widths(columns: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths in characters: a CJK character is about two."""
    return [min(max(w * 2.0 + 2, 8), 70) for w in column_weights(columns, rows)]


def _info_sheet(writer: _Writer) -> None:
    doc = writer.doc
    sheet = writer.sheet(gettext("Export information"), [22, 80])
    sheet.append([sheet.cell(doc.title, _TITLE, alignment=_NO_WRAP)])
    rows = [
        (gettext("Classification"), doc.marking, _MARKING),
        (gettext("Issued by"), doc.issuer, _BODY),
        (gettext("Exported by"), doc.watermark, _BODY),
        (gettext("Export reference"), doc.reference, _BODY),
    ]
    rows += [(label, value, _BODY) for label, value in doc.facts]
    for label, value, font in rows:
        sheet.append([sheet.cell(label, _BOLD, _FILL), sheet.cell(value, font)])
    for i, note in enumerate(doc.notes):
        label = gettext("Notes") if i == 0 else ""
        sheet.append([sheet.cell(label, _BOLD, _FILL), sheet.cell(note)])


def _entries_sheet(writer: _Writer, progress: Progress) -> None:
    # A context of their own: "Title" elsewhere in the catalogue means a task's title.
    columns = [
        pgettext("export column", "Time"),
        pgettext("export column", "Kind"),
        pgettext("export column", "Title"),
        pgettext("export column", "Content"),
        pgettext("export column", "Details"),
    ]
    rows = [
        [
            clean(e.when),
            clean(e.kind),
            clean(e.title),
            "\n".join(map(clean, e.lines)),
            clean(e.meta),
        ]
        for e in writer.doc.entries
    ]
    widths = _widths(columns, rows)
    widths[3] = max(widths[3], 60)
    sheet = writer.sheet(gettext("Tracking record archive"), widths, header=columns)
    for row in rows:
        sheet.texts(row)
        progress.advance()


def _table_sheet(writer: _Writer, table, progress: Progress) -> None:
    columns, rows = grid(table)
    sheet = writer.sheet(table.title, _widths(columns, rows), header=columns)
    for row in rows:
        sheet.texts(row)
        progress.advance()


def render_xlsx(doc: Document, progress: ProgressCallback | None = None) -> bytes:
    """The document as an Excel workbook (unsealed bytes)."""
    ticker = Progress(progress, len(doc.entries) + sum(len(t.rows) for t in doc.tables) + 1)
    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.title = clean(doc.title)
    properties.creator = clean(doc.watermark)
    properties.lastModifiedBy = clean(doc.watermark)
    properties.subject = clean(doc.reference)
    properties.keywords = clean(doc.marking)
    properties.category = clean(doc.marking)

    writer = _Writer(doc, workbook)
    _info_sheet(writer)
    _entries_sheet(writer, ticker)
    for table in doc.tables:
        _table_sheet(writer, table, ticker)

    buffer = io.BytesIO()
    workbook.save(buffer)
    ticker.finish()
    return buffer.getvalue()
