"""Geofences, bindings, crossing state and alerts of the monitoring app (issue #15, part B).

* :class:`Geofence` — an area drawn on the map or imported as GeoJSON, around a key place or on
  its own, with its legal basis, owner station, validity period and the devices or subjects it
  applies to. Raw positions are matched against the fences in force (``matching.py``); only the
  crossings are stored (as events), never the positions.
* :class:`Binding` — a camera or a device bound to a place or a subject, only with a legal basis
  and an end date; an expired or revoked binding stops matching.
* :class:`FenceState` — the last known inside/outside state of one device for one fence, so that
  inside→inside is no crossing.
* :class:`Alert` — one or more events of the same device/camera and fence within the collapse
  window, in front of an officer: acknowledged, dismissed with a reason, promoted to an
  information record, or raised as an urgent report. :class:`AlertEvent` links it to its events.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.access.policy import ObjectScope
from casebook.access.querysets import RestrictedManager

USER = settings.AUTH_USER_MODEL


class FenceKind(models.TextChoices):
    PLACE = "place", _("Around a key place")
    AREA = "area", _("Area")


class BindingKind(models.TextChoices):
    CAMERA = "camera", _("Camera")
    DEVICE = "device", _("Positioning device")


class AlertKind(models.TextChoices):
    VIDEO = "video", _("Video analytics")
    GEOFENCE = "geofence", _("Geofence")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("monitoring alert", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("monitoring alert", "Acknowledged")
    DISMISSED = "dismissed", pgettext_lazy("monitoring alert", "Dismissed")
    PROMOTED = "promoted", _("Promoted to a record")
    ESCALATED = "escalated", _("Urgent report raised")


#: Statuses still in front of an officer (a new event of the same key joins such an alert).
LIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class StationScoped:
    def access_scope(self) -> ObjectScope:
        return ObjectScope(station_id=self.station_id)


class Geofence(StationScoped, models.Model):
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="geofences", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=FenceKind.choices)
    place = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="geofences",
        verbose_name=_("key place"),
    )
    #: A GeoJSON geometry (Polygon or MultiPolygon), WGS-84 [longitude, latitude], validated by
    #: ``geo.parse_geometry`` before it is saved.
    geometry = models.JSONField(_("area"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    #: Camera/device ids (at the sender) the fence applies to, besides the bound devices of
    #: ``subjects``. Neither given: every device bound at the station.
    device_ids = models.JSONField(_("devices"), default=list, blank=True)
    subjects = models.ManyToManyField(
        "subjects.Subject", blank=True, related_name="+", verbose_name=_("subjects")
    )
    #: The fence's id in an external geofence system (Traccar's geofenceId), for its crossings.
    external_ref = models.CharField(_("id in the geofence system"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("geofence")
        verbose_name_plural = _("geofences")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["station", "is_active", "valid_until"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:fence", args=[self.pk])

    def in_force(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_active and self.valid_from <= at <= self.valid_until


class Binding(StationScoped, models.Model):
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=BindingKind.choices)
    #: The sending system (``None``: the device id at any source of the station).
    source = models.ForeignKey(
        "monitoring.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    device_id = models.CharField(_("camera or device id"), max_length=100)
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.PROTECT,
        related_name="monitoring_bindings",
        verbose_name=_("place or subject"),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("binding")
        verbose_name_plural = _("bindings")
        ordering = ["-ends_on", "pk"]
        indexes = [models.Index(fields=["station", "device_id"])]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.subject_id}"

    def in_force(self, at=None) -> bool:
        day = timezone.localdate(at or timezone.now())
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class FenceState(models.Model):
    """Last known state of one device for one fence (positions themselves are never stored)."""

    fence = models.ForeignKey(Geofence, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("monitoring.Source", on_delete=models.CASCADE, related_name="+")
    device_id = models.CharField(max_length=100)
    inside = models.BooleanField()
    at = models.DateTimeField()

    objects = RestrictedManager()  # read through its fence's rule (geo_access)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fence", "source", "device_id"], name="monitoring_fencestate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {'in' if self.inside else 'out'} {self.fence_id}"


class Alert(StationScoped, models.Model):
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    source = models.ForeignKey(
        "monitoring.Source",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=AlertKind.choices)
    device_id = models.CharField(_("camera or device id"), max_length=100)
    fence = models.ForeignKey(
        Geofence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("geofence"),
    )
    #: ``None``: no binding in force for the device — the alert waits in the triage queue.
    binding = models.ForeignKey(
        Binding, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_alerts",
        verbose_name=_("subject"),
    )
    label = models.CharField(_("what"), max_length=200, blank=True)
    first_at = models.DateTimeField(_("first"))
    last_at = models.DateTimeField(_("last"), db_index=True)
    count = models.PositiveIntegerField(_("events"), default=0)
    entered = models.PositiveIntegerField(default=0)
    exited = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    handled_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    record = models.ForeignKey(
        "intel.InformationRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("information record"),
    )
    #: The urgent report raised from the alert (reports sits above monitoring: its id only).
    urgent_report_id = models.PositiveBigIntegerField(null=True, blank=True)
    events = models.ManyToManyField("monitoring.Event", through="AlertEvent", related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        ordering = ["-last_at", "-pk"]
        indexes = [
            models.Index(fields=["station", "status", "last_at"]),
            models.Index(fields=["source", "device_id", "kind", "last_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label or self.device_id}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:alert", args=[self.pk])

    @property
    def unbound(self) -> bool:
        return self.binding_id is None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="links")
    event = models.ForeignKey("monitoring.Event", on_delete=models.CASCADE, related_name="+")

    objects = RestrictedManager()  # read through its alert's rule (geo_access)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "event"], name="monitoring_alertevent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.event_id}"
