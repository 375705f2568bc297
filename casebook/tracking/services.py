"""Every write to tracking tasks. Transitions are explicit functions with guards; other modules
(information, analysis, feedback) add their own guards with :func:`register_guard`."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.access import policy
from casebook.access.policy import Action, require
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.services import record_event
from casebook.core.batches import in_batches
from casebook.subjects.choices import Kind, Status
from casebook.subjects.models import Subject

from .access import may_see_task_subjects
from .choices import STAGES, WORKING_STAGES, EscalationLevel, Origin, Priority, Stage
from .models import DeadlineRule, Escalation, Task, TaskComment, TaskDeadline, TaskShare
from .notify import notify

#: Default hours per stage when no DeadlineRule row says otherwise.
DEFAULT_HOURS = {Priority.URGENT: 12, Priority.HIGH: 48, Priority.NORMAL: 120, Priority.LOW: 240}

Guard = Callable[[Task], list[str]]
_GUARDS: dict[tuple[str, str], list[Guard]] = {}
#: guard -> what it requires, in general terms ("at least one verified record"), shown on every
#: task page before the move is tried; a guard registered without one shows only what it finds
#: missing.
_REQUIREMENTS: dict[Guard, object] = {}


def register_guard(
    from_stage: str, to_stage: str, guard: Guard, *, requirement: object = None
) -> None:
    """Add a condition for leaving ``from_stage`` for ``to_stage``. The guard returns the list of
    what is missing, in words the officer understands (empty when the move may happen);
    ``requirement`` (a lazy translatable string) says what the step needs before anyone tries."""
    _GUARDS.setdefault((from_stage, to_stage), []).append(guard)
    if requirement is not None:
        _REQUIREMENTS[guard] = requirement


def _accepted_before_collecting(task: Task) -> list[str]:
    return [] if task.accepted_at else [_("The lead officer has not accepted the task yet.")]


register_guard(
    Stage.ASSIGNED,
    Stage.COLLECTING,
    _accepted_before_collecting,
    requirement=gettext_lazy("the lead officer has accepted the task (签收)"),
)


def missing_for(task: Task, to_stage: str) -> list[str]:
    return [message for guard in _GUARDS.get((task.stage, to_stage), []) for message in guard(task)]


def requirements_for(task: Task, to_stage: str) -> list[dict]:
    """What the step from the task's stage to ``to_stage`` needs, one row per registered guard:
    ``{"text": what it requires, "met": bool, "missing": [what it finds missing]}``. Each
    module's guard describes itself, so the task page names no requirement of its own."""
    rows = []
    for guard in _GUARDS.get((task.stage, to_stage), []):
        missing = guard(task)
        text = _REQUIREMENTS.get(guard)
        if text is None and not missing:
            continue  # an undescribed guard that is satisfied has nothing to say
        rows.append(
            {"text": str(text) if text is not None else "", "met": not missing, "missing": missing}
        )
    return rows


# --- deadlines -------------------------------------------------------------------------------


def default_deadlines(
    priority: str, start: datetime | None = None, *, station=None
) -> dict[str, datetime]:
    """The deadlines of a new task at ``station``: its bureau's deadline rules, else the
    defaults (no station: the defaults)."""
    bureau = station.bureau if station is not None else None
    hours = dict(
        DeadlineRule.objects.filter(bureau=bureau, priority=priority).values_list("stage", "hours")
        if bureau is not None
        else ()
    )
    due, moment = {}, start or timezone.now()
    for stage in WORKING_STAGES:
        moment = moment + timedelta(hours=hours.get(stage, DEFAULT_HOURS[priority]))
        due[stage] = moment
    return due


