"""Work assessment (article 六).

* :class:`FigureSnapshot` — one figure of one officer (or of the whole station when ``officer``
  is empty) for one quarter, computed from the records by a background job (``figures.py``).
* :class:`SpotCheck` / :class:`SpotCheckItem` — a reproducible random sample (seed and
  population stored), stratified by officer, and the check of each item.
* :class:`Opinion` — praise, a suggestion or a complaint about the station's work, from the
  public page or another department, triaged to an officer or unit and answered.
* :class:`Assessment` — an officer's quarterly assessment: draft, score, objection, confirmation.
* :class:`Measure` — a reward or discipline proposal and its approval chain.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.access.policy import ObjectScope
from casebook.access.querysets import RestrictedManager
from casebook.crypto.fields import EncryptedTextField

from .choices import (
    AssessmentStatus,
    CheckResult,
    MeasureKind,
    MeasureStatus,
    OpinionKind,
    OpinionSource,
    OpinionStatus,
    SampleKind,
)

USER = settings.AUTH_USER_MODEL


class StationScoped:
    def access_scope(self) -> ObjectScope:
        return ObjectScope(station_id=self.station_id)


class FigureSnapshot(models.Model):
    station = models.ForeignKey(
        "core.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("station")
    )
    officer = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    period = models.CharField(_("period"), max_length=6, db_index=True)
    code = models.CharField(_("figure"), max_length=24)
    numerator = models.PositiveIntegerField(_("counted"))
    denominator = models.PositiveIntegerField(_("out of"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["station_id", "officer_id", "code"]
        indexes = [models.Index(fields=["period", "station"], name="figure_period_station_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.code} {self.numerator}/{self.denominator}"

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


class SpotCheck(StationScoped, models.Model):
    """A random sample drawn for one station, one quarter and one kind of item."""

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    period = models.CharField(_("period"), max_length=6)
    kind = models.CharField(_("what is sampled"), max_length=8, choices=SampleKind.choices)
    size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField(_("seed"))
    #: [[item id, officer id], ...] in the order the population was read (by id)
    population = models.JSONField(_("population"), default=list)
    drawn_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by")
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:spotcheck", args=[self.pk])


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.CASCADE, related_name="items", verbose_name=_("spot check")
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    result = models.CharField(
        pgettext_lazy("appraisal", "result"),
        max_length=12,
        choices=CheckResult.choices,
        default=CheckResult.PENDING,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        ordering = ["spot_check_id", "officer_id", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "object_id"], name="spot_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id}:{self.object_id}"


class Opinion(StationScoped, models.Model):
    """An opinion about the station's work (六(二)3)."""

    reference = models.CharField(_("reference code"), max_length=16, unique=True)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OpinionKind.choices)
    source = models.CharField(
        _("source of the opinion"),
        max_length=10,
        choices=OpinionSource.choices,
        default=OpinionSource.PUBLIC,
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    # what the public writes may name people: encrypted, stored as text, shown escaped
    text = EncryptedTextField(_("opinion"))
    contact = EncryptedTextField(_("contact"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OpinionStatus.choices,
        default=OpinionStatus.RECEIVED,
        db_index=True,
    )
    officer = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerns officer"),
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerns unit"),
    )
    triaged_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    source_hash = models.CharField(max_length=32, editable=False, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("assessment:opinion", args=[self.pk])

    def audit_repr(self) -> str:
        return self.reference

    def get_data_key(self):
        return self.data_key


class Assessment(StationScoped, models.Model):
    """An officer's quarterly assessment (考核)."""

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    period = models.CharField(_("period"), max_length=6)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        db_index=True,
    )
    #: the figures, findings and opinion counts the draft was made from: {code: [num, den]}
    basis = models.JSONField(_("basis"), default=dict)
    grade = models.CharField(pgettext_lazy("appraisal", "grade"), max_length=16, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    scored_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scored by"),
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read by the officer at"), null=True, blank=True)
    objection = models.TextField(_("objection"), blank=True)
    objected_at = models.DateTimeField(_("objection stated at"), null=True, blank=True)
    confirm_note = models.TextField(_("answer to the objection"), blank=True)
    confirmed_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = pgettext_lazy("appraisal", "assessment")
        verbose_name_plural = pgettext_lazy("appraisal", "assessments")
        ordering = ["-period", "station_id", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "period"], name="assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.officer_id}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:assessment", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} {self.period}"


class Measure(StationScoped, models.Model):
    """A proposal of reward or discipline (六(三)(四)) and its chain."""

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    kind = models.CharField(
        pgettext_lazy("appraisal", "measure"), max_length=14, choices=MeasureKind.choices
    )
    grounds = models.TextField(_("grounds"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MeasureStatus.choices,
        default=MeasureStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    statement = models.TextField(_("officer's statement"), blank=True)
    statement_at = models.DateTimeField(_("statement made at"), null=True, blank=True)
    station_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved at the station by"),
    )
    station_at = models.DateTimeField(_("approved at the station at"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("reward or discipline")
        verbose_name_plural = _("rewards and discipline")
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:measure", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} {self.kind}"


class ResultsExport(models.Model):
    """A sealed PDF or Excel copy of a station's quarterly results, as issued: its digest lets
    ``verify_export`` recognise the file (registered with ``reports.selectors``)."""

    reference = models.CharField(_("reference"), max_length=40)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    period = models.CharField(_("period"), max_length=6)
    fmt = models.CharField(_("format"), max_length=4)
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    algorithm = models.CharField(_("digest algorithm"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("assessment results export")
        verbose_name_plural = _("assessment results exports")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.reference
