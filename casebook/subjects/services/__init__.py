"""Every write to tracked subjects, one module per domain: registration and editing
(``registration``), detail rows and the consultation of particulars (``details``), the
identifier index and the refusal of twins (``identifiers``), status and review (``status``),
links between subjects (``associations``), a category's records (``category_records``) and the
photo (``photos``). Permission first, validation, the write, the audit event — in one
transaction. Sensitive values never reach the audit log; only the names of the fields that
changed do.

The public names are re-exported here, so ``from casebook.subjects.services import f`` and
``services.f`` keep working. Patch a helper where it is looked up: in its submodule."""

from django.core.exceptions import PermissionDenied, ValidationError

from .associations import (
    association_create,
    association_delete,
)
from .category_records import (
    RECORD_MODELS,
    person_record_add,
    situation_add,
)
from .details import (
    DETAIL,
    INCIDENT_FIELDS,
    PERSON_FIELDS,
    PLACE_FIELDS,
    SUBJECT_FIELDS,
    _detail_of,
    build_search_text,
    subject_consult,
)
from .identifiers import (
    UNIQUE_KINDS,
    DuplicateSubject,
)
from .imports import (
    BATCH_SIZE,
    AlreadyImported,
    import_check,
    import_run,
    import_start,
    station_for_import,
)
from .photos import (
    MAX_PHOTO_BYTES,
    photo_bytes,
    photo_set,
)
from .registration import (
    StaleEdit,
    approvers_for,
    subject_create,
    subject_update,
)
from .status import (
    subject_review,
    subject_set_status,
)

__all__ = [
    # used by the subject views and tests (the detail row of a subject)
    "_detail_of",
    # callers catch these as services.PermissionDenied / services.ValidationError
    "PermissionDenied",
    "ValidationError",
    "DETAIL",
    "DuplicateSubject",
    "INCIDENT_FIELDS",
    "MAX_PHOTO_BYTES",
    "PERSON_FIELDS",
    "PLACE_FIELDS",
    "RECORD_MODELS",
    "SUBJECT_FIELDS",
    "StaleEdit",
    "UNIQUE_KINDS",
    "approvers_for",
    "association_create",
    "association_delete",
    "build_search_text",
    "person_record_add",
    "photo_bytes",
    "photo_set",
    "situation_add",
    "subject_consult",
    "subject_create",
    "subject_review",
    "subject_set_status",
    "subject_update",
    "AlreadyImported",
    "BATCH_SIZE",
    "import_check",
    "import_run",
    "import_start",
    "station_for_import",
]
