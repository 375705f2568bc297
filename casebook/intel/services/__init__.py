"""Every write of the information module, one module per domain: records and their export
(``records``), verification and organisation (``verification``: 去伪存真, topics,
corroboration, merging), attachments (``attachments``), informants (``informants``), field
visits with rectification orders (``visits``) and public tips (``tips``).

The public names are re-exported here, so ``from casebook.intel.services import f`` and
``services.f`` keep working. Patch a helper where it is looked up: in its submodule."""

from .attachments import (
    MAX_ATTACHMENT,
    attachment_add,
    attachment_bytes,
    sniff,
)
from .informants import (
    informant_by_code,
    informant_grade,
    informant_register,
    informant_reveal,
    unknown_informant_message,
)
from .partner_links import (
    LinkRefused,
    link_answer,
    link_for_incident,
    link_for_task,
    link_open,
    link_revoke,
    may_manage_link,
)
from .records import (
    export_rows,
    record_create,
)
from .tips import (
    TIP_LIMIT,
    TipRefused,
    tip_dismiss,
    tip_link,
    tip_status,
    tip_submit,
)
from .verification import (
    duplicate_candidates,
    record_merge,
    record_organise,
    record_verify,
)
from .visits import (
    RECTIFY_DAYS,
    field_visit,
    rectification_close,
)

__all__ = [
    "MAX_ATTACHMENT",
    "RECTIFY_DAYS",
    "TIP_LIMIT",
    "TipRefused",
    "attachment_add",
    "attachment_bytes",
    "duplicate_candidates",
    "export_rows",
    "field_visit",
    "informant_by_code",
    "informant_grade",
    "informant_register",
    "informant_reveal",
    "record_create",
    "record_merge",
    "record_organise",
    "record_verify",
    "rectification_close",
    "sniff",
    "tip_dismiss",
    "tip_link",
    "tip_status",
    "tip_submit",
    "unknown_informant_message",
    "LinkRefused",
    "link_answer",
    "link_for_incident",
    "link_for_task",
    "link_open",
    "link_revoke",
    "may_manage_link",
]
