"""What feedback requires before a tracking task is archived (article 四(五)): a leader has
acknowledged a feedback report on it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.tracking.choices import Stage
from casebook.tracking.services import register_guard

from .services import acknowledged_feedback


def _fed_back(task) -> list[str]:
    if acknowledged_feedback(task):
        return []
    return [_("A leader must acknowledge a feedback report on this task.")]


register_guard(
    Stage.FEEDBACK,
    Stage.ARCHIVED,
    _fed_back,
    requirement=gettext_lazy("a feedback report acknowledged by a leader"),
)
