"""Retention: review and expiry of subjects, certified destruction, legal holds (issue #14).

* :class:`RetentionClass` — how long closed subjects of a category (by ``Category.
  retention_class``) and monitoring events are kept after they end; configured per class.
* :class:`ReviewNotice` / :class:`Restriction` — an overdue review is announced once, and after
  the grace period the subject is restricted until a leader renews or closes it.
* :class:`RetentionClock` — when a closed subject's retention ends.
* :class:`LegalHold` — an open case, a complaint or a litigation flag: nothing held is destroyed.
* :class:`DestructionProposal` and its :class:`DestructionApproval` rows — two people (the
  station leader and the security administrator) approve; then the rows, files and data keys
  go, a :class:`Tombstone` per item and one sealed :class:`DestructionCertificate` stay.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import AccessPaths, ObjectScope
from casebook.access.querysets import RestrictedManager
from casebook.core.models import BilingualLabel

from .choices import (
    ApproverRole,
    DataScope,
    HoldKind,
    ItemKind,
    ProposalStatus,
    RestrictionOutcome,
)

USER = settings.AUTH_USER_MODEL


class StationScoped:
    """A row of one station, reached through that station (``ScopeRule``)."""

    def access_scope(self) -> ObjectScope:
        return ObjectScope(station_id=self.station_id)


class RetentionClass(BilingualLabel, models.Model):
    """A retention class and its period, configured by the security administrator of one
    bureau. Subject classes are named by ``Category.retention_class`` (a code, resolved within
    the category's bureau); the monitoring class applies to the monitoring events (video and
    geofence records, the points of location trails) of the bureau's stations. ``bureau`` empty:
    the shipped classes of a fresh installation, not yet taken by its first bureau."""

    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60)
    scope = models.CharField(_("applies to"), max_length=16, choices=DataScope.choices)
    days = models.PositiveIntegerField(_("kept for (days)"))

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("retention class")
        verbose_name_plural = _("retention classes")
        ordering = ["days", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "code"], name="retention_class_code_per_bureau"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ReviewNotice(models.Model):
    """The announcement that a subject's review date has passed: once per review date."""

    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="+", verbose_name=_("subject")
    )
    review_due = models.DateField(_("review due"))
    notified_at = models.DateTimeField(_("notified at"), default=timezone.now)

    class Meta:
        verbose_name = _("review notice")
        verbose_name_plural = _("review notices")
        ordering = ["-notified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "review_due"], name="review_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.review_due}"


class Restriction(StationScoped, models.Model):
    """A subject restricted because its review is overdue beyond the grace period, and how the
    restriction ended (renewed with a reason, or closed)."""

    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="restrictions",
        verbose_name=_("subject"),
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    review_due = models.DateField(_("review was due"))
    previous_status = models.CharField(_("status before"), max_length=16)
    restricted_at = models.DateTimeField(_("restricted at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=RestrictionOutcome.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    access_paths = AccessPaths(station="station")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        ordering = ["-restricted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(lifted_at__isnull=True),
                name="restriction_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.restricted_at:%Y-%m-%d}"


class RetentionClock(models.Model):
    """A closed subject's retention: from the day it was closed, for its class's period."""

    subject = models.OneToOneField(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="retention_clock",
        verbose_name=_("subject"),
    )
    retention_class = models.CharField(_("retention class"), max_length=16)
    closed_on = models.DateField(_("closed on"))
    retain_until = models.DateField(_("kept until"), db_index=True)

    class Meta:
        verbose_name = _("retention clock")
        verbose_name_plural = _("retention clocks")
        ordering = ["retain_until", "pk"]

    def __str__(self) -> str:
        return f"{self.subject_id} → {self.retain_until}"


class LegalHold(StationScoped, models.Model):
    """A reason the law gives to keep a subject's data whatever its retention: an open case,
    a complaint, a litigation. While a hold is in place nothing of the subject is destroyed."""

    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="legal_holds",
        verbose_name=_("subject"),
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HoldKind.choices)
    reference = models.CharField(
        _("reference"), max_length=200, help_text=_("Case number, complaint or court file.")
    )
    placed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    released_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.CharField(_("reason for release"), max_length=300, blank=True)

    access_paths = AccessPaths(station="station")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class DestructionProposal(StationScoped, models.Model):
    """What reached the end of its retention at one station, in one retention class, proposed
    by the scheduled job. ``items`` lists ``{"kind": …, "id": …}`` only: no personal data."""

    reference = models.CharField(_("reference"), max_length=48, unique=True)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    retention_class = models.CharField(_("retention class"), max_length=16)
    items = models.JSONField(_("items"), default=list)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    access_paths = AccessPaths(station="station")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("destruction proposal")
        verbose_name_plural = _("destruction proposals")
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("retention:proposal", args=[self.pk])

    def audit_repr(self) -> str:
        return self.reference

    def ids_of(self, kind: str) -> list[int]:
        return sorted(int(i["id"]) for i in self.items if i["kind"] == kind)


class DestructionApproval(models.Model):
    """One of the two approvals a destruction needs (different people, different roles)."""

    proposal = models.ForeignKey(
        DestructionProposal,
        on_delete=models.CASCADE,
        related_name="approvals",
        verbose_name=_("proposal"),
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    role = models.CharField(_("as"), max_length=16, choices=ApproverRole.choices)
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)

    class Meta:
        verbose_name = _("destruction approval")
        verbose_name_plural = _("destruction approvals")
        ordering = ["approved_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="destruction_once_per_user"),
            models.UniqueConstraint(fields=["proposal", "role"], name="destruction_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.role}"


class DestructionCertificate(StationScoped, models.Model):
    """The sealed PDF that certifies a destruction: class of data, how many items, approvers,
    method, key ids destroyed and the digest of the list — never the personal data."""

    proposal = models.OneToOneField(
        DestructionProposal,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("proposal"),
    )
    reference = models.CharField(_("certificate number"), max_length=48, unique=True)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    item_count = models.PositiveIntegerField(_("items"))
    key_ids = models.JSONField(_("data keys destroyed"), default=list)
    list_digest = models.CharField(_("digest of the list"), max_length=64)
    method = models.CharField(_("method"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    content = models.BinaryField(_("file"), editable=False)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    size = models.PositiveIntegerField(_("size"), default=0)
    algorithm = models.CharField(_("digest algorithm"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, db_index=True)

    access_paths = AccessPaths(station="station")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("destruction certificate")
        verbose_name_plural = _("destruction certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def audit_repr(self) -> str:
        return self.reference


class Tombstone(models.Model):
    """What remains of a destroyed item: its kind, its former id, its class and the
    certificate — no name, no content."""

    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    object_id = models.PositiveBigIntegerField(_("former id"))
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    retention_class = models.CharField(_("retention class"), max_length=16)
    category_code = models.CharField(_("category"), max_length=40, blank=True)
    certificate = models.ForeignKey(
        DestructionCertificate,
        on_delete=models.PROTECT,
        related_name="tombstones",
        verbose_name=_("certificate"),
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), default=timezone.now)

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        ordering = ["-destroyed_at", "kind", "object_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="tombstone_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class RegisterExport(models.Model):
    """A sealed Excel copy of the processing register, as issued: its digest lets
    ``verify_export`` recognise the file (registered with ``reports.selectors``)."""

    reference = models.CharField(_("reference"), max_length=40)
    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    algorithm = models.CharField(_("digest algorithm"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("processing register export")
        verbose_name_plural = _("processing register exports")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.reference
