"""The weekly audit review for the audit administrator (SECURITY.md L5; CJIS 5.4.3).

For one period (by default the last complete week, Monday to Monday in the installation's zone)
the review reads the audit log and lists:

* **unusual read volumes**: a user whose reads (``read.*`` events and consultations) exceed
  ``CASEBOOK_AUDIT_REVIEW_FACTOR`` (3) times the median of their peers — the other active users
  with the same case role in the same unit — and at least ``CASEBOOK_AUDIT_REVIEW_MIN_READS``;
* **reads outside one's tasks**: officers (tracking and community officers) who opened a
  subject they are neither a responsible officer of nor working on in a task;
* **after-hours reads**: reads outside ``CASEBOOK_AUDIT_REVIEW_WORK_HOURS`` (08–20 by default,
  local time);
* **refused accesses** (outcome "denied") and **exports** of every kind.

It writes nothing but its own audit event; the page (``audit_review_views``) shows it and the PDF
is sealed like every export. The weekly job files the sealed PDF of each finished week once.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.accounts.models import User
from casebook.accounts.roles import CASE_ROLES, Role
from casebook.audit.models import AuditEvent, Outcome
from casebook.audit.services import record_event
from casebook.reports.documents import Document, Table, issue_pdf
from casebook.subjects.models import Subject

READ_FILTER = Q(action__startswith="read.") | Q(action="subject.consult")
EXPORT_FILTER = Q(action__contains="export") | Q(action="dossier.print")
OFFICER_ROLES = frozenset({Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER})


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of the week holding ``day``, in UTC."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time.min, tzinfo=local_zone())
    return start, start + timedelta(days=7)


def last_complete_week(now: datetime | None = None) -> tuple[datetime, datetime]:
    today = timezone.localtime(now or timezone.now(), local_zone()).date()
    return week_bounds(today - timedelta(days=7))


def work_hours() -> tuple[int, int]:
    first, last = settings.CASEBOOK_AUDIT_REVIEW_WORK_HOURS
    return int(first), int(last)


@dataclass
class UserLine:
    user_id: int | None
    name: str
    unit: str
    role: str
    count: int
    peers_median: float | None = None
    note: str = ""


@dataclass
class Review:
    start: datetime
    end: datetime
    events: int
    reads: int
    unusual: list[UserLine] = field(default_factory=list)
    outside_tasks: list[UserLine] = field(default_factory=list)
    after_hours: list[UserLine] = field(default_factory=list)
    refused: list[UserLine] = field(default_factory=list)
    exports: list[UserLine] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return (
            len(self.unusual) + len(self.outside_tasks) + len(self.after_hours) + len(self.refused)
        )


def _case_role(user: User) -> str:
    roles = sorted(r for r in user.role_set if r in CASE_ROLES)
    return roles[0] if roles else ""


def _users(ids) -> dict[int, User]:
    users = User.objects.filter(pk__in=[i for i in ids if i]).select_related("unit")
    return {u.pk: u for u in users.prefetch_related("roles")}


def _line(users: dict, actor_id, name: str, count: int, **extra) -> UserLine:
    user = users.get(actor_id)
    return UserLine(
        user_id=actor_id,
        name=(user.real_name if user else name) or name,
        unit=str(user.unit) if user and user.unit_id else "",
        role=str(Role(_case_role(user)).label) if user and _case_role(user) else "",
        count=count,
        **extra,
    )


def _unusual(reads_by_user: dict[int, int]) -> list[UserLine]:
    """Users whose reads exceed factor × the median of their peers (same role, same unit)."""
    factor = settings.CASEBOOK_AUDIT_REVIEW_FACTOR
    floor = settings.CASEBOOK_AUDIT_REVIEW_MIN_READS
    population = (
        User.objects.filter(is_active=True, roles__role__in=CASE_ROLES)
        .select_related("unit")
        .prefetch_related("roles")
    )
    groups: dict[tuple[str, int], list[User]] = {}
    for user in {u.pk: u for u in population}.values():
        groups.setdefault((_case_role(user), user.unit_id), []).append(user)
    lines = []
    for members in groups.values():
        for user in members:
            count = reads_by_user.get(user.pk, 0)
            peers = [reads_by_user.get(p.pk, 0) for p in members if p.pk != user.pk]
            if not peers or count < floor:
                continue
            median = statistics.median(peers)
            if count > factor * median:
                lines.append(
                    _line(
                        {user.pk: user},
                        user.pk,
                        user.real_name,
                        count,
                        peers_median=median,
                        note=_("%(n)s peers") % {"n": len(peers)},
                    )
                )
    return sorted(lines, key=lambda line: -line.count)


def _outside_tasks(period) -> dict[int, set[str]]:
    """Subject ids each officer opened (one-subject reads) without being responsible for it or
    working on it in a task."""

    opened: dict[int, set[str]] = {}
    rows = period.filter(READ_FILTER, object_type="subjects.subject").exclude(object_id="")
    for actor_id, object_id in rows.values_list("actor_id", "object_id"):
        if actor_id and object_id.isdigit():
            opened.setdefault(actor_id, set()).add(object_id)
    officers = set(
        User.objects.filter(pk__in=opened, roles__role__in=OFFICER_ROLES).values_list(
            "pk", flat=True
        )
    )
    outside = {}
    for actor_id in officers:
        ids = [int(i) for i in opened[actor_id]]
        own = set(
            Subject.objects.filter(pk__in=ids)
            .filter(
                Q(officers__pk=actor_id) | Q(tasks__lead_id=actor_id) | Q(tasks__team__pk=actor_id)
            )
            .values_list("pk", flat=True)
        )
        rest = {str(i) for i in ids if i not in own}
        if rest:
            outside[actor_id] = rest
    return outside


def build_review(start: datetime, end: datetime) -> Review:
    period = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    reads = period.filter(READ_FILTER).exclude(actor_id=None)
    reads_by_user = dict(
        reads.values("actor_id").annotate(n=Count("id")).values_list("actor_id", "n")
    )
    first, last = work_hours()
    late = (
        reads.annotate(hour=ExtractHour("occurred_at", tzinfo=local_zone()))
        .filter(Q(hour__lt=first) | Q(hour__gte=last))
        .values("actor_id", "actor_name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    refused = (
        period.filter(outcome=Outcome.DENIED)
        .values("actor_id", "actor_name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    exports = (
        period.filter(EXPORT_FILTER)
        .exclude(outcome=Outcome.DENIED)
        .values("actor_id", "actor_name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    outside = _outside_tasks(period)
    users = _users(
        {r["actor_id"] for r in [*late, *refused, *exports]} | set(outside) | set(reads_by_user)
    )
    return Review(
        start=start,
        end=end,
        events=period.count(),
        reads=sum(reads_by_user.values()),
        unusual=_unusual(reads_by_user),
        outside_tasks=sorted(
            (
                _line(
                    users,
                    a,
                    "",
                    len(ids),
                    note=_("subjects %(ids)s") % {"ids": ", ".join(sorted(ids, key=int)[:10])},
                )
                for a, ids in outside.items()
            ),
            key=lambda line: -line.count,
        ),
        after_hours=[_line(users, r["actor_id"], r["actor_name"], r["n"]) for r in late],
        refused=[_line(users, r["actor_id"], r["actor_name"], r["n"]) for r in refused],
        exports=[_line(users, r["actor_id"], r["actor_name"], r["n"]) for r in exports],
    )


# --- the sealed PDF ----------------------------------------------------------------------------


def _period_text(review: Review) -> str:
    zone = local_zone()
    first = review.start.astimezone(zone).date().isoformat()
    last = (review.end.astimezone(zone) - timedelta(days=1)).date().isoformat()
    return f"{first} – {last}"


def sections(review: Review) -> list[tuple[str, list[UserLine], bool]]:
    """(title, lines, shows the peers' median) of each part, in the report's order."""
    return [
        (_("Unusual read volumes"), review.unusual, True),
        (_("Reads outside one's tasks"), review.outside_tasks, False),
        (_("After-hours reads"), review.after_hours, False),
        (_("Refused accesses"), review.refused, False),
        (_("Exports"), review.exports, False),
    ]


def render_review_pdf(review: Review, *, reader: str) -> tuple[bytes, str, str]:
    """The review as a sealed PDF: ``(bytes, algorithm, digest)``."""

    tables = []
    for title, lines, with_median in sections(review):
        columns = [_("Officer"), _("Unit"), _("Role"), _("Count")]
        if with_median:
            columns.append(_("Peers' median"))
        columns.append(_("Note"))
        rows = []
        for line in lines:
            row = [line.name, line.unit, line.role, str(line.count)]
            if with_median:
                row.append(f"{line.peers_median:g}" if line.peers_median is not None else "")
            rows.append([*row, line.note])
        tables.append(
            Table(
                title=title, columns=columns, rows=rows or [[_("None")] + [""] * (len(columns) - 1)]
            )
        )
    first, last = work_hours()
    document = Document(
        title=_("Weekly audit review %(period)s") % {"period": _period_text(review)},
        marking=_("Internal"),
        watermark=reader,
        reference=f"AR-{review.start.astimezone(local_zone()):%Y%m%d}",
        issuer=_("Audit administration"),
        facts=[
            (_("Period"), _period_text(review)),
            (_("Audit events"), str(review.events)),
            (_("Reads"), str(review.reads)),
            (
                _("Thresholds"),
                _(
                    "more than %(factor)s× the peers' median and at least %(floor)s reads; "
                    "working hours %(first)02d:00–%(last)02d:00"
                )
                % {
                    "factor": settings.CASEBOOK_AUDIT_REVIEW_FACTOR,
                    "floor": settings.CASEBOOK_AUDIT_REVIEW_MIN_READS,
                    "first": first,
                    "last": last,
                },
            ),
        ],
        tables=tables,
    )
    return issue_pdf(document)


def review_directory() -> Path:
    return Path(settings.CASEBOOK_AUDIT_REVIEW_DIR)


def file_weekly_review(now: datetime | None = None) -> Path | None:
    """File the sealed PDF of the last complete week once (idempotent); ``None`` if on file."""
    start, end = last_complete_week(now)
    directory = review_directory()
    path = directory / f"audit-review-{start.astimezone(local_zone()):%Y-%m-%d}.pdf"
    if path.exists():
        return None
    review = build_review(start, end)
    data, algorithm, digest = render_review_pdf(review, reader=_("Weekly job"))
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o600)
    partial.replace(path)
    record_event(
        actor=None,
        actor_name="job",
        action="audit.review",
        object_type="audit.review",
        object_id=path.stem[-10:],
        details={"findings": review.findings, "digest": digest, "algorithm": algorithm},
    )
    return path
