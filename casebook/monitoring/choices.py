from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """What a sending system is."""

    VIDEO = "video", _("Video analytics")
    GEOFENCE = "geofence", _("Geofence system")
    POSITION = "position", _("Position feed")


class SourceFormat(models.TextChoices):
    """The payload a source sends (docs/operations.md, "Technical monitoring sources")."""

    CASEBOOK = "casebook", _("Casebook JSON (signed batches)")
    TRACCAR = "traccar", _("Traccar event forwarding")


class EventKind(models.TextChoices):
    VIDEO_ALERT = "video_alert", _("Video analytics alert")
    GEOFENCE_ENTER = "geofence_enter", _("Geofence entered")
    GEOFENCE_EXIT = "geofence_exit", _("Geofence left")
    POSITION = "position", _("Position")


class Refusal(models.TextChoices):
    """Why a request of a known source was refused (counted per source)."""

    SIGNATURE_MISSING = "signature_missing", _("Signature missing")
    SIGNATURE_INVALID = "signature_invalid", _("Wrong signature")
    TIMESTAMP = "timestamp", _("Timestamp outside the tolerance")
    REPLAY = "replay", _("Message id reused for another batch")
    TOKEN_INVALID = "token_invalid", _("Wrong or missing token")
    ADDRESS = "address", _("Address not allowed")
    DISABLED = "disabled", _("Source disabled")
    TOO_LARGE = "too_large", _("Batch too large")
    MALFORMED = "malformed", _("Malformed JSON")
    INVALID = "invalid", _("Invalid events")
    BUSY = "busy", _("Over capacity")
