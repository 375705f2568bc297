"""The document layer of exports: PDF, Word and Excel renderers, the seal, verify_export."""

import hashlib
import importlib
import io

import docx
import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext, pgettext

from casebook.crypto.profiles import get_profile
from casebook.reports.documents import (
    CONTENT_TYPES,
    EXTENSIONS,
    RENDERERS,
    Document,
    Entry,
    SealError,
    Table,
    read_seal,
    render_docx,
    render_pdf,
    render_xlsx,
    seal,
    verify,
)
from casebook.reports.documents.excel import sheet_title
from casebook.reports.management.commands import verify_export

# ``casebook.reports.documents.seal`` the attribute is the function; the module by name:
seal_module = importlib.import_module("casebook.reports.documents.seal")

MARKING = "秘密"
WATERMARK = "张伟（010001）2026-11-29 10:30 导出"
REFERENCE = "EXP-20261129-000012"
SPECIAL = "特殊 <b>&amp; & <i>粗体</i> > x"


def make_document(entries: int = 3, rows: int = 4, line: str = "") -> Document:
    return Document(
        title="张三 跟踪记录档案",
        marking=MARKING,
        watermark=WATERMARK,
        reference=REFERENCE,
        issuer="江州市公安局 城关派出所",
        facts=[("姓名", "张三"), ("身份证号", "110105194912310021"), ("类别", SPECIAL)],
        entries=[
            Entry(
                when=f"2026-11-{i % 28 + 1:02d} 10:30",
                kind="信息记录" if i % 2 else "走访检查",
                title=f"第{i}次走访",
                lines=[line or f"民警走访发现第{i}号情况，本人在家，情绪平稳。", "第二段\n换行"],
                meta="张伟 · B2 · 可共享",
            )
            for i in range(1, entries + 1)
        ],
        tables=[
            Table(
                title="跟踪任务",
                columns=["编号", "任务", "状态"],
                rows=[[f"T{i:04d}", f"核查动向{i}", "进行中"] for i in range(1, rows + 1)],
            )
        ],
        notes=["3 条信息记录因处理代码限制未导出"],
    )


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def page_of(page: int, total: int) -> str:
    return gettext("Page %(page)s of %(total)s") % {"page": page, "total": total}


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_every_page_carries_marking_watermark_reference_and_page_of():
    data = render_pdf(make_document(entries=120, rows=150))
    pages = pdf_pages(data)
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) >= 3  # top centre, header, footer
        assert WATERMARK in text
        assert REFERENCE in text
        assert "江州市公安局 城关派出所" in text
        assert page_of(number, len(pages)) in text
    assert page_of(len(pages) + 1, len(pages)) not in "".join(pages)


def test_pdf_holds_cover_entries_notes_and_tables():
    text = "\n".join(pdf_pages(render_pdf(make_document())))
    assert "张三 跟踪记录档案" in text
    assert "110105194912310021" in text
    assert "3 条信息记录因处理代码限制未导出" in text
    assert gettext("Tracking record archive") in text
    assert "2026-11-02 10:30 · 信息记录 · 第1次走访" in text
    assert "民警走访发现第2号情况，本人在家，情绪平稳。" in text
    assert "张伟 · B2 · 可共享" in text
    assert "T0004 核查动向4 进行中" in text


def test_pdf_special_characters_are_literal():
    doc = make_document(entries=1, line=SPECIAL)
    doc.title = "标题 <b>&"
    text = "\n".join(pdf_pages(render_pdf(doc)))
    assert SPECIAL in text
    assert "标题 <b>&" in text


def test_pdf_metadata():
    meta = pypdf.PdfReader(io.BytesIO(render_pdf(make_document()))).metadata
    assert (meta.title, meta.author, meta.subject) == ("张三 跟踪记录档案", WATERMARK, REFERENCE)


