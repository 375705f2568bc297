"""Named choices of the retention module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    SUBJECTS = "subjects", _("Closed subjects of the categories in this class")
    MONITORING = "monitoring", _("Monitoring events and location trails")


class RestrictionOutcome(models.TextChoices):
    RENEWED = "renewed", _("Renewed")
    CLOSED = "closed", _("Closed")


class HoldKind(models.TextChoices):
    OPEN_CASE = "open_case", _("Open case")
    COMPLAINT = "complaint", _("Complaint")
    LITIGATION = "litigation", _("Litigation")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    DESTROYED = "destroyed", _("Destroyed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApproverRole(models.TextChoices):
    STATION_LEADER = "station_leader", _("Station leader")
    SECURITY_ADMIN = "security_admin", _("Security administrator")


class ItemKind(models.TextChoices):
    SUBJECT = "subject", _("Tracked subject")
    RECORD = "record", _("Monitoring event")
