"""Pages of self-summaries and supervision: the officer's summaries and the station's, writing
one (pre-filled with the period's figures), the leader's comment; the supervision page
(inspections, rectifications, complaints, the quarterly report), an inspection with its
findings, a rectification and its closure with evidence, a complaint; the supervisor's read of
the audit log of the units they supervise."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action, can
from casebook.access.registry import get_for_user_or_404, restrict
from casebook.accounts.models import User
from casebook.audit.labels import action_label
from casebook.audit.reads import record_read
from casebook.audit.selectors import AuditFilterForm, filtered_events, with_police_numbers
from casebook.audit.services import record_event
from casebook.core.actions import run_service
from casebook.core.models import Unit
from casebook.crypto.services import decrypt_bytes
from casebook.reports.documents import CONTENT_TYPES
from casebook.subjects.models import Subject

from . import supervision_report, supervision_services
from . import supervision_selectors as sel
from .supervision_access import (
    may_set_cadence,
    may_supervise,
    may_write_summary,
    readers_of_station,
    supervised_station_ids,
)
from .supervision_choices import InspectionStatus, RectificationState
from .supervision_forms import (
    CadenceForm,
    CloseForm,
    CommentForm,
    ComplaintForm,
    ComplaintUpdateForm,
    FindingFields,
    PlanForm,
    RecordForm,
    ReportForm,
    SummaryForm,
)
from .supervision_models import Complaint, Inspection, Rectification, WorkSummary


def _officers_of(station_ids):
    return (
        User.objects.filter(is_active=True)
        .filter(Q(unit_id__in=station_ids) | Q(unit__parent_id__in=station_ids))
        .exclude(roles__role__in=["system_admin", "security_admin", "audit_admin"])
        .order_by("unit_id", "username")
    )


# --- summaries ----------------------------------------------------------------------------------


@login_required
def summaries(request):
    user = request.user
    writer = may_write_summary(user)
    stations = readers_of_station(user)
    if not writer and not stations:
        raise PermissionDenied
    cadence = sel.cadence_for(user.unit)
    period = sel.open_period(cadence)
    own = list(WorkSummary.objects.filter(officer=user).order_by("-period_start")[:24])
    station_rows = list(
        sel.visible_summaries(user)
        .exclude(officer=user)
        .order_by("-period_start", "station_id")[:200]
    )
    missing = sel.missing_summaries(stations, period) if stations else []
    cadence_form = None
    if may_set_cadence(user):
        cadence_form = CadenceForm(request.POST or None, initial={"cadence": cadence})
        if (
            request.method == "POST"
            and cadence_form.is_valid()
            and run_service(
                request,
                supervision_services.summary_cadence_set,
                form=cadence_form,
                success=_("The summary cadence is saved."),
                actor=user,
                cadence=cadence_form.cleaned_data["cadence"],
            )
        ):
            return redirect("staff:summaries")
    if station_rows:
        record_read(request, what="work_summary", objects=station_rows, fields=["figures"])
    own_written = any(s.period_start == period.start and s.cadence == cadence for s in own)
    return render(
        request,
        "staff/summaries.html",
        {
            "own": own,
            "rows": station_rows,
            "missing": missing,
            "period": period,
            "writer": writer,
            "own_written": own_written,
            "cadence_form": cadence_form,
            "today": timezone.localdate(),
        },
    )


@login_required
def summary_new(request):
    user = request.user
    if not may_write_summary(user):
        raise PermissionDenied
    cadence = sel.cadence_for(user.unit)
    period = sel.open_period(cadence)
    form = SummaryForm(request.POST or None, initial={"period_start": period.start})
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            supervision_services.summary_submit,
            form=form,
            success=_("Your work summary is submitted."),
            actor=user,
            period_start=form.cleaned_data["period_start"],
            text=form.cleaned_data["text"],
        )
        if saved is not None:
            return redirect("staff:summary", saved.pk)
    figures = sel.period_figures(user, period)
    return render(
        request,
        "staff/summary_form.html",
        {"form": form, "period": period, "figure_rows": sel.figure_rows(figures)},
    )


@login_required
def summary_detail(request, pk: int):
    summary = get_for_user_or_404(request.user, WorkSummary, "view", pk=pk)
    may_comment = can(request.user, "comment", summary)
    form = CommentForm(request.POST or None) if may_comment else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and run_service(
            request,
            supervision_services.summary_comment,
            form=form,
            success=_("Your comment is saved."),
            actor=request.user,
            summary=summary,
            comment=form.cleaned_data["comment"],
        ):
            return redirect("staff:summary", summary.pk)
    if summary.officer_id != request.user.pk:
        record_read(request, what="work_summary", objects=[summary], fields=["text", "figures"])
    return render(
        request,
        "staff/summary_detail.html",
        {"summary": summary, "figure_rows": sel.figure_rows(summary.figures), "form": form},
    )


# --- supervision --------------------------------------------------------------------------------


@login_required
def supervision(request):
    user = request.user
    stations = readers_of_station(user)
    own_rectifications = list(
        sel.visible_rectifications(user).filter(owner=user, state=RectificationState.OPEN)
    )
    if not stations and not own_rectifications and not may_write_summary(user):
        raise PermissionDenied  # officers see their own rectifications here
    inspections = list(sel.visible_inspections(user)[:100])
    rectifications = list(
        sel.visible_rectifications(user).filter(state=RectificationState.OPEN)[:200]
    )
    complaints = list(sel.visible_complaints(user)[:100])
    station_qs = Unit.objects.filter(pk__in=stations).order_by("code")
    today = timezone.localdate()
    report_form = ReportForm(
        stations=station_qs,
        initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1, "fmt": "pdf"},
    )
    return render(
        request,
        "staff/supervision.html",
        {
            "inspections": inspections,
            "rectifications": rectifications,
            "complaints": complaints,
            "may_supervise": may_supervise(user),
            "report_form": report_form if stations else None,
            "today": today,
        },
    )


@login_required
def inspection_new(request):
    user = request.user
    if not may_supervise(user):
        raise PermissionDenied
    stations = Unit.objects.filter(pk__in=supervised_station_ids(user)).order_by("code")
    subjects = restrict(user, Subject.objects.all(), Action.SUBJECT_VIEW).filter(
        station_id__in=supervised_station_ids(user)
    )
    form = PlanForm(request.POST or None, stations=stations, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            supervision_services.inspection_plan,
            form=form,
            success=_("The inspection is planned."),
            actor=user,
            **form.cleaned_data,
        )
        if saved is not None:
            return redirect("staff:inspection", saved.pk)
    return render(request, "staff/inspection_form.html", {"form": form})


@login_required
def inspection_detail(request, pk: int):
    user = request.user
    inspection = get_for_user_or_404(user, Inspection, "view", pk=pk)
    manage = can(user, "manage", inspection)
    owners = _officers_of([inspection.station_id])
    record_form = finding_form = None
    if manage and inspection.status == InspectionStatus.PLANNED:
        record_form = RecordForm(request.POST or None, owners=owners)
    elif manage:
        finding_form = FindingFields(request.POST or None, owners=owners)
    if request.method == "POST":
        if record_form is not None and record_form.is_valid():
            data = record_form.cleaned_data
            if run_service(
                request,
                supervision_services.inspection_record,
                form=record_form,
                success=_("The inspection is recorded."),
                actor=user,
                inspection=inspection,
                conducted_on=data["conducted_on"],
                checked=data["checked"],
                conclusion=data["conclusion"],
                rating=data["rating"],
                findings=record_form.finding_data(),
            ):
                return redirect("staff:inspection", inspection.pk)
        elif finding_form is not None and finding_form.is_valid():
            data = finding_form.cleaned_data
            if run_service(
                request,
                supervision_services.finding_add,
                form=finding_form,
                success=_("The finding is recorded and its rectification opened."),
                actor=user,
                inspection=inspection,
                text=data.get("finding") or "",
                owner=data.get("owner"),
                deadline=data.get("deadline"),
            ):
                return redirect("staff:inspection", inspection.pk)
        elif record_form is None and finding_form is None:
            raise PermissionDenied
    findings = list(
        inspection.findings.select_related("rectification", "rectification__owner").order_by("pk")
    )
    return render(
        request,
        "staff/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": findings,
            "record_form": record_form,
            "finding_form": finding_form,
        },
    )


@login_required
def rectification_detail(request, pk: int):
    user = request.user
    rectification = get_for_user_or_404(user, Rectification, "view", pk=pk)
    may_close = rectification.state == RectificationState.OPEN and can(user, "close", rectification)
    form = CloseForm(request.POST or None, request.FILES or None) if may_close else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            if run_service(
                request,
                supervision_services.rectification_close,
                form=form,
                success=_("The rectification is closed."),
                actor=user,
                rectification=rectification,
                evidence=form.cleaned_data["evidence"],
                file_bytes=upload.read() if upload else None,
                file_name=upload.name if upload else "",
            ):
                return redirect("staff:rectification", rectification.pk)
    return render(
        request,
        "staff/rectification_detail.html",
        {"r": rectification, "form": form, "finding": rectification.finding},
    )


@login_required
def rectification_evidence(request, pk: int):
    rectification = get_for_user_or_404(request.user, Rectification, "view", pk=pk)
    if not rectification.evidence_file or rectification.data_key is None:
        raise PermissionDenied
    data = decrypt_bytes(
        rectification.data_key,
        bytes(rectification.evidence_file),
        context=f"staff.rectification:{rectification.pk}",
    )
    record_read(request, what="rectification_evidence", objects=[rectification])
    response = HttpResponse(data, content_type=rectification.evidence_type)
    response["Content-Disposition"] = f'attachment; filename="evidence-{rectification.pk}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def complaint_new(request):
    user = request.user
    if not may_supervise(user):
        raise PermissionDenied
    form = ComplaintForm(request.POST or None, officers=_officers_of(supervised_station_ids(user)))
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            supervision_services.complaint_register,
            form=form,
            success=_("The complaint is registered."),
            actor=user,
            **form.cleaned_data,
        )
        if saved is not None:
            return redirect("staff:complaint", saved.pk)
    return render(request, "staff/complaint_form.html", {"form": form})


@login_required
def complaint_detail(request, pk: int):
    user = request.user
    complaint = get_for_user_or_404(user, Complaint, "view", pk=pk)
    manage = can(user, "manage", complaint) and complaint.status != "closed"
    form = (
        ComplaintUpdateForm(request.POST or None, initial={"status": complaint.status})
        if manage
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and run_service(
            request,
            supervision_services.complaint_update,
            form=form,
            success=_("The complaint is updated."),
            actor=user,
            complaint=complaint,
            **form.cleaned_data,
        ):
            return redirect("staff:complaint", complaint.pk)
    record_read(request, what="complaint", objects=[complaint], fields=["complainant", "account"])
    return render(request, "staff/complaint_detail.html", {"complaint": complaint, "form": form})


@login_required
def report(request):
    user = request.user
    stations = Unit.objects.filter(pk__in=readers_of_station(user)).order_by("code")
    form = ReportForm(request.GET or None, stations=stations)
    if not stations.exists():
        raise PermissionDenied
    if not form.is_valid():
        return render(request, "staff/report_form.html", {"form": form})
    data = form.cleaned_data
    content, reference = supervision_report.issue_report(
        data["station"], data["year"], data["quarter"], data["fmt"], actor=user
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[data["fmt"]])
    response["Content-Disposition"] = f'attachment; filename="{reference}.{data["fmt"]}"'
    response["Cache-Control"] = "no-store"
    return response


# --- the audit log of supervised units ----------------------------------------------------------


@login_required
def supervised_audit(request):
    """The audit events of the officers of the stations the supervisor supervises: read only
    (no export, verification or checkpoint), and every read logged."""
    user = request.user
    if not supervised_station_ids(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    chosen = filtered_events(form if request.GET else AuditFilterForm({}))
    events = sel.supervised_audit_events(user).filter(pk__in=chosen.values("pk"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    record_event(
        actor=user,
        action="supervision.audit_view",
        object_type="audit.auditevent",
        details={
            "filters": form.summary() if request.GET else {},
            "page": page.number,
            "stations": sorted(supervised_station_ids(user)),
        },
    )
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.label = action_label(event.action)
    with_police_numbers(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/supervised_audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
