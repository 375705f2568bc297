"""Feedback to leadership, urgent reports with their deliveries and the duty roster, exports of
the tracking-record archive, and the periodic station reports (regulation article 四(五)(六))."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import AccessPaths, ObjectScope
from casebook.access.querysets import RestrictedManager, RestrictedQuerySet
from casebook.core.models import AcknowledgementMixin
from casebook.crypto.fields import EncryptedTextField
from casebook.crypto.services import system_data_key

from .choices import (
    Channel,
    DeliveryStatus,
    DutyPost,
    ExportFormat,
    ExportKind,
    ExportStatus,
    FeedbackStatus,
    Period,
    UrgentLevel,
    UrgentStatus,
)

USER = settings.AUTH_USER_MODEL


class FeedbackReport(AcknowledgementMixin, models.Model):
    """结果反馈: what the analysis of a task found, reported to the station leader and named
    departments. The leader reads it (receipts) and acknowledges it with an instruction (批示)."""

    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("task"),
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    author = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    summary = models.TextField(_("summary"))
    findings = models.TextField(_("findings"))
    assessments = models.ManyToManyField(
        "analysis.RiskAssessment", blank=True, related_name="+", verbose_name=_("assessments")
    )
    recommendations = models.TextField(_("recommendations"))
    departments = models.CharField(_("copied to departments"), max_length=200, blank=True)
    #: the departments copied, from the bureau's partner register (``departments`` keeps the
    #: free text of reports written before the register existed)
    partners = models.ManyToManyField(
        "partners.PartnerUnit",
        blank=True,
        related_name="feedback_reports",
        verbose_name=_("copied to partner departments"),
    )
    recipients = models.ManyToManyField(
        USER, through="FeedbackReceipt", related_name="+", verbose_name=_("recipients")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.SUBMITTED,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    instruction = models.TextField(_("leader's instruction"), blank=True)
    follow_ups = models.ManyToManyField(
        "tracking.Task", blank=True, related_name="+", verbose_name=_("tasks from the instruction")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("feedback report")
        verbose_name_plural = _("feedback reports")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.task.title}"

    def get_absolute_url(self) -> str:
        return reverse("reports:feedback", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} · {self.task.audit_repr()}"[:200]  # never the task's title (D6)


class FeedbackReceipt(models.Model):
    """A recipient of a feedback report, and when they first read it."""

    report = models.ForeignKey(
        FeedbackReport, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("report")
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["report", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="feedback_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.user}"


class DutyShift(models.Model):
    """One line of the duty roster (值班表): who is on duty for a station or the bureau."""

    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("on duty")
    )
    post = models.CharField(
        _("post"), max_length=8, choices=DutyPost.choices, default=DutyPost.LEADER
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["unit", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_shift_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.user} {self.starts_at:%Y-%m-%d %H:%M}"


class _UrgentReportQuerySet(RestrictedQuerySet):
    def select_for_update(self, *args, **kwargs):
        # PostgreSQL cannot lock the nullable side of the outer join to the subject
        return super().select_for_update(*args, **kwargs).select_related(None)


class _UrgentReportManager(models.Manager.from_queryset(_UrgentReportQuerySet)):
    """Fetches the subject's data key with each report (the text decrypts with it)."""

    def get_queryset(self):
        return super().get_queryset().select_related("subject__data_key")


class UrgentReport(AcknowledgementMixin, models.Model):
    """立即报告: something that cannot wait, sent to the on-duty leaders at once. Unless someone
    acknowledges it in time it climbs the chain (station leaders, then the bureau)."""

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    author = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="urgent_reports",
        verbose_name=_("subject"),
    )
    record = models.ForeignKey(
        "intel.InformationRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("information record"),
    )
    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="urgent_reports",
        verbose_name=_("task"),
    )
    # sensitive (PIPL art. 28): encrypted with the subject's data key, or the system key
    # "urgent-reports" when the report concerns no subject
    text = EncryptedTextField(_("what happened"))
    place = EncryptedTextField(_("where"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    level = models.IntegerField(
        _("reached"), choices=UrgentLevel.choices, default=UrgentLevel.ON_DUTY
    )
    ack_due_at = models.DateTimeField(_("acknowledge by"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=UrgentStatus.choices,
        default=UrgentStatus.OPEN,
        db_index=True,
    )
    ack_note = models.CharField(_("instruction on acknowledging"), max_length=300, blank=True)

    objects = _UrgentReportManager()

    class Meta:
        verbose_name = _("urgent report")
        verbose_name_plural = _("urgent reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {(self.text or '')[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("reports:urgent", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # never the text (SECURITY.md L2): it is sensitive

    def get_data_key(self):
        if self.subject_id:
            return self.subject.data_key

        return system_data_key("urgent-reports")


class Delivery(models.Model):
    """One message of an urgent report to one person over one channel: an outbox row written
    with the report, sent by the worker, retried with back-off until it goes through."""

    report = models.ForeignKey(
        UrgentReport, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("report")
    )
    recipient = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    level = models.IntegerField(_("step"), choices=UrgentLevel.choices)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient", "channel", "level"], name="delivery_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.channel} → {self.recipient}"


class Export(models.Model):
    """A document that left the system: who, why, what, when, and its digest. The row stays
    for ever (``verify_export`` looks it up); the file itself is kept encrypted for a while."""

    reference = models.CharField(_("export number"), max_length=48, unique=True)
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="exports", verbose_name=_("exported by")
    )
    kind = models.CharField(_("what"), max_length=8, choices=ExportKind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    record = models.ForeignKey(
        "intel.InformationRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("information record"),
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    marking = models.CharField(_("marking"), max_length=20)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    withheld = models.JSONField(_("withheld records"), default=list, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    content = models.BinaryField(_("file"), null=True, editable=False)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    size = models.PositiveIntegerField(_("size"), default=0)
    algorithm = models.CharField(_("digest algorithm"), max_length=8, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True, db_index=True)
    # Encrypted for the recipient (issue #14 item 5): the file above stays the signed original;
    # the last transport copy made from it (encrypted with a one-time password nobody keeps)
    # is kept here, encrypted at rest like the original, and is what a download hands out.
    for_recipient = models.BooleanField(_("encrypted for the recipient"), default=False)
    transport = models.BinaryField(_("transport copy"), null=True, editable=False)
    transport_algorithm = models.CharField(_("transport encryption"), max_length=24, blank=True)
    transport_digest = models.CharField(
        _("transport copy digest"), max_length=64, blank=True, db_index=True
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("reports:export", args=[self.pk])

    def audit_repr(self) -> str:
        return self.reference  # the title may carry a subject's name (D6)

    @property
    def filename(self) -> str:
        return f"{self.reference}.{self.fmt}"


class PeriodicReport(models.Model):
    """A weekly or monthly station report (counts, changes, overdue work, highlights), made by
    a background job as a sealed PDF and kept."""

    access_paths = AccessPaths(station="station")

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reference = models.CharField(_("report number"), max_length=48, unique=True)
    figures = models.JSONField(_("figures"), default=dict)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    content = models.BinaryField(_("file"), editable=False)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    size = models.PositiveIntegerField(_("size"), default=0)
    algorithm = models.CharField(_("digest algorithm"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, db_index=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-starts_on", "station__code", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "period", "starts_on"], name="periodic_report_once"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def access_scope(self) -> ObjectScope:
        return ObjectScope(station_id=self.station_id)

    def audit_repr(self) -> str:
        return self.reference

    @property
    def filename(self) -> str:
        return f"{self.reference}.pdf"
