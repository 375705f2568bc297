"""Pages of analysis: the assessment form (preview, then sign), an assessment with its
approval and measures."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.audit import reads
from casebook.core.actions import report_invalid, run_service
from casebook.core.filters import bind_page_filters, filter_errors
from casebook.core.models import Unit
from casebook.core.redirects import safe_target
from casebook.intel.selectors import visible_records
from casebook.subjects import services as subject_services
from casebook.subjects.choices import RiskLevel
from casebook.subjects.forms import PurposeForm
from casebook.subjects.models import Category
from casebook.subjects.selectors import get_subject, purpose_suggestion, visible_subjects
from casebook.tracking.choices import WORKING_STAGES, Priority, Stage
from casebook.tracking.models import DeadlineRule
from casebook.tracking.selectors import visible_tasks
from casebook.tracking.services import DEFAULT_HOURS, deadline_rule_set

from . import services
from .dashboard import bureau_rows, station_numbers
from .filters import WarningFilterSet
from .forms import (
    AssessmentForm,
    DeadlineGridForm,
    DecisionForm,
    FactorForm,
    RuleForm,
    TaskRefForm,
    WarningHandleForm,
)
from .models import (
    AssessmentStatus,
    Measure,
    RiskFactor,
    Warning,
    WarningRule,
    WarningStatus,
)
from .selectors import (
    assessment_history,
    bureau_stations,
    get_assessment,
    get_warning,
    visible_warnings,
)


@login_required
def assess(request, subject_pk: int):
    subject = get_subject(request.user, subject_pk)
    if not policy.works_at_station(request.user, subject.station):
        raise PermissionDenied
    factors = list(subject.category.risk_factors.filter(is_active=True))
    records = list(
        visible_records(request.user)
        .filter(subjects=subject, merged_into__isnull=True)
        .order_by("-occurred_at")[:100]
    )
    ref = TaskRefForm(request.POST if request.method == "POST" else request.GET)
    task_pk = ref.cleaned_data["task"] if ref.is_valid() else None
    task = visible_tasks(request.user).filter(pk=task_pk or 0, subjects=subject).first()
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, factors=factors, records=records
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ratings = form.ratings(services.Rating)
        if "save" in request.POST:
            assessment = run_service(
                request,
                services.assessment_create,
                form=form,
                actor=request.user,
                subject=subject,
                ratings=ratings,
                level=data["level"],
                override_reason=data["override_reason"],
                summary=data["summary"],
                measures=data["measures"],
                task=task,
            )
            if assessment is not None:
                if assessment.status == AssessmentStatus.PENDING:
                    messages.warning(
                        request,
                        _(
                            "Saved. A %(level)s level takes effect when the "
                            "station leader approves it."
                        )
                        % {"level": assessment.get_level_display()},
                    )
                else:
                    messages.success(request, _("Assessment saved and in force."))
                return redirect(assessment)
        if ratings:
            score, text = services.explain(RiskLevel.LOW, ratings)
            suggested = services.suggest(score)
            _score, text = services.explain(suggested, ratings)
            preview = {
                "score": score,
                "level": suggested,
                "label": RiskLevel(suggested).label,
                "text": text,
            }
    # what the officer ticked and cited, shown again as it was sent
    chosen = {f.pk for f in factors if form.data.get(f"factor_{f.pk}")}
    _record_assess_read(request, subject, records)
    cited = {
        f.pk: {int(i) for i in form.data.getlist(f"records_{f.pk}") if i.isdigit()} for f in factors
    }
    return render(
        request,
        "analysis/assess.html",
        {
            "subject": subject,
            "factors": factors,
            "records": records,
            "task": task,
            "errors": form.errors if form.is_bound else {},
            "preview": preview,
            "chosen": chosen,
            "cited": cited,
            "levels": [(v, label) for v, label in RiskLevel.choices if v != RiskLevel.NONE],
            "post": request.POST,
        },
    )


def _record_assess_read(request, subject, records) -> None:
    reads.record_read(
        request,
        what="assessment_form",
        objects=[subject],
        fields=["risk_level", "records"],
        related={"records": records},
    )


@login_required
def assessment_detail(request, pk: int):
    assessment = get_assessment(request.user, pk)
    visible = visible_records(request.user)
    factors = []
    for row in assessment.factors.select_related("factor"):
        factors.append(
            {"row": row, "records": list(visible.filter(pk__in=row.records.values("pk")))}
        )
    history = assessment_history(assessment.subject)
    reads.record_read(
        request,
        what="assessment",
        objects=[assessment],
        fields=["level", "factors", "summary", "measures", "history"],
        related={
            "subjects": [assessment.subject],
            "records": [r for f in factors for r in f["records"]],
            "history": history,
        },
    )
    return render(
        request,
        "analysis/assessment.html",
        {
            "a": assessment,
            "factors": factors,
            "measures": assessment.measures.all(),
            "may_decide": assessment.status == AssessmentStatus.PENDING
            and policy.can(request.user, Action.SUBJECT_APPROVE, assessment.subject),
            "may_task": assessment.subject.station_id
            in policy.station_ids(request.user, Action.TASK_ASSIGN),
            "history": history,
        },
    )


@login_required
@require_POST
def assessment_decide(request, pk: int):
    assessment = get_assessment(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return redirect(assessment)
    approve = form.cleaned_data["decision"] == "approve"
    run_service(
        request,
        services.assessment_decide,
        success=_("Approved: the level is in force.")
        if approve
        else _("Returned to the assessor."),
        actor=request.user,
        assessment=assessment,
        approve=approve,
        note=form.cleaned_data["note"],
    )
    return redirect(assessment)


@login_required
@require_POST
def measure_task(request, pk: int):
    measure = get_for_user_or_404(
        request.user,
        Measure.objects.select_related("assessment__subject"),
        Action.SUBJECT_VIEW,
        pk=pk,
    )
    assessment = measure.assessment
    task = run_service(
        request,
        services.measure_to_task,
        success=_("Task created."),
        actor=request.user,
        measure=measure,
    )
    return redirect(task if task is not None else assessment)


# --- dashboards, warnings, maps -------------------------------------------------------------


@login_required
def dashboard(request):
    """The station leader's picture at a glance (bureau users choose a station)."""

    station_ids = policy.station_ids(request.user, Action.STATION_DASHBOARD)
    if not station_ids:
        raise PermissionDenied
    requested = request.GET.get("station", "")
    if requested.isdigit() and int(requested) in station_ids:
        station = Unit.objects.get(pk=int(requested))
    elif len(station_ids) == 1:
        station = Unit.objects.get(pk=next(iter(station_ids)))
    else:
        return redirect("analysis:bureau")
    numbers = station_numbers(request.user, station.pk)
    numbers["recent_warnings"] = warnings = list(numbers["recent_warnings"])
    numbers["recent_urgent"] = urgent = list(numbers["recent_urgent"])
    reads.record_read(  # the counts are not personal data, the warnings and reports shown are
        request,
        what="dashboard",
        objects=[w.subject for w in warnings],
        object_type="subjects.subject",
        related={"warnings": warnings, "urgent_reports": urgent},
        details={"board": "station", "station": station.pk},
    )
    return render(
        request,
        "analysis/dashboard.html",
        {
            "station": station,
            "n": numbers,
            "multi": len(station_ids) > 1,
            "trend": numbers["trend"],
        },
    )


