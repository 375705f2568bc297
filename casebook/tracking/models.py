"""Tracking tasks (regulation article 四): the six-stage process with deadlines, escalation,
hand-over, cooperation with other units, comments and notifications."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.core.models import TimestampMixin

from .choices import STAGES, EscalationLevel, Origin, Priority, Stage


class Task(TimestampMixin, models.Model):
    """A tracking task on one or more subjects, moving through the six stages."""

    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(_("instructions"), blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.ASSIGNED, db_index=True
    )
    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("station")
    )
    subjects = models.ManyToManyField(
        "subjects.Subject", related_name="tasks", verbose_name=_("subjects")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=_("lead officer"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="team_tasks", blank=True, verbose_name=_("team")
    )
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        null=True,
        blank=True,
        verbose_name=_("assigned by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    schedule_key = models.CharField(
        max_length=80, unique=True, null=True, blank=True, editable=False
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("tracking task")
        verbose_name_plural = _("tracking tasks")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["station", "stage"], name="task_station_stage_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracking:detail", args=[self.pk])

    def audit_repr(self) -> str:
        return f"#{self.pk} {self.get_origin_display()}"  # titles name people: never in the log

    @property
    def reference(self) -> str:
        return f"{self.created_at:%Y}-{self.pk:04d}"

    def deadline(self, stage: str | None = None):
        stage = stage or self.stage
        for row in self.deadlines.all():
            if row.stage == stage:
                return row.due_at
        return None

    @property
    def current_due(self):
        return None if self.stage == Stage.ARCHIVED else self.deadline()

    @property
    def is_overdue(self) -> bool:
        due = self.current_due
        return due is not None and due < timezone.now()

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage)


class TaskDeadline(models.Model):
    """When a stage must be finished."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("task")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    due_at = models.DateTimeField(_("due"))

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("stage deadline")
        verbose_name_plural = _("stage deadlines")
        ordering = ["task_id", "due_at"]
        constraints = [
            models.UniqueConstraint(fields=["task", "stage"], name="task_deadline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.stage} {self.due_at:%Y-%m-%d}"


class DeadlineRule(models.Model):
    """How long a stage may take, per priority (the default deadlines of a new task), for the
    tasks of one bureau's stations."""

    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    hours = models.PositiveIntegerField(_("hours"))

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["priority", "stage", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "priority", "stage"], name="deadline_rule_unique_per_bureau"
            )
        ]

    def __str__(self) -> str:
        return f"{self.priority}/{self.stage}: {self.hours}h"


class TaskShare(models.Model):
    """Cooperation (article 一(三)4): another station or department works on the task too."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="shares", verbose_name=_("task")
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shared_tasks",
        verbose_name=_("assignee"),
        null=True,
        blank=True,
    )
    partner = models.ForeignKey(
        "partners.PartnerUnit",
        on_delete=models.PROTECT,
        related_name="task_shares",
        verbose_name=_("partner department"),
        null=True,
        blank=True,
    )
    request = models.TextField(_("what is asked of them"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared by"),
    )
    created_at = models.DateTimeField(_("shared at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("shared task")
        verbose_name_plural = _("shared tasks")
        ordering = ["task_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "assignee"], name="task_share_unique"),
            # an officer of another station, or a partner department (who answers through a
            # secure link, ``intel.PartnerLink``)
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | models.Q(partner__isnull=False),
                name="task_share_officer_or_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.partner or self.unit}"


class TaskComment(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("task")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # never the text: the audit log outlives a destruction (D6)


class Escalation(models.Model):
    """One step of the reminder/escalation chain, taken once per task, stage and level."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("task")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    level = models.IntegerField(_("level"), choices=EscalationLevel.choices)
    notified = models.CharField(_("notified"), max_length=300)
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["task_id", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "stage", "level"], name="escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.stage} L{self.level}"


class Notification(models.Model):
    """An in-app notification (also e-mailed when the user has an address). Every one kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    #: what it is about (``notify.KINDS``): grouped by task and kind in the centre, and each
    #: user chooses per kind how it reaches them (urgent reports: always, never grouped)
    kind = models.CharField(_("kind"), max_length=24, default="other", db_index=True)
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("task"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text[:40]

    def audit_repr(self) -> str:
        return f"#{self.pk}"  # never the text: the audit log outlives a destruction (D6)


class NotificationPreference(models.Model):
    """How one kind of notification reaches one user: in the app, by e-mail, by SMS. No row:
    the defaults (in the app and by e-mail). Urgent reports have none: they always arrive."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=24)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind="urgent"), name="notification_pref_never_urgent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class NotificationDigest(models.Model):
    """A user's daily digest: one e-mail a day of what arrived since the last one, instead of
    an e-mail per notification (urgent reports are still sent at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_digest",
        verbose_name=_("user"),
    )
    enabled = models.BooleanField(_("daily digest"), default=False)
    last_sent_on = models.DateField(_("last sent on"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification digest")
        verbose_name_plural = _("notification digests")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.user_id}:{'on' if self.enabled else 'off'}"
