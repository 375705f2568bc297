"""Technical monitoring (article 三(三)): the systems that push events to Casebook and the events
they pushed.

* :class:`Source` — a sending system of a station (video analytics platform, geofence system,
  position feed), registered by the bureau's system administrator, with its secrets
  (:class:`SourceSecret`, encrypted, rotatable with an overlap) and the networks it may send from.
* :class:`Event` — an event kept from a batch: a video-analytics alert or a geofence crossing
  (sent by the source or computed from raw positions, which are never stored). Personal data
  with the shortest retention of the system: unpromoted events are deleted after
  ``CASEBOOK_MONITORING_RETENTION_DAYS`` (``tasks.purge_events``).
* :class:`Delivery` — one accepted signed batch: its message id and the answer given, so that a
  retry of the same message gets the same answer; also the per-batch aggregate record (ingestion
  writes no audit event per event or per batch).
* :class:`RefusalCount` — refused requests per source and reason (shown on the source page).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.crypto.fields import EncryptedTextField

from .choices import EventKind, Refusal, SourceFormat, SourceKind


class Source(models.Model):
    """A system that sends monitoring events for a station."""

    station = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        related_name="monitoring_sources",
        verbose_name=_("station"),
    )
    code = models.SlugField(
        _("address code"),
        max_length=40,
        unique=True,
        help_text=_("The source's part of the ingestion address /api/v1/monitoring/<code>/events."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    format = models.CharField(_("format"), max_length=20, choices=SourceFormat.choices)
    allowed_networks = models.TextField(
        _("allowed addresses"),
        blank=True,
        help_text=_("Addresses or networks (CIDR) the source may send from, one a line."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", verbose_name=_("data key")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("monitoring source")
        verbose_name_plural = _("monitoring sources")
        ordering = ["station_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="monitoring_source_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_data_key(self):
        return self.data_key

    @property
    def networks(self) -> list[str]:
        return [line.strip() for line in self.allowed_networks.splitlines() if line.strip()]


class SourceSecret(models.Model):
    """A signing secret (Casebook format) or token (Traccar format) of a source. A rotated-out
    secret stays valid until ``expires_at`` (the overlap window); the current one has none."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="secrets", verbose_name=_("source")
    )
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("source secret")
        verbose_name_plural = _("source secrets")
        ordering = ["source_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"

    def get_data_key(self):
        return self.source.data_key


class Event(models.Model):
    """A stored monitoring event: a video-analytics alert or a geofence crossing."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="events", verbose_name=_("source")
    )
    external_id = models.CharField(_("event id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    device_id = models.CharField(_("camera or device"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    fence_ref = models.CharField(_("fence"), max_length=100, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    #: the request that stored it (tells stored from duplicate within one insert)
    batch = models.CharField(max_length=32, editable=False)
    #: set by triage when the event became part of a promoted alert: kept beyond retention
    promoted = models.BooleanField(_("promoted"), default=False)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="monitoring_event_once")
        ]
        indexes = [
            models.Index(fields=["source", "batch"], name="monitoring_event_batch"),
            models.Index(fields=["promoted", "received_at"], name="monitoring_event_retention"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.device_id} {self.external_id}"


class Delivery(models.Model):
    """One accepted batch (a Standard Webhooks message) and the answer given to it."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("source")
    )
    message_id = models.CharField(_("message id"), max_length=200)
    body_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    answer = models.JSONField(default=dict)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "message_id"], name="monitoring_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["received_at"], name="monitoring_delivery_age")]

    def __str__(self) -> str:
        return f"{self.source} {self.message_id}"


class RefusalCount(models.Model):
    """How many requests of a source were refused, by reason."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="refusals", verbose_name=_("source")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Refusal.choices)
    count = models.PositiveIntegerField(_("count"), default=0)
    last_at = models.DateTimeField(_("last"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("refusal count")
        verbose_name_plural = _("refusal counts")
        ordering = ["source_id", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reason"], name="monitoring_refusal_once")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.reason}: {self.count}"


from .geo_models import Alert, AlertEvent, Binding, FenceState, Geofence  # noqa: E402, F401 - part B (geofences, alerts)