@login_required
def bureau(request):
    if policy.reach(request.user, Action.BUREAU_DASHBOARD) is None:
        raise PermissionDenied
    stations = bureau_stations(request.user)
    rows = bureau_rows(request.user, stations)
    reads.record_read(  # counts per station only: which stations were looked at
        request,
        what="dashboard",
        object_type="subjects.subject",
        details={"board": "bureau", "stations": [r["station"].pk for r in rows]},
    )
    return render(
        request,
        "analysis/bureau.html",
        {
            "rows": rows,
            "chart": {
                "stations": [r["station"].name for r in rows],
                "active": [r["active"]["n"] for r in rows],
                "high": [r["high"]["n"] for r in rows],
                "warnings": [r["open_warnings"]["n"] for r in rows],
            },
        },
    )


@login_required
def warnings(request):
    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    filterset = bind_page_filters(WarningFilterSet, request, visible_warnings(request.user))
    if "status" not in filterset.data:  # the page opens on the open warnings
        filterset.data = filterset.data.copy()
        filterset.data["status"] = WarningStatus.OPEN
    if filterset.is_valid():
        qs, errors = filterset.qs, []
    else:  # never every warning for a filter that could not be read
        qs, errors = Warning.objects.none(), filter_errors(filterset)
    qs = qs.select_related("subject", "rule", "handled_by", "task").order_by("-created_at", "-pk")
    status = filterset.data.get("status", "")
    rule = filterset.data.get("rule", "")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    page.object_list = shown = list(page.object_list)
    reads.record_read(
        request,
        what="warning_list",
        objects=shown,
        object_type="analysis.warning",
        related={"subjects": [w.subject for w in shown]},
        search=filterset.search_summary(page.paginator.count),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "analysis/warnings.html",
        {
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "rule": rule,
            "statuses": WarningStatus.choices,
            "rules": WarningRule.objects.restrict(request.user, Action.SUBJECT_VIEW),
            "may_task": bool(policy.station_ids(request.user, Action.TASK_ASSIGN)),
            "filter_errors": errors,
        },
    )


