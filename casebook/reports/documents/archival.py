"""PDF/A-2b: what makes a rendered PDF fit for the archive.

ReportLab writes a plain PDF; this step turns it into PDF/A-2b (ISO 19005-2, level B) with
pikepdf: the sRGB output intent (the sRGB profile of the free icc-profiles collection that
pikepdf ships, zlib licence), XMP metadata that agrees with the document information
dictionary (title, author, subject, creation date, producer, and the export reference as
``dc:identifier``), the empty page-transition dictionaries ReportLab writes dropped, and the
PDF/A identification, and saves it with the settings PDF/A needs.

Validation: pikepdf's validator (the veraPDF rules for PDF/A-2b, as an allow-list: anything it
does not know fails) checks every kind of issued PDF in the tests (``reports/tests/pdfcheck.py``).
It is not run on every export by default, since it takes four times as long as rendering (a
200-page archive: about 1 s more on an idle 2-core machine) while the renderer only ever writes
the same few kinds of object, whatever the text; ``CASEBOOK_PDFA_VALIDATE=1`` validates every
file as it is written and fails the export (:class:`PdfaError`) rather than hand out one that
does not conform.

What the renderer guarantees for this to pass: every font embedded (:mod:`.fonts`), colours in
DeviceRGB only (matching the output intent), transparency only through complete ExtGState
resources (the watermark), no annotations, no actions.
"""

import io
import os
from dataclasses import dataclass
from datetime import datetime

import pikepdf
from asn1crypto import cms
from pikepdf import pdfa

FLAVOUR = "2b"
PdfaError = pdfa.PdfaError


@dataclass(frozen=True)
class ArchiveMetadata:
    title: str
    author: str  # the issuing unit
    subject: str  # what the document is, e.g. the export purpose or the period
    reference: str  # the export number
    created: datetime  # aware


