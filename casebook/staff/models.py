"""Models of the staff app: the officer file (五(一)), the confidentiality pledge (五(二)2) and
training (八(一)). Self-summaries and supervision live in ``supervision_models`` (imported at
the bottom, so Django finds them as models of this app)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.querysets import RestrictedManager
from casebook.accounts.roles import Role

from .choices import ConductKind, CourseCategory, Post, QuotaUnit

USER = settings.AUTH_USER_MODEL


class OfficerProfile(models.Model):
    """An officer's post in the station's tracking work, with what the post's duties add."""

    officer = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="officer_profile", verbose_name=_("officer")
    )
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    post_since = models.DateField(_("in this post since"), null=True, blank=True)
    duties_note = models.TextField(_("further duties"), blank=True, max_length=2000)
    updated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("officer profile")
        verbose_name_plural = _("officer profiles")
        ordering = ["officer_id"]

    def __str__(self) -> str:
        return f"{self.officer_id}: {self.get_post_display()}"


class StoredFile(models.Model):
    """An uploaded file (a certificate's scan, a session's materials): type checked by content,
    encrypted under its own data key, stored under a generated name."""

    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", verbose_name=_("data key")
    )
    original_name = models.CharField(_("file name"), max_length=100)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(_("stored as"), max_length=200)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Certificate(models.Model):
    """A qualification or certificate an officer holds, with its expiry (none: it does not
    expire)."""

    officer = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("officer")
    )
    name = models.CharField(_("qualification or certificate"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    number = models.CharField(_("certificate number"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scan"),
    )
    recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["officer_id", "name", "-issued_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_expired(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today


class ConductEntry(models.Model):
    """A commendation, award or disciplinary measure (六(三), 六(四)) in an officer's file."""

    officer = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="conduct_entries", verbose_name=_("officer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ConductKind.choices)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"), max_length=2000)
    decided_by = models.CharField(_("decided by"), max_length=100)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("commendation or discipline")
        verbose_name_plural = _("commendations and discipline")
        ordering = ["officer_id", "-decided_on", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- the confidentiality pledge (五(二)2) ------------------------------------------------------


class PledgeVersion(models.Model):
    """One version of a bureau's confidentiality pledge, set by its security administrator. The
    latest version is the one in force: every officer of the bureau must have signed it."""

    bureau = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=10000)
    issued_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("pledge version")
        verbose_name_plural = _("pledge versions")
        ordering = ["bureau_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "number"], name="pledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class PledgeSignature(models.Model):
    """An officer's signature of one pledge version (after re-entering the password)."""

    version = models.ForeignKey(
        PledgeVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version"),
    )
    officer = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="pledge_signatures", verbose_name=_("officer")
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("pledge signature")
        verbose_name_plural = _("pledge signatures")
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "officer"], name="pledge_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} v{self.version_id}"


class StaffPolicy(models.Model):
    """A bureau's settings of the staff rules, kept by its security administrator."""

    bureau = models.OneToOneField(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    training_lapse_blocks = models.BooleanField(
        _("lapsed training or certificates block access to personal data"), default=False
    )
    updated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff policy")
        verbose_name_plural = _("staff policies")
        ordering = ["bureau_id"]

    def __str__(self) -> str:
        return str(self.bureau_id)


# --- training (八(一)) ------------------------------------------------------------------------


class Course(models.Model):
    """A training course of a bureau."""

    bureau = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=CourseCategory.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["category", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "title"], name="course_title_per_bureau"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One holding of a course: when, where, by whom, for which unit (a station, or the bureau)."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    trainer = models.CharField(_("trainer"), max_length=50)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark of the test"), null=True, blank=True, help_text=_("Empty: no test.")
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.course} {self.held_on}"


class SessionMaterial(models.Model):
    """A file handed out at a session (PDF, Office document or image)."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("session"),
    )
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("session material")
        verbose_name_plural = _("session materials")
        ordering = ["session_id", "pk"]

    def __str__(self) -> str:
        return str(self.file)


class Attendance(models.Model):
    """An officer's attendance at a session, with the test score when the session had a test."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("session"),
    )
    officer = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        related_name="training_attendance",
        verbose_name=_("officer"),
    )
    attended = models.BooleanField(_("attended"), default=True)
    score = models.PositiveSmallIntegerField(_("test score"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session_id", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "officer"], name="attendance_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="attendance_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} @ {self.session_id}"

    @property
    def completed(self) -> bool:
        """Attended, and passed the test when there was one."""
        mark = self.session.pass_mark
        return self.attended and (mark is None or (self.score is not None and self.score >= mark))


class TrainingRequirement(models.Model):
    """The training a role must complete in any twelve months: hours or sessions, of one
    category (or of any category when none is named)."""

    bureau = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    category = models.CharField(
        _("category"), max_length=16, choices=CourseCategory.choices, blank=True
    )
    unit = models.CharField(_("counted in"), max_length=8, choices=QuotaUnit.choices)
    quota = models.DecimalField(_("yearly quota"), max_digits=5, decimal_places=1)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        ordering = ["bureau_id", "role", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "role", "category"], name="training_requirement_unique"
            ),
            models.CheckConstraint(condition=models.Q(quota__gt=0), name="quota_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.category or '*'} {self.quota} {self.unit}"


# Self-summaries and supervision: their models are in supervision_models.py.
from .supervision_models import *  # noqa: E402, F403