def test_pdf_long_paragraph_and_long_table_span_pages():
    long_line = "".join(f"第{i:04d}句话，" for i in range(1500))
    doc = make_document(entries=1, rows=0, line=long_line)
    doc.tables[0].rows = [[f"R{i:04d}", "内容" * (i % 7 + 1), "完成"] for i in range(400)]
    long_cell = "开头" + "超长内容" * 2000 + "结尾"
    doc.tables.append(Table("超长单元格", ["序号", "说明"], [["1", long_cell], ["2", "末行"]]))
    pages = pdf_pages(render_pdf(doc))
    assert len(pages) > 10
    text = "\n".join(pages)
    assert "第0000句话" in text and "第1499句话" in text
    assert "开头" in text and "结尾" in text and "末行" in text
    assert "R0000" in text and "R0399" in text
    # The header row of the list is repeated on every page the list runs over.
    list_pages = [p for p in pages if any(f"R{i:04d}" in p for i in range(400))]
    assert len(list_pages) > 2
    assert all("编号 任务 状态" in p for p in list_pages)


def test_pdf_odd_input_still_renders():
    doc = Document(
        title="",
        marking="",
        watermark="",
        reference="",
        issuer="",
        entries=[Entry(when="", kind="", title="控制\x00字符\x1b", lines=["", "a\r\nb"])],
        tables=[
            Table("空表", [], []),
            Table("无列", [], [["x", "y"]]),
            Table("参差", ["a", "b"], [["1"], ["1", "2", "3"]]),
        ],
    )
    text = "\n".join(pdf_pages(render_pdf(doc)))
    assert "控制字符" in text
    assert page_of(1, 1) in text


def test_progress_is_reported_in_bounded_steps():
    doc = make_document(entries=300, rows=600)
    for render in RENDERERS.values():
        calls = []
        render(doc, progress=lambda done, total, calls=calls: calls.append((done, total)))
        assert 2 <= len(calls) <= 105
        assert calls[-1][0] == calls[-1][1]
        assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
        render(doc)  # without a callback


# --- Word ------------------------------------------------------------------------------------


def test_docx_holds_entries_tables_header_and_footer():
    data = render_docx(make_document(entries=3, rows=4, line=SPECIAL))
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert "张三 跟踪记录档案" in paragraphs
    assert "2026-11-02 10:30 · 信息记录 · 第1次走访" in paragraphs
    assert SPECIAL in paragraphs
    assert "第二段\n换行" in paragraphs
    assert "张伟 · B2 · 可共享" in paragraphs
    assert gettext("Notes") in paragraphs

    facts, listing = document.tables
    assert [c.text for c in facts.rows[2].cells] == ["类别", SPECIAL]
    assert [c.text for c in listing.rows[0].cells] == ["编号", "任务", "状态"]
    assert [c.text for c in listing.rows[4].cells] == ["T0004", "核查动向4", "进行中"]
    assert listing.rows[0]._tr.xpath("./w:trPr/w:tblHeader")

    section = document.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    footer_xml = section.footer._element.xml
    footer = "\n".join(p.text for p in section.footer.paragraphs)
    assert MARKING in header and "江州市公安局 城关派出所" in header
    assert MARKING in footer and WATERMARK in footer and REFERENCE in footer
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml

    east_asia = document.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "宋体"
    props = document.core_properties
    assert (props.title, props.author, props.subject) == ("张三 跟踪记录档案", WATERMARK, REFERENCE)


# --- Excel -----------------------------------------------------------------------------------


