"""Checks that every PDF Casebook issues must pass (issue #19, issue #18 item 2), shared by the
tests of each kind of PDF (dossier and record exports, periodic reports, destruction
certificates).

The command-line checks use Debian's qpdf and poppler-utils. Where one is missing, the tests
that need it are skipped with the reason shown — except in CI (``CI`` set) or with
``CASEBOOK_REQUIRE_BROWSER=1``, where a missing tool is a failure, since ``.ci/run`` installs
them. veraPDF (Java) cannot be installed from the package registries here, so PDF/A-2b is
checked with pikepdf's validator (the veraPDF rule set for 2b, as an allow-list) on the PDF/A
revision, plus each rule that the signing revision could break, one by one.
"""

import io
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pikepdf
import pytest
from pikepdf import pdfa

from casebook.reports.documents import archival, signature
from casebook.reports.documents.seal import SealError, read_seal, verify

TOOLS = ("qpdf", "pdffonts", "pdftoppm", "pdftotext")
SRGB_MD5_FREE = "sRGB"  # the OutputConditionIdentifier pikepdf writes for its sRGB profile


def require_tools(*, optional: bool = False) -> bool:
    """Whether the command-line tools are there. Missing: a failure in CI, else the test is
    skipped with the reason — or, with ``optional``, a warning and False (for a test that has
    more to check than the PDF)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return True
    reason = f"PDF tools missing: {', '.join(missing)} (Debian packages qpdf, poppler-utils)"
    if os.environ.get("CI") or os.environ.get("CASEBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    if optional:
        warnings.warn(reason, stacklevel=3)
        return False
    pytest.skip(reason)


def run(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed tool names, arguments of our own
        args, input=data, capture_output=True, timeout=120, check=False
    )


def pdffonts(path: Path) -> list[dict]:
    """The font table of ``pdffonts``: one dict per font."""
    done = run("pdffonts", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()[2:]
    fonts = []
    for line in lines:
        fields = line.split()
        # name type [type] encoding emb sub uni object ID
        fonts.append({"name": fields[0], "emb": fields[-5], "sub": fields[-4], "uni": fields[-3]})
    return fonts


def pdftotext(path: Path) -> tuple[str, str]:
    done = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    return done.stdout.decode(), done.stderr.decode()


def assert_structure(path: Path) -> None:
    """qpdf finds nothing wrong; pdffonts: every font embedded; pdftoppm renders every page
    and pdftotext reads them with nothing on standard error (no unknown ExtGState, no
    missing glyph, no syntax error)."""
    done = run("qpdf", "--check", str(path))
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert b"No syntax or stream encoding errors" in done.stdout
    fonts = pdffonts(path)
    assert fonts, "no font at all"
    assert all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    rendered = run("pdftoppm", "-r", "20", "-png", str(path), str(path.with_suffix("")))
    assert rendered.returncode == 0 and rendered.stderr == b"", rendered.stderr
    pages = sorted(path.parent.glob(path.stem + "-*.png"))
    with pikepdf.open(path) as pdf:
        assert len(pages) == len(pdf.pages)
    _text, errors = pdftotext(path)
    assert errors == "", errors


def assert_pdfa(data: bytes, *, title: str | None = None, reference: str | None = None) -> None:
    """PDF/A-2b: the revision before the signature passes the validator; the signed file
    breaks none of the rules a signature could; and each requirement of the issue, one by
    one: embedded fonts, the sRGB output intent, XMP with title, author, creation date and
    export reference that agrees with the document information, no encryption."""
    payload = read_seal(data).payload
    report = pdfa.validate_written(io.BytesIO(payload), "2b")
    assert report.passed, [str(f) for f in report.findings][:10]
    assert archival.signed_file_problems(data, payload) == []
    assert re.match(rb"%PDF-1\.[4-7]\n%[\x80-\xff]{4}", data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Encrypt" not in pdf.trailer and "/ID" in pdf.trailer
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        assert str(intent.OutputConditionIdentifier) == SRGB_MD5_FREE
        profile = intent.DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == str(pdf.docinfo.Title)
        assert meta["dc:creator"] == [str(pdf.docinfo.Author)] and meta["dc:creator"][0]
        assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
        assert meta["xmp:CreateDate"]
        assert str(pdf.docinfo.CreationDate).startswith("D:" + meta["xmp:CreateDate"][:4])
        if title is not None:
            assert meta["dc:title"] == title
        if reference is not None:
            assert meta["dc:identifier"] == reference
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            assert fonts
            for font in fonts.values():
                descriptor = font.FontDescriptor
                assert "/FontFile2" in descriptor, font.BaseFont  # TrueType program embedded
            assert "/Trans" not in page.obj


def assert_signature(data: bytes) -> None:
    """The signature validates (and verify_export's check with it) and fails once any byte of
    the signed revision or of the content changes."""
    found = verify(data)
    assert found.signature is not None and found.signature.signer
    report = signature.verify_pdf_signature(data)
    assert report.certificate_sha256
    sealed_end = len(found.payload)
    for position in (sealed_end // 2, len(data) - 40):  # in the content; in the signing revision
        changed = bytearray(data)
        changed[position] ^= 0x01
        with pytest.raises(signature.SignatureError):
            signature.verify_pdf_signature(bytes(changed))
        with pytest.raises(SealError):
            verify(bytes(changed))


def assert_archive_pdf(
    data: bytes, tmp_path: Path, *, optional_tools: bool = False, **expected
) -> None:
    """Every check, for one issued PDF (those needing qpdf and poppler only where they are,
    with ``optional_tools``)."""
    if require_tools(optional=optional_tools):
        path = tmp_path / "issued.pdf"
        path.write_bytes(data)
        assert_structure(path)
    assert_pdfa(data, **expected)
    assert_signature(data)
