"""Checking of every upload (SECURITY.md I1): type by content, image re-encoding, PDF inspection.

Used by every app that accepts a file, so that a fix here is a fix everywhere:

- ``sniff`` names the real type from the first bytes, never from the file name;
- ``reencode_image`` reads an image's dimensions from its header and refuses one too large
  *before* decoding it (a small PNG can declare 9400×9400 pixels and cost hundreds of MB),
  then re-encodes it as JPEG, which drops EXIF/GPS and anything appended to the file;
- ``check_pdf`` parses the document with pypdf (names decoded, object streams included) and
  refuses any active content: scripts, launch and submit actions, embedded files, rich media,
  XFA forms.
"""

import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

#: Largest image accepted, in pixels (about 120 MB once decoded as RGB).
MAX_IMAGE_PIXELS = 40_000_000
# Pillow's own bomb guard, for any image opened elsewhere: warn above, refuse above twice this.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
_MAGIC = {b"\xff\xd8\xff": JPEG, b"\x89PNG\r\n\x1a\n": PNG, b"%PDF-": PDF}


def sniff(data: bytes) -> str | None:
    """The real type of an upload from its content (JPEG, PNG or PDF), or None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def reencode_image(
    data: bytes, *, field: str, max_side: int | None = None, thumbnail: int | None = None
) -> tuple[bytes, bytes]:
    """The image re-encoded as JPEG (scaled to ``max_side`` if given) and a thumbnail (or b"").

    Raises ValidationError on ``field`` for anything that is not a readable JPEG or PNG within
    MAX_IMAGE_PIXELS; the pixel count comes from the header, before any pixel is decoded.
    """
    if sniff(data) not in (JPEG, PNG):
        raise ValidationError({field: [_("Only JPEG or PNG photos are accepted.")]})
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError({field: [_("The image is too large.")]})
            image.load()
            image = image.convert("RGB")
            if max_side:
                image.thumbnail((max_side, max_side))
            full = io.BytesIO()
            image.save(full, format="JPEG", quality=88)
            small = io.BytesIO()
            if thumbnail:
                image.thumbnail((thumbnail, thumbnail))
                image.save(small, format="JPEG", quality=80)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValidationError({field: [_("The file is not a readable image.")]}) from exc
    return full.getvalue(), small.getvalue()


# --- PDF ----------------------------------------------------------------------------------------

#: Keys whose mere presence means active content or a hidden payload.
_PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
    }
)
#: Action types (/S) that run something, open something outside, or send data away.
_PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
#: Object types (/Type or /Subtype) that carry files, media or 3D content.
_PDF_ACTIVE_TYPES = frozenset(
    {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
)
#: Names looked for in the raw bytes too, escapes (#xx) decoded: catches objects that a
#: repairing reader might find outside the cross-reference table.
_PDF_RAW_NAMES = frozenset(
    {"/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
_RAW_NAME = re.compile(rb"/(?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2}){2,40}")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
#: Most objects inspected; a 10 MB document has far fewer.
_PDF_MAX_OBJECTS = 200_000


def _raw_names(data: bytes):
    for match in _RAW_NAME.finditer(data):
        token = match.group()
        if b"#" in token:
            token = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
        yield token.decode("latin-1")


class _ActiveContent(Exception):
    pass


def _inspect(reader) -> None:
    """Walk every object of the document (trailer, cross-reference table, object streams)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject  # noqa: PLC0415 - pypdf loads only when a PDF is uploaded

    pending = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending.extend(IndirectObject(num, generation, reader) for num in numbers)
    pending.extend(IndirectObject(num, 0, reader) for num in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    count = 0
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        count += 1
        if count > _PDF_MAX_OBJECTS:
            raise _ActiveContent
        if isinstance(value, DictionaryObject):  # streams too: their dictionary
            for name, item in value.items():
                if str(name) in _PDF_ACTIVE_KEYS:
                    raise _ActiveContent
                if name in ("/S", "/Type", "/Subtype") and isinstance(item, NameObject):
                    if name == "/S" and item in _PDF_ACTIVE_ACTIONS:
                        raise _ActiveContent
                    if name != "/S" and item in _PDF_ACTIVE_TYPES:
                        raise _ActiveContent
                pending.append(item)
        elif isinstance(value, ArrayObject):
            pending.extend(value)


def check_pdf(data: bytes, *, field: str) -> None:
    """Refuse a PDF that is damaged, encrypted beyond an empty password, or holds active content."""
    from pypdf import PdfReader  # noqa: PLC0415 - pypdf loads only when a PDF is uploaded

    damaged = ValidationError({field: [_("The PDF is damaged or incomplete.")]})
    active = ValidationError(
        {field: [_("PDF files with scripts, actions or embedded files are refused.")]}
    )
    if sniff(data) != PDF or b"%%EOF" not in data[-1024:]:
        raise damaged
    if any(name in _PDF_RAW_NAMES for name in _raw_names(data)):
        raise active
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise damaged
        _inspect(reader)
    except _ActiveContent:
        raise active from None
    except ValidationError:
        raise
    except Exception as exc:  # a parser of untrusted input: whatever fails, the file is damaged
        raise damaged from exc


def safe_name(name: str) -> str:
    """A file name for display: no path, no control characters, at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    cleaned = "".join(ch for ch in base if ch.isprintable())[:100]
    return cleaned or "file"


# --- Excel workbooks ----------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Largest workbook accepted, and the most its parts may hold once decompressed (zip bombs).
MAX_XLSX_BYTES = 10 * 1024 * 1024
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
_XLSX_MAX_PARTS = 2_000


def check_xlsx(data: bytes, *, field: str, max_bytes: int = MAX_XLSX_BYTES) -> None:
    """Refuse anything but a plain Excel workbook (.xlsx): a ZIP holding ``xl/workbook.xml``,
    no macros (``vbaProject.bin``), no more than ``_XLSX_MAX_PARTS`` parts and
    ``MAX_XLSX_UNPACKED`` bytes once decompressed. The type comes from the content, never
    from the file name; an old .xls, a CSV or a renamed file is refused."""

    if len(data) > max_bytes:
        raise ValidationError(
            {field: [_("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes >> 20}]}
        )
    not_xlsx = ValidationError({field: [_("Only Excel workbooks (.xlsx) are accepted.")]})
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_xlsx from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError({field: [_("Workbooks with macros are not accepted.")]})
    if len(infos) > _XLSX_MAX_PARTS or sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED:
        raise ValidationError({field: [_("The workbook is too large once unpacked.")]})