def test_xlsx_sheets_rows_and_page_setup():
    doc = make_document(entries=3, rows=4)
    doc.tables.append(Table("跟踪任务", ["公式"], [['=HYPERLINK("http://x","y")'], ["#N/A"]]))
    doc.tables.append(Table("a/b:c*?[x]", ["x"], [["1"]]))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))
    info, entries, listing, again, odd = book.worksheets
    assert again.title == "跟踪任务 (2)" and odd.title == "a_b_c___x_"
    assert listing.title == "跟踪任务"

    info_values = [[c.value for c in row] for row in info.iter_rows()]
    assert info_values[0][0] == "张三 跟踪记录档案"
    assert [gettext("Exported by"), WATERMARK] in info_values
    assert [gettext("Export reference"), REFERENCE] in info_values
    assert ["类别", SPECIAL] in info_values
    assert [gettext("Notes"), "3 条信息记录因处理代码限制未导出"] in info_values

    heading = [c.value for c in entries[1]]
    assert heading == [
        pgettext("export column", name) for name in ("Time", "Kind", "Title", "Content", "Details")
    ]
    assert [c.value for c in entries[3]] == [
        "2026-11-03 10:30",
        "走访检查",
        "第2次走访",
        "民警走访发现第2号情况，本人在家，情绪平稳。\n第二段\n换行",
        "张伟 · B2 · 可共享",
    ]
    assert entries[1][0].font.b and entries.freeze_panes == "A2"
    assert entries.max_row == 4 and listing.max_row == 5
    assert [c.value for c in listing[5]] == ["T0004", "核查动向4", "进行中"]

    # Text a user typed never becomes a formula or an error value; text that would start one
    # carries the leading quote of safe_cell (OWASP), so it stays inert if saved again as CSV.
    assert again["A2"].value == '\'=HYPERLINK("http://x","y")' and again["A2"].data_type == "s"
    assert again["A3"].value == "#N/A" and again["A3"].data_type == "s"

    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == MARKING
        assert WATERMARK in sheet.oddFooter.right.text
        assert REFERENCE in sheet.oddFooter.left.text
        assert sheet.oddFooter.center.text == page_of("&P", "&N")
    assert book.properties.title == "张三 跟踪记录档案"


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    titles = [
        sheet_title(t, taken) for t in ["x" * 40, "x" * 40, "", "History", "'引号'", "A", "a"]
    ]
    assert titles == ["x" * 31, "x" * 27 + " (2)", "Sheet_", "History_", "引号", "A", "a (2)"]
    assert all(len(t) <= 31 for t in titles)


# --- seal ------------------------------------------------------------------------------------


def _render(fmt: str) -> bytes:
    return RENDERERS[fmt](make_document())


def _opens(fmt: str, data: bytes) -> None:
    if fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert MARKING in reader.pages[0].extract_text()
    elif fmt == "docx":
        assert "张三 跟踪记录档案" in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    else:
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.worksheets[0]["A1"].value == "张三 跟踪记录档案"