@login_required
@require_POST
def warning_handle(request, pk: int):
    warning = get_warning(request.user, pk)
    form = WarningHandleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            services.warning_handle,
            success=_("Warning handled."),
            actor=request.user,
            warning=warning,
            decision=data["decision"],
            note=data["note"],
        )
    else:
        report_invalid(request, form)
    target = form.cleaned_data.get("next", "")
    return redirect(safe_target(request, target, "analysis:warnings"))


@login_required
def places_map(request):
    """Key places coloured by their open rectification findings."""

    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    places = (
        visible_subjects(request.user)
        .filter(kind="place", place__latitude__isnull=False)
        .select_related("place", "category")
        .annotate(findings=Count("rectifications", filter=Q(rectifications__status="open")))
    )
    points = [
        {
            "id": p.pk,
            "name": p.name,
            "kind": p.kind,
            "risk": min(p.findings * 2, 4),
            "findings": p.findings,
            "category": p.category.label,
            "lat": float(p.place.latitude),
            "lng": float(p.place.longitude),
            "url": p.get_absolute_url(),
        }
        for p in places[:3000]
    ]
    reads.record_read(
        request,
        what="map",
        objects=[p["id"] for p in points],
        object_type="subjects.subject",
        fields=["name", "category", "findings", "position"],
    )
    return render(
        request,
        "analysis/places_map.html",
        {
            "points": points,
            "tile_url": settings.CASEBOOK_MAP_TILE_URL,
            "with_findings": sum(1 for p in points if p["findings"]),
        },
    )


