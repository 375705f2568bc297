"""Documents fit for the archive (issue #19; issue #18 item 2): every PDF Casebook issues embeds
its fonts, is PDF/A-2b, is signed so that any reader can check it, prints with page numbers,
marking, watermark and repeated table headers, and breaks Chinese lines correctly. The checks
themselves are in ``pdfcheck.py`` (the destruction certificate's test uses them too)."""

import io
import os
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from docx import Document as open_docx
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.crypto import signing
from casebook.reports import periodic, services
from casebook.reports.choices import Period
from casebook.reports.documents import Document, Entry, Table, issue_pdf, render_docx
from casebook.reports.documents.pdf import _NO_END, _NO_START, _break_lines
from casebook.reports.documents.seal import read_seal
from casebook.reports.models import PeriodicReport

from . import pdfcheck
from .conftest import add_record

# What a poppler desktop showed as boxes or spread out with the old unembedded fonts.
SPECIAL = [
    "城关派出所·东门社区",
    "信息记录·#106",
    "2026—2027",
    "〔2026〕12号",
    "１２３４５６",
    "O'Brien",
    "Zhang Wei",
    "验收WQPC4",
]
LONG = (
    "经走访核实，对象近期在城南物流园打零工（每日早出晚归），与家人关系有所缓和；"
    "社区网格员反映：其夜间多次在网吧逗留至凌晨！是否与外地人员交往？尚需核实。"
    "民警当面劝导教育，对象表示“愿意配合”，并签字确认〔见附件〕、《承诺书》一份。"
)


def _document(**extra) -> Document:
    return Document(
        title="赵某某 跟踪记录档案",
        marking="内部",
        watermark="陈研判 010003 2026-12-02 09:30",
        reference="EXP-20261202-000042",
        issuer="江州市公安局 城关派出所",
        facts=[(f"项目{i}", text) for i, text in enumerate(SPECIAL)],
        entries=[
            Entry("2026-11-29 10:30", "信息记录", f"走访{i}", [LONG] * 2, "张伟 · B2 · 可共享")
            for i in range(12)
        ],
        tables=[
            Table("名单", ["序号", "姓名", "说明"], [[str(i), "李四", LONG] for i in range(60)])
        ],
        notes=[LONG * 4],
        **extra,
    )


def _export(crew, subject=None, record=None, fmt="pdf", capture=None):
    with capture(execute=True):
        request = services.export_request(
            actor=crew["analyst"], fmt=fmt, purpose="档案归档", subject=subject, record=record
        )
    request.refresh_from_db()
    assert request.status == "done", request.error
    return services.export_download(actor=crew["analyst"], export=request), request


@pytest.mark.django_db
class TestEveryKindOfPdf:
    def test_dossier_export(self, crew, person, tmp_path, django_capture_on_commit_callbacks):
        add_record(crew["officer"], [person], text="夜间在网吧逗留至凌晨两点 · 与O'Brien同行")
        data, export = _export(crew, subject=person, capture=django_capture_on_commit_callbacks)
        pdfcheck.assert_archive_pdf(data, tmp_path, reference=export.reference, title=export.title)
        assert read_seal(data).digest == export.digest

    def test_record_export(self, crew, person, tmp_path, django_capture_on_commit_callbacks):
        record = add_record(crew["officer"], [person], text="〔2026〕１２号 通报")
        data, export = _export(crew, record=record, capture=django_capture_on_commit_callbacks)
        pdfcheck.assert_archive_pdf(data, tmp_path, reference=export.reference)

    def test_periodic_report(self, org, crew, person, tmp_path):
        monday = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
        with time_machine.travel(monday + timedelta(days=8), tick=False):
            start, end = periodic.period_bounds(Period.WEEKLY, monday.date() + timedelta(days=8))
            report = periodic.generate(org["a"], Period.WEEKLY, start, end)
        assert isinstance(report, PeriodicReport)
        pdfcheck.assert_archive_pdf(
            periodic.report_file(report), tmp_path, reference=report.reference
        )

    def test_issued_document_special_text_extracts_identically(self, tmp_path):
        pdfcheck.require_tools()
        with translation.override("en"):
            data = issue_pdf(_document())[0]
        pdfcheck.assert_archive_pdf(data, tmp_path, reference="EXP-20261202-000042")
        path = tmp_path / "special.pdf"
        path.write_bytes(data)
        text, errors = pdfcheck.pdftotext(path)
        assert errors == ""
        for special in SPECIAL:
            assert special in text, special
        fonts = pdfcheck.pdffonts(path)
        assert {f["name"].split("+", 1)[1] for f in fonts} == {"CasebookSansCJKSC-Regular"}


