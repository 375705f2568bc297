"""Pages of the work assessment (thin: services write, selectors read)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access.registry import get_for_user_or_404
from casebook.audit.reads import record_read
from casebook.core.actions import run_service
from casebook.core.middleware import client_ip
from casebook.core.models import Unit

from . import export, figures, selectors, services
from .access import assessed_stations, is_assessor, is_bureau
from .choices import DISCIPLINE, AssessmentStatus, MeasureStatus
from .forms import (
    AnswerForm,
    CheckItemForm,
    ConfirmForm,
    MeasureForm,
    ObjectionForm,
    OpinionForm,
    ScoreForm,
    SpotCheckForm,
    TextForm,
)
from .models import Assessment, Measure, Opinion, SpotCheck, SpotCheckItem
from .periods import Quarter

ROW_LINKS = {
    "record": ("intel:detail", "pk"),
    "task": ("tracking:detail", "pk"),
    "deadline": ("tracking:detail", "task_id"),
    "assessment": ("analysis:assessment", "pk"),
    "feedback": ("reports:feedback", "pk"),
    "urgent": ("reports:urgent", "pk"),
    "spot": ("assessment:spotcheck", "spot_check_id"),
}


def _int(value) -> int:
    """A primary key from a query or form value; 0 (matching nothing) when it is not one."""
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _quarter(request) -> Quarter:
    try:
        return Quarter.parse(request.GET.get("period", ""))
    except Exception:  # noqa: BLE001 - an unreadable period shows the current quarter
        return Quarter.current()


def _station(request, user):
    stations = selectors.stations_for(user)
    wanted = request.GET.get("station") or request.POST.get("station")
    if wanted:
        found = stations.filter(pk=_int(wanted)).first()
        if found is None:
            raise Http404
        return found
    own = user.unit.station if user.unit_id else None
    return own if own and own.pk in assessed_stations(user) else stations.first()


def index(request):
    user, quarter = request.user, _quarter(request)
    context = {"quarter": quarter, "figures": figures.FIGURES, "is_assessor": is_assessor(user)}
    if is_assessor(user):
        station = _station(request, user)
        context.update(station=station, stations=selectors.stations_for(user))
        if station is not None:
            context["table"] = selectors.figure_table(user, station, quarter)
        if is_bureau(user):
            context["bureau"] = selectors.bureau_table(user, quarter)
    else:
        own = user.unit.station if user.unit_id else None
        context["table"] = selectors.figure_table(user, own, quarter) if own else []
        context["station"] = own
    context["mine"] = Assessment.objects.restrict(request.user).filter(officer=user)
    record_read(request, what="appraisal", details={"page": "figures", "period": quarter.code})
    return render(request, "assessment/index.html", context)


def figure_rows(request, code: str):
    if code not in figures.BY_CODE:
        raise Http404
    user, quarter = request.user, _quarter(request)
    station = get_object_or_404(Unit, pk=_int(request.GET.get("station")))
    officer_id = _int(request.GET.get("officer")) or None
    mine_only = officer_id == user.pk and user.unit_id and user.unit.station == station
    if station.pk not in assessed_stations(user) and not mine_only:
        raise Http404
    fig = figures.figure(code)
    rows = figures.rows_for(code, quarter, station_id=station.pk, officer_id=officer_id)
    rows = list(rows.order_by("pk")[:500])
    name, attr = ROW_LINKS[fig.kind]
    listed = [(row, reverse(name, args=[getattr(row, attr)])) for row in rows]
    record_read(
        request,
        what="appraisal",
        objects=[row.pk for row in rows],
        object_type=f"{rows[0]._meta.app_label}.{rows[0]._meta.model_name}" if rows else "",
        details={"figure": code, "period": quarter.code, "officer": officer_id},
    )
    return render(
        request,
        "assessment/figure_rows.html",
        {
            "figure": fig,
            "rows": listed,
            "quarter": quarter,
            "station": station,
            "counted": sum(1 for r in rows if r.counted),
        },
    )


# --- spot checks -----------------------------------------------------------------------------


def spotchecks(request):
    if not is_assessor(request.user):
        raise PermissionDenied
    station = _station(request, request.user)
    form = SpotCheckForm(request.POST or None, initial={"period": Quarter.current().code})
    if request.method == "POST" and form.is_valid() and station is not None:
        data = form.cleaned_data
        check = run_service(
            request,
            services.spot_check_draw,
            form=form,
            actor=request.user,
            station=station,
            period=data["period"],
            kind=data["kind"],
            size=data["size"],
        )
        if check is not None:
            return redirect(check.get_absolute_url())
    checks = SpotCheck.objects.restrict(request.user).select_related("station", "drawn_by")[:100]
    return render(
        request,
        "assessment/spotchecks.html",
        {
            "form": form,
            "checks": checks,
            "station": station,
            "stations": selectors.stations_for(request.user),
        },
        status=400 if form.errors else 200,
    )


def spotcheck(request, pk: int):
    check = get_for_user_or_404(request.user, SpotCheck, pk=pk)
    items = check.items.select_related("officer", "checked_by")
    record_read(request, what="appraisal", objects=[check])
    return render(
        request,
        "assessment/spotcheck.html",
        {
            "check": check,
            "items": items,
            "reproduced": services.spot_check_redraw(check),
            "form": CheckItemForm(),
            "link": ROW_LINKS["task" if check.kind == "tasks" else "record"][0],
        },
    )


@require_POST
def spot_item(request, pk: int):
    item = get_for_user_or_404(request.user, SpotCheckItem, pk=pk)
    if not is_assessor(request.user):
        raise Http404
    form = CheckItemForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.spot_item_check,
            actor=request.user,
            item=item,
            success=_("Check recorded."),
            **form.cleaned_data,
        )
    else:
        run_service(
            request,
            services.spot_item_check,
            actor=request.user,
            item=item,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
        )
    return redirect(item.spot_check.get_absolute_url())


# --- quarterly assessment --------------------------------------------------------------------


def assessments(request):
    user, quarter = request.user, _quarter(request)
    station = _station(request, user) if is_assessor(user) else None
    if request.method == "POST":
        if station is None:
            raise PermissionDenied
        run_service(
            request,
            services.assessment_draft,
            actor=user,
            station=station,
            period=request.POST.get("period", ""),
            success=_("Drafts made."),
        )
        return redirect(
            f"{reverse('assessment:assessments')}?station={station.pk}&period={request.POST.get('period', '')}"
        )
    rows = (
        Assessment.objects.restrict(user)
        .filter(period=quarter.code)
        .select_related("officer", "station")
    )
    if station is not None:
        rows = rows.filter(station=station)
    return render(
        request,
        "assessment/assessments.html",
        {
            "rows": rows,
            "quarter": quarter,
            "station": station,
            "stations": selectors.stations_for(user),
            "grades": dict(services.grades()),
        },
    )


def assessment(request, pk: int):
    a = get_for_user_or_404(
        request.user, Assessment.objects.select_related("officer", "station"), pk=pk
    )
    is_officer = a.officer_id == request.user.pk
    if is_officer:
        a = services.assessment_mark_read(actor=request.user, assessment=a)
    record_read(request, what="appraisal", objects=[a])
    labels = {f.code: f for f in figures.FIGURES}
    basis = [
        (labels[code], num, den)
        for code, (num, den) in a.basis.get("figures", {}).items()
        if code in labels
    ]
    return render(
        request,
        "assessment/assessment.html",
        {
            "a": a,
            "is_officer": is_officer,
            "basis": basis,
            "can_score": not is_officer and a.station_id in assessed_stations(request.user),
            "grade_label": services.grade_label(a.grade),
            "score_form": ScoreForm(
                grades=services.grades(), initial={"grade": a.grade, "reasons": a.reasons}
            ),
            "objection_form": ObjectionForm(),
            "confirm_form": ConfirmForm(),
            "Status": AssessmentStatus,
        },
    )


@require_POST
def assessment_act(request, pk: int, step: str):
    a = get_for_user_or_404(request.user, Assessment, pk=pk)
    p = request.POST
    if step == "score":
        run_service(
            request,
            services.assessment_score,
            actor=request.user,
            assessment=a,
            grade=p.get("grade", ""),
            reasons=p.get("reasons", ""),
            success=_("Grade given."),
        )
    elif step == "object":
        run_service(
            request,
            services.assessment_object,
            actor=request.user,
            assessment=a,
            objection=p.get("objection", ""),
            success=_("Your objection is recorded."),
        )
    elif step == "confirm":
        run_service(
            request,
            services.assessment_confirm,
            actor=request.user,
            assessment=a,
            note=p.get("note", ""),
            success=_("Assessment confirmed."),
        )
    else:
        raise Http404
    return redirect(a.get_absolute_url())


def results_export(request):
    station = _station(request, request.user)
    if station is None:
        raise Http404
    fmt = request.GET.get("fmt", "pdf")
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    try:
        content, reference = export.results_export(
            actor=request.user, station=station, period=request.GET.get("period", ""), fmt=fmt
        )
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    types = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="{reference}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# --- opinions --------------------------------------------------------------------------------


@login_not_required
def opinion_submit(request):
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opinion = run_service(
                request,
                services.opinion_submit,
                form=form,
                ip=client_ip(request),
                station=data["station"],
                kind=data["kind"],
                text=data["text"],
                contact=data["contact"],
                honeypot=data["website"],
            )
        except services.OpinionRefused as exc:
            return render(
                request,
                "assessment/opinion_form.html",
                {"form": form, "refused": str(exc)},
                status=429,
            )
        if opinion is not None:
            return render(
                request, "assessment/opinion_thanks.html", {"reference": opinion.reference}
            )
    return render(
        request, "assessment/opinion_form.html", {"form": form}, status=400 if form.errors else 200
    )


def opinions(request):
    if not is_assessor(request.user):
        raise PermissionDenied
    rows = Opinion.objects.restrict(request.user).select_related("station", "officer")[:200]
    record_read(request, what="appraisal", objects=rows, details={"page": "opinions"})
    return render(request, "assessment/opinions.html", {"rows": rows})


def opinion(request, pk: int):
    o = get_for_user_or_404(
        request.user, Opinion.objects.select_related("station", "officer"), pk=pk
    )
    if request.method == "POST":
        if "answer" in request.POST:
            run_service(
                request,
                services.opinion_answer,
                actor=request.user,
                opinion=o,
                answer=request.POST.get("answer", ""),
                success=_("Answer recorded."),
            )
        else:
            officer = (
                services.station_officers(o.station)
                .filter(pk=_int(request.POST.get("officer")))
                .first()
            )
            unit = Unit.objects.filter(pk=_int(request.POST.get("unit"))).first()
            run_service(
                request,
                services.opinion_triage,
                actor=request.user,
                opinion=o,
                officer=officer,
                unit=unit,
                success=_("Opinion assigned."),
            )
        return redirect(o.get_absolute_url())
    record_read(request, what="appraisal", objects=[o], fields=["text", "contact"])
    return render(
        request,
        "assessment/opinion.html",
        {"o": o, "officers": services.station_officers(o.station), "answer_form": AnswerForm()},
    )


# --- rewards and discipline ------------------------------------------------------------------


def measures(request):
    user = request.user
    station = _station(request, user) if is_assessor(user) else None
    officers = services.station_officers(station) if station else None
    form = MeasureForm(request.POST or None, officers=officers) if station else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            m = run_service(
                request, services.measure_propose, form=form, actor=user, **form.cleaned_data
            )
            if m is not None:
                return redirect(m.get_absolute_url())
        else:
            run_service(
                request,
                services.measure_propose,
                form=form,
                actor=user,
                officer=form.cleaned_data.get("officer") or user,
                kind=request.POST.get("kind", ""),
                grounds=request.POST.get("grounds", ""),
            )
    rows = Measure.objects.restrict(user).select_related("officer", "station")[:200]
    return render(
        request,
        "assessment/measures.html",
        {"rows": rows, "form": form, "station": station},
        status=400 if form is not None and form.errors else 200,
    )


def measure(request, pk: int):
    m = get_for_user_or_404(
        request.user, Measure.objects.select_related("officer", "station"), pk=pk
    )
    if request.method == "POST":
        step, text = request.POST.get("step"), request.POST.get("text", "")
        if step == "statement":
            run_service(
                request,
                services.measure_statement,
                actor=request.user,
                measure=m,
                statement=text,
                success=_("Statement recorded."),
            )
        elif step == "forward":
            run_service(
                request,
                services.measure_forward,
                actor=request.user,
                measure=m,
                success=_("Forwarded to the bureau."),
            )
        elif step in ("decide", "reject"):
            run_service(
                request,
                services.measure_decide,
                actor=request.user,
                measure=m,
                decision=text,
                approve=step == "decide",
                success=_("Decision recorded."),
            )
        return redirect(m.get_absolute_url())
    record_read(request, what="appraisal", objects=[m])
    return render(
        request,
        "assessment/measure.html",
        {
            "m": m,
            "form": TextForm(),
            "is_officer": m.officer_id == request.user.pk,
            "is_discipline": m.kind in DISCIPLINE,
            "Status": MeasureStatus,
            "can_decide": m.officer_id != request.user.pk
            and m.station_id in assessed_stations(request.user),
        },
    )