def to_pdfa(data: bytes, meta: ArchiveMetadata) -> bytes:
    """``data`` (a PDF) as PDF/A-2b with ``meta``. With ``CASEBOOK_PDFA_VALIDATE=1`` the
    result is validated too, :class:`PdfaError` if it does not pass."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            if "/Trans" in page.obj:  # ReportLab writes an empty one on every page
                del page.obj["/Trans"]
        if "/Trapped" in pdf.docinfo:  # ReportLab's; XMP has no equivalent under PDF/A-2b
            del pdf.docinfo["/Trapped"]
        pdf.docinfo["/Title"] = meta.title
        pdf.docinfo["/Author"] = meta.author
        pdf.docinfo["/Subject"] = meta.subject
        pdf.docinfo["/Creator"] = "Casebook"
        pdf.docinfo["/Producer"] = "Casebook (ReportLab, pikepdf)"
        stamp = pikepdf.objects.String(_pdf_date(meta.created))
        pdf.docinfo["/CreationDate"] = stamp
        pdf.docinfo["/ModDate"] = stamp
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp.load_from_docinfo(pdf.docinfo, delete_missing=False)
            xmp["dc:identifier"] = meta.reference
            xmp["xmp:CreateDate"] = meta.created.isoformat(timespec="seconds")
            xmp["xmp:ModifyDate"] = meta.created.isoformat(timespec="seconds")
        out = io.BytesIO()
        if os.environ.get("CASEBOOK_PDFA_VALIDATE") == "1":
            pdfa.save(pdf, out, FLAVOUR, output_intent="sRGB")  # raises PdfaError
        else:
            pdfa.prepare(pdf, FLAVOUR, output_intent="sRGB")
            pdf.save(out, **pdfa.resolve_save_kwargs(FLAVOUR))
    return out.getvalue()


def _pdf_date(value: datetime) -> str:
    """A PDF date string, ``D:YYYYMMDDHHmmSS+HH'mm'``."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"D:{value:%Y%m%d%H%M%S}{sign}{minutes // 60:02d}'{minutes % 60:02d}'"


# --- the signed file ---------------------------------------------------------------------------

_ANNOTATION_FORBIDDEN_FLAGS = 1 | 2 | 32 | 256  # Invisible, Hidden, NoView, ToggleNoView
_PRINT_FLAG = 4


def signed_file_problems(data: bytes, pdfa_revision: bytes) -> list[str]:
    """What keeps ``data`` — ``pdfa_revision`` (validated PDF/A-2b) followed by incremental
    updates that sign it — from being PDF/A-2b, rule by rule (ISO 19005-2 clauses 6.1.2,
    6.1.3, 6.1.12, 6.3.2, 6.3.3, 6.4.1, 6.4.2, 6.4.3). pikepdf's validator does not handle
    interactive forms (a signature is a form field), so the rules that the signing revision
    could break are checked here; the revision it signs went through the full validator when
    it was written. Empty when the file conforms."""
    problems: list[str] = []
    if not data.startswith(pdfa_revision):
        problems.append("the file does not start with its PDF/A revision")
    header, _, rest = data.partition(b"\n")
    if len(header) != 8 or not header.startswith(b"%PDF-1.") or header[7:8] not in b"01234567":
        problems.append("6.1.2-1: the header is not %PDF-1.0 to %PDF-1.7")
    if not rest.startswith(b"%") or sum(b > 127 for b in rest[1:5]) < 4:
        problems.append("6.1.2-2: no binary comment after the header")
    if not (data.endswith(b"%%EOF") or data.endswith(b"%%EOF\n") or data.endswith(b"%%EOF\r\n")):
        problems.append("6.1.3-3: data follows the last %%EOF")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/ID" not in pdf.trailer:
            problems.append("6.1.3-1: the trailer has no ID")
        root = pdf.Root
        version = root.get("/Version")
        if version is not None and str(version) not in {f"/1.{n}" for n in range(8)}:
            problems.append(f"6.1.2: the catalog declares PDF version {version}")
        if "/NeedsRendering" in root:
            problems.append("6.4.2-2: the catalog has NeedsRendering")
        perms = root.get("/Perms")
        if perms is not None and set(perms.keys()) - {"/UR3", "/DocMDP"}:
            problems.append("6.1.12-1: the permissions dictionary has other keys")
        form = root.get("/AcroForm")
        if form is not None:
            if "/XFA" in form:
                problems.append("6.4.2-1: the form has XFA")
            if bool(form.get("/NeedAppearances", False)):
                problems.append("6.4.1-3: NeedAppearances is true")
            for field in form.get("/Fields", []):
                problems.extend(_field_problems(field))
        for number, page in enumerate(pdf.pages, start=1):
            for annotation in page.obj.get("/Annots", []):
                problems.extend(f"page {number}: {p}" for p in _annotation_problems(annotation))
    return problems


def _field_problems(field) -> list[str]:
    problems = []
    if "/A" in field or "/AA" in field:
        problems.append("6.4.1-2: a form field has actions")
    value = field.get("/V")
    if field.get("/FT") == "/Sig" and value is not None:
        for reference in value.get("/Reference", []):
            if {"/DigestLocation", "/DigestMethod", "/DigestValue"} & set(reference.keys()):
                problems.append("6.1.12-2: a signature reference has digest keys")
        problems.extend(_signature_problems(value))
    return problems


def _signature_problems(signature) -> list[str]:
    problems = []
    try:
        # The zero padding after the DER value is trailing data load() ignores (not strict);
        # stripping zeros instead cut a signature whose last byte was 0 (one in 256).
        content = cms.ContentInfo.load(bytes(signature["/Contents"]), strict=False)
        signed = content["content"]
        if content["content_type"].native != "signed_data":
            problems.append("6.4.3-2: the signature is not PKCS#7 signed data")
        elif len(signed["signer_infos"]) != 1:
            problems.append("6.4.3-3: the signature has more than one signer")
        elif not len(signed["certificates"]):
            problems.append("6.4.3-2: the signature holds no certificate")
    except (ValueError, KeyError, TypeError):
        problems.append("6.4.3-2: the signature contents are not DER PKCS#7")
    return problems


def _annotation_problems(annotation) -> list[str]:
    problems = []
    subtype = annotation.get("/Subtype")
    flags = int(annotation.get("/F", 0))
    if subtype != "/Popup":
        if "/F" not in annotation:
            problems.append("6.3.2-1: an annotation has no F key")
        elif not flags & _PRINT_FLAG or flags & _ANNOTATION_FORBIDDEN_FLAGS:
            problems.append("6.3.2-2: an annotation is not printable or is hidden")
    rect = [float(v) for v in annotation.get("/Rect", [0, 0, 0, 0])]
    empty = rect[0] == rect[2] and rect[1] == rect[3]
    appearance = annotation.get("/AP")
    if appearance is None:
        if not empty and subtype not in ("/Popup", "/Link"):
            problems.append("6.3.3-1: an annotation has no appearance")
    else:
        if set(appearance.keys()) != {"/N"}:
            problems.append("6.3.3-2: an appearance dictionary has keys other than N")
        elif annotation.get("/FT") != "/Btn" and not isinstance(appearance.N, pikepdf.Stream):
            problems.append("6.3.3-4: the normal appearance is not a stream")
    if subtype == "/Widget" and ("/A" in annotation or "/AA" in annotation):
        problems.append("6.4.1-1: a widget has actions")
    return problems
