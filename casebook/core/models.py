"""Organisation: bureau → station → community area; the abstract field groups that several
apps' models share."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import UnitKind
from .validators import validate_plain_name


class BilingualLabel:
    """Configured data with a Chinese and an English name: ``label`` follows the language."""

    label_fields = ("name", "name_en")

    @property
    def label(self) -> str:
        chinese, english = self.label_fields
        wanted = english if (get_language() or "").startswith("en") else chinese
        return getattr(self, wanted) or getattr(self, chinese)


#: Which kind of unit may sit under which parent.
ALLOWED_PARENT = {
    UnitKind.BUREAU: None,
    UnitKind.STATION: UnitKind.BUREAU,
    UnitKind.AREA: UnitKind.STATION,
}


class Unit(models.Model):
    """An organisational unit: a bureau (公安局), a police station (派出所) or a community area.

    Data are scoped by station: every station-scoped record points at a unit of kind station.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_name])
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short unique code, e.g. the station's organisation code."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to use the system's time zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def station(self) -> "Unit | None":
        """The station this unit belongs to (itself for a station, the parent for an area)."""
        if self.kind == UnitKind.STATION:
            return self
        if self.kind == UnitKind.AREA:
            return self.parent
        return None

    @property
    def bureau(self) -> "Unit | None":
        unit: Unit | None = self
        while unit is not None and unit.kind != UnitKind.BUREAU:
            unit = unit.parent
        return unit

    def path(self) -> str:
        parts, unit = [], self
        while unit is not None:
            parts.append(unit.name)
            unit = unit.parent
        return " / ".join(reversed(parts))


class Heartbeat(models.Model):
    """When a background service (the job worker, the scheduler) last completed a round: one
    row per service, shared by every copy of it. ``/healthz`` reports a stall from it."""

    service = models.CharField(_("service"), max_length=32, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["service"]

    def __str__(self) -> str:
        return f"{self.service} {self.beat_at:%Y-%m-%d %H:%M:%S}"


# --- abstract field groups ------------------------------------------------------------------
# Only groups that are the same, field for field (type, options, verbose name), in every model
# that uses them: a mixin changes no column and no migration. The fields of a mixin come first
# in the model's ``_meta`` field order; the database columns stay where their migrations put them.


class TimestampMixin(models.Model):
    """When a row was created (settable, for imports and tests) and last saved."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AcknowledgementMixin(models.Model):
    """Who acknowledged a report that awaited a leader, and when; empty until then. The note
    that goes with it differs per report (an instruction, a short note) and stays on the model."""

    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        abstract = True
