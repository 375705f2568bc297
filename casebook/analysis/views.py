"""Pages of analysis: the assessment form (preview, then sign), an assessment with its
approval and measures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.intel.services import _may_work_station
from casebook.intel.views import visible_records
from casebook.subjects.choices import RiskLevel
from casebook.subjects.selectors import get_subject
from casebook.tracking.selectors import visible_tasks

from . import services
from .models import AssessmentStatus, Measure, RiskAssessment


def _ratings_from(request, factors, records):
    by_pk = {r.pk: r for r in records}
    ratings = []
    for factor in factors:
        if request.POST.get(f"factor_{factor.pk}"):
            cited = [
                by_pk[int(i)]
                for i in request.POST.getlist(f"records_{factor.pk}")
                if i.isdigit() and int(i) in by_pk
            ]
            ratings.append(
                services.Rating(factor, cited, request.POST.get(f"note_{factor.pk}", "")[:300])
            )
    return ratings


@login_required
def assess(request, subject_pk: int):
    subject = get_subject(request.user, subject_pk)
    if not _may_work_station(request.user, subject.station):
        raise PermissionDenied
    factors = list(subject.category.risk_factors.filter(is_active=True))
    records = list(
        visible_records(request.user)
        .filter(subjects=subject, merged_into__isnull=True)
        .order_by("-occurred_at")[:100]
    )
    task = (
        visible_tasks(request.user)
        .filter(pk=request.GET.get("task") or request.POST.get("task") or 0, subjects=subject)
        .first()
    )
    errors, preview = {}, None
    if request.method == "POST":
        ratings = _ratings_from(request, factors, records)
        level = request.POST.get("level") or None
        measures = [line for line in request.POST.get("measures", "").splitlines() if line.strip()]
        if "save" in request.POST:
            try:
                assessment = services.assessment_create(
                    actor=request.user,
                    subject=subject,
                    ratings=ratings,
                    level=level,
                    override_reason=request.POST.get("override_reason", ""),
                    summary=request.POST.get("summary", ""),
                    measures=measures,
                    task=task,
                )
            except ValidationError as exc:
                errors = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"factors": exc.messages}
                )
            else:
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
    chosen = {f.pk for f in factors if request.POST.get(f"factor_{f.pk}")}
    cited = {
        f.pk: {int(i) for i in request.POST.getlist(f"records_{f.pk}") if i.isdigit()}
        for f in factors
    }
    return render(
        request,
        "analysis/assess.html",
        {
            "subject": subject,
            "factors": factors,
            "records": records,
            "task": task,
            "errors": errors,
            "preview": preview,
            "chosen": chosen,
            "cited": cited,
            "levels": [(v, label) for v, label in RiskLevel.choices if v != RiskLevel.NONE],
            "post": request.POST,
        },
    )


def _get_assessment(user, pk) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_related("subject", "assessor").filter(pk=pk).first()
    if assessment is None or not policy.can(user, Action.SUBJECT_VIEW, assessment.subject):
        raise Http404
    return assessment


@login_required
def assessment_detail(request, pk: int):
    assessment = _get_assessment(request.user, pk)
    visible = visible_records(request.user)
    factors = []
    for row in assessment.factors.select_related("factor"):
        factors.append({"row": row, "records": visible.filter(pk__in=row.records.values("pk"))})
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
            "history": RiskAssessment.objects.filter(subject=assessment.subject).order_by(
                "-assessed_at"
            )[:10],
        },
    )


@login_required
@require_POST
def assessment_decide(request, pk: int):
    assessment = _get_assessment(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.assessment_decide(
            actor=request.user,
            assessment=assessment,
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(getattr(exc, "messages", [])) or _("You are not allowed to do this.")
        )
    else:
        messages.success(
            request,
            _("Approved: the level is in force.") if approve else _("Returned to the assessor."),
        )
    return redirect(assessment)


@login_required
@require_POST
def measure_task(request, pk: int):
    measure = Measure.objects.select_related("assessment__subject").filter(pk=pk).first()
    if measure is None:
        raise Http404
    assessment = _get_assessment(request.user, measure.assessment_id)
    try:
        task = services.measure_to_task(actor=request.user, measure=measure)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(getattr(exc, "messages", [])) or _("You are not allowed to do this.")
        )
        return redirect(assessment)
    messages.success(request, _("Task created."))
    return redirect(task)
