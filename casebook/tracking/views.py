"""Pages of tracking tasks: work queues, the stage board, the task page and its actions, and
the notification centre."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit import reads
from casebook.audit.labels import action_label
from casebook.core.actions import report_invalid, run_service
from casebook.core.filters import bind_page_filters, filter_errors
from casebook.core.redirects import safe_target
from casebook.subjects.selectors import visible_subjects

from . import notify, selectors, services, task_page
from .choices import STAGES, Stage
from .filters import TaskFilterSet
from .forms import (
    AdvanceForm,
    BulkForm,
    CommentForm,
    DeadlinesForm,
    NotificationPreferencesForm,
    NotificationsReadForm,
    ReasonForm,
    ReassignForm,
    ShareForm,
    TaskForm,
    station_workers,
)
from .models import Notification, Task


def _require_tasks(user) -> None:
    involved = user.led_tasks.exists() or user.shared_tasks.exists()
    if policy.reach(user, Action.TASK_VIEW) is None and not involved:
        raise PermissionDenied


@login_required
def task_list(request):
    _require_tasks(request.user)
    filterset = bind_page_filters(  # the API's FilterSet too
        TaskFilterSet, request, selectors.visible_tasks(request.user)
    )
    if "queue" not in filterset.data:  # the page opens on one's own tasks
        filterset.data = filterset.data.copy()
        filterset.data["queue"] = "mine"
    if filterset.is_valid():
        qs, errors = filterset.qs, []
    else:  # never every task for a filter that could not be read
        qs, errors = Task.objects.none(), filter_errors(filterset)
    data = filterset.form.cleaned_data
    name, stage = data.get("queue") or "mine", data.get("stage") or ""
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    page.object_list = tasks = list(page.object_list)
    reads.record_read(  # task titles and the first subjects of each name people
        request,
        what="task_list",
        objects=tasks,
        object_type="tracking.task",
        related={"subjects": [s for t in tasks for s in list(t.subjects.all())[:2]]},
        search=filterset.search_summary(page.paginator.count),
    )
    station = request.user.unit.station
    may_assign = policy.reach(request.user, Action.TASK_ASSIGN) is not None
    return render(
        request,
        "tracking/list.html",
        {
            "page": page,
            "filter_errors": errors,
            "queue": name,
            "query": f"queue={name}&stage={stage}",
            "now": timezone.now(),
            "stage": stage,
            "stage_label": Stage(stage).label if stage else "",
            "may_assign": may_assign,
            "workers": station_workers(station) if may_assign and station else [],
            "counts": {
                q: selectors.queue(request.user, q).count()
                for q in ("mine", "overdue", "unaccepted")
            },
        },
    )


@login_required
def task_board(request):
    _require_tasks(request.user)
    columns = selectors.board(request.user)
    reads.record_read(
        request,
        what="task_board",
        objects=[card for column in columns for card in column["cards"]],
        object_type="tracking.task",
    )
    return render(request, "tracking/board.html", {"columns": columns})


@login_required
def task_create(request):
    station = request.user.unit.station
    if station is None or station.pk not in policy.station_ids(request.user, Action.TASK_ASSIGN):
        raise PermissionDenied
    subjects_qs = (
        visible_subjects(request.user)
        .filter(station=station)
        .select_related("category")
        .order_by("name")
    )
    initial = {}
    if request.GET.get("subject", "").isdigit():
        initial["subjects"] = subjects_qs.filter(pk=request.GET["subject"])
    form = TaskForm(request.POST or None, station=station, subjects_qs=subjects_qs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        task = run_service(
            request,
            services.task_create,
            form=form,  # the deadlines' errors go to the top of the form
            success=lambda task: _("Task assigned to %(name)s.") % {"name": task.lead},
            actor=request.user,
            title=data["title"],
            station=station,
            lead=data["lead"],
            subjects=data["subjects"],
            origin=data["origin"],
            priority=data["priority"],
            instructions=data["instructions"],
            team=list(data["team"]),
            deadlines=form.deadlines(),
        )
        if task is not None:
            return redirect(task)
    return render(request, "tracking/form.html", {"form": form, "station": station})


@login_required
def task_detail(request, pk: int):
    task = selectors.get_task(request.user, pk)
    user = request.user
    may_work = policy.can(user, Action.TASK_WORK, task)
    may_manage = policy.can(user, Action.TASK_ASSIGN, task)
    next_stage = STAGES[task.stage_index + 1] if task.stage != Stage.ARCHIVED else None
    events = list(selectors.history(task))
    for e in events:
        e.label = action_label(e.action)
        to = (e.details or {}).get("to")
        e.to_label = (
            Stage(to).label
            if e.action in ("task.transition", "task.return") and to in Stage.values
            else ""
        )
    deadlines = {d.stage: d.due_at for d in task.deadlines.all()}
    now = timezone.now()
    steps = [
        {
            "value": s,
            "label": Stage(s).label,
            "due": deadlines.get(s),
            "done": STAGES.index(s) < task.stage_index,
            "current": s == task.stage,
            "late": s == task.stage and deadlines.get(s) and deadlines[s] < now,
        }
        for s in STAGES
    ]
    subjects = list(visible_subjects(user).filter(tasks=task).select_related("category"))
    related = task_page.related_of(user, task)  # of higher modules: intel's records
    reads.record_read(  # a task is not personal data, the subjects and records it shows are
        request,
        what="task",
        objects=subjects,
        object_type="subjects.subject",
        fields=["subject_names", "records", "comments", "feedback"],
        related=related,
        details={"task": task.pk},
    )
    return render(
        request,
        "tracking/detail.html",
        {
            "task": task,
            "steps": steps,
            "next_stage": next_stage,
            "next_label": Stage(next_stage).label if next_stage else "",
            "missing": services.missing_for(task, next_stage) if next_stage else [],
            # what the next stage needs, as each module's guard describes it
            "requirements": services.requirements_for(task, next_stage) if next_stage else [],
            "may_work": may_work,
            "may_manage": may_manage,
            "is_lead": user.pk == task.lead_id,
            "subjects": subjects,
            "hidden_subjects": task.subjects.count() - len(subjects),
            "team": task.team.all(),
            "shares": task.shares.select_related("assignee", "unit"),
            "comments": task.comments.select_related("author"),
            "feedback_reports": task.feedback_reports.select_related("author", "acknowledged_by"),
            "events": events,
            "escalations": task.escalations.all(),
            **related,
            "first_subject": subjects[0] if subjects else None,  # only one the user sees
            "comment_form": CommentForm(),
            "advance_form": AdvanceForm(),
            "reassign_form": ReassignForm(station=task.station) if may_manage else None,
            "deadlines_form": DeadlinesForm(task=task) if may_manage else None,
            "share_form": ShareForm(task=task) if may_manage else None,
        },
    )


def _run(request, task, service, success: str, /, **kwargs):
    """Run a task action's service and go back to the task page, which shows the outcome."""
    run_service(request, service, success=success, actor=request.user, task=task, **kwargs)
    return redirect(task)


