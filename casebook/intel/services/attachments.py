"""Attachments of records: type checked by content, images re-encoded with a thumbnail, PDFs
checked, encrypted with the record's key and kept under generated names."""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.audit.services import record_event
from casebook.core import uploads
from casebook.crypto.services import decrypt_bytes, encrypt_bytes

from ..models import (
    Attachment,
    InformationRecord,
)
from ._common import _check_record

MAX_ATTACHMENT = 10 * 1024 * 1024


def sniff(data: bytes) -> str:
    """The real type of an upload, from its content — never from its name."""
    kind = uploads.sniff(data)
    if kind is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only JPEG or PNG photos and PDF documents are accepted "
                        "(the file's content is checked, not its name)."
                    )
                ]
            }
        )
    return kind


@transaction.atomic
def attachment_add(*, actor, record: InformationRecord, name: str, data: bytes) -> Attachment:
    _check_record(actor, record)
    if len(data) > MAX_ATTACHMENT:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    kind = sniff(data)
    thumb = b""
    if kind == uploads.PDF:
        uploads.check_pdf(data, field="file")
    else:
        data, thumb = uploads.reencode_image(data, field="file", thumbnail=320)
        kind = uploads.JPEG
    digest = hashlib.sha256(data).hexdigest()
    context = "intel.Attachment"
    stored = default_storage.save(
        f"attachments/{uuid.uuid4().hex}.bin",
        ContentFile(encrypt_bytes(record.data_key, data, context=context)),
    )
    thumb_name = ""
    if thumb:
        thumb_name = default_storage.save(
            f"attachments/{uuid.uuid4().hex}.bin",
            ContentFile(encrypt_bytes(record.data_key, thumb, context=context + ".thumb")),
        )
    attachment = Attachment.objects.create(
        record=record,
        original_name=uploads.safe_name(name),
        content_type=kind,
        size=len(data),
        sha256=digest,
        stored_name=stored,
        thumbnail_name=thumb_name,
        uploaded_by=actor,
    )
    record_event(
        actor=actor,
        action="record.attach",
        obj=record,
        details={"attachment": attachment.pk, "type": kind, "sha256": digest},
    )
    return attachment


def attachment_bytes(attachment: Attachment, *, thumbnail: bool = False) -> bytes:
    """Decrypt and check the stored file against its checksum."""
    name = attachment.thumbnail_name if thumbnail else attachment.stored_name
    with default_storage.open(name, "rb") as fh:
        data = decrypt_bytes(
            attachment.record.data_key,
            fh.read(),
            context="intel.Attachment" + (".thumb" if thumbnail else ""),
        )
    if not thumbnail and hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise ValidationError(_("The stored file does not match its checksum."))
    return data
