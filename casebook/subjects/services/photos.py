"""A person's photo: re-encoded (metadata and anything appended dropped), encrypted with the
subject's data key and kept under a generated name."""

import uuid

from django.core.exceptions import (
    ValidationError,
)
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core import uploads
from casebook.crypto.services import (
    decrypt_bytes,
    encrypt_bytes,
)

from ..choices import Kind
from ..models import (
    Subject,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def _clean_image(data: bytes) -> bytes:
    """Re-encode the photo (see casebook.core.uploads): drops EXIF/GPS and anything appended."""
    return uploads.reencode_image(data, field="photo", max_side=1200)[0]


@transaction.atomic
def photo_set(*, actor, subject: Subject, data: bytes) -> None:
    policy.check(actor, Action.SUBJECT_EDIT, subject)
    if subject.kind != Kind.PERSON:
        raise ValidationError({"photo": [_("Only persons have a photo.")]})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 5 MB.")]})
    clean = _clean_image(data)
    token = encrypt_bytes(subject.data_key, clean, context="subjects.PersonDetail.photo")
    name = default_storage.save(f"photos/{uuid.uuid4().hex}.bin", ContentFile(token))
    person = subject.person
    old = person.photo
    person.photo = name
    person.save(update_fields=["photo"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    record_event(actor=actor, action="subject.photo", obj=subject, details={"bytes": len(clean)})


def photo_bytes(subject: Subject) -> bytes | None:
    name = subject.person.photo if subject.kind == Kind.PERSON else ""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return decrypt_bytes(subject.data_key, fh.read(), context="subjects.PersonDetail.photo")
