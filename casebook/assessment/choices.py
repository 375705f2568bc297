from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SampleKind(models.TextChoices):
    RECORDS = "records", _("Information records")
    VISITS = "visits", _("Field visits")
    TASKS = "tasks", _("Tracking tasks")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCREPANCY = "discrepancy", _("Discrepancy")
    UNVERIFIABLE = "unverifiable", _("Could not verify")


class OpinionKind(models.TextChoices):
    PRAISE = "praise", _("Praise")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")


class OpinionSource(models.TextChoices):
    PUBLIC = "public", _("The public")
    DEPARTMENT = "department", _("Another department")


class OpinionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Assigned")
    ANSWERED = "answered", _("Answered")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCORED = "scored", _("Scored, awaiting the officer")
    OBJECTED = "objected", _("Objection stated")
    CONFIRMED = "confirmed", _("Confirmed")


class MeasureKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    REWARD = "reward", _("Reward")
    CRITICISM = "criticism", _("Criticism and education")
    WARNING = "warning", pgettext_lazy("discipline", "Warning")
    DEMERIT = "demerit", _("Demerit")
    REMOVAL = "removal", _("Removal from post")


#: Discipline (the officer may state their case before a decision); the rest are rewards.
DISCIPLINE = frozenset(
    {MeasureKind.CRITICISM, MeasureKind.WARNING, MeasureKind.DEMERIT, MeasureKind.REMOVAL}
)
#: Measures only the bureau decides.
BUREAU_ONLY = frozenset({MeasureKind.REMOVAL})


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("appraisal", "Proposed")
    STATION_APPROVED = "station_approved", _("Approved by the station, awaiting the bureau")
    DECIDED = "decided", _("Decided")
    REJECTED = "rejected", _("Rejected")
