"""Choices of self-summaries (五(二)4) and supervision (八(二)), with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class SummaryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Read by the leader")


class InspectionTarget(models.TextChoices):
    STATION = "station", _("A station's work")
    SUBJECT = "subject", _("A subject's tracking")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Recorded")


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate")
    NEEDS_WORK = "needs_work", _("Needs improvement")
    POOR = "poor", _("Inadequate")


class RectificationState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed with evidence")


class ComplaintSource(models.TextChoices):
    PUBLIC = "public", _("A member of the public")
    COLLEAGUE = "colleague", _("A colleague or another unit")
    INSPECTION = "inspection", _("Found in an inspection")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Being investigated")
    CLOSED = "closed", _("Closed")


class ComplaintOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    PARTLY = "partly", _("Partly substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("Not substantiated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