@pytest.mark.django_db
class TestPrintQuality:
    @pytest.fixture
    def pages(self):
        from pypdf import PdfReader

        with translation.override("en"):
            data = issue_pdf(_document())[0]
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]

    def test_every_page_has_number_marking_reference_and_watermark(self, pages):
        assert len(pages) >= 4
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page
            assert page.count("内部") >= 3  # top, header, footer
            assert "EXP-20261202-000042" in page
            assert "陈研判" in page  # the watermark

    def test_table_header_repeats_on_every_page_of_the_table(self, pages):
        table_pages = [p for p in pages if "李四" in p]
        assert len(table_pages) >= 2
        for page in table_pages:
            assert re.search(r"序号\s*姓名\s*说明", page), page[:400]

    def test_no_line_starts_with_closing_punctuation(self, tmp_path):
        pdfcheck.require_tools()
        doc = _document()
        doc.entries, doc.tables, doc.facts = [], [], []
        doc.watermark = ""  # rotated text would reach pdftotext as fragments of lines
        doc.notes = [LONG * 12]
        path = tmp_path / "lines.pdf"
        path.write_bytes(issue_pdf(doc)[0])
        text, _errors = pdfcheck.pdftotext(path)
        body = [line for line in text.splitlines() if line.strip()]
        assert len(body) > 20
        starts = [line for line in body if line[0] in _NO_START]
        assert starts == []


# Text as it is written: a character, then at most two marks (。」 or ）， are the longest runs
# of Chinese prose). A run of marks wider than the line has no break that keeps every rule, so
# it is outside the property (hypothesis found ":%%%‘" at three characters wide), and so are
# marks after a space ("中·… ::", where the space is the only break).
_PROSE = st.lists(
    st.tuples(
        st.sampled_from(list("中文字符派出所走访核实abC")),
        st.text(alphabet=st.sampled_from(sorted(_NO_START | _NO_END)), max_size=2),
    ),
    max_size=60,
).map(lambda pairs: "".join(char + marks for char, marks in pairs))


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(_PROSE, st.floats(min_value=3, max_value=30))
def test_line_breaking_property(text, width):
    """Whatever the prose and the width: the text is kept whole and in order, no line but the
    first starts with closing punctuation, no line ends with an opening bracket unless it
    could not be moved, and a line is wider than asked only by hanging punctuation."""
    lines = _break_lines(text, width)
    joined = "".join(line for line, _w in lines)
    assert joined.replace(" ", "") == text.replace(" ", "")
    for index, (line, line_width) in enumerate(lines):
        if index and line:
            assert line[0] not in _NO_START, lines
        if line_width > width + 1e-6:
            assert line[-1] in _NO_START or len(line) == 1, (line, line_width, width)


def test_break_lines_moves_the_character_before_closing_punctuation():
    width = 10.0  # ten full-width characters
    lines = _break_lines("一二三四五六七八九十，十一", width)
    assert [line for line, _w in lines] == ["一二三四五六七八九", "十，十一"]
    lines = _break_lines("一二三四五六七八九（十一）", width)
    assert lines[0][0] == "一二三四五六七八九" and lines[1][0].startswith("（")


@pytest.mark.django_db
def test_word_declares_east_asian_fonts():
    with translation.override("en"):
        data = render_docx(_document())
    document = open_docx(io.BytesIO(data))
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia"))
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia"))
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == (
        "zh-CN"
    )


