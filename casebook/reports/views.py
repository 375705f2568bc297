"""Pages of the reports module: feedback reports, urgent reports and the duty roster, the
archive's print view, exports with their progress, and the periodic station reports."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.accounts.decorators import recent_auth_required
from casebook.accounts.models import User
from casebook.accounts.roles import CASE_WORKERS
from casebook.audit import reads
from casebook.core.actions import report_invalid, run_service
from casebook.intel.selectors import get_record
from casebook.subjects.selectors import get_subject, visible_subjects
from casebook.tracking.models import Task

from . import archive, periodic, selectors, services
from .choices import ExportStatus, FeedbackStatus, UrgentStatus
from .documents import CONTENT_TYPES
from .forms import (
    AcknowledgeForm,
    DutyShiftForm,
    ExportForm,
    ExportTargetForm,
    FeedbackForm,
    InstructionForm,
    InstructionTaskForm,
    PurposeForm,
    RosterUnitForm,
    TransportCopyForm,
    UrgentForm,
)
from .models import DutyShift, Export, PeriodicReport, UrgentReport


def _attachment(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- inbox ----------------------------------------------------------------------------------


@login_required
def inbox(request):
    """Everything of the reports module that concerns the user, on one page."""
    user = request.user
    if not user.works_cases:
        raise PermissionDenied
    mine = selectors.visible_feedback(user).filter(author=user).select_related("task")[:10]
    recent = Paginator(
        selectors.visible_urgent(user).select_related("author", "station", "acknowledged_by"), 15
    ).get_page(request.GET.get("page"))
    recent.object_list = list(recent.object_list)
    awaiting = list(selectors.feedback_awaiting(user)[:20])
    urgent_open = list(selectors.urgent_awaiting(user)[:20])
    mine = list(mine)
    reads.record_read(
        request,
        what="reports_inbox",
        objects=[*urgent_open, *recent.object_list],
        object_type="reports.urgentreport",
        related={"feedback_reports": [*awaiting, *mine]},
    )
    return render(
        request,
        "reports/inbox.html",
        {
            "awaiting": awaiting,
            "urgent_open": urgent_open,
            "mine": mine,
            "urgent_page": recent,
            "exports": selectors.my_exports(user)[:5],
            "may_periodic": _may_periodic(user),
            "on_duty": _on_duty_now(user),
            "now": timezone.now(),
        },
    )


def _own_units(user) -> list:
    """The user's station and bureau (whose duty rosters the user reads)."""
    return [u for u in (user.unit.station, user.unit.bureau) if u is not None]


def _on_duty_now(user) -> list[tuple]:
    return [(unit, services.on_duty(unit)) for unit in _own_units(user)]


# --- feedback reports ---------------------------------------------------------------------


def _task_for(user, pk):
    return get_for_user_or_404(
        user, Task.objects.select_related("station", "lead"), Action.TASK_VIEW, pk=pk
    )


@login_required
def feedback_new(request, task_pk: int):
    task = _task_for(request.user, task_pk)
    if not policy.can(request.user, Action.TASK_WORK, task):
        raise PermissionDenied
    recipients = services.feedback_recipient_choices(task).exclude(pk=request.user.pk)
    form = FeedbackForm(request.POST or None, task=task, recipients=recipients)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_service(
            request,
            services.feedback_submit,
            form=form,
            success=_("The feedback report was sent to the leaders."),
            actor=request.user,
            task=task,
            **form.cleaned_data,
        )
    if report is not None:
        return redirect(report)
    if request.method == "GET":
        form.initial["assessments"] = list(task.assessments.values_list("pk", flat=True))
    leaders = [u for u in services.station_leaders(task.station) if u.pk != request.user.pk]
    return render(
        request,
        "reports/feedback_form.html",
        {"task": task, "form": form, "leaders": leaders},
    )


