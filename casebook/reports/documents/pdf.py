"""PDF rendering with ReportLab platypus.

All text is set in one font, embedded as subsets: Noto Sans CJK SC converted to TrueType
outlines (:mod:`.fonts`), which has the Chinese characters, Latin letters with proportional
widths and the punctuation ("·", "—", "〔〕", full-width digits) that a reader's fallback fonts
would otherwise replace. Every page carries the marking at the top centre and in the header and footer, the
issuer, the export reference, "page N of M" and a diagonal watermark naming the exporting user.

The total page count is only known once the layout is finished. Rather than laying the
document out twice, each page's footer draws a form XObject (``/cbPageOfN Do``) that the canvas
defines only when it is saved, at which point the number of pages is known. The watermark is
one form, defined once and drawn on every page.

Text is laid out by two flowables of this module rather than ReportLab's ``Paragraph`` and
``Table``: :class:`Text` (plain text, CJK line breaking, nothing parsed, so nothing to escape)
and :class:`Grid` (a ruled table that repeats its header row and pages in linear time). With
them a 200-page archive renders in about a second; with ``Paragraph`` (CJK wrapping) and
``Table`` it takes several, and a 10,000-row list grows quadratically.
"""

import functools
import io
import math
import re
from dataclasses import dataclass, replace

from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
)

from . import fonts
from .model import (
    Document,
    Entry,
    Progress,
    ProgressCallback,
    clean,
    column_weights,
    entry_heading,
    grid,
    page_of,
    reference_line,
)
from .model import Table as DocTable

FONT = "CasebookSans"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 30 * mm
MARGIN_BOTTOM = 22 * mm
RED = colors.Color(0.78, 0.06, 0.06)
GREY = colors.Color(0.42, 0.42, 0.42)
RULE = colors.Color(0.6, 0.6, 0.6)
HEADER_FILL = colors.Color(0.9, 0.92, 0.95)
ACCENT = colors.Color(0.1, 0.22, 0.42)
WATERMARK_FORM = "cbWatermark"
WATERMARK_SIZE = 15
WATERMARK_ANGLE = 35


