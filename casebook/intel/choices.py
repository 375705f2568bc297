"""Choices of information records: method, channel, grading (source × information × handling),
verification; field visits; public tips."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    FIELD_VISIT = "field_visit", _("Field visit")
    COLLECTION = "collection", _("Information collection")
    TECHNICAL = "technical", _("Technical monitoring")
    ANALYSIS = "analysis", _("Data analysis")


class Channel(models.TextChoices):
    COMMUNITY_POLICE = "community_police", _("Community police")
    INFORMANT = "informant", _("Informant")
    PUBLIC_TIP = "public_tip", _("Public tip")
    VIDEO = "video", _("Video surveillance")
    GEOFENCE = "geofence", _("Electronic geofence")
    DEPARTMENT = "department", _("Another department")
    OWN = "own", _("Own observation")


class SourceEvaluation(models.TextChoices):
    """How reliable the source is (the letter of the grade)."""

    RELIABLE = "A", _("A — reliable")
    UNTESTED = "B", _("B — untested")
    NOT_RELIABLE = "C", _("C — not reliable")


class InfoAssessment(models.TextChoices):
    """How the information is known (the digit of the grade)."""

    DIRECT = "1", _("1 — known directly to the source")
    CORROBORATED = "2", _("2 — known indirectly, corroborated")
    INDIRECT = "3", _("3 — known indirectly")
    NOT_KNOWN = "4", _("4 — not known")
    SUSPECTED_FALSE = "5", _("5 — suspected false")


class Handling(models.TextChoices):
    SHAREABLE = "P", _("May be shared")
    CONDITIONS = "C", _("Shared only under conditions")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    CORROBORATED = "corroborated", _("Corroborated")
    VERIFIED = "verified", _("Verified")
    REFUTED = "refuted", _("Refuted")


#: Verification states that count as settled (去伪存真 done for the record).
SETTLED = (Verification.CORROBORATED, Verification.VERIFIED, Verification.REFUTED)


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Rectified")


class TipStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    HANDLING = "handling", _("Being handled")
    CLOSED = "closed", _("Closed")
