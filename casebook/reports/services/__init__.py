"""Every write of the reports module, one module per domain: feedback reports and their receipts
and instructions (feedback), the duty roster (duty), urgent reports with their outbox,
deliveries and escalation (urgent), and exports and printing (exports). Each function
checks permission through access, validates, writes and appends its audit event in one
transaction; messages and background work go out after commit.

The public names are re-exported here, so from casebook.reports.services import f and
services.f keep working. Patch a helper where it is looked up: in its submodule."""

from ._common import (
    station_leaders,
)
from .duty import (
    MAX_SHIFT,
    duty_shift_add,
    duty_shift_remove,
    on_duty,
    roster_members,
)
from .exports import (
    STALE_QUEUED,
    STALE_RUNNING,
    dossier_print,
    expire_exports,
    export_build,
    export_download,
    export_housekeeping,
    export_request,
    export_transport_copy,
)
from .feedback import (
    FEEDBACK_ROLES,
    acknowledged_feedback,
    can_acknowledge_feedback,
    feedback_acknowledge,
    feedback_instruction_task,
    feedback_read,
    feedback_recipient_choices,
    feedback_submit,
)
from .urgent import (
    URGENT_TEXT_POLICY,
    ack_window,
    chain_audience,
    deliver_pending,
    run_urgent_escalation,
    urgent_acknowledge,
    urgent_report_create,
    urgent_text_allowed,
)

__all__ = [
    "FEEDBACK_ROLES",
    "MAX_SHIFT",
    "STALE_QUEUED",
    "STALE_RUNNING",
    "ack_window",
    "acknowledged_feedback",
    "can_acknowledge_feedback",
    "chain_audience",
    "deliver_pending",
    "dossier_print",
    "duty_shift_add",
    "duty_shift_remove",
    "expire_exports",
    "export_build",
    "export_download",
    "export_housekeeping",
    "export_request",
    "export_transport_copy",
    "feedback_acknowledge",
    "feedback_instruction_task",
    "feedback_read",
    "feedback_recipient_choices",
    "feedback_submit",
    "on_duty",
    "roster_members",
    "run_urgent_escalation",
    "station_leaders",
    "urgent_acknowledge",
    "urgent_report_create",
    "URGENT_TEXT_POLICY",
    "urgent_text_allowed",
]