@pytest.mark.django_db
class TestSigningCredential:
    @pytest.fixture(autouse=True)
    def own_dir(self, settings, tmp_path):
        settings.CASEBOOK_SIGNING_DIR = str(tmp_path / "signing")

    def test_rotation_keeps_old_files_verifiable(self, tmp_path):
        first = signing.issue_self_signed("江州市公安局")
        old = issue_pdf(_document())[0]
        second = signing.issue_self_signed("江州市公安局")
        assert signing.fingerprint(first.certificate) != signing.fingerprint(second.certificate)
        new = issue_pdf(_document())[0]
        from casebook.reports.documents.signature import verify_pdf_signature

        assert verify_pdf_signature(old).certificate_sha256 == signing.fingerprint(
            first.certificate
        )
        assert verify_pdf_signature(new).certificate_sha256 == signing.fingerprint(
            second.certificate
        )
        assert list((tmp_path / "signing" / "retired").glob("*.pem"))

    def test_key_is_encrypted_outside_the_database(self, tmp_path):
        credential = signing.issue_self_signed("江州市公安局")
        stored = (tmp_path / "signing" / signing.KEY_FILE).read_bytes()
        from cryptography.hazmat.primitives import serialization

        der = credential.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        assert der not in stored and der[20:60].hex() not in stored.decode()
        assert (tmp_path / "signing" / signing.KEY_FILE).stat().st_mode & 0o077 == 0

    def test_a_foreign_signature_is_not_trusted(self, tmp_path, settings):
        signed = issue_pdf(_document())[0]
        settings.CASEBOOK_SIGNING_DIR = str(tmp_path / "elsewhere")
        signing.issue_self_signed("另一个公安局")  # another deployment's authority
        from casebook.reports.documents.signature import SignatureError, verify_pdf_signature

        with pytest.raises(SignatureError) as caught:
            verify_pdf_signature(signed)
        assert "authority" in str(caught.value) or "机构" in str(caught.value)

    def test_import_of_the_bureaus_own_chain(self, tmp_path):
        # The bureau's CA (made here with cryptography) issues the signing certificate.
        from cryptography.hazmat.primitives import serialization

        signing.issue_self_signed("市局CA")
        ca = signing.load_credential()
        chain_pem = b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (ca.certificate, *ca.chain)
        )
        key_pem = ca.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
        (tmp_path / "key.pem").write_bytes(key_pem)
        (tmp_path / "chain.pem").write_bytes(chain_pem)
        out = io.StringIO()
        os.environ["CB_TEST_KEY_PASSWORD"] = "secret"
        try:
            call_command(
                "issue_signing_certificate",
                "--import-key",
                str(tmp_path / "key.pem"),
                "--certificates",
                str(tmp_path / "chain.pem"),
                "--password-env",
                "CB_TEST_KEY_PASSWORD",
                stdout=out,
            )
        finally:
            del os.environ["CB_TEST_KEY_PASSWORD"]
        assert "市局CA" in out.getvalue()
        # a key that does not belong to the first certificate is refused
        other = signing._new_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (tmp_path / "other.pem").write_bytes(other)
        with pytest.raises(CommandError):
            call_command(
                "issue_signing_certificate",
                "--import-key",
                str(tmp_path / "other.pem"),
                "--certificates",
                str(tmp_path / "chain.pem"),
                stdout=io.StringIO(),
            )
        # a chain without its root is refused
        (tmp_path / "plain.pem").write_bytes(
            ca.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (tmp_path / "leaf.pem").write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
        with pytest.raises(CommandError, match="root|根"):
            call_command(
                "issue_signing_certificate",
                "--import-key",
                str(tmp_path / "plain.pem"),
                "--certificates",
                str(tmp_path / "leaf.pem"),
                stdout=io.StringIO(),
            )

    def test_production_without_a_certificate_refuses_to_sign(self, settings):
        settings.PRODUCTION = True
        with pytest.raises(signing.SigningUnavailable):
            issue_pdf(_document())