@login_required
@require_POST
def task_accept(request, pk: int):
    task = selectors.get_task(request.user, pk)
    return _run(request, task, services.task_accept, _("Task accepted."))


@login_required
@require_POST
def task_advance(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next stage."))
        return redirect(task)
    data = form.cleaned_data
    return _run(
        request,
        task,
        services.task_advance,
        _("The task moved to “%(stage)s”.") % {"stage": Stage(data["to_stage"]).label},
        to_stage=data["to_stage"],
        note=data["note"],
    )


@login_required
@require_POST
def task_return(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the task goes back."))
        return redirect(task)
    return _run(
        request,
        task,
        services.task_return,
        _("The task went back one stage."),
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def task_reassign(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = ReassignForm(request.POST, station=task.station)
    if not form.is_valid():
        messages.error(request, _("Choose the new lead officer and give a reason."))
        return redirect(task)
    return _run(
        request,
        task,
        services.task_reassign,
        _("Task handed over."),
        lead=form.cleaned_data["lead"],
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def task_deadlines(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = DeadlinesForm(request.POST, task=task)
    if not form.is_valid():
        messages.error(request, _("Give valid deadlines and a reason."))
        return redirect(task)
    return _run(
        request,
        task,
        services.task_set_deadlines,
        _("Deadlines changed."),
        deadlines=form.deadlines(),
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def task_share(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = ShareForm(request.POST, task=task)
    if not form.is_valid():
        messages.error(request, _("Choose the officer and say what you ask of them."))
        return redirect(task)
    return _run(request, task, services.task_share, _("Task shared."), **form.cleaned_data)


@login_required
@require_POST
def task_comment(request, pk: int):
    task = selectors.get_task(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return redirect(task)
    return _run(
        request, task, services.task_comment, _("Comment added."), text=form.cleaned_data["text"]
    )


@login_required
@require_POST
def bulk(request):
    """Bulk actions on the list: accept the selected tasks, or hand them over. Each task is
    one service call; the page lists which ones were refused and why."""
    form = BulkForm(request.POST, station=request.user.unit.station)
    valid = form.is_valid()
    back = redirect(f"/tasks/?queue={form.cleaned_data.get('queue') or 'mine'}")
    if not valid:
        report_invalid(request, form)
        return back
    data = form.cleaned_data
    tasks = list(selectors.visible_tasks(request.user).filter(pk__in=data["task"]))
    done, failed = 0, []
    for task in tasks:
        try:
            if data["action"] == "accept":
                services.task_accept(actor=request.user, task=task)
            else:
                services.task_reassign(
                    actor=request.user, task=task, lead=data["lead"], reason=data["reason"]
                )
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = (
                " ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else (str(exc) or _("not allowed"))
            )
            failed.append(f"{task.title}：{text}")
    if done:
        messages.success(request, _("%(n)s task(s) done.") % {"n": done})
    for line in failed:
        messages.error(request, line)
    if not tasks:
        messages.warning(request, _("Select at least one task."))
    return back


@login_required
def notifications(request):
    """The notification centre: grouped per task and kind (urgent reports each on their own),
    the unread groups first."""
    page = Paginator(notify.groups(request.user), 30).get_page(request.GET.get("page"))
    # a task the user may no longer see (a subject reclassified, a compartment added) keeps its
    # title to itself, even in notifications sent before the change
    task_ids = {g.task_id for g in page if g.task_id}
    visible = set(
        selectors.visible_tasks(request.user).filter(pk__in=task_ids).values_list("pk", flat=True)
    )
    for g in page:
        g.withheld = g.task_id is not None and g.task_id not in visible
    return render(request, "tracking/notifications.html", {"page": page})


@login_required
def notification_group_open(request, kind: str, task: int = 0):
    """Open a group: all of it is read, and the newest one's link is followed."""
    task_id = task or None
    latest = (
        Notification.objects.filter(user=request.user, kind=kind, task_id=task_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None:
        raise Http404
    notify.mark_group_read(request.user, kind=kind, task_id=task_id)
    return redirect(safe_target(request, latest.url, "tracking:notifications"))


@login_required
def notification_settings(request):
    """Each user's choice of channels per kind, and the daily digest."""
    form = NotificationPreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            notify.preferences_set,
            form=form,
            success=_("Your notification settings are saved."),
            actor=request.user,
            user=request.user,
            choices=form.choices(),
            digest=form.cleaned_data["digest"],
        )
        if saved is not None:
            return redirect("tracking:notification_settings")
    return render(
        request,
        "tracking/notification_settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


@login_required
@require_POST
def notifications_read(request):
    form = NotificationsReadForm(request.POST)
    if form.is_valid():
        notify.mark_read(request.user, form.cleaned_data["id"] or None)
        target = form.cleaned_data["next"]
    else:
        report_invalid(request, form)
        target = ""
    return redirect(safe_target(request, target, "tracking:notifications"))


@login_required
def notifications_count(request):
    """The unread badge, polled by htmx every 30 seconds."""
    count = notify.unread_count(request.user)
    return render(request, "tracking/_badge.html", {"count": count})


@login_required
def notification_open(request, pk: int):
    n = Notification.objects.filter(pk=pk, user=request.user).first()
    if n is None:
        raise Http404
    notify.mark_read(request.user, [n.pk])
    return redirect(safe_target(request, n.url, "/"))
