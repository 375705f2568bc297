"""The security administrator's choice whether urgent e-mails and SMS may carry the report's
text (article 七(三)). The setting is its latest audit event (``security.urgent_text``): the
append-only, chained log both records every change and is the one place the value lives, so it
cannot be changed unseen. ``reports.services.urgent.urgent_text_allowed`` reads it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access.policy import Action, require
from casebook.audit.services import record_event
from casebook.reports.services.urgent import URGENT_TEXT_POLICY, urgent_text_allowed


@transaction.atomic
def urgent_text_set(*, actor, allowed: bool, reason: str) -> bool:
    """Allow or forbid the report's text in urgent messages; the reason is required."""
    require(actor, Action.POLICY_MANAGE)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("Give the reason (at least 4 characters).")]})
    before = urgent_text_allowed()
    record_event(
        actor=actor,
        action=URGENT_TEXT_POLICY,
        object_type="security.policy",
        object_id="urgent_text",
        purpose=reason[:300],
        details={"allowed": bool(allowed), "before": before},
    )
    return bool(allowed)