@functools.cache
def _font() -> str:
    """Register the embedded font once per process (about half a second)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(fonts.ensure())))
    return FONT


@dataclass(frozen=True)
class Style:
    size: float = 10
    leading: float = 15
    color: colors.Color = colors.black
    space_before: float = 0
    space_after: float = 3
    centred: bool = False
    bold: bool = False


STYLES = {
    "body": Style(),
    "title": Style(size=20, leading=28, centred=True, bold=True, space_after=4),
    "subtitle": Style(size=11, leading=16, color=GREY, centred=True),
    "section": Style(size=14, leading=20, color=ACCENT, space_before=10, space_after=6, bold=True),
    "heading": Style(size=11, leading=16, color=ACCENT, space_before=9, space_after=1, bold=True),
    "meta": Style(size=8.5, leading=12, color=GREY, space_after=3),
    "cell": Style(size=8.5, leading=11.5, space_after=0),
    "head": Style(size=8.5, leading=11.5, space_after=0, bold=True),
    "label": Style(size=9.5, leading=13, color=GREY, space_after=0),
    "value": Style(size=9.5, leading=13, space_after=0),
}


class _Widths(dict):
    """Advance widths of characters in the font at size 1."""

    def __missing__(self, char: str) -> float:
        width = pdfmetrics.getFont(_font()).stringWidth(char, 1)
        self[char] = width
        return width


_WIDTHS = _Widths()
# A run of Latin letters, digits and ASCII punctuation is kept on one line where it fits;
# anything else (CJK characters, spaces) is a break opportunity of its own.
_UNITS = re.compile(r"[!-~\u00a1-\u024f\u2018-\u201f]+|\s|.", re.S)
# Characters that may not start a line (closing punctuation, GB/T 15834 and JIS X 4051
# kinsoku), and those that may not end one (opening brackets and quotation marks).
_NO_START = set("，。、；：？！）》」』】〕〉〗〙〛］｝”’…—–·‧・｡､,.;:?!)]}%％‰℃")
_NO_END = set("（《「『【〔〈〖〘〚［｛“‘([{")


def _starts_badly(unit: str) -> bool:
    return unit[:1] in _NO_START


def _break_lines(text: str, width: float) -> list[tuple[str, float]]:
    """``text`` broken into lines no wider than ``width`` (in units of the font size), as
    ``(line, width)`` pairs: CJK text breaks between any two characters, Latin words at
    spaces (or anywhere when a word is longer than a line), ``\\n`` always.

    No line starts with closing punctuation and none ends with an opening bracket: the units
    before such a break move to the next line with it; where they cannot (a line of one
    unit), the punctuation hangs at the end of the previous line, past the width."""
    lines: list[tuple[str, float]] = []
    for hard in text.split("\n"):
        _break_paragraph(hard, width, lines)
    return lines


def _measure(unit: str) -> float:
    widths = _WIDTHS
    return sum(widths[c] for c in unit)


def _break_paragraph(hard: str, width: float, lines: list[tuple[str, float]]) -> None:
    """Append the lines of ``hard`` (a paragraph without ``\\n``) to ``lines``."""
    widths, measure = _WIDTHS, _measure
    first = len(lines)
    parts: list[str] = []
    used = 0.0

    def push(unit: str, unit_width: float) -> None:
        nonlocal used
        if not parts and _starts_badly(unit) and len(lines) > first:
            # Hang the leading marks on the previous line; what follows them (":a" is one
            # Latin unit) starts this one.
            marks = len(unit) - len(unit.lstrip("".join(_NO_START)))
            head, unit = unit[:marks], unit[marks:]
            line, line_width = lines[-1]
            lines[-1] = (line + head, line_width + measure(head))
            if not unit:
                return
            unit_width = measure(unit)
        parts.append(unit)
        used += unit_width

    for unit in _UNITS.findall(hard):
        unit_width = measure(unit)
        if used + unit_width <= width:
            push(unit, unit_width)
            continue
        if unit.isspace():  # a break: the space itself is dropped
            lines.append(("".join(parts), used))
            parts, used = [], 0.0
            continue
        if parts and unit_width <= width:
            while parts and parts[-1].isspace():
                used -= measure(parts.pop())
            carry: list[str] = []
            carried = 0.0
            while len(parts) > 1 and (
                _starts_badly(carry[0] if carry else unit) or parts[-1][-1:] in _NO_END
            ):
                last = measure(parts[-1])
                if carried + last + unit_width > width:
                    break
                carry.insert(0, parts.pop())
                carried += last
                used -= last
            while parts and parts[-1].isspace():
                used -= measure(parts.pop())
            lines.append(("".join(parts), used))
            parts, used = [], 0.0
            for moved in [*carry, unit]:
                push(moved, measure(moved))
            continue
        for char in unit:  # a word longer than a line: break it anywhere
            char_width = widths[char]
            if parts and used + char_width > width:
                lines.append(("".join(parts), used))
                parts, used = [], 0.0
            push(char, char_width)
    lines.append(("".join(parts), used))


class Text(Flowable):
    """Plain text in the embedded font, wrapped for CJK. Much faster than a ``Paragraph`` (no
    markup to parse, one pass to break lines) and with nothing to escape: the text is drawn
    literally. Splits between lines across frames and table rows."""

    def __init__(self, text: str, style: Style, lines: list[tuple[str, float]] | None = None):
        super().__init__()
        self.text = text
        self.style = style
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self._lines = lines
        self._frozen = lines is not None
        self._wrapped_for: float | None = None

    def wrap(self, availWidth, availHeight):
        if not self._frozen and self._wrapped_for != availWidth:
            self._lines = _break_lines(self.text, availWidth / self.style.size) if self.text else []
            self._wrapped_for = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        # Keep the lines of the last wrap: a table asks to split a cell with the column's
        # full width after wrapping it in the width less the padding, and the row heights it
        # has computed only hold for the lines it measured.
        if self._lines is None:
            self.wrap(availWidth, availHeight)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0 or fit >= len(self._lines):
            return []
        head = Text(self.text, replace(self.style, space_after=0), self._lines[:fit])
        tail = Text(self.text, replace(self.style, space_before=0), self._lines[fit:])
        return [head, tail]

    def draw(self):
        style, canvas = self.style, self.canv
        obj = canvas.beginText()
        obj.setFont(FONT, style.size, style.leading)
        obj.setFillColor(style.color)
        if style.bold:
            canvas.setStrokeColor(style.color)
            canvas.setLineWidth(style.size * 0.03)
            obj.setTextRenderMode(2)
        baseline = self.height - style.size
        for line, line_width in self._lines:
            x = (self.width - line_width * style.size) / 2 if style.centred else 0
            obj.setTextOrigin(x, baseline)
            obj.textOut(line)
            baseline -= style.leading
        canvas.drawText(obj)

    def getPlainText(self):
        return self.text


def _para(text: object, style: str) -> Text:
    return Text(clean(text), STYLES[style])


# --- page decoration ---------------------------------------------------------------------------


def _bold_string(canvas: Canvas, x: float, y: float, text: str, size: float, align: str) -> None:
    """Red "bold" text: the font has one weight, so the glyphs are filled and stroked."""
    width = pdfmetrics.stringWidth(text, FONT, size)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(size * 0.035)
    obj = canvas.beginText(x, y)
    obj.setFont(FONT, size)
    obj.setTextRenderMode(2)
    obj.textOut(text)
    canvas.drawText(obj)
    canvas.restoreState()


def _fit(text: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so that it is at most ``width`` points wide."""
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


