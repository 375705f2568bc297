"""Uploads of the staff app (certificates' scans, training materials): type by content
(``core.uploads``), encrypted under the file's own data key, stored under a generated name."""

import hashlib
import io
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from casebook.core import uploads
from casebook.crypto.services import data_key_create, decrypt_bytes, encrypt_bytes

from .models import StoredFile

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_OFFICE_MAIN_PART = {"word/document.xml": DOCX, "ppt/presentation.xml": PPTX}
_CONTEXT = "staff.StoredFile"


def _office_kind(data: bytes, field: str) -> str | None:
    """A Word or PowerPoint file (OOXML, no macros), an Excel workbook through ``check_xlsx``;
    None when the bytes are no zip archive at all."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        return None
    if "xl/workbook.xml" in names:
        uploads.check_xlsx(data, field=field)
        return uploads.XLSX
    if (
        "[Content_Types].xml" not in names
        or len(names) > 2000
        or unpacked > 200 * 1024 * 1024
        or any(n.endswith("vbaProject.bin") for n in names)
    ):
        raise ValidationError(
            {field: [_("Office files with macros, or damaged ones, are refused.")]}
        )
    return next((kind for part, kind in _OFFICE_MAIN_PART.items() if part in names), None)


def check(data: bytes, *, field: str, office: bool = False) -> tuple[bytes, str]:
    """The bytes to store and their type: a PDF (inspected), an image (re-encoded as JPEG) and,
    when ``office``, a Word, Excel or PowerPoint file. Anything else is refused by its content,
    whatever its name says."""
    if not data:
        raise ValidationError({field: [_("The file is empty.")]})
    if len(data) > MAX_BYTES:
        raise ValidationError({field: [_("The file is larger than 10 MB.")]})
    kind = uploads.sniff(data)
    if kind == uploads.PDF:
        uploads.check_pdf(data, field=field)
        return data, kind
    if kind in (uploads.JPEG, uploads.PNG):
        data, _thumb = uploads.reencode_image(data, field=field)
        return data, uploads.JPEG
    if office:
        kind = _office_kind(data, field)
        if kind is not None:
            return data, kind
        raise ValidationError(
            {
                field: [
                    _("Only PDF, Word, Excel, PowerPoint or image (JPEG, PNG) files are accepted.")
                ]
            }
        )
    raise ValidationError({field: [_("Only PDF or image (JPEG, PNG) files are accepted.")]})


def store(*, actor, name: str, data: bytes, kind: str) -> StoredFile:
    """Encrypt and store checked bytes (call inside the service's transaction)."""
    key = data_key_create(label=f"staff-file:{uuid.uuid4().hex}")
    stored = default_storage.save(
        f"staff/{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(key, data, context=_CONTEXT))
    )
    return StoredFile.objects.create(
        data_key=key,
        original_name=uploads.safe_name(name),
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=stored,
        uploaded_by=actor,
    )


def read(stored: StoredFile) -> bytes:
    with default_storage.open(stored.stored_name, "rb") as fh:
        data = decrypt_bytes(stored.data_key, fh.read(), context=_CONTEXT)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ValidationError(_("The stored file does not match its checksum."))
    return data
