"""Every write of the retention module (docs/architecture.md, law 1)."""

from .classes import (
    bureau_setup,
    retention_class_create,
    retention_class_delete,
    retention_class_update,
)
from .destruction import (
    destruction_approve,
    destruction_withdraw,
    legal_hold_place,
    legal_hold_release,
    propose_destructions,
)
from .review import review_run, subject_close, subject_renew

__all__ = [
    "bureau_setup",
    "destruction_approve",
    "destruction_withdraw",
    "legal_hold_place",
    "legal_hold_release",
    "propose_destructions",
    "retention_class_create",
    "retention_class_delete",
    "retention_class_update",
    "review_run",
    "subject_close",
    "subject_renew",
]
