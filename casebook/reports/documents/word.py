"""Word (.docx) rendering with python-docx.

The header carries the marking (large, centred) and the issuer; the footer the export
reference, "page N of M" as PAGE / NUMPAGES fields that Word fills in, the marking and the
watermark text naming the exporting user. Chinese text uses 宋体 (headings 黑体) through the
East-Asian font slot of the styles.

python-docx builds the skeleton (styles, page set-up, header, footer, properties). The body is
written as WordprocessingML text and parsed in one go per block: adding thousands of
paragraphs or table cells through python-docx's object API takes seconds (every styled
paragraph scans the style list).
"""

import io
import re
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext
from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

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

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
RED = "C01010"
GREY = "6B6B6B"
ACCENT = "1A386B"
HEADER_FILL = "E6EBF2"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = Mm(18), Mm(30), Mm(22)
TWIPS_PER_EMU = 1 / 635
_PLACEHOLDER = re.compile(r"%\((page|total)\)s")
_BLOCK = 200  # entries or table rows parsed at a time


# --- styles, header and footer (python-docx) --------------------------------------------------


def _set_fonts(element, east_asian: str, latin: str | None = LATIN_FONT) -> None:
    """Name the fonts of a style's or run's ``w:rPr``; theme fonts would override them."""
    r_fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attr), None)
    r_fonts.set(qn("w:eastAsia"), east_asian)
    if latin:
        r_fonts.set(qn("w:ascii"), latin)
        r_fonts.set(qn("w:hAnsi"), latin)


def _setup_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_fonts(normal.element, BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 11.5)):
        style = styles[name]
        _set_fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(ACCENT)


def _field(paragraph, instruction: str, size: float) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) with a placeholder result Word updates."""
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run("1" if kind == "result" else None)
        run.font.size = Pt(size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind != "result":
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _page_of(paragraph, size: float) -> None:
    """The translated "page N of M" with PAGE and NUMPAGES fields in place of N and M."""
    wording = page_of("%(page)s", "%(total)s")
    for i, piece in enumerate(_PLACEHOLDER.split(wording)):
        if i % 2:
            _field(paragraph, "PAGE" if piece == "page" else "NUMPAGES", size)
        elif piece:
            paragraph.add_run(piece).font.size = Pt(size)


def _marking_run(paragraph, marking: str, size: float) -> None:
    run = paragraph.add_run(marking)
    run.bold = True
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor.from_string(RED)
    _set_fonts(run._r, HEADING_FONT)


def _header_footer(section, doc: Document) -> None:
    marking = clean(doc.marking)
    width = section.page_width - section.left_margin - section.right_margin

    header = section.header
    top = header.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if marking:
        _marking_run(top, marking, 16)
    line = header.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    issuer = line.add_run(clean(doc.issuer))
    issuer.font.size = Pt(9)
    issuer.font.color.rgb = RGBColor.from_string(GREY)
    if marking:
        line.add_run("\t")
        _marking_run(line, marking, 10)

    footer = section.footer
    first = footer.paragraphs[0]
    stops = first.paragraph_format.tab_stops
    stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    first.add_run(reference_line(doc.reference)).font.size = Pt(8.5)
    first.add_run("\t")
    _page_of(first, 8.5)
    if marking:
        first.add_run("\t")
        _marking_run(first, marking, 10)
    if doc.watermark:
        second = footer.add_paragraph()
        second.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = second.add_run(clean(doc.watermark))
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor.from_string(GREY)


# --- body (WordprocessingML text) ---------------------------------------------------------------


def _run(text: str, *, size: float | None = None, bold: bool = False, color: str = "") -> str:
    props = ""
    if bold:
        props += "<w:b/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if size:
        props += f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>'
    body = "<w:br/>".join(
        "<w:tab/>".join(
            f'<w:t xml:space="preserve">{escape(part)}</w:t>' for part in line.split("\t")
        )
        for line in text.split("\n")
    )
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def _p(runs: str, *, style: str = "", centred: bool = False, after: int | None = None) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if after is not None:
        props += f'<w:spacing w:before="0" w:after="{after}"/>'
    if centred:
        props += '<w:jc w:val="center"/>'
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs}</w:p>"


def _cell(text: str, width: int, *, size: float = 9, bold: bool = False, fill: str = "") -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    paragraph = _p(_run(text, size=size, bold=bold) if text else "", after=0)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraph}</w:tc>"


def _table_start(widths: list[int]) -> str:
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        "</w:tblPr>"
        f"<w:tblGrid>{columns}</w:tblGrid>"
    )


class _Body:
    """Appends WordprocessingML blocks to the document body, before its section properties."""

    def __init__(self, document):
        self.anchor = document.element.body.sectPr
        self.text_width = round((PAGE_WIDTH - 2 * MARGIN_X) * TWIPS_PER_EMU)

    def add(self, xml: str) -> None:
        wrapper = parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")
        for child in list(wrapper):
            self.anchor.addprevious(child)

    def add_table(self, widths: list[int], header: str, rows, progress: Progress) -> None:
        """A table from the ``<w:tr>`` strings of ``rows``, parsed in blocks; the rows are
        moved into the first block's table."""
        self.add(f"{_table_start(widths)}{header}</w:tbl>")
        table = self.anchor.getprevious()
        block: list[str] = []
        for row in rows:
            block.append(row)
            progress.advance()
            if len(block) >= _BLOCK:
                self._append_rows(table, block)
                block = []
        self._append_rows(table, block)
        self.add(_p(""))  # as Word does: a table is followed by a paragraph

    @staticmethod
    def _append_rows(table, rows: list[str]) -> None:
        if rows:
            wrapper = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
            table.extend(list(wrapper))


