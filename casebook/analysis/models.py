"""Risk assessment (分析研判): a signed judgement, kept apart from the facts it cites.

Factors are configured per category (risk factors add, protective factors subtract); each rated
factor cites the information records it rests on. The suggested level is computed and explained;
a person confirms or overrides it (with a reason); high and critical need the station leader."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.core.models import BilingualLabel
from casebook.subjects.choices import RiskLevel


class FactorKind(models.TextChoices):
    RISK = "risk", _("Risk factor")
    PROTECTIVE = "protective", _("Protective factor")


class AssessmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the station leader's approval")
    APPROVED = "approved", _("In force")
    REJECTED = "rejected", _("Returned by the station leader")


class RiskFactor(BilingualLabel, models.Model):
    """One factor of a category's assessment scheme, with its weight."""

    category = models.ForeignKey(
        "subjects.Category",
        on_delete=models.CASCADE,
        related_name="risk_factors",
        verbose_name=_("category"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FactorKind.choices)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60)
    description = models.CharField(_("what to look for"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("weight"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["category_id", "kind", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class RiskAssessment(models.Model):
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("subject"),
    )
    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("task"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    score = models.IntegerField(_("score"))
    suggested_level = models.IntegerField(_("suggested level"), choices=RiskLevel.choices)
    explanation = models.TextField(_("explanation"))
    level = models.IntegerField(_("level"), choices=RiskLevel.choices)
    override_reason = models.CharField(_("reason for overriding"), max_length=300, blank=True)
    only_untested = models.BooleanField(_("rests only on untested sources"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.CharField(_("leader's note"), max_length=300, blank=True)
    summary = models.TextField(_("judgement"), blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("analysis:assessment", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} {self.get_level_display()}"


class RatedFactor(models.Model):
    """A factor found present in an assessment, with the records it rests on."""

    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.CASCADE,
        related_name="factors",
        verbose_name=_("assessment"),
    )
    factor = models.ForeignKey(
        RiskFactor, on_delete=models.PROTECT, related_name="+", verbose_name=_("factor")
    )
    weight = models.SmallIntegerField(_("weight applied"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    records = models.ManyToManyField(
        "intel.InformationRecord", related_name="+", verbose_name=_("cited records")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rated factor")
        verbose_name_plural = _("rated factors")
        ordering = ["assessment_id", "-weight", "pk"]

    def __str__(self) -> str:
        return f"{self.factor_id}: {self.weight}"


class Measure(models.Model):
    """A recommended measure (工作建议) that can become a task with one click."""

    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("assessment"),
    )
    text = models.CharField(_("measure"), max_length=200)
    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("recommended measure")
        verbose_name_plural = _("recommended measures")
        ordering = ["assessment_id", "pk"]

    def __str__(self) -> str:
        return self.text

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # never the free text (D6)


class WarningRule(BilingualLabel, models.Model):
    """A configurable warning rule (挖掘潜在问题和风险), evaluated by a background job. The
    condition is code (``rules.py``); the row is one bureau's switch and parameters for it."""

    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name in English"), max_length=80)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "code"], name="warning_rule_code_per_bureau")
        ]

    def __str__(self) -> str:
        return self.label


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    TASKED = "tasked", _("Turned into a task")


class Warning(models.Model):  # noqa: A001 - the domain's word
    """A warning: why it fired, its evidence, and what a person decided about it. The same
    condition (``key``) never warns twice."""

    rule = models.ForeignKey(
        WarningRule, on_delete=models.PROTECT, related_name="warnings", verbose_name=_("rule")
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="warnings",
        verbose_name=_("subject"),
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    key = models.CharField(max_length=120, unique=True, editable=False)
    reason = models.CharField(_("why"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=WarningStatus.choices,
        default=WarningStatus.OPEN,
        db_index=True,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["station", "status"], name="warning_station_status")]

    def __str__(self) -> str:
        return self.reason[:40]
