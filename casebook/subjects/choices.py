"""Named choices of tracked subjects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERSON = "person", _("Key person")
    PLACE = "place", _("Key place")
    INCIDENT = "incident", _("Emergency incident")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    # review overdue beyond the grace period: only the station leader (and, through the
    # retention page, the audit administrator) reads it, no new tasks, until renewed or closed
    RESTRICTED = "restricted", _("Restricted (review overdue)")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.IntegerChoices):
    NONE = 0, _("Not assessed")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class RetentionClass(models.TextChoices):
    SHORT = "short", _("Short (1 year after closing)")
    STANDARD = "standard", _("Standard (5 years after closing)")
    LONG = "long", _("Long (10 years after closing)")


class Sex(models.TextChoices):
    """GB/T 2261.1-2003."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNSPECIFIED = "9", _("Not stated")


class DataSubjectCategory(models.TextChoices):
    """SECURITY.md D4 / LED Art. 6."""

    SUSPECT = "suspect", _("Suspect")
    CONVICTED = "convicted", _("Convicted person")
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    # no "informant": an informant exists only in the protected register (intel.Informant)
    CONTACT = "contact", _("Contact or associate")


class SupervisionStatus(models.TextChoices):
    NONE = "none", _("Not under supervision")
    COMMUNITY_CORRECTION = "community_correction", _("Community correction")
    PAROLE = "parole", _("Parole")
    PROBATION = "probation", _("Suspended sentence")
    RELEASED = "released", _("Released, sentence served")


class RehabType(models.TextChoices):
    COMMUNITY = "community", _("Community drug rehabilitation")
    COMPULSORY = "compulsory", _("Compulsory isolated rehabilitation")
    COMMUNITY_RECOVERY = "recovery", _("Community recovery")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    REFUSED = "refused", _("Refused")


class IncidentStatus(models.TextChoices):
    EMERGING = "emerging", _("Emerging")
    ONGOING = "ongoing", _("Ongoing")
    CONTAINED = "contained", _("Contained")
    CLOSED = "closed", _("Closed")


class AssociationType(models.TextChoices):
    ASSOCIATE = "associate", _("Associate")
    FAMILY = "family", _("Family")
    CO_OFFENDER = "co_offender", _("Co-offender")
    OPERATOR_OF = "operator_of", _("Operator of")
    PARTICIPANT_IN = "participant_in", _("Participant in")
    FREQUENTS = "frequents", _("Frequents")
    INVOLVED_IN = "involved_in", _("Place involved in")


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class IdentifierKind(models.TextChoices):
    ID_NUMBER = "id_number", _("Resident ID number")
    PHONE = "phone", _("Phone number")
    LICENCE = "licence", _("Licence number")


class ChangeStatus(models.TextChoices):
    """A category change awaiting a bureau leader's approval (spec: categories are signed off)."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a later change")