def _entry_xml(entry: Entry) -> str:
    parts = [_p(_run(entry_heading(entry)), style="Heading2")]
    if entry.meta:
        parts.append(_p(_run(clean(entry.meta), size=8.5, color=GREY)))
    parts.extend(_p(_run(clean(line))) for line in entry.lines)
    return "".join(parts)


def _facts(body: _Body, facts: list[tuple[str, str]]) -> None:
    label = round(Mm(40) * TWIPS_PER_EMU)
    widths = [label, body.text_width - label]
    rows = (
        f"<w:tr>{_cell(clean(k), widths[0], size=10, fill=HEADER_FILL)}"
        f"{_cell(clean(v), widths[1], size=10)}</w:tr>"
        for k, v in facts
    )
    body.add_table(widths, "", rows, Progress(None, 1))


def _table(body: _Body, table, progress: Progress) -> None:
    body.add(_p(_run(clean(table.title)), style="Heading1"))
    columns, rows = grid(table)
    if not columns:
        return
    weights = column_weights(columns, rows)
    widths = [round(body.text_width * w / sum(weights)) for w in weights]
    header = "".join(
        _cell(c, w, bold=True, fill=HEADER_FILL) for c, w in zip(columns, widths, strict=True)
    )
    header = f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>"
    body.add_table(
        widths,
        header,
        (
            "<w:tr>" + "".join(_cell(v, w) for v, w in zip(row, widths, strict=True)) + "</w:tr>"
            for row in rows
        ),
        progress,
    )


def render_docx(doc: Document, progress: ProgressCallback | None = None) -> bytes:
    """The document as a Word file (unsealed bytes)."""
    ticker = Progress(progress, len(doc.entries) + sum(len(t.rows) for t in doc.tables) + 1)
    document = new_docx()
    _setup_styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_X
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _header_footer(section, doc)

    body = _Body(document)
    cover = _p(_run(clean(doc.title)), style="Title", centred=True)
    if doc.issuer:
        cover += _p(_run(clean(doc.issuer), color=GREY), centred=True)
    body.add(cover)
    if doc.facts:
        _facts(body, doc.facts)
    if doc.notes:
        notes = _p(_run(gettext("Notes")), style="Heading1")
        body.add(notes + "".join(_p(_run(clean(note))) for note in doc.notes))
    if doc.entries:
        body.add(_p(_run(gettext("Tracking record archive")), style="Heading1"))
        for start in range(0, len(doc.entries), _BLOCK):
            chunk = doc.entries[start : start + _BLOCK]
            body.add("".join(_entry_xml(entry) for entry in chunk))
            ticker.advance(len(chunk))
    for table in doc.tables:
        _table(body, table, ticker)

    properties = document.core_properties
    properties.title = clean(doc.title)
    properties.author = clean(doc.watermark)
    properties.subject = clean(doc.reference)
    properties.keywords = clean(doc.marking)
    properties.category = clean(doc.marking)
    properties.comments = ""
    properties.last_modified_by = clean(doc.watermark)
    properties.created = properties.modified = timezone.now()
    properties.revision = 1

    buffer = io.BytesIO()
    document.save(buffer)
    ticker.finish()
    return buffer.getvalue()
