"""Tracked subjects (regulation article 二): key persons, key places, emergency incidents.

A :class:`Subject` carries what every kind shares — category, legal basis, owning station,
responsible officers, status, risk, classification — and one detail row per kind. Sensitive
person fields are encrypted with the subject's own data key; exact lookup of identifiers goes
through :class:`Identifier` blind indexes.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import AccessPaths, ObjectScope
from casebook.access.querysets import RestrictedManager
from casebook.core.choices import Classification
from casebook.core.models import BilingualLabel, TimestampMixin
from casebook.crypto.fields import EncryptedTextField

from .choices import (
    AssociationType,
    ChangeStatus,
    Confidence,
    DataSubjectCategory,
    IdentifierKind,
    IncidentStatus,
    Kind,
    RehabType,
    RetentionClass,
    RiskLevel,
    Sex,
    Status,
    SupervisionStatus,
    TestResult,
)
from .retention_classes import (
    check_in_bureau,
    retention_class_label,
    validate_retention_class,
)


class Category(BilingualLabel, models.Model):
    """A category of subject, configured by a bureau's administrators; each states its legal
    basis. A category belongs to one bureau: only that bureau's stations use it, only that
    bureau's system administrator sees and changes it (``bureau`` empty: shipped defaults not
    yet taken by a bureau, used by nobody)."""

    bureau = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60)
    description = models.TextField(_("what it covers"), blank=True)
    legal_basis = models.TextField(_("legal basis"))
    review_cycle_days = models.PositiveIntegerField(_("review cycle (days)"), default=180)
    visit_cycle_days = models.PositiveIntegerField(_("visit cycle (days)"), default=90)
    # one of the retention app's subject classes of the category's bureau, read at validation
    # time (clean): a class added on the retention page can be chosen at once, one in use cannot
    # be removed (retention_classes.py)
    retention_class = models.CharField(
        _("retention class"),
        max_length=16,
        default=RetentionClass.STANDARD,
        validators=[validate_retention_class],
    )
    impact_assessment = models.TextField(
        _("impact assessment"),
        blank=True,
        help_text=_("Processing-register entry for sensitive categories (PIPL Art. 55)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "code"], name="category_code_per_bureau")
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        if self.retention_class:
            check_in_bureau(self.retention_class, self.bureau_id)

    def get_retention_class_display(self) -> str:
        return retention_class_label(self.retention_class, self.bureau_id)


class ChecklistItem(BilingualLabel, models.Model):
    """One inspection point of a place category (e.g. fire exits clear)."""

    label_fields = ("text", "text_en")

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("category")
    )
    section = models.CharField(_("section"), max_length=40)
    text = models.CharField(_("inspection point"), max_length=200)
    text_en = models.CharField(_("inspection point in English"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["category_id", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class Subject(TimestampMixin, models.Model):
    """A tracked subject. Nothing is tracked without a basis: category, legal basis reference,
    approver, owning station and review date are all required."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="subjects", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    station = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        related_name="subjects",
        verbose_name=_("owning station"),
    )
    area = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_subjects",
        verbose_name=_("community area"),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="subjects",
        verbose_name=_("responsible officers"),
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    risk_level = models.IntegerField(
        _("risk level"), choices=RiskLevel.choices, default=RiskLevel.NONE, db_index=True
    )
    classification = models.IntegerField(
        _("classification"), choices=Classification.choices, default=Classification.INTERNAL
    )
    compartments = models.ManyToManyField(
        "accounts.Compartment", blank=True, related_name="subjects", verbose_name=_("compartments")
    )
    legal_basis_ref = models.CharField(
        _("legal basis reference"),
        max_length=200,
        help_text=_("The approval document, e.g. 城公(治)字〔2026〕15号."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approval date"))
    review_due = models.DateField(_("review due"), db_index=True)
    visit_cycle_days = models.PositiveIntegerField(
        _("visit cycle (days)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set by the risk level of the latest assessment; empty: the category's."),
    )
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the edits: a save made on an older version is refused."),
    )

    access_paths = AccessPaths(
        station="station",
        area="area",
        classification="classification",
        compartments="compartments",
        assignees="officers",
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("tracked subject")
        verbose_name_plural = _("tracked subjects")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["station", "kind", "status"], name="subject_list_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("subjects:detail", args=[self.pk])

    def audit_repr(self) -> str:
        """Kind, category and number — never the name: the audit log cannot be changed after
        a destruction (docs/security.md D6), so it must not hold personal data to begin with."""
        category = self.category.label if self.category_id else ""
        return f"{self.get_kind_display()}·{category} #{self.pk}"

    def access_scope(self) -> ObjectScope:
        return ObjectScope(
            station_id=self.station_id,
            area_id=self.area_id,
            classification=self.classification,
            compartments=frozenset(self.compartments.values_list("code", flat=True)),
            assignee_ids=frozenset(self.officers.values_list("pk", flat=True)),
        )

    def get_data_key(self):
        return self.data_key

    @property
    def visit_cycle(self) -> int:
        return self.visit_cycle_days or self.category.visit_cycle_days

    @property
    def review_overdue(self) -> bool:
        return self.status != Status.CLOSED and self.review_due < timezone.localdate()

    @staticmethod
    def next_review(category: Category, from_date=None):
        return (from_date or timezone.localdate()) + timedelta(days=category.review_cycle_days)


class Identifier(models.Model):
    """An identifier of a subject, findable by exact value through its HMAC blind index."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("subject")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentifierKind.choices)
    blind_index = models.CharField(_("blind index"), max_length=32, db_index=True)
    masked = models.CharField(_("masked value"), max_length=40)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        ordering = ["subject_id", "kind", "pk"]
        constraints = [
            # an ID number or a licence identifies one subject (a phone may be shared by a
            # family): two officers registering the same person at the same moment make one
            # subject, the database refuses the second (the service turns it into a clear error)
            models.UniqueConstraint(
                fields=["kind", "blind_index"],
                condition=models.Q(kind__in=["id_number", "licence"]),
                name="identifier_unique_kinds",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"

    def audit_repr(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"  # not even the masked number (D6)


class PersonDetail(models.Model):
    """A key person's particulars. Identifiers and addresses are encrypted."""

    subject = models.OneToOneField(
        Subject,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="person",
        verbose_name=_("subject"),
    )
    aliases = models.CharField(
        _("aliases"),
        max_length=200,
        blank=True,
        help_text=_("Other names, nicknames; separate with commas."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = EncryptedTextField(_("resident ID number"), blank=True)
    phones = EncryptedTextField(_("phone numbers"), blank=True)
    household_address = EncryptedTextField(_("household registration address"), blank=True)
    current_address = EncryptedTextField(_("current address"), blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    economic_situation = EncryptedTextField(_("economic situation"), blank=True)
    data_subject_category = models.CharField(
        _("data-subject category"), max_length=16, choices=DataSubjectCategory.choices
    )
    supervision_status = models.CharField(
        _("supervision status"),
        max_length=24,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.NONE,
    )
    photo = models.CharField(_("photo file"), max_length=80, blank=True, editable=False)

    SENSITIVE = frozenset(
        {"id_number", "phones", "household_address", "current_address", "economic_situation"}
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["subject"]

    def __str__(self) -> str:
        return self.subject.name

    def audit_repr(self) -> str:
        return self.subject.audit_repr()

    def get_data_key(self):
        return self.subject.data_key

    @property
    def phone_list(self) -> list[str]:
        return [p for p in (self.phones or "").split(",") if p]


class _KeyedManager(RestrictedManager):
    """Fetches the subject's data key with each row, since the encrypted fields decrypt with it:
    a list costs one query instead of three more per row."""

    key_path = ""

    def get_queryset(self):
        return super().get_queryset().select_related(self.key_path)


class _PersonRecordManager(_KeyedManager):
    key_path = "person__subject__data_key"


class _SituationManager(_KeyedManager):
    key_path = "incident__subject__data_key"


class Offence(models.Model):
    """A prior offence of a person (category prior_offender)."""

    person = models.ForeignKey(
        PersonDetail, on_delete=models.CASCADE, related_name="offences", verbose_name=_("person")
    )
    # Criminal records are sensitive personal information (PIPL art. 28): encrypted with the
    # subject's data key, like identifiers; dates stay plain for the rules and the retention.
    offence_type = EncryptedTextField(_("offence"), max_length=100)
    offence_date = models.DateField(_("date of offence"), null=True, blank=True)
    judgment = EncryptedTextField(_("judgment"), max_length=200, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)

    objects = _PersonRecordManager()

    class Meta:
        verbose_name = _("offence")
        verbose_name_plural = _("offences")
        ordering = ["-offence_date", "pk"]

    def __str__(self) -> str:
        return self.offence_type or ""

    def get_data_key(self):
        return self.person.subject.data_key


class RehabPeriod(models.Model):
    """A period of drug rehabilitation (category drug_involved)."""

    person = models.ForeignKey(
        PersonDetail, on_delete=models.CASCADE, related_name="rehab", verbose_name=_("person")
    )
    rehab_type = models.CharField(
        _("rehabilitation type"), max_length=16, choices=RehabType.choices
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    place = EncryptedTextField(_("place or agency"), max_length=200, blank=True)

    objects = _PersonRecordManager()

    class Meta:
        verbose_name = _("rehabilitation period")
        verbose_name_plural = _("rehabilitation periods")
        ordering = ["-start", "pk"]

    def __str__(self) -> str:
        return self.get_rehab_type_display()

    def get_data_key(self):
        return self.person.subject.data_key


class DrugTest(models.Model):
    """A drug test result (category drug_involved)."""

    person = models.ForeignKey(
        PersonDetail, on_delete=models.CASCADE, related_name="drug_tests", verbose_name=_("person")
    )
    tested_on = models.DateField(_("test date"))
    result = models.CharField(_("result"), max_length=16, choices=TestResult.choices)
    # the result stays plain: the warning rule "positive test after the last assessment" reads it
    substance = EncryptedTextField(_("substance"), max_length=60, blank=True)
    method = EncryptedTextField(_("method"), max_length=60, blank=True)

    objects = _PersonRecordManager()

    class Meta:
        verbose_name = _("drug test")
        verbose_name_plural = _("drug tests")
        ordering = ["-tested_on", "pk"]

    def __str__(self) -> str:
        return f"{self.tested_on} {self.get_result_display()}"

    def get_data_key(self):
        return self.person.subject.data_key


class Threat(models.Model):
    """A threat of violence and the preventive measures in place (threat_of_violence)."""

    person = models.ForeignKey(
        PersonDetail, on_delete=models.CASCADE, related_name="threats", verbose_name=_("person")
    )
    what = EncryptedTextField(_("what was threatened"))
    said_on = models.DateField(_("when"), null=True, blank=True)
    where = EncryptedTextField(_("where"), max_length=200, blank=True)
    against = EncryptedTextField(_("against whom"), max_length=200, blank=True)
    measures = EncryptedTextField(_("preventive measures in place"), blank=True)

    objects = _PersonRecordManager()

    class Meta:
        verbose_name = _("threat")
        verbose_name_plural = _("threats")
        ordering = ["-said_on", "pk"]

    def __str__(self) -> str:
        return (self.what or "")[:40]

    def audit_repr(self) -> str:
        return f"#{self.pk} · {self.person.audit_repr()}"  # never the free text (L2, D6)

    def get_data_key(self):
        return self.person.subject.data_key


class PlaceDetail(models.Model):
    """A key place: a business or site with licences, an address and a position."""

    subject = models.OneToOneField(
        Subject,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="place",
        verbose_name=_("subject"),
    )
    licence_numbers = models.CharField(
        _("licence numbers"),
        max_length=300,
        blank=True,
        help_text=_("Separate several with commas."),
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    operator = models.ForeignKey(
        Subject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operated_places",
        verbose_name=_("operator (tracked person)"),
    )
    operator_name = models.CharField(
        _("operator (person or organisation)"), max_length=200, blank=True
    )
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["subject"]

    def __str__(self) -> str:
        return self.subject.name

    def audit_repr(self) -> str:
        return self.subject.audit_repr()

    @property
    def licence_list(self) -> list[str]:
        return [x.strip() for x in self.licence_numbers.split(",") if x.strip()]


class IncidentDetail(models.Model):
    """An emergency incident with its live situation log."""

    subject = models.OneToOneField(
        Subject,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="incident",
        verbose_name=_("subject"),
    )
    incident_type = models.CharField(_("type"), max_length=60)
    started_at = models.DateTimeField(_("started at"))
    location = models.CharField(_("location"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    incident_status = models.CharField(
        _("situation"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.EMERGING,
    )
    cause = models.TextField(_("cause"), blank=True)
    scale = models.CharField(_("scale"), max_length=100, blank=True)
    people_involved = models.PositiveIntegerField(
        _("people involved (estimate)"), null=True, blank=True
    )
    departments = models.CharField(_("departments involved"), max_length=300, blank=True)
    rescue_notes = models.TextField(_("rescue"), blank=True)
    resettlement_notes = models.TextField(_("resettlement"), blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["subject"]

    def __str__(self) -> str:
        return self.subject.name

    def audit_repr(self) -> str:
        return self.subject.audit_repr()


class SituationEntry(models.Model):
    """One timestamped line of an incident's situation log."""

    incident = models.ForeignKey(
        IncidentDetail,
        on_delete=models.CASCADE,
        related_name="situation",
        verbose_name=_("incident"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    text = EncryptedTextField(_("situation"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = _SituationManager()

    class Meta:
        verbose_name = _("situation entry")
        verbose_name_plural = _("situation log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return (self.text or "")[:40]

    def audit_repr(self) -> str:
        return f"#{self.pk} · {self.incident.audit_repr()}"  # never the free text (L2, D6)

    def get_data_key(self):
        return self.incident.subject.data_key


class Association(models.Model):
    """A typed link between two subjects, with its source and confidence."""

    source_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("from")
    )
    target_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("to")
    )
    type = models.CharField(_("relation"), max_length=20, choices=AssociationType.choices)
    role = models.CharField(
        _("role"),
        max_length=60,
        blank=True,
        help_text=_("For participants: organiser, participant, injured…"),
    )
    source = models.CharField(_("source of the information"), max_length=200)
    confidence = models.CharField(
        _("confidence"), max_length=8, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_subject", "target_subject", "type"], name="association_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source_subject=models.F("target_subject")),
                name="association_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_subject_id} {self.type} {self.target_subject_id}"


class SubjectImport(models.Model):
    """One workbook of a station's existing registers brought in (persons, places, incidents).

    The rows read from the workbook are kept encrypted (``rows``, under the import's own data
    key: they hold ID numbers and phones) between the preview and the background run; the
    errors name only the sheet, row, column and what is wrong, never the value. ``digest`` (the
    SHA-256 of the file) makes a second import of the same file create nothing.
    """

    class State(models.TextChoices):
        PREVIEW = "preview", _("Checked, waiting for a decision")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Stopped")

    class Mode(models.TextChoices):
        ALL = "all", _("Only when every row is clean")
        CLEAN = "clean", _("Only the clean rows")

    station = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=120)
    digest = models.CharField(_("content digest (SHA-256)"), max_length=64, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PREVIEW
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, blank=True)
    rows = EncryptedTextField(_("rows read"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    clean_rows = models.PositiveIntegerField(_("clean rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("subjects created"), default=0)
    failure = models.TextField(_("why it stopped"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="+", verbose_name=_("data key")
    )

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # a file is imported once per station: the second import of the same content
            # finds this row and creates nothing
            models.UniqueConstraint(
                fields=["station", "digest"],
                condition=models.Q(state__in=["queued", "running", "done"]),
                name="subject_import_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    def get_data_key(self):
        return self.data_key

    @property
    def error_count(self) -> int:
        return len(self.errors or [])

    @property
    def rows_with_errors(self) -> int:
        return len({(e["sheet"], e["row"]) for e in self.errors or []})

    @property
    def percent(self) -> int:
        todo = self.clean_rows if self.mode == self.Mode.CLEAN else self.total_rows
        return 100 if not todo else min(100, round(100 * self.done_rows / todo))


class CategoryChange(models.Model):
    """A new or changed category, pending until a bureau leader of its bureau approves it (a
    second person: the system administrator proposes). A change takes effect only when approved;
    a new category stays inactive until then."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="changes", verbose_name=_("category")
    )
    creating = models.BooleanField(_("new category"), default=False)
    values = models.JSONField(_("proposed values"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ChangeStatus.choices,
        default=ChangeStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.category_id} {self.status}"

    def audit_repr(self) -> str:
        return f"{self.values.get('code', '')} {self.values.get('name', '')}"[:200]