@login_required
def feedback_detail(request, pk: int):
    report = _get_feedback(request.user, pk)
    services.feedback_read(actor=request.user, report=report)
    may_ack = report.status == FeedbackStatus.SUBMITTED and services.can_acknowledge_feedback(
        request.user, report
    )
    may_task = report.status == FeedbackStatus.ACKNOWLEDGED and policy.can(
        request.user, Action.TASK_ASSIGN, report.task
    )
    assessments = list(
        report.assessments.filter(
            subject__in=visible_subjects(request.user).values("pk")
        ).select_related("subject")
    )
    reads.record_read(
        request,
        what="feedback",
        objects=[report],
        fields=["summary", "findings", "recommendations", "assessments", "instruction"],
        related={
            "tasks": [report.task_id],
            "subjects": [a.subject for a in assessments],
            "assessments": assessments,
        },
    )
    context = {
        "report": report,
        "receipts": report.receipts.select_related("user"),
        "assessments": assessments,
        "follow_ups": report.follow_ups.select_related("lead"),
        "may_ack": may_ack,
        "may_task": may_task,
    }
    if may_ack:
        context["instruction_form"] = InstructionForm()
    if may_task:
        context["task_form"] = InstructionTaskForm(
            officers=_station_officers(report.station),
            initial={"title": report.instruction[:60]},
        )
    return render(request, "reports/feedback_detail.html", context)


def _get_feedback(user, pk):
    return get_object_or_404(
        selectors.visible_feedback(user).select_related(
            "task", "author", "station", "acknowledged_by"
        ),
        pk=pk,
    )


def _station_officers(station):
    return (
        User.objects.filter(is_active=True, unit__in=[station, *station.children.all()])
        .filter(roles__role__in=CASE_WORKERS)
        .distinct()
        .order_by("username")
    )


@login_required
@require_POST
def feedback_acknowledge(request, pk: int):
    report = _get_feedback(request.user, pk)
    form = InstructionForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form, _("Write your instruction (批示)."))
        return redirect(report)
    run_service(
        request,
        services.feedback_acknowledge,
        success=_("Your instruction was recorded; the officers have been told."),
        actor=request.user,
        report=report,
        instruction=form.cleaned_data["instruction"],
    )
    return redirect(report)


@login_required
@require_POST
def feedback_task(request, pk: int):
    report = _get_feedback(request.user, pk)
    form = InstructionTaskForm(request.POST, officers=_station_officers(report.station))
    if not form.is_valid():
        report_invalid(request, form)
        return redirect(report)
    run_service(
        request,
        services.feedback_instruction_task,
        success=_("A task was assigned from the instruction."),
        actor=request.user,
        report=report,
        **form.cleaned_data,
    )
    return redirect(report)


# --- urgent reports -------------------------------------------------------------------------


def _anchor(request):
    """The subject, record or task an urgent report is about (?subject=, ?record=, ?task=)."""
    data = request.POST if request.method == "POST" else request.GET
    return selectors.urgent_anchor(
        request.user,
        subject=data.get("subject"),
        record=data.get("record"),
        task=data.get("task"),
    )


