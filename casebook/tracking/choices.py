"""The six stages of regulation article 四 and the other choices of tracking tasks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    ASSIGNED = "assigned", _("Task assigned")
    COLLECTING = "collecting", _("Collecting information")
    ORGANISING = "organising", _("Organising information")
    ANALYSING = "analysing", _("Analysis")
    FEEDBACK = "feedback", _("Feedback")
    ARCHIVED = "archived", _("Archived")


#: The order of the stages; a task moves one step forward (or one back, with a reason).
STAGES = [
    Stage.ASSIGNED,
    Stage.COLLECTING,
    Stage.ORGANISING,
    Stage.ANALYSING,
    Stage.FEEDBACK,
    Stage.ARCHIVED,
]
#: Stages that carry a deadline (the archive is the end).
WORKING_STAGES = STAGES[:-1]


class Origin(models.TextChoices):
    SUPERIOR = "superior", _("Assigned by a superior")
    STATION = "station", _("Started by the station")
    SCHEDULE = "schedule", _("Scheduled visit or inspection")
    WARNING = "warning", _("Warning rule")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class EscalationLevel(models.IntegerChoices):
    DUE_SOON = 0, _("Due soon: reminder to the officer")
    OVERDUE = 1, _("Overdue: the officer")
    STATION = 2, _("Overdue: the station leader")
    BUREAU = 3, _("Overdue: the bureau")