@login_required
def trail(request, subject_pk: int):
    """A person's trail: positions from information records, on a map and a timeline. Location
    trails are sensitive: shown only within a stated purpose, and each view is logged."""

    subject = get_subject(request.user, subject_pk)
    if request.method == "POST":
        form = PurposeForm(request.POST)
        if form.is_valid():
            purpose = form.cleaned_data["purpose"].strip()
            if run_service(
                request,
                subject_services.subject_consult,
                form=form,
                actor=request.user,
                subject=subject,
                purpose=purpose,
            ):
                reads.remember_purpose(request, subject, purpose)
                return redirect("analysis:trail", subject_pk=subject.pk)
    else:
        form = PurposeForm(initial={"purpose": purpose_suggestion(request.user, subject)})
    purpose = reads.stated_purpose(request, subject)
    if not purpose:
        return render(request, "analysis/trail.html", {"subject": subject, "purpose_form": form})
    records = list(
        visible_records(request.user)
        .filter(subjects=subject, merged_into__isnull=True)
        .order_by("occurred_at")
    )
    points = [
        {
            "lat": float(r.latitude),
            "lng": float(r.longitude),
            "at": timezone_local(r.occurred_at),
            "label": f"#{r.pk} {r.get_channel_display()}",
            "url": r.get_absolute_url(),
        }
        for r in records
        if r.latitude is not None
    ]
    reads.record_read(
        request,
        what="trail",
        objects=[subject],
        fields=["positions", "addresses", "times"],
        related={"records": records},
        purpose=purpose,
        details={"positions": len(points)},
    )
    return render(
        request,
        "analysis/trail.html",
        {
            "subject": subject,
            "points": points,
            "records": records,
            "tile_url": settings.CASEBOOK_MAP_TILE_URL,
        },
    )


def timezone_local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@login_required
def rules_config(request):
    """The system administrator switches warning rules on or off and sets their parameters."""

    policy.require(request.user, Action.CATEGORY_MANAGE)
    if request.method == "POST" and "deadlines" in request.POST:
        form = DeadlineGridForm(request.POST, priorities=Priority.values, stages=WORKING_STAGES)
        if not form.is_valid():
            report_invalid(request, form, _("Give whole hours."))
        else:

            @transaction.atomic  # the whole grid, or none of it
            def save_grid():
                for priority, stage, hours in form.hours():
                    deadline_rule_set(
                        actor=request.user, priority=priority, stage=stage, hours=hours
                    )

            run_service(request, save_grid, success=_("Deadlines saved."))
        return redirect("analysis:rules")
    rules = WarningRule.objects.restrict(request.user, Action.CATEGORY_MANAGE)  # own bureau's
    if request.method == "POST":
        rule = rules.filter(code=request.POST.get("code", "")[:40]).first()
        if rule is None:
            raise Http404
        form = RuleForm(request.POST, params=rule.params)
        if form.is_valid():
            run_service(
                request,
                services.rule_configure,
                success=_("Rule saved."),
                actor=request.user,
                rule=rule,
                enabled=form.cleaned_data["enabled"],
                params=form.params(),
            )
        else:
            report_invalid(request, form, _("Between 1 and 365."))
        return redirect("analysis:rules")
    hours = {
        (r.priority, r.stage): r.hours
        for r in DeadlineRule.objects.restrict(request.user, Action.CATEGORY_MANAGE)
    }
    grid = [
        {
            "priority": p,
            "label": label,
            "cells": [
                {"stage": s, "hours": hours.get((p, s), DEFAULT_HOURS[p])} for s in WORKING_STAGES
            ],
        }
        for p, label in Priority.choices
    ]
    return render(
        request,
        "analysis/rules.html",
        {
            "rules": rules,
            "grid": grid,
            "stages": [Stage(s).label for s in WORKING_STAGES],
        },
    )


@login_required
@require_POST
def factor_add(request, category_pk: int):
    policy.require(request.user, Action.CATEGORY_MANAGE)
    category = get_for_user_or_404(request.user, Category, Action.CATEGORY_MANAGE, pk=category_pk)
    form = FactorForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.factor_add,
            success=_("Factor added."),
            actor=request.user,
            category=category,
            **form.cleaned_data,
        )
    else:
        report_invalid(request, form)
    return redirect("subjects:category_edit", pk=category_pk)


@login_required
@require_POST
def factor_retire(request, pk: int):
    policy.require(request.user, Action.CATEGORY_MANAGE)
    factor = get_for_user_or_404(
        request.user, RiskFactor.objects.filter(is_active=True), Action.CATEGORY_MANAGE, pk=pk
    )
    run_service(
        request,
        services.factor_retire,
        success=_("Factor removed from future assessments."),
        actor=request.user,
        factor=factor,
    )
    return redirect("subjects:category_edit", pk=factor.category_id)