def _validate_deadlines(deadlines: dict[str, datetime], *, from_stage: str = Stage.ASSIGNED):
    now = timezone.now()
    errors = []
    previous = None
    for stage in WORKING_STAGES[WORKING_STAGES.index(from_stage) :]:
        due = deadlines.get(stage)
        label = Stage(stage).label
        if due is None:
            errors.append(_("Give a deadline for the stage “%(stage)s”.") % {"stage": label})
            continue
        if due <= now:
            errors.append(_("The deadline for “%(stage)s” is in the past.") % {"stage": label})
        if previous is not None and due < previous:
            errors.append(
                _("The deadline for “%(stage)s” is before that of the stage before it.")
                % {"stage": label}
            )
        previous = due
    if errors:
        raise ValidationError({"deadlines": errors})


def _check_worker(user: User | None, station, field: str) -> None:
    if user is None:
        raise ValidationError({field: [_("Choose an officer.")]})
    if not policy.is_case_worker_of(user, station):
        raise ValidationError(
            {
                field: [
                    _(
                        "%(name)s is not an officer of %(station)s: a task is assigned within its "
                        "station (share it for cooperation)."
                    )
                    % {"name": user, "station": station}
                ]
            }
        )


def _check_sees_subjects(user: User | None, subjects, field: str, *, shared: bool = False):
    """Whoever works on a task must be allowed to see its subjects (SECURITY.md A1, A2)."""
    if user is not None and not may_see_task_subjects(user, subjects, shared=shared):
        raise ValidationError(
            {
                field: [
                    _(
                        "%(name)s may not see every subject of this task (classification, "
                        "compartment or assignment): choose an officer who may."
                    )
                    % {"name": user}
                ]
            }
        )