@login_required
def urgent_new(request):
    if not policy.can(request.user, Action.URGENT_SEND):
        raise PermissionDenied
    anchor = _anchor(request)
    form = UrgentForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_service(
            request,
            services.urgent_report_create,
            form=form,
            success=_("Sent. The on-duty leaders have been alerted."),
            actor=request.user,
            **form.cleaned_data,
            **anchor,
        )
    if report is not None:
        return redirect(report)
    return render(
        request,
        "reports/urgent_form.html",
        {
            "form": form,
            "anchor": anchor,
            "about": _about(anchor),
            "audience": _first_audience(request.user, anchor),
            "minutes": int(services.ack_window().total_seconds() // 60),
        },
    )


def _about(anchor) -> str:
    if "subject" in anchor:
        return anchor["subject"].name
    if "record" in anchor:
        return _("Information record #%(pk)s") % {"pk": anchor["record"].pk}
    if "task" in anchor:
        return anchor["task"].title
    return ""


def _first_audience(user, anchor):
    obj = anchor.get("subject") or anchor.get("record") or anchor.get("task")
    station = obj.station if obj is not None else user.unit.station
    if station is None:
        return []
    return services.chain_audience(UrgentReport(station=station, author=user), 0)


@login_required
def urgent_detail(request, pk: int):
    report = get_object_or_404(
        selectors.visible_urgent(request.user).select_related(
            "author", "station", "subject", "record", "task", "acknowledged_by"
        ),
        pk=pk,
    )
    may_ack = report.status == UrgentStatus.OPEN and policy.can(
        request.user, Action.URGENT_ACKNOWLEDGE, report
    )
    subject_visible = report.subject is not None and policy.can(
        request.user, Action.SUBJECT_VIEW, report.subject
    )
    reads.record_read(
        request,
        what="urgent",
        objects=[report],
        fields=["text", "timeline"],
        related={"subjects": [report.subject] if subject_visible else []},
    )
    return render(
        request,
        "reports/urgent_detail.html",
        {
            "report": report,
            "steps": selectors.urgent_timeline(report),
            "may_ack": may_ack,
            "ack_form": AcknowledgeForm() if may_ack else None,
            "subject_visible": subject_visible,
            "overdue": report.status == UrgentStatus.OPEN and report.ack_due_at < timezone.now(),
        },
    )


@login_required
@require_POST
def urgent_acknowledge(request, pk: int):
    report = get_object_or_404(selectors.visible_urgent(request.user), pk=pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return redirect(report)
    run_service(
        request,
        services.urgent_acknowledge,
        success=_("Acknowledged. The officer who reported has been told."),
        actor=request.user,
        report=report,
        note=form.cleaned_data["note"],
    )
    return redirect(report)


# --- duty roster ----------------------------------------------------------------------------


@login_required
def duty_roster(request):
    user = request.user
    if not user.works_cases:
        raise PermissionDenied
    editable = policy.roster_units(user)
    units = _own_units(user)
    for unit in editable:
        if unit not in units:
            units.append(unit)
    chosen = RosterUnitForm(request.POST, units=editable) if request.method == "POST" else None
    unit_id = chosen.cleaned_data["unit"] if chosen is not None and chosen.is_valid() else None
    forms_by_unit = {
        unit.pk: DutyShiftForm(
            request.POST if unit.pk == unit_id else None,
            members=services.roster_members(unit),
            prefix=f"u{unit.pk}",
        )
        for unit in editable
    }
    if request.method == "POST":
        unit = next((u for u in editable if u.pk == unit_id), None)
        if unit is None:
            raise PermissionDenied
        form = forms_by_unit[unit.pk]
        shift = None
        if form.is_valid():
            shift = run_service(
                request,
                services.duty_shift_add,
                form=form,
                success=_("The shift was added to the roster."),
                actor=user,
                unit=unit,
                **form.cleaned_data,
            )
        if shift is not None:
            return redirect("reports:duty")
    now = timezone.now()
    sections = []
    for unit in units:
        shifts = DutyShift.objects.filter(
            unit=unit, ends_at__gt=now - timedelta(days=1), starts_at__lt=now + timedelta(days=14)
        ).select_related("user")
        sections.append(
            {
                "unit": unit,
                "now": services.on_duty(unit, now),
                "shifts": shifts,
                "form": forms_by_unit.get(unit.pk),
            }
        )
    return render(
        request,
        "reports/duty.html",
        {"sections": sections, "now": now, "may_periodic": _may_periodic(user)},
    )


@login_required
@require_POST
def duty_remove(request, pk: int):
    shift = get_for_user_or_404(request.user, DutyShift, pk=pk)  # a roster the user keeps
    run_service(
        request,
        services.duty_shift_remove,
        success=_("The shift was removed from the roster."),
        actor=request.user,
        shift=shift,
    )
    return redirect("reports:duty")


# --- archive: print and export --------------------------------------------------------------
# Prints and exports take personal data out of the system: a stale login confirms the password
# first (SECURITY.md S6) and then comes back to the page of the form.


def _archive_tab(pk) -> str:
    return f"{reverse('subjects:detail', args=[pk])}?tab=archive"


def _export_form_page(request) -> str:
    target = ExportTargetForm(request.POST).target()
    if target is None:
        return ""
    kind, pk = target
    return _archive_tab(pk) if kind == "subject" else reverse("intel:detail", args=[pk])


@login_required
@require_POST
@recent_auth_required(back=lambda request, pk: _archive_tab(pk))
def dossier_print(request, pk: int):
    subject = get_subject(request.user, pk)
    filters = archive.Filters.from_query(request.POST)
    form = PurposeForm(request.POST)
    back = f"{subject.get_absolute_url()}?tab=archive"
    if not form.is_valid():
        messages.error(request, _("State the purpose of printing."))
        return redirect(back)
    if not run_service(
        request,
        services.dossier_print,
        actor=request.user,
        subject=subject,
        purpose=form.cleaned_data["purpose"],
        filters=filters.as_dict(),
    ):
        return redirect(back)
    items, conditional = archive.collect(request.user, subject, filters)
    items = [i for i in items if i.flag != "C"]  # a print leaves the system like an export
    now = timezone.now()
    return render(
        request,
        "reports/print.html",
        {
            "subject": subject,
            "items": items,
            "facts": archive.subject_facts(subject),
            "marking": subject.get_classification_display(),
            "watermark": archive.watermark(request.user, now),
            "issuer": archive.issuer(subject.station),
            "purpose": form.cleaned_data["purpose"],
            "withheld": conditional,
            "filters": filters,
            "kinds": archive.KINDS,
        },
    )


@login_required
@require_POST
@recent_auth_required(back=_export_form_page)
def export_new(request):
    form = ExportForm(request.POST)
    target = ExportTargetForm(request.POST).target()
    if target is None:
        raise Http404
    kind, pk = target
    subject = record = None
    if kind == "subject":
        subject = get_subject(request.user, pk)
        back = f"{subject.get_absolute_url()}?tab=archive"
    else:
        record = get_record(request.user, pk)
        back = record.get_absolute_url()
    if not form.is_valid():
        messages.error(request, _("Choose a format and state the purpose of the export."))
        return redirect(back)
    filters = archive.Filters.from_query(request.POST).as_dict() if subject else {}
    export = run_service(
        request,
        services.export_request,
        actor=request.user,
        fmt=form.cleaned_data["fmt"],
        purpose=form.cleaned_data["purpose"],
        subject=subject,
        record=record,
        filters=filters,
        for_recipient=form.cleaned_data["for_recipient"],
    )
    return redirect(export if export is not None else back)


def _my_export(user, pk) -> Export:
    return get_object_or_404(
        Export.objects.defer("content", "transport").select_related("subject"), pk=pk, user=user
    )


@login_required
def export_detail(request, pk: int):
    if request.method == "POST":
        return _export_encrypt(request, pk)
    export = _my_export(request.user, pk)
    template = (
        "reports/_export_status.html"
        if request.headers.get("HX-Request")
        else "reports/export_detail.html"
    )
    return render(request, template, {"export": export, "running": _running(export)})


@recent_auth_required(back=lambda request, pk: reverse("reports:export", args=[pk]))
def _export_encrypt(request, pk: int):
    """Make the transport copy of an export for its recipient and show its password, once: the
    page is answered to the POST itself (never a redirect), and the password is kept nowhere."""
    export = _my_export(request.user, pk)
    if not TransportCopyForm(request.POST).is_valid():
        messages.error(request, _("Confirm that a new password should be made."))
        return redirect(export)
    password = run_service(  # a refusal to this user stays a 403
        request,
        services.export_transport_copy,
        passthrough=[PermissionDenied],
        actor=request.user,
        export=export,
    )
    if password is None:
        return redirect(export)
    response = render(
        request,
        "reports/export_detail.html",
        {"export": export, "running": False, "password": password},
    )
    response["Cache-Control"] = "no-store"
    return response


def _running(export) -> bool:
    return export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)


@login_required
def export_list(request):
    page = Paginator(selectors.my_exports(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/export_list.html",
        {"page": page, "may_periodic": _may_periodic(request.user)},
    )


def _may_periodic(user) -> bool:
    return policy.reach(user, Action.STATION_DASHBOARD) is not None


@login_required
@recent_auth_required
def export_download(request, pk: int):
    export = _my_export(request.user, pk)
    data = run_service(  # a refusal to this user stays a 403
        request,
        services.export_download,
        passthrough=[PermissionDenied],
        actor=request.user,
        export=export,
    )
    if data is None:
        return redirect(export)
    return _attachment(data, export.filename, export.fmt)


# --- periodic reports -----------------------------------------------------------------------


@login_required
def periodic_list(request):
    policy.require(request.user, Action.STATION_DASHBOARD)
    page = Paginator(selectors.visible_periodic_reports(request.user), 20).get_page(
        request.GET.get("page")
    )
    for report in page:
        current = report.figures.get("current", {})
        report.headline = [
            (str(periodic.FIGURES[key]), current.get(key, 0))
            for key in ("tasks_created", "tasks_archived", "tasks_overdue", "urgent")
        ]
    return render(request, "reports/periodic_list.html", {"page": page})


@login_required
def periodic_download(request, pk: int):
    report = get_for_user_or_404(
        request.user, PeriodicReport.objects.all(), Action.STATION_DASHBOARD, pk=pk
    )
    data = periodic.periodic_download(actor=request.user, report=report)
    return _attachment(data, report.filename, "pdf")
