"""The tracking-record archive (跟踪记录档案) of one subject: every task, information record,
field visit, assessment, feedback report, urgent report and decision, in order of time — as the
user may see it. The same assembly feeds the archive tab, the print view and the exports."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.audit.labels import action_label
from casebook.audit.models import AuditEvent
from casebook.intel.choices import Handling, Method
from casebook.intel.models import InformationRecord
from casebook.subjects.models import Subject
from casebook.tracking.models import Task

from .documents.model import Document, Entry, Table
from .models import FeedbackReport

#: The kinds of archive items, in the order the filter offers them.
KINDS = {
    "task": gettext_lazy("Tracking task"),
    "record": gettext_lazy("Information record"),
    "visit": gettext_lazy("Field visit"),
    "assessment": gettext_lazy("Risk assessment"),
    "feedback": gettext_lazy("Feedback report"),
    "urgent": gettext_lazy("Urgent report"),
    "decision": gettext_lazy("Decision"),
}
DECISIONS = ("subject.create", "subject.status", "subject.review")


def col(name: str) -> str:
    """A column heading of an exported list (its own context: "Title" is not a task name)."""
    return pgettext("export column", name)


@dataclass
class Item:
    when: datetime
    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    meta: str = ""
    url: str = ""
    flag: str = ""  # e.g. a handling code that keeps the item out of exports

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


@dataclass
class Filters:
    kinds: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, query) -> "Filters":
        """From a request's GET/POST (``kind`` repeated, ``from``, ``to``)."""
        kinds = [k for k in query.getlist("kind") if k in KINDS]
        return cls(kinds, _date(query.get("from")), _date(query.get("to")))

    @classmethod
    def from_saved(cls, data: dict) -> "Filters":
        """From :meth:`as_dict`, as kept with an export request."""
        kinds = [k for k in data.get("kinds", []) if k in KINDS]
        return cls(kinds, _date(data.get("from")), _date(data.get("to")))

    def as_dict(self) -> dict:
        return {
            "kinds": self.kinds,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def window(self, qs, path: str):
        tz = timezone.get_current_timezone()
        if self.date_from:
            qs = qs.filter(**{f"{path}__gte": datetime.combine(self.date_from, time.min, tz)})
        if self.date_to:
            qs = qs.filter(**{f"{path}__lte": datetime.combine(self.date_to, time.max, tz)})
        return qs


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def local_time(dt: datetime | None) -> str:
    """A time as every report prints it: the local date and minute."""
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def _tasks(user, subject, f: Filters):
    qs = Task.objects.filter(subjects=subject).restrict(user, Action.TASK_VIEW)
    for task in f.window(qs, "created_at").select_related("lead", "station").order_by("pk"):
        lines = [task.instructions] if task.instructions else []
        lines.append(
            _("Stage: %(stage)s; priority: %(priority)s")
            % {"stage": task.get_stage_display(), "priority": task.get_priority_display()}
        )
        if task.archived_at:
            lines.append(_("Archived on %(date)s") % {"date": local_time(task.archived_at)})
        yield Item(
            task.created_at,
            "task",
            task.title,
            lines,
            f"{task.lead.real_name} · {task.get_origin_display()}",
            task.get_absolute_url(),
        )


def _records(user, subject, f: Filters):
    qs = InformationRecord.objects.filter(subjects=subject, merged_into__isnull=True).restrict(
        user, Action.SUBJECT_VIEW
    )
    qs = (
        f.window(qs, "occurred_at").select_related("created_by").prefetch_related("checklist__item")
    )
    for record in qs.order_by("occurred_at", "pk"):
        kind = "visit" if record.method == Method.FIELD_VISIT else "record"
        if not f.wants(kind):
            continue
        lines = [record.content]
        for result in record.checklist.all():
            lines.append(
                f"{result.item}：{result.get_result_display()}"
                + (f" — {result.finding}" if result.finding else "")
            )
        if record.verification_note:
            lines.append(_("Verification: %(note)s") % {"note": record.verification_note})
        meta = " · ".join(
            [
                record.created_by.real_name,
                record.grade,
                record.get_handling_display(),
                record.get_verification_display(),
            ]
        )
        yield (
            Item(
                record.occurred_at,
                kind,
                f"#{record.pk} {record.get_channel_display()}"
                + (f" · {record.address}" if record.address else ""),
                lines,
                meta,
                record.get_absolute_url(),
                "C" if record.handling == Handling.CONDITIONS else "",
            ),
            record.pk,
        )


def _assessments(subject, f: Filters):
    qs = f.window(subject.assessments.all(), "assessed_at").select_related(
        "assessor", "approved_by"
    )
    for a in qs.order_by("assessed_at", "pk"):
        lines = [a.summary] if a.summary else []
        lines.append(a.explanation)
        if a.override_reason:
            lines.append(_("Reason for overriding: %(reason)s") % {"reason": a.override_reason})
        if a.approved_by:
            lines.append(
                _("Approved by %(name)s: %(note)s")
                % {"name": a.approved_by.real_name, "note": a.approval_note or "—"}
            )
        yield Item(
            a.assessed_at,
            "assessment",
            _("Risk level %(level)s (score %(score)s)")
            % {"level": a.get_level_display(), "score": a.score},
            lines,
            f"{a.assessor.real_name} · {a.get_status_display()}",
        )


def _feedback(user, subject, f: Filters):
    qs = FeedbackReport.objects.filter(task__subjects=subject).restrict(user, Action.FEEDBACK_VIEW)
    for r in f.window(qs, "submitted_at").select_related("author", "task", "acknowledged_by"):
        lines = [
            _("Summary: %(text)s") % {"text": r.summary},
            _("Findings: %(text)s") % {"text": r.findings},
            _("Recommendations: %(text)s") % {"text": r.recommendations},
        ]
        if r.acknowledged_by:
            lines.append(
                _("Instruction of %(name)s (%(when)s): %(text)s")
                % {
                    "name": r.acknowledged_by.real_name,
                    "when": local_time(r.acknowledged_at),
                    "text": r.instruction,
                }
            )
        yield Item(
            r.submitted_at,
            "feedback",
            r.task.title,
            lines,
            f"{r.author.real_name} · {r.get_status_display()}",
            r.get_absolute_url(),
        )


def _urgent(subject, f: Filters):
    qs = f.window(subject.urgent_reports.all(), "created_at").select_related(
        "author", "acknowledged_by"
    )
    for r in qs.order_by("created_at", "pk"):
        lines = [r.text]
        if r.place:
            lines.append(_("Where: %(place)s") % {"place": r.place})
        if r.acknowledged_by:
            lines.append(
                _("Acknowledged by %(name)s at %(when)s %(note)s")
                % {
                    "name": r.acknowledged_by.real_name,
                    "when": local_time(r.acknowledged_at),
                    "note": r.ack_note,
                }
            )
        yield Item(
            r.created_at,
            "urgent",
            _("Urgent report #%(pk)s") % {"pk": r.pk},
            lines,
            f"{r.author.real_name} · {r.get_status_display()}",
            r.get_absolute_url(),
        )


def _decisions(subject, f: Filters):
    qs = AuditEvent.objects.filter(
        object_type="subjects.subject", object_id=str(subject.pk), action__in=DECISIONS
    )
    for e in f.window(qs, "occurred_at").order_by("seq"):
        details = e.details or {}
        lines = [
            str(v)
            for k, v in details.items()
            if k in ("reason", "note", "status", "basis", "legal_basis_ref") and v
        ]
        yield Item(e.occurred_at, "decision", str(action_label(e.action)), lines, e.actor_name)


def collect(user, subject, filters: Filters | None = None) -> tuple[list[Item], list[int]]:
    """The archive items the user may see, oldest first, and the ids of records among them
    whose handling code keeps them out of exports."""
    f = filters or Filters()
    items: list[Item] = []
    conditional: list[int] = []
    if f.wants("task"):
        items.extend(_tasks(user, subject, f))
    if f.wants("record") or f.wants("visit"):
        for item, pk in _records(user, subject, f):
            items.append(item)
            if item.flag == "C":
                conditional.append(pk)
    if f.wants("assessment"):
        items.extend(_assessments(subject, f))
    if f.wants("feedback"):
        items.extend(_feedback(user, subject, f))
    if f.wants("urgent"):
        items.extend(_urgent(subject, f))
    if f.wants("decision"):
        items.extend(_decisions(subject, f))
    items.sort(key=lambda i: (i.when, list(KINDS).index(i.kind)))
    return items, conditional


# --- documents ------------------------------------------------------------------------------


def watermark(user, at: datetime) -> str:
    return _("Exported by %(name)s (%(number)s) at %(time)s") % {
        "name": user.real_name,
        "number": user.username,
        "time": local_time(at),
    }


def issuer(station) -> str:
    bureau = station.bureau
    return f"{bureau.name} {station.name}" if bureau else station.name


def subject_facts(subject) -> list[tuple[str, str]]:
    officers = "、".join(o.real_name for o in subject.officers.all()) or "—"
    facts = [
        (_("Name"), subject.name),
        (_("Kind"), subject.get_kind_display()),
        (_("Category"), subject.category.label),
        (_("Station"), subject.station.name + (f" · {subject.area.name}" if subject.area else "")),
        (_("Status"), subject.get_status_display()),
        (_("Risk level"), subject.get_risk_level_display()),
        (_("Classification"), subject.get_classification_display()),
        (_("Legal basis"), subject.legal_basis_ref or "—"),
        (_("Responsible officers"), officers),
        (_("Review due"), subject.review_due.isoformat()),
    ]
    for identifier in subject.identifiers.all():
        facts.append((identifier.get_kind_display(), identifier.masked))
    return facts


def build_document(
    user,
    subject,
    filters: Filters,
    *,
    reference: str,
    at: datetime,
    marking: str,
    purpose: str,
    lists: bool = False,
) -> tuple[Document, list[int]]:
    """The archive as a document for export: records shared only under conditions are left
    out (and named in the notes by number); ``lists`` adds one table per kind (for Excel)."""
    items, conditional = collect(user, subject, filters)
    items = [i for i in items if i.flag != "C"]
    entries = [
        Entry(local_time(i.when), i.kind_label, i.title, list(i.lines), i.meta) for i in items
    ]
    notes = [_("Purpose of the export: %(purpose)s") % {"purpose": purpose}]
    if filters.kinds or filters.date_from or filters.date_to:
        notes.append(
            _("Filtered: %(kinds)s; from %(start)s to %(end)s")
            % {
                "kinds": "、".join(str(KINDS[k]) for k in filters.kinds) or _("all kinds"),
                "start": filters.date_from or "—",
                "end": filters.date_to or "—",
            }
        )
    if conditional:
        notes.append(
            _(
                "%(count)s information records shared only under conditions are withheld "
                "from this export: %(ids)s."
            )
            % {"count": len(conditional), "ids": "、".join(f"#{pk}" for pk in conditional)}
        )
    tables = []
    if lists:
        columns = [col("Time"), col("Title"), col("Content"), col("Details")]
        for kind, label in KINDS.items():
            rows = [
                [local_time(i.when), i.title, "\n".join(i.lines), i.meta]
                for i in items
                if i.kind == kind
            ]
            if rows:
                tables.append(Table(str(label), columns, rows))
    document = Document(
        title=_("%(name)s — tracking record archive") % {"name": subject.name},
        marking=marking,
        watermark=watermark(user, at),
        reference=reference,
        issuer=issuer(subject.station),
        facts=subject_facts(subject),
        entries=entries,
        tables=tables,
        notes=notes,
    )
    return document, conditional


def record_document(user, record, *, reference: str, at: datetime, marking: str, purpose: str):
    subjects = "、".join(s.name for s in record.subjects.all())
    facts = [
        (_("Subjects"), subjects),
        (_("When it happened"), local_time(record.occurred_at)),
        (_("Place"), record.address or "—"),
        (_("Channel"), record.get_channel_display()),
        (_("Grade"), record.grade),
        (_("Verification"), record.get_verification_display()),
        (_("Recorded by"), record.created_by.real_name),
    ]
    lines = [record.content] + [
        f"{r.item}：{r.get_result_display()}" + (f" — {r.finding}" if r.finding else "")
        for r in record.checklist.select_related("item")
    ]
    entry = Entry(local_time(record.occurred_at), str(KINDS["record"]), f"#{record.pk}", lines)
    return Document(
        title=_("Information record #%(pk)s") % {"pk": record.pk},
        marking=marking,
        watermark=watermark(user, at),
        reference=reference,
        issuer=issuer(record.station),
        facts=facts,
        entries=[entry],
        tables=[
            Table(
                str(KINDS["record"]),
                [col("Time"), col("Content")],
                [[entry.when, "\n".join(lines)]],
            )
        ],
        notes=[_("Purpose of the export: %(purpose)s") % {"purpose": purpose}],
    ), []


def document_for_export(export) -> tuple[Document, list[int]]:
    """The document of an export request, built with the requester's rights as they are now."""
    at = export.created_at
    if export.subject_id:
        subject = get_for_user_or_404(
            export.user, Subject, Action.SUBJECT_EXPORT, pk=export.subject_id
        )
        return build_document(
            export.user,
            subject,
            Filters.from_saved(export.filters),
            reference=export.reference,
            at=at,
            marking=export.marking,
            purpose=export.purpose,
            lists=export.fmt == "xlsx",
        )
    return record_document(
        export.user,
        export.record,
        reference=export.reference,
        at=at,
        marking=export.marking,
        purpose=export.purpose,
    )
