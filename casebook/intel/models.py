"""Information records (facts, never opinions) with their grading and verification, encrypted
attachments, protected informants, field visits with rectification orders, and public tips."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import AccessPaths
from casebook.access.querysets import RestrictedManager
from casebook.crypto.fields import EncryptedTextField
from casebook.crypto.textindex import TokenVectorField

from .choices import (
    Channel,
    Handling,
    InfoAssessment,
    Method,
    RectificationStatus,
    SourceEvaluation,
    TipStatus,
    Verification,
)


class Tag(models.Model):
    """A topic tag for organising records (信息整理)."""

    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Informant(models.Model):
    """An informant (治安耳目). Everyone who may see records sees the code and the reliability
    grade; the identity is encrypted and revealed only to the handler and the station leader
    holding the informant compartment, after re-authentication, each reveal audited."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handled_informants",
        verbose_name=_("handler"),
    )
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("resident ID number"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    notes = EncryptedTextField(_("handling notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("informant")
        verbose_name_plural = _("informants")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def audit_repr(self) -> str:
        return self.code  # never the name

    def get_data_key(self):
        return self.data_key


class InformationRecord(models.Model):
    """A graded fact: what was observed, when, where, through which channel."""

    subjects = models.ManyToManyField(
        "subjects.Subject", related_name="records", verbose_name=_("subjects")
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    task = models.ForeignKey(
        "tracking.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("task"),
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    informant = models.ForeignKey(
        Informant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("informant"),
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    address = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Encrypted with the record's own data key (one per record, wrapped by the master key):
    # destroying that key makes the content unreadable, whatever subjects it names. Searched
    # through RecordTokens, never by its column.
    content = EncryptedTextField(_("what was observed"))
    observations = models.JSONField(_("structured observations"), default=dict, blank=True)
    source_evaluation = models.CharField(
        _("source"), max_length=1, choices=SourceEvaluation.choices
    )
    info_assessment = models.CharField(
        _("information"), max_length=1, choices=InfoAssessment.choices
    )
    handling = models.CharField(
        _("handling code"), max_length=1, choices=Handling.choices, default=Handling.SHAREABLE
    )
    handling_conditions = models.CharField(_("conditions of sharing"), max_length=300, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="records", verbose_name=_("topics"))
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        db_index=True,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.CharField(_("how it was verified"), max_length=300, blank=True)
    corroborates = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("corroborating records")
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("information record")
        verbose_name_plural = _("information records")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # the records list (and a search's first page) of a station, newest first: the
            # first 25 come from the index, never from a sort of the station's records
            # (docs/performance.md, "Records list")
            models.Index(fields=["station", "-occurred_at", "-id"], name="record_station_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.content[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("intel:detail", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} {self.get_channel_display()}"

    def get_data_key(self):
        return self.data_key

    @property
    def grade(self) -> str:
        """The grade badge: ``B2`` and the handling code."""
        return f"{self.source_evaluation}{self.info_assessment}"


class RecordTokens(models.Model):
    """The keyed search tokens of a record's content (casebook.crypto.textindex): HMACs of its
    characters and character pairs with their positions, never the text. Written by the
    record's services; read only by ``casebook.intel.search``."""

    record = models.OneToOneField(
        InformationRecord,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_tokens",
        verbose_name=_("record"),
    )
    tokens = TokenVectorField(_("search tokens"), editable=False)

    class Meta:
        verbose_name = _("record search tokens")
        verbose_name_plural = _("record search tokens")
        ordering = ["record_id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.record_id}"


class Attachment(models.Model):
    """A photo or document of a record: encrypted at rest, checksummed, typed by content."""

    record = models.ForeignKey(
        InformationRecord,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("record"),
    )
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(max_length=80, editable=False)
    thumbnail_name = models.CharField(max_length=80, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record_id", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # file names often carry a name (D6)


class ChecklistResult(models.Model):
    """One inspection point of a place, at one field visit."""

    record = models.ForeignKey(
        InformationRecord,
        on_delete=models.CASCADE,
        related_name="checklist",
        verbose_name=_("record"),
    )
    item = models.ForeignKey(
        "subjects.ChecklistItem",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspection point"),
    )
    result = models.CharField(
        _("result"),
        max_length=4,
        choices=[("pass", _("Pass")), ("fail", _("Fail")), ("na", _("Not applicable"))],
    )
    finding = models.CharField(_("finding"), max_length=300, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        ordering = ["record_id", "item__order", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Rectification(models.Model):
    """A rectification order (整改通知) from a failed inspection point, with a follow-up task."""

    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="rectifications",
        verbose_name=_("place"),
    )
    result = models.OneToOneField(
        ChecklistResult,
        on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name=_("failed inspection point"),
    )
    requirement = models.CharField(_("what must be rectified"), max_length=300)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    follow_up = models.ForeignKey(
        "tracking.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up task"),
    )
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    closed_at = models.DateTimeField(_("rectified at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.requirement[:40]

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # never the free text (D6)


class Tip(models.Model):
    """A tip from the public (群众举报), sent without login."""

    reference = models.CharField(_("reference code"), max_length=16, unique=True)
    station = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    # what a member of the public reports is sensitive (PIPL art. 28): encrypted like the contact
    what = EncryptedTextField(_("what happened"))
    where = EncryptedTextField(_("where"), max_length=200, blank=True)
    when = models.CharField(_("when"), max_length=100, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TipStatus.choices,
        default=TipStatus.RECEIVED,
        db_index=True,
    )
    record = models.ForeignKey(
        InformationRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("record"),
    )
    dismissed_reason = models.CharField(_("reason for dismissal"), max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    source_hash = models.CharField(max_length=32, editable=False, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    access_paths = AccessPaths(station="station")

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("public tip")
        verbose_name_plural = _("public tips")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def get_data_key(self):
        return self.data_key


class PartnerLink(models.Model):
    """A secure link through which a partner department sees what was shared with it and answers
    (regulation 一(三)4 协作配合, 四(五)). No account: the link holds a random token of which only
    the SHA-256 is stored; it expires, can be revoked, and every opening is logged. It shows the
    ``summary`` the officer wrote — never the task or the dossier itself.

    A link serves either a task share (``share``: a ``tracking.TaskShare`` naming the department)
    or an incident (``incident``)."""

    partner = models.ForeignKey(
        "partners.PartnerUnit",
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("partner department"),
    )
    contact = models.ForeignKey(
        "partners.PartnerContact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    share = models.OneToOneField(
        "tracking.TaskShare",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_link",
        verbose_name=_("task share"),
    )
    incident = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_links",
        verbose_name=_("incident"),
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    summary = EncryptedTextField(_("what the department sees"))
    request = EncryptedTextField(_("what is asked of them"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    opened_count = models.PositiveIntegerField(_("times opened"), default=0)
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared by"),
    )
    created_at = models.DateTimeField(_("shared at"), default=timezone.now)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__isnull=False, incident__isnull=True)
                | models.Q(share__isnull=True, incident__isnull=False),
                name="partner_link_task_or_incident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.created_at:%Y-%m-%d}"

    def get_data_key(self):
        return self.data_key

    @property
    def task(self):
        return self.share.task if self.share_id else None

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class PartnerAnswer(models.Model):
    """One answer of a department through its link; its content is the information record."""

    link = models.ForeignKey(
        PartnerLink, on_delete=models.CASCADE, related_name="answers", verbose_name=_("link")
    )
    record = models.OneToOneField(
        InformationRecord,
        on_delete=models.CASCADE,
        related_name="partner_answer",
        verbose_name=_("information record"),
    )
    answered_by = models.CharField(_("answered by"), max_length=50, blank=True)
    marked_done = models.BooleanField(_("marked done"), default=False)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("partner answer")
        verbose_name_plural = _("partner answers")
        ordering = ["link_id", "answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.link} · {self.answered_at:%Y-%m-%d %H:%M}"