# --- creating and assigning -------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    title: str,
    station,
    lead: User,
    subjects,
    origin: str = Origin.STATION,
    priority: str = Priority.NORMAL,
    instructions: str = "",
    team=(),
    deadlines: dict | None = None,
    schedule_key: str | None = None,
) -> Task:
    """Assign a task. ``actor`` None is a background job (schedules, warning rules)."""
    if actor is not None and station.pk not in policy.station_ids(actor, Action.TASK_ASSIGN):
        raise PermissionDenied(_("You may not assign tasks for this station."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the task a title.")]
    subjects = list(subjects)
    if not subjects:
        errors["subjects"] = [_("Choose at least one subject.")]
    for subject in subjects:
        if subject.station_id != station.pk:
            errors["subjects"] = [
                _("%(name)s belongs to another station: share the task with that station instead.")
                % {"name": subject}
            ]
        if actor is not None and not policy.can(actor, Action.SUBJECT_VIEW, subject):
            errors["subjects"] = [_("Choose subjects you can see.")]
        if subject.status == "restricted":  # subjects.choices.Status.RESTRICTED (issue #14)
            errors["subjects"] = [
                _(
                    "%(name)s is restricted because its review is overdue: no new tasks until "
                    "a leader renews it."
                )
                % {"name": subject}
            ]
    try:
        _check_worker(lead, station, "lead")
        _check_sees_subjects(lead, subjects, "lead")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        for member in team:
            _check_worker(member, station, "team")
            _check_sees_subjects(member, subjects, "team")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    deadlines = deadlines or default_deadlines(priority, station=station)
    try:
        _validate_deadlines(deadlines)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        title=title.strip(),
        instructions=instructions.strip(),
        origin=origin,
        priority=priority,
        station=station,
        lead=lead,
        assigner=actor,
        schedule_key=schedule_key,
    )
    task.subjects.set(subjects)
    task.team.set(team)
    TaskDeadline.objects.bulk_create(
        TaskDeadline(task=task, stage=s, due_at=d)
        for s, d in deadlines.items()
        if s in WORKING_STAGES
    )
    record_event(
        actor=actor,
        actor_name="" if actor else "scheduler",
        action="task.create",
        obj=task,
        details={
            "origin": origin,
            "priority": priority,
            "lead": lead.pk,
            "subjects": [s.pk for s in subjects],
            "team": [m.pk for m in team],
        },
    )
    notify(
        [lead, *team],
        _("New task for you: %(title)s") % {"title": task.title},
        url=task.get_absolute_url(),
        task=task,
        kind="task",
    )
    return task


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_accept(*, actor: User, task: Task) -> Task:
    """签收: the lead officer acknowledges the task; the time is recorded and the task moves to
    collection at once (both steps audited)."""
    task = _locked(task)
    if actor.pk != task.lead_id:
        raise PermissionDenied(_("Only the lead officer accepts the task."))
    if task.accepted_at:
        raise ValidationError(
            _("The task was already accepted on %(at)s.")
            % {"at": f"{timezone.localtime(task.accepted_at):%Y-%m-%d %H:%M}"}
        )
    task.accepted_at = timezone.now()
    task.save(update_fields=["accepted_at", "updated_at"])
    record_event(actor=actor, action="task.accept", obj=task)
    # Accepting is the start of collection (article 四(一)→(二)): the task moves on at once, and
    # the step is recorded as a transition of its own, like any other.
    if task.stage == Stage.ASSIGNED and not missing_for(task, Stage.COLLECTING):
        task.stage = Stage.COLLECTING
        task.save(update_fields=["stage", "updated_at"])
        record_event(
            actor=actor,
            action="task.transition",
            obj=task,
            details={"from": Stage.ASSIGNED, "to": Stage.COLLECTING, "on": "accept"},
        )
    if task.assigner_id and task.assigner_id != actor.pk:
        notify(
            [task.assigner],
            _("%(name)s accepted the task: %(title)s")
            % {"name": actor.real_name, "title": task.title},
            url=task.get_absolute_url(),
            task=task,
            kind="task",
        )
    return task


@transaction.atomic
def task_advance(*, actor: User, task: Task, to_stage: str, note: str = "") -> Task:
    """Move the task one stage forward, if every guard of that step is satisfied."""
    task = _locked(task)
    if not policy.can(actor, Action.TASK_WORK, task):
        raise PermissionDenied(_("Only the lead officer, the team or a leader moves this task."))
    if to_stage not in Stage.values:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    if task.stage == Stage.ARCHIVED:
        raise ValidationError({"stage": [_("The task is archived: it cannot move any more.")]})
    expected = STAGES[task.stage_index + 1]
    if to_stage != expected:
        raise ValidationError(
            {
                "stage": [
                    _("From “%(from)s” the task can only go to “%(to)s”.")
                    % {"from": Stage(task.stage).label, "to": Stage(expected).label}
                ]
            }
        )
    missing = missing_for(task, to_stage)
    if missing:
        raise ValidationError({"stage": missing})
    old = task.stage
    task.stage = to_stage
    if to_stage == Stage.ARCHIVED:
        task.archived_at = timezone.now()
    task.save(update_fields=["stage", "archived_at", "updated_at"])
    record_event(
        actor=actor,
        action="task.transition",
        obj=task,
        details={"from": old, "to": to_stage, "note": note.strip()},
    )
    watchers = [task.lead, task.assigner] if actor.pk != task.lead_id else [task.assigner]
    notify(
        [u for u in watchers if u and u.pk != actor.pk],
        _("%(title)s: now “%(stage)s”") % {"title": task.title, "stage": Stage(to_stage).label},
        url=task.get_absolute_url(),
        task=task,
        kind="task",
    )
    return task


@transaction.atomic
def task_return(*, actor: User, task: Task, reason: str) -> Task:
    """Send the task one stage back (e.g. the analysis needs more information)."""
    task = _locked(task)
    if not policy.can(actor, Action.TASK_WORK, task):
        raise PermissionDenied(_("Only the lead officer, the team or a leader moves this task."))
    if task.stage in (Stage.ASSIGNED, Stage.ARCHIVED):
        raise ValidationError({"stage": [_("The task cannot go back from this stage.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the task goes back.")]})
    old = task.stage
    task.stage = STAGES[task.stage_index - 1]
    task.save(update_fields=["stage", "updated_at"])
    record_event(
        actor=actor,
        action="task.return",
        obj=task,
        details={"from": old, "to": task.stage, "reason": reason.strip()},
    )
    return task


@transaction.atomic
def task_reassign(*, actor: User, task: Task, lead: User, reason: str) -> Task:
    """Hand the task over to another officer of the station, with a reason."""
    task = _locked(task)
    if not policy.can(actor, Action.TASK_ASSIGN, task):
        raise PermissionDenied(_("Only a leader of the station hands tasks over."))
    if task.stage == Stage.ARCHIVED:
        raise ValidationError({"lead": [_("The task is archived.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the hand-over.")]})
    _check_worker(lead, task.station, "lead")
    _check_sees_subjects(lead, task.subjects.all(), "lead")
    if lead.pk == task.lead_id:
        raise ValidationError({"lead": [_("This officer already leads the task.")]})
    old = task.lead
    task.lead, task.accepted_at = lead, None
    task.save(update_fields=["lead", "accepted_at", "updated_at"])
    record_event(
        actor=actor,
        action="task.reassign",
        obj=task,
        details={"from": old.pk, "to": lead.pk, "reason": reason.strip()},
    )
    notify(
        [lead],
        _("A task was handed over to you: %(title)s") % {"title": task.title},
        url=task.get_absolute_url(),
        task=task,
        kind="task",
    )
    notify(
        [old],
        _("%(title)s was handed over to %(name)s") % {"title": task.title, "name": lead.real_name},
        url=task.get_absolute_url(),
        task=task,
        kind="task",
    )
    return task


@transaction.atomic
def task_set_deadlines(*, actor: User, task: Task, deadlines: dict, reason: str) -> Task:
    task = _locked(task)
    if not policy.can(actor, Action.TASK_ASSIGN, task):
        raise PermissionDenied(_("Only a leader of the station changes deadlines."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for changing the deadlines.")]})
    current = {d.stage: d.due_at for d in task.deadlines.all()}
    merged = {**current, **deadlines}
    stage = task.stage if task.stage != Stage.ARCHIVED else Stage.FEEDBACK
    _validate_deadlines(
        {s: merged[s] for s in WORKING_STAGES[WORKING_STAGES.index(stage) :] if s in merged},
        from_stage=stage,
    )
    for s, due in deadlines.items():
        TaskDeadline.objects.update_or_create(task=task, stage=s, defaults={"due_at": due})
    record_event(
        actor=actor,
        action="task.deadlines",
        obj=task,
        details={"stages": sorted(deadlines), "reason": reason.strip()},
    )
    return task


@transaction.atomic
def task_share(*, actor: User, task: Task, assignee: User, request: str) -> TaskShare:
    """Cooperation with another station or department: their assignee sees the task and the
    progress and reports back in the comments."""
    if not policy.can(actor, Action.TASK_ASSIGN, task):
        raise PermissionDenied(_("Only a leader of the station shares tasks."))
    if not (request or "").strip():
        raise ValidationError({"request": [_("Say what you ask of them.")]})
    if assignee is None or not assignee.is_active or not assignee.works_cases:
        raise ValidationError({"assignee": [_("Choose an active officer.")]})
    if assignee.pk == task.lead_id or task.shares.filter(assignee=assignee).exists():
        raise ValidationError({"assignee": [_("This officer already works on the task.")]})
    _check_sees_subjects(assignee, task.subjects.all(), "assignee", shared=True)
    share = TaskShare.objects.create(
        task=task,
        unit=assignee.unit.station or assignee.unit,
        assignee=assignee,
        request=request.strip(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="task.share",
        obj=task,
        recipients=f"{assignee.real_name}（{share.unit}）",
        details={"assignee": assignee.pk, "unit": share.unit.code},
    )
    notify(
        [assignee],
        _("%(station)s asks for your cooperation: %(title)s")
        % {"station": task.station.name, "title": task.title},
        url=task.get_absolute_url(),
        task=task,
        kind="share",
    )
    return share


_MENTION = re.compile(r"@(\w{2,12})")


@transaction.atomic
def task_comment(*, actor: User, task: Task, text: str) -> TaskComment:
    """A comment; ``@警号`` or ``@姓名`` notifies those mentioned who can see the task."""
    if not policy.can(actor, Action.TASK_VIEW, task):
        raise PermissionDenied
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write something.")]})
    comment = TaskComment.objects.create(task=task, author=actor, text=text.strip())
    tokens = set(_MENTION.findall(text))
    mentioned = [
        u
        for u in User.objects.filter(is_active=True).filter(username__in=tokens)
        | User.objects.filter(is_active=True, real_name__in=tokens)
        if u.pk != actor.pk and policy.can(u, Action.TASK_VIEW, task)
    ]
    record_event(
        actor=actor,
        action="task.comment",
        obj=task,
        details={"comment": comment.pk, "mentions": [u.pk for u in mentioned]},
    )
    notify(
        mentioned,
        _("%(name)s mentioned you on %(title)s") % {"name": actor.real_name, "title": task.title},
        url=task.get_absolute_url() + f"#comment-{comment.pk}",
        task=task,
        kind="comment",
    )
    return comment


# --- schedules and escalation (run by background jobs) ---------------------------------------


def next_visit_due(cycle_days: int, last_anchor, today):
    """The date the next routine visit falls due: one cycle after the last field visit or the
    last scheduled visit task (``last_anchor``, an aware datetime or None); today if neither."""
    if last_anchor is None:
        return today
    return timezone.localdate(last_anchor) + timedelta(days=cycle_days)


def run_schedules(today=None) -> int:
    """Create the recurring visit/inspection task of every active subject whose next visit is
    due: one cycle after its last field visit or last scheduled task, whichever is later. The
    calendar decides, not a fixed period grid, so two routine visits are never a day apart."""

    today = today or timezone.localdate()
    created = 0
    last_task = (
        Task.objects.filter(subjects=OuterRef("pk"), origin=Origin.SCHEDULE)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    subjects = (
        Subject.objects.filter(status=Status.ACTIVE, kind__in=[Kind.PERSON, Kind.PLACE])
        .annotate(
            last_task=Subquery(last_task),
            last_visit=Max("records__occurred_at", filter=Q(records__method="field_visit")),
        )
        .select_related("category", "station")
        .prefetch_related("officers")
    )
    for subject in in_batches(subjects):
        cycle = subject.visit_cycle
        anchors = [a for a in (subject.last_task, subject.last_visit) if a is not None]
        due = next_visit_due(cycle, max(anchors) if anchors else None, today)
        if due > today:
            continue
        key = f"visit:{subject.pk}:{due.isoformat()}"
        if Task.objects.filter(schedule_key=key).exists():
            continue
        lead = next(
            (o for o in subject.officers.all() if policy.is_case_worker_of(o, subject.station)),
            None,
        )
        if lead is None:
            continue
        kind = _("Inspection") if subject.kind == Kind.PLACE else _("Visit")
        # never the subject's name: a title travels to lists, notifications and e-mails
        title = _("Routine inspection") if subject.kind == Kind.PLACE else _("Routine visit")
        end = timezone.now() + timedelta(days=cycle)
        deadlines = _spread(end)
        try:
            with transaction.atomic():
                task_create(
                    actor=None,
                    title=title,
                    station=subject.station,
                    lead=lead,
                    subjects=[subject],
                    origin=Origin.SCHEDULE,
                    priority=Priority.NORMAL,
                    deadlines=deadlines,
                    schedule_key=key,
                    instructions=_("Routine %(kind)s, due on %(date)s (every %(days)s days).")
                    % {"kind": kind, "date": due.isoformat(), "days": cycle},
                )
        except (ValidationError, IntegrityError):
            continue
        created += 1
    return created


def _spread(end: datetime) -> dict[str, datetime]:
    """Deadlines that share the time up to ``end`` between the working stages."""
    now = timezone.now()
    step = (end - now) / len(WORKING_STAGES)
    return {stage: now + step * (i + 1) for i, stage in enumerate(WORKING_STAGES)}


def run_escalation(now=None) -> int:
    """Walk every open task: remind before a deadline, then escalate to the station leader and
    the bureau as it stays overdue. Each step happens once per task and stage."""

    now = now or timezone.now()
    steps = settings.CASEBOOK_ESCALATION_HOURS  # level -> hours relative to the deadline
    taken = 0
    open_tasks = (
        Task.objects.exclude(stage=Stage.ARCHIVED)
        .select_related("lead", "station", "station__parent")
        .prefetch_related("deadlines")
    )
    for task in in_batches(open_tasks):
        due = task.deadline()
        if due is None:
            continue
        for level in EscalationLevel:
            if now < due + timedelta(hours=steps[level]):
                break
            if Escalation.objects.filter(task=task, stage=task.stage, level=level).exists():
                continue
            audience = [u for u in _audience(task, level) if policy.can(u, Action.TASK_VIEW, task)]
            with transaction.atomic():
                Escalation.objects.create(
                    task=task,
                    stage=task.stage,
                    level=level,
                    at=now,
                    notified="、".join(u.real_name for u in audience)[:300],
                )
                text = (
                    _("Due soon: %(title)s (%(stage)s, due %(due)s)")
                    if level == EscalationLevel.DUE_SOON
                    else _("Overdue: %(title)s (%(stage)s, was due %(due)s)")
                ) % {
                    "title": task.title,
                    "stage": Stage(task.stage).label,
                    "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                }
                notify(audience, text, url=task.get_absolute_url(), task=task, kind="deadline")
                record_event(
                    actor=None,
                    actor_name="scheduler",
                    action="task.escalate",
                    obj=task,
                    details={
                        "stage": task.stage,
                        "level": int(level),
                        "notified": [u.pk for u in audience],
                    },
                )
            taken += 1
    return taken


def _audience(task: Task, level: int) -> list[User]:
    if level in (EscalationLevel.DUE_SOON, EscalationLevel.OVERDUE):
        return [task.lead]
    role, unit = (
        (Role.STATION_LEADER, task.station)
        if level == EscalationLevel.STATION
        else (Role.BUREAU_LEADER, task.station.parent)
    )
    return list(User.objects.holding(role, unit))


@transaction.atomic
def deadline_rule_set(*, actor, priority: str, stage: str, hours: int) -> DeadlineRule:
    """The system administrator sets how long a stage may take at a priority."""

    require(actor, Action.CATEGORY_MANAGE)
    if priority not in Priority.values or stage not in WORKING_STAGES:
        raise ValidationError(_("Unknown priority or stage."))
    if not 1 <= int(hours) <= 24 * 90:
        raise ValidationError({"hours": [_("Between 1 hour and 90 days.")]})
    bureau = actor.unit.bureau
    if bureau is None:
        raise PermissionDenied
    rule, _created = DeadlineRule.objects.get_or_create(
        bureau=bureau, priority=priority, stage=stage, defaults={"hours": int(hours)}
    )
    if rule.hours != int(hours):
        record_event(
            actor=actor,
            action="deadline_rule.configure",
            object_type="tracking.deadlinerule",
            object_id=f"{bureau.pk}/{priority}/{stage}",
            details={"from": rule.hours, "to": int(hours)},
        )
        rule.hours = int(hours)
        rule.save(update_fields=["hours"])
    return rule


def bureau_setup(bureau) -> None:
    """A new bureau's deadline rules: the unowned ones of a fresh installation, else none (the
    defaults apply until the bureau's system administrator sets its own)."""
    DeadlineRule.objects.filter(bureau__isnull=True).update(bureau=bureau)
