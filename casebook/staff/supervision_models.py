"""Self-summaries (regulation 五(二)4) and supervision (八(二)): an officer's periodic work
summary with the figures of the period, the supervisors' inspections of a station or of a
subject's tracking, their findings and the rectification each one opens, and complaints about
an officer's conduct (read by the assessment module, issue #17).

The summary's figures are computed from the records when it is written and kept with it: the
period's counts cannot be recomputed later (stages move on). A rectification's evidence file is
encrypted under the rectification's own data key; a complaint's complainant and account under
the complaint's.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.crypto.fields import EncryptedTextField

from .supervision_choices import (
    Cadence,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintStatus,
    InspectionStatus,
    InspectionTarget,
    Rating,
    RectificationState,
    SummaryStatus,
)

USER = settings.AUTH_USER_MODEL

__all__ = [
    "Complaint",
    "Finding",
    "Inspection",
    "Rectification",
    "SummaryReminder",
    "SummarySetting",
    "SupervisionReport",
    "WorkSummary",
]


class SummarySetting(models.Model):
    """How often a bureau's officers write their summary (no row: the installation's setting
    ``CASEBOOK_SUMMARY_CADENCE``)."""

    bureau = models.OneToOneField(
        "core.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("bureau")
    )
    cadence = models.CharField(_("summary cadence"), max_length=12, choices=Cadence.choices)
    updated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    updated_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("summary setting")
        verbose_name_plural = _("summary settings")
        ordering = ["bureau_id"]

    def __str__(self) -> str:
        return f"{self.bureau_id}: {self.cadence}"


class WorkSummary(models.Model):
    """An officer's work summary for one period: the figures the records give and the
    officer's own words; the station leader reads it and comments."""

    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="work_summaries", verbose_name=_("officer")
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    figures = models.JSONField(_("figures of the period"), default=dict)
    text = models.TextField(_("summary"))
    status = models.CharField(
        _("status"), max_length=12, choices=SummaryStatus.choices, default=SummaryStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    leader_comment = models.TextField(_("leader's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    reviewed_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("work summary")
        verbose_name_plural = _("work summaries")
        ordering = ["-period_start", "officer_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "cadence", "period_start"], name="summary_once_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="summary_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("staff:summary", args=[self.pk])


class SummaryReminder(models.Model):
    """A reminder sent for an overdue summary: once per officer and period."""

    officer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    period_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("summary reminder")
        verbose_name_plural = _("summary reminders")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "cadence", "period_start"], name="summary_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.period_start}"


class Inspection(models.Model):
    """A supervisor's inspection (督察) of a station's work or of one subject's tracking:
    planned, then recorded with what was checked, the conclusion and a rating."""

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    target = models.CharField(
        _("inspected"), max_length=12, choices=InspectionTarget.choices, default="station"
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    supervisor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("supervisor")
    )
    planned_for = models.DateField(_("planned for"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    scope = models.CharField(_("what is checked"), max_length=300)
    checked = models.TextField(_("what was checked"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    conducted_on = models.DateField(_("inspected on"), null=True, blank=True)
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_for", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target="station", subject__isnull=True)
                | models.Q(target="subject", subject__isnull=False),
                name="inspection_target_subject",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.planned_for:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("staff:inspection", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} · {self.station_id}"


class Finding(models.Model):
    """What an inspection found wrong; each finding opens one rectification."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("inspection")
    )
    text = models.TextField(_("finding"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection_id", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Rectification(models.Model):
    """The rectification a finding opens (整改): an owner, a deadline, and closure only with
    evidence (text, and optionally a PDF or image, encrypted)."""

    finding = models.OneToOneField(
        Finding, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("finding")
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible")
    )
    deadline = models.DateField(_("rectify by"))
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
        db_index=True,
    )
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.BinaryField(_("evidence file"), null=True, blank=True, editable=False)
    evidence_name = models.CharField(_("file name"), max_length=100, blank=True)
    evidence_type = models.CharField(_("file type"), max_length=40, blank=True)
    data_key = models.ForeignKey(
        "crypto.DataKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("data key"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["state", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open") | ~models.Q(evidence=""),
                name="rectification_closed_with_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.deadline:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("staff:rectification", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.state == RectificationState.OPEN and self.deadline < timezone.localdate()


class Complaint(models.Model):
    """A complaint about an officer's conduct, registered and followed to an outcome. Who made
    it and what they said are encrypted under the complaint's own data key; the assessment
    module reads the officer, the dates, the status and the outcome."""

    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("officer")
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=12, choices=ComplaintSource.choices)
    complainant = EncryptedTextField(_("complainant"), blank=True)
    account = EncryptedTextField(_("what happened"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ComplaintOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome and measures"), blank=True)
    registered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", verbose_name=_("data key")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="complaint_closed_with_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.received_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("staff:complaint", args=[self.pk])

    def get_data_key(self):
        return self.data_key

    def audit_repr(self) -> str:
        return f"#{self.pk}"


class SupervisionReport(models.Model):
    """A station's quarterly training and supervision summary as issued (PDF or Excel): its
    digest lets ``verify_export`` recognise the file."""

    reference = models.CharField(_("reference"), max_length=40)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    fmt = models.CharField(_("format"), max_length=4)
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    algorithm = models.CharField(_("digest algorithm"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("supervision report")
        verbose_name_plural = _("supervision reports")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.reference