def test_formats_are_described():
    assert set(RENDERERS) == set(CONTENT_TYPES) == set(EXTENSIONS) == {"pdf", "docx", "xlsx"}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_seal_round_trip(fmt):
    data = _render(fmt)
    sealed, algorithm, digest = seal(data)
    assert algorithm == "sha256"
    payload = data if data.endswith(b"\n") or fmt != "pdf" else data + b"\n"
    assert digest == hashlib.sha256(payload).hexdigest()
    assert sealed.startswith(payload[:-2])
    found = verify(sealed)
    assert (found.algorithm, found.digest, found.payload) == (algorithm, digest, payload)
    assert found.fmt == ("pdf" if fmt == "pdf" else "zip")
    assert read_seal(sealed) == found
    trailer = f"CASEBOOK-SEAL v1 sha256 {digest} {found.mac}".encode()
    assert sealed.endswith(trailer + (b"\n" if fmt == "pdf" else b""))
    _opens(fmt, sealed)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_a_changed_byte_breaks_the_digest(fmt):
    sealed = bytearray(seal(_render(fmt))[0])
    sealed[len(sealed) // 2] ^= 0x01
    with pytest.raises(SealError) as caught:
        verify(bytes(sealed))
    assert str(caught.value) == str(seal_module.CHANGED)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_a_forged_seal_is_refused(fmt):
    sealed, algorithm, digest = seal(_render(fmt))
    found = read_seal(sealed)
    changed = bytearray(found.payload)
    changed[len(changed) // 2] ^= 0x01
    forged_digest = hashlib.sha256(bytes(changed)).hexdigest()
    trailer = f"CASEBOOK-SEAL v1 {algorithm} {forged_digest} {found.mac}".encode()
    if fmt == "pdf":
        forged = bytes(changed) + b"%" + trailer + b"\n"
    else:
        forged = bytes(changed[:-2]) + len(trailer).to_bytes(2, "little") + trailer
    with pytest.raises(SealError) as caught:
        verify(forged)
    assert str(caught.value) == str(seal_module.FOREIGN)

    wrong_mac = sealed.replace(found.mac.encode(), b"0" * len(found.mac))
    with pytest.raises(SealError) as caught:
        verify(wrong_mac)
    assert str(caught.value) == str(seal_module.FOREIGN)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_no_seal_or_a_malformed_one_is_refused(fmt):
    data = _render(fmt)
    with pytest.raises(SealError) as caught:
        verify(data)
    assert str(caught.value) == str(seal_module.NO_SEAL)

    sealed = seal(data)[0]
    with pytest.raises(SealError) as caught:
        verify(sealed.replace(b" sha256 ", b" sha999 "))
    assert str(caught.value) == str(seal_module.MALFORMED)
    with pytest.raises(SealError):
        verify(sealed + b"appended")


@pytest.mark.django_db
def test_unknown_formats():
    with pytest.raises(ValueError):
        seal(b"plain text")
    with pytest.raises(SealError) as caught:
        verify(b"plain text")
    assert str(caught.value) == str(seal_module.UNKNOWN_FORMAT)
    with pytest.raises(ValueError):  # a ZIP with a comment already: sealed twice
        seal(seal(_render("xlsx"))[0])


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_national_profile_seals_with_sm3(settings, fmt):
    settings.CASEBOOK_CRYPTO_PROFILE = "sm"
    data = _render(fmt)
    sealed, algorithm, digest = seal(data)
    found = verify(sealed)
    assert algorithm == found.algorithm == "sm3"
    assert digest == get_profile("sm").digest(found.payload).hex()
    assert b" sm3 " in sealed[-200:]
    settings.CASEBOOK_CRYPTO_PROFILE = "intl"  # the seal names its algorithm
    assert verify(sealed).digest == digest


# --- verify_export ---------------------------------------------------------------------------


class _Issued:
    def describe(self) -> str:
        return "导出 EXP-20261129-000012"


def _run(*paths) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(verify_export.Command(), *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def registry(monkeypatch):
    """A stand-in for the register of issued documents: {digest: description}."""
    known: dict[str, object] = {}
    monkeypatch.setattr(verify_export, "issued_document", known.get)
    return known


@pytest.mark.django_db
def test_verify_export_accepts_a_registered_file(tmp_path, registry):
    sealed, algorithm, digest = seal(_render("docx"))
    path = tmp_path / "export.docx"
    path.write_bytes(sealed)
    registry[digest] = _Issued()
    out, err = _run(path)
    assert out.splitlines() == [f"OK  {path}  {algorithm} {digest}", "    导出 EXP-20261129-000012"]
    assert err == ""


@pytest.mark.django_db
def test_verify_export_refuses_an_unregistered_file(tmp_path, registry):
    path = tmp_path / "export.pdf"
    path.write_bytes(seal(_render("pdf"))[0])
    with pytest.raises(CommandError):
        _run(path)


@pytest.mark.django_db
def test_verify_export_reports_a_tampered_file(tmp_path, registry):
    good = tmp_path / "good.xlsx"
    sealed, _algorithm, digest = seal(_render("xlsx"))
    good.write_bytes(sealed)
    registry[digest] = _Issued()
    bad = tmp_path / "bad.xlsx"
    changed = bytearray(sealed)
    changed[100] ^= 0xFF
    bad.write_bytes(bytes(changed))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            verify_export.Command(),
            str(good),
            str(bad),
            str(tmp_path / "missing.pdf"),
            stdout=out,
            stderr=err,
        )
    assert out.getvalue().startswith(f"OK  {good}  sha256 {digest}")
    lines = err.getvalue().splitlines()
    assert lines[0] == f"FAILED {bad}: {seal_module.CHANGED}"
    assert lines[1].startswith(f"FAILED {tmp_path / 'missing.pdf'}: ")


@pytest.mark.django_db
def test_verify_export_without_a_register(tmp_path, monkeypatch):
    monkeypatch.setattr(verify_export, "_issued_document", lambda digest: NotImplemented)
    path = tmp_path / "export.pdf"
    sealed, _algorithm, digest = seal(_render("pdf"))
    path.write_bytes(sealed)
    with translation.override("en"):  # the note is asserted in English (the catalogue has it)
        out = _run(path)[0].splitlines()
    assert out[0] == f"OK  {path}  sha256 {digest}"  # a rendered, sealed, unsigned PDF
    assert out[1:] == ["    No digital signature (the seal alone vouches for the content)."]


@pytest.mark.django_db
def test_verify_export_by_name_with_the_real_register(tmp_path):
    path = tmp_path / "export.pdf"
    path.write_bytes(seal(_render("pdf"))[0])
    err = io.StringIO()
    with pytest.raises(CommandError):  # sealed, but never issued by this system
        call_command("verify_export", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"FAILED {path}: ")