class _Canvas(Canvas):
    """A canvas that defines the forms named by the pages ("page N of M", the watermark)
    when the document is saved."""

    watermark = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_forms: list[tuple[str, int, float, float]] = []

    def _setExtGState(self, obj):
        # ReportLab writes a form XObject's resources without its ExtGState dictionary, so
        # the watermark's transparency (``/gRLs0 gs``) named a state that did not exist and
        # strict readers dropped it (issue #18). A form gets complete resources here.
        super()._setExtGState(obj)
        if isinstance(obj, pdfdoc.PDFFormXObject) and obj.ExtGState:
            resources = pdfdoc.PDFResourceDictionary()
            resources.basicFonts()
            resources.ExtGState = obj.ExtGState
            obj.Resources = resources

    def page_of_here(self, x: float, y: float) -> None:
        number = self.getPageNumber()
        name = f"cbPageOf{number}"
        self.doForm(name)
        self._page_forms.append((name, number, x, y))

    def save(self):
        if self._code:
            self.showPage()
        total = self.getPageNumber() - 1
        for name, number, x, y in self._page_forms:
            self.beginForm(name)
            self.setFont(FONT, 8.5)
            self.setFillColor(colors.black)
            self.drawCentredString(x, y, page_of(number, total))
            self.endForm()
        self.beginForm(WATERMARK_FORM)
        self._draw_watermark()
        self.endForm()
        super().save()

    def _draw_watermark(self) -> None:
        text = self.watermark
        if not text:
            return
        width = pdfmetrics.stringWidth(text, FONT, WATERMARK_SIZE)
        self.saveState()
        self.setFillColor(colors.Color(0.55, 0.55, 0.55))
        self.setFillAlpha(0.2)
        self.setFont(FONT, WATERMARK_SIZE)
        self.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        self.rotate(WATERMARK_ANGLE)
        # Rows of copies covering the page whatever the rotation: the page's half-diagonal
        # bounds the distance of any corner from the centre.
        reach = math.hypot(PAGE_WIDTH, PAGE_HEIGHT) / 2
        step_x, step_y = width + 90, 140
        rows = int(reach // step_y)
        for row in range(-rows, rows + 1):
            y = row * step_y
            shift = (row % 2) * step_x / 2
            span = math.sqrt(max(reach**2 - y**2, 0))
            x = -span - shift
            while x < span:
                if self._visible(x, y, width):
                    self.drawString(x, y, text)
                x += step_x
        self.restoreState()

    @staticmethod
    def _visible(x: float, y: float, width: float) -> bool:
        """Whether the copy drawn at (x, y) of the rotated space touches the page."""
        angle = math.radians(WATERMARK_ANGLE)
        cos, sin = math.cos(angle), math.sin(angle)
        points = [(x + dx, y + dy) for dx in (0, width) for dy in (0, WATERMARK_SIZE)]
        xs = [PAGE_WIDTH / 2 + px * cos - py * sin for px, py in points]
        ys = [PAGE_HEIGHT / 2 + px * sin + py * cos for px, py in points]
        return max(xs) > 0 and min(xs) < PAGE_WIDTH and max(ys) > 0 and min(ys) < PAGE_HEIGHT


class _Decorator:
    """Draws the header and the footer of every page, then the watermark on top."""

    def __init__(self, doc: Document):
        self.marking = clean(doc.marking)
        self.issuer = clean(doc.issuer)
        self.reference = reference_line(doc.reference)

    def page_begin(self, canvas: _Canvas, _template) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        if self.marking:
            _bold_string(canvas, PAGE_WIDTH / 2, top, self.marking, 20, "centre")
        line = PAGE_HEIGHT - 21 * mm
        half = (PAGE_WIDTH - 2 * MARGIN_X) / 2 - 6
        canvas.setFont(FONT, 9)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN_X, line, _fit(self.issuer, 9, half))
        if self.marking:
            _bold_string(canvas, PAGE_WIDTH - MARGIN_X, line, self.marking, 10, "right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, line - 2.5 * mm, PAGE_WIDTH - MARGIN_X, line - 2.5 * mm)
        canvas.line(MARGIN_X, 17 * mm, PAGE_WIDTH - MARGIN_X, 17 * mm)
        footer = 12 * mm
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(colors.black)
        third = (PAGE_WIDTH - 2 * MARGIN_X) / 3 - 4
        canvas.drawString(MARGIN_X, footer, _fit(self.reference, 8.5, third))
        canvas.page_of_here(PAGE_WIDTH / 2, footer)
        if self.marking:
            _bold_string(canvas, PAGE_WIDTH - MARGIN_X, footer, self.marking, 10, "right")
        canvas.restoreState()

    def page_end(self, canvas: _Canvas, _template) -> None:
        canvas.doForm(WATERMARK_FORM)


# --- content -------------------------------------------------------------------------------


class Grid(Flowable):
    """A ruled table of :class:`Text` cells that pages in linear time, repeating its header
    row on every page. (ReportLab's ``Table`` rebuilds itself from the remaining rows at every
    page break, which makes a long list quadratic.) A row taller than half a page is split
    between its lines; shorter rows move to the next page whole."""

    PAD_X, PAD_TOP, PAD_BOTTOM = 3.0, 2.5, 3.0

    def __init__(
        self,
        widths: list[float],
        rows: list[list[Text]],
        *,
        header: list[Text] | None = None,
        first_column_fill: bool = False,
        page_height: float = 0.0,
    ):
        super().__init__()
        self.widths = widths
        self.rows = rows
        self.header = header
        self.first_column_fill = first_column_fill
        self.page_height = page_height
        self.spaceBefore, self.spaceAfter = 2, 6
        self._heights: list[float] = []  # heights of the leading rows measured so far

    def _row_height(self, row: list[Text]) -> float:
        tallest = 0.0
        for cell, width in zip(row, self.widths, strict=True):
            tallest = max(tallest, cell.wrap(width - 2 * self.PAD_X, 1e9)[1])
        return tallest + self.PAD_TOP + self.PAD_BOTTOM

    def _header_height(self) -> float:
        return self._row_height(self.header) if self.header else 0.0

    def _measure(self, index: int) -> float:
        while len(self._heights) <= index:
            self._heights.append(self._row_height(self.rows[len(self._heights)]))
        return self._heights[index]

    def wrap(self, availWidth, availHeight):
        # Measure only as far as needed to know that the grid does not fit: the frame then
        # splits it, and the parts have exact heights.
        self.width = sum(self.widths)
        height = self._header_height()
        for i in range(len(self.rows)):
            height += self._measure(i)
            if height > availHeight:
                break
        self.height = height
        return self.width, height

    def split(self, availWidth, availHeight):
        head = self._header_height()
        used, count = head, 0
        while count < len(self.rows) and used + self._measure(count) <= availHeight:
            used += self._measure(count)
            count += 1
        if count == len(self.rows):
            return []
        rows, rest = self.rows[:count], self.rows[count:]
        room = availHeight - used - self.PAD_TOP - self.PAD_BOTTOM
        if self._measure(count) > self.page_height / 2 and room >= 2 * STYLES["cell"].leading:
            top, bottom = self._split_row(self.rows[count], room)
            rows, rest = [*rows, top], [bottom, *self.rows[count + 1 :]]
        if not rows:
            return []
        return [self._part(rows), self._part(rest)]

    def _split_row(self, row: list[Text], room: float) -> tuple[list[Text], list[Text]]:
        top, bottom = [], []
        for cell in row:
            leading = cell.style.leading
            fit = int((room + 1e-6) // leading)
            lines = cell._lines or []
            top.append(Text(cell.text, cell.style, lines[:fit]))
            bottom.append(Text(cell.text, cell.style, lines[fit:]))
        return top, bottom

    def _part(self, rows: list[list[Text]]) -> "Grid":
        return Grid(
            self.widths,
            rows,
            header=self.header,
            first_column_fill=self.first_column_fill,
            page_height=self.page_height,
        )

    def draw(self):
        canvas = self.canv
        rows = [self.header, *self.rows] if self.header else list(self.rows)
        heights = [self._row_height(row) for row in rows]
        total = sum(heights)
        edges = [0.0]
        for width in self.widths:
            edges.append(edges[-1] + width)
        canvas.saveState()
        canvas.setFillColor(HEADER_FILL)
        if self.header:
            canvas.rect(0, total - heights[0], edges[-1], heights[0], stroke=0, fill=1)
        if self.first_column_fill:
            canvas.rect(0, 0, edges[1], total, stroke=0, fill=1)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        top = total
        for row, height in zip(rows, heights, strict=True):
            for cell, x in zip(row, edges, strict=False):
                cell.drawOn(canvas, x + self.PAD_X, top - self.PAD_TOP - cell.height)
            canvas.line(0, top, edges[-1], top)
            top -= height
        canvas.line(0, 0, edges[-1], 0)
        for x in edges:
            canvas.line(x, 0, x, total)
        canvas.restoreState()


def _facts_table(facts: list[tuple[str, str]], width: float) -> Grid:
    rows = [[_para(label, "label"), _para(value, "value")] for label, value in facts]
    return Grid(
        [38 * mm, width - 38 * mm], rows, first_column_fill=True, page_height=_frame_height()
    )


def _frame_height() -> float:
    return PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


def _column_widths(columns: list[str], rows: list[list[str]], width: float) -> list[float]:
    """Widths proportional to the typical length of each column's text, at least 14 mm."""
    weights = column_weights(columns, rows)
    floor = min(14 * mm, width / len(columns))
    spare = width - floor * len(columns)
    return [floor + spare * w / sum(weights) for w in weights]


def _table(table: DocTable, width: float, progress: Progress) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(40 * mm), _para(table.title, "section")]
    columns, rows = grid(table)
    if not columns:
        return story
    cells = []
    for row in rows:
        cells.append([_para(cell, "cell") for cell in row])
        progress.advance()
    story.append(
        Grid(
            _column_widths(columns, rows, width),
            cells,
            header=[_para(c, "head") for c in columns],
            page_height=_frame_height(),
        )
    )
    return story


def _entry(entry: Entry) -> list[Flowable]:
    # Start on a new page rather than leave a heading alone at the bottom of one.
    story = [CondPageBreak(52), _para(entry_heading(entry), "heading")]
    if entry.meta:
        story.append(_para(entry.meta, "meta"))
    story.extend(_para(line, "body") for line in entry.lines)
    return story


def _story(doc: Document, width: float, progress: Progress) -> list[Flowable]:
    story: list[Flowable] = [
        Spacer(1, 6 * mm),
        _para(doc.title, "title"),
        _para(doc.issuer, "subtitle"),
        Spacer(1, 6 * mm),
    ]
    if doc.facts:
        story.append(_facts_table(doc.facts, width))
    if doc.notes:
        story.append(CondPageBreak(50))
        story.append(_para(gettext("Notes"), "section"))
        story.extend(_para(note, "body") for note in doc.notes)
    if doc.entries:
        story.append(CondPageBreak(80))
        story.append(_para(gettext("Tracking record archive"), "section"))
        for entry in doc.entries:
            story.extend(_entry(entry))
            progress.advance()
    for table in doc.tables:
        story.extend(_table(table, width, progress))
    return story


class _DocTemplate(BaseDocTemplate):
    def __init__(self, *args, progress: Progress, **kwargs):
        super().__init__(*args, **kwargs)
        self._progress = progress
        self._per_flowable = 0.0
        self._owed = 0.0

    def build(self, flowables, **kwargs):
        work = self._progress.total - self._progress.done - 1
        self._per_flowable = work / max(len(flowables), 1)
        super().build(flowables, **kwargs)

    def afterFlowable(self, flowable):
        self._owed += self._per_flowable
        if self._owed >= 1:
            step = int(self._owed)
            self._owed -= step
            self._progress.advance(step)


def render_pdf(doc: Document, progress: ProgressCallback | None = None) -> bytes:
    """The document as an A4 PDF (unsealed bytes)."""
    _font()
    work = len(doc.entries) + sum(len(t.rows) for t in doc.tables)
    # Building the story and laying it out take about the same time: count a unit of work
    # per entry or row for each, layout being reported per flowable drawn.
    ticker = Progress(progress, 2 * work + 1)
    buffer = io.BytesIO()
    template = _DocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=clean(doc.title),
        author=clean(doc.watermark),
        subject=clean(doc.reference),
        creator="Casebook",
        progress=ticker,
    )
    decorator = _Decorator(doc)
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates(
        PageTemplate(
            id="page",
            frames=[frame],
            onPage=decorator.page_begin,
            onPageEnd=decorator.page_end,
        )
    )
    story = _story(doc, template.width, ticker)

    watermark = clean(doc.watermark)

    def canvasmaker(*args, **kwargs):
        # The canvas starts in the embedded font, so no other font (ReportLab's default is
        # Helvetica, never embedded) enters the resources.
        canvas = _Canvas(*args, **{**kwargs, "initialFontName": FONT})
        canvas.watermark = watermark
        return canvas

    template.build(story, canvasmaker=canvasmaker)
    ticker.finish()
    return buffer.getvalue()
