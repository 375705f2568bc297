"""What the information module requires before a tracking task moves on (article 四(二)(三)):
at least one information record before organising, and every record settled (去伪存真) before
analysing."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.tracking.choices import Stage
from casebook.tracking.services import register_guard

from .choices import Verification


def _has_record(task) -> list[str]:
    if task.records.filter(merged_into__isnull=True).exists():
        return []
    return [_("Record at least one piece of information for this task.")]


def _all_settled(task) -> list[str]:
    open_records = task.records.filter(
        merged_into__isnull=True, verification=Verification.UNVERIFIED
    ).count()
    if not open_records:
        return []
    return [
        _(
            "%(n)s information record(s) of this task are still unverified: corroborate, "
            "verify or refute them first."
        )
        % {"n": open_records}
    ]


register_guard(
    Stage.COLLECTING,
    Stage.ORGANISING,
    _has_record,
    requirement=gettext_lazy("at least one information record for this task"),
)
register_guard(
    Stage.ORGANISING,
    Stage.ANALYSING,
    _all_settled,
    requirement=gettext_lazy(
        "every information record of the task verified, corroborated or refuted (去伪存真)"
    ),
)
