"""Pages of monitoring alerts, geofences and bindings (thin: forms → services, selectors → pages).

Every page that shows alerts, fences or bindings writes one read event; every change goes through
``alert_services``."""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action, reach
from casebook.access.registry import get_for_user_or_404
from casebook.audit.reads import record_read
from casebook.core.actions import run_service
from casebook.subjects.choices import Kind, Status
from casebook.subjects.selectors import visible_subjects
from casebook.tracking.selectors import visible_tasks

from . import alert_selectors as selectors
from . import alert_services as services
from . import geo
from .alert_forms import (
    BindingForm,
    DismissForm,
    FenceForm,
    FenceImportForm,
    PromoteForm,
    UrgentForm,
    WithdrawForm,
)
from .geo_access import BINDING_MANAGE, FENCE_MANAGE, TRIAGE
from .geo_models import Alert, Binding, Geofence
from .models import Source


def _station(user):
    unit = getattr(user, "unit", None)
    return unit.station if unit is not None else None


def _may(user, action, station=None) -> bool:
    station = station or _station(user)
    return (
        station is not None
        and station.pk in policy.station_ids(user, action)
        and policy.works_at_station(user, station)
    )


def _require_view(user) -> None:
    if reach(user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied


def _station_subjects(user, station, kinds=None):
    qs = visible_subjects(user).filter(station=station, status=Status.ACTIVE)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("kind", "name")


# --- alerts -------------------------------------------------------------------------------------


@login_required
def alert_list(request):
    _require_view(request.user)
    queue = request.GET.get("queue", "open")
    if queue not in selectors.QUEUES:
        queue = "open"
    station = request.GET.get("station", "")
    station = station if station.isdigit() else ""
    page = Paginator(selectors.alert_queue(request.user, queue, station), 25).get_page(
        request.GET.get("page")
    )
    counts = selectors.station_alert_counts(request.user, station)
    record_read(
        request,
        what="monitoring_alerts",
        objects=list(page.object_list),
        search={"queue": queue, "station": station},
    )
    return render(
        request,
        "monitoring/alerts.html",
        {"page": page, "queue": queue, "station": station, "counts": counts},
    )


def _alert_context(request, alert, **forms):
    user = request.user
    may_triage = alert.is_live and _may(user, TRIAGE, alert.station)
    events = list(
        alert.events.order_by("occurred_at", "pk").values(
            "occurred_at", "kind", "external_id", "label"
        )[:100]
    )
    subjects = _station_subjects(user, alert.station)
    tasks = visible_tasks(user).filter(station=alert.station).exclude(stage="closed")
    promote = forms.get("promote") or PromoteForm(
        subjects=subjects,
        tasks=tasks,
        initial={
            "subject": alert.subject_id,
            "content": _("%(what)s: %(count)s events, %(first)s – %(last)s, %(device)s")
            % {
                "what": alert.label or alert.get_kind_display(),
                "count": alert.count,
                "first": timezone.localtime(alert.first_at).strftime("%Y-%m-%d %H:%M"),
                "last": timezone.localtime(alert.last_at).strftime("%H:%M"),
                "device": alert.device_id,
            },
        },
    )
    if "task" in promote.fields:
        promote.fields["task"].queryset = tasks
    return {
        "alert": alert,
        "events": events,
        "may_triage": may_triage,
        "may_urgent": may_triage and policy.can(user, Action.URGENT_SEND),
        "dismiss_form": forms.get("dismiss") or DismissForm(),
        "promote_form": promote,
        "urgent_form": forms.get("urgent")
        or UrgentForm(
            initial={
                "text": _("Monitoring alert: %(what)s at %(where)s, %(count)s events.")
                % {
                    "what": alert.label or alert.get_kind_display(),
                    "where": alert.fence.name if alert.fence_id else alert.device_id,
                    "count": alert.count,
                }
            }
        ),
        "geometry": alert.fence.geometry if alert.fence_id else None,
    }


@login_required
def alert_detail(request, pk: int):
    alert = get_for_user_or_404(request.user, selectors.visible_alerts(request.user), pk=pk)
    record_read(request, what="monitoring_alert", objects=[alert])
    return render(request, "monitoring/alert.html", _alert_context(request, alert))


def _alert_for_triage(request, pk):
    return get_for_user_or_404(request.user, Alert, TRIAGE, pk=pk)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    alert = _alert_for_triage(request, pk)
    run_service(
        request,
        services.alert_acknowledge,
        success=_("Acknowledged."),
        actor=request.user,
        alert=alert,
    )
    if request.headers.get("HX-Request"):
        return _live_fragment(request)
    return redirect(alert)


@login_required
@require_POST
def alert_dismiss(request, pk: int):
    alert = _alert_for_triage(request, pk)
    form = DismissForm(request.POST)
    done = None
    if form.is_valid():
        done = run_service(
            request,
            services.alert_dismiss,
            form=form,
            success=_("Dismissed."),
            actor=request.user,
            alert=alert,
            reason=form.cleaned_data["reason"],
        )
    if done is not None:
        return redirect(alert)
    alert.refresh_from_db()
    return render(
        request,
        "monitoring/alert.html",
        _alert_context(request, alert, dismiss=form),
        status=400,
    )


@login_required
@require_POST
def alert_promote(request, pk: int):
    alert = _alert_for_triage(request, pk)
    tasks = visible_tasks(request.user).filter(station=alert.station)
    form = PromoteForm(
        request.POST, subjects=_station_subjects(request.user, alert.station), tasks=tasks
    )
    done = None
    if form.is_valid():
        done = run_service(
            request,
            services.alert_promote,
            form=form,
            success=_("Promoted to an information record."),
            actor=request.user,
            alert=alert,
            **form.cleaned_data,
        )
    if done is not None:
        return redirect(alert)
    alert.refresh_from_db()
    return render(
        request,
        "monitoring/alert.html",
        _alert_context(request, alert, promote=form),
        status=400,
    )


@login_required
@require_POST
def alert_urgent(request, pk: int):
    alert = _alert_for_triage(request, pk)
    form = UrgentForm(request.POST)
    done = None
    if form.is_valid():
        done = run_service(
            request,
            services.alert_raise_urgent,
            form=form,
            success=_("Urgent report sent. The on-duty leaders have been alerted."),
            actor=request.user,
            alert=alert,
            text=form.cleaned_data["text"],
        )
    if done is not None:
        return redirect(alert)
    alert.refresh_from_db()
    return render(
        request,
        "monitoring/alert.html",
        _alert_context(request, alert, urgent=form),
        status=400,
    )


# --- the live map ---------------------------------------------------------------------------


def _alert_points(alerts) -> list[dict]:
    points = []
    for alert in alerts:
        if alert.fence_id:
            lat, lon = geo.centre(alert.fence.geometry)
        else:
            event = alert.events.exclude(lat=None).order_by("-occurred_at").first()
            place = getattr(alert.subject, "place", None) if alert.subject_id else None
            if event is not None:
                lat, lon = event.lat, event.lon
            elif place is not None and place.latitude is not None:
                lat, lon = float(place.latitude), float(place.longitude)  # a camera's place
            else:
                continue
        points.append(
            {
                "id": alert.pk,
                "lat": lat,
                "lng": lon,
                "label": f"{alert.label or alert.get_kind_display()} ×{alert.count}",
                "status": alert.status,
                "url": alert.get_absolute_url(),
            }
        )
    return points


def _live_fragment(request):
    station = request.GET.get("station", "")
    station = station if station.isdigit() else ""
    alerts = list(selectors.live_alerts(request.user, station))
    record_read(request, what="monitoring_alerts", objects=alerts, details={"live": True})
    return render(
        request,
        "monitoring/_live.html",
        {
            "alerts": alerts,
            "points": _alert_points(alerts),
            "may_triage": reach(request.user, TRIAGE) is not None,
            "now": timezone.now(),
            "station": station,
        },
    )


@login_required
def alert_map(request):
    _require_view(request.user)
    fences = list(selectors.fences_in_force(request.user))
    record_read(request, what="monitoring_fences", objects=fences)
    return render(
        request,
        "monitoring/map.html",
        {
            "fences": [
                {"id": f.pk, "name": f.name, "geometry": f.geometry, "url": f.get_absolute_url()}
                for f in fences
            ],
            "tile_url": _tile_url(),
        },
    )


@login_required
def alert_live(request):
    _require_view(request.user)
    return _live_fragment(request)


def _tile_url() -> str:
    return getattr(settings, "CASEBOOK_MAP_TILE_URL", "")


# --- fences -------------------------------------------------------------------------------


@login_required
def fence_list(request):
    _require_view(request.user)
    fences = list(selectors.visible_fences(request.user).order_by("-is_active", "name"))
    record_read(request, what="monitoring_fences", objects=fences)
    return render(
        request,
        "monitoring/fences.html",
        {
            "fences": fences,
            "now": timezone.now(),
            "may_manage": _may(request.user, FENCE_MANAGE),
            "may_bind": _may(request.user, BINDING_MANAGE),
        },
    )


def _fence_form(request, station, fence=None):
    initial = None
    if fence is not None:
        initial = {
            "name": fence.name,
            "kind": fence.kind,
            "place": fence.place_id,
            "geometry": json.dumps(fence.geometry),
            "legal_basis": fence.legal_basis,
            "valid_from": timezone.localtime(fence.valid_from),
            "valid_until": timezone.localtime(fence.valid_until),
            "subjects": list(fence.subjects.values_list("pk", flat=True)),
            "device_ids": ", ".join(fence.device_ids),
            "external_ref": fence.external_ref,
        }
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = {"valid_from": now, "valid_until": now + timedelta(days=90)}
    return FenceForm(
        request.POST or None,
        initial=initial,
        places=_station_subjects(request.user, station, [Kind.PLACE]),
        subjects=_station_subjects(request.user, station, [Kind.PERSON]),
    )


@login_required
def fence_new(request):
    station = _station(request.user)
    if not _may(request.user, FENCE_MANAGE, station):
        raise PermissionDenied
    form = _fence_form(request, station)
    if request.method == "POST" and form.is_valid():
        fence = run_service(
            request,
            services.fence_create,
            form=form,
            success=_("The geofence is saved."),
            actor=request.user,
            station=station,
            **form.cleaned_data,
        )
        if fence is not None:
            return redirect(fence)
    return render(
        request,
        "monitoring/fence_form.html",
        {"form": form, "fence": None, "tile_url": _tile_url(), "places": _place_points(form)},
        status=400 if request.method == "POST" else 200,
    )


def _place_points(form) -> list[dict]:
    return [
        {
            "id": s.pk,
            "name": s.name,
            "lat": float(s.place.latitude),
            "lng": float(s.place.longitude),
        }
        for s in form.fields["place"].queryset.select_related("place")
        if hasattr(s, "place") and s.place.latitude is not None and s.place.longitude is not None
    ]


@login_required
def fence_detail(request, pk: int):
    fence = get_for_user_or_404(request.user, selectors.visible_fences(request.user), pk=pk)
    may_manage = _may(request.user, FENCE_MANAGE, fence.station)
    form = _fence_form(request, fence.station, fence) if may_manage else None
    if form is not None:
        form.fields["geometry"].required = False
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data.get("geometry"):
                data.pop("geometry")
            saved = run_service(
                request,
                services.fence_update,
                form=form,
                success=_("The geofence is saved."),
                actor=request.user,
                fence=fence,
                **data,
            )
            if saved is not None:
                return redirect(saved)
    record_read(request, what="monitoring_fences", objects=[fence])
    return render(
        request,
        "monitoring/fence_form.html",
        {
            "form": form,
            "fence": fence,
            "geometry": fence.geometry,
            "tile_url": _tile_url(),
            "withdraw_form": WithdrawForm(),
            "may_manage": may_manage,
            "places": _place_points(form) if form is not None else [],
            "alerts": fence.alerts.order_by("-last_at")[:10],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def fence_withdraw(request, pk: int):
    fence = get_for_user_or_404(request.user, Geofence, FENCE_MANAGE, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.fence_withdraw,
            success=_("The geofence is withdrawn."),
            actor=request.user,
            fence=fence,
            reason=form.cleaned_data["reason"],
        )
    else:
        run_service(request, services.fence_withdraw, actor=request.user, fence=fence, reason="")
    return redirect(fence)


@login_required
def fence_import(request):
    station = _station(request.user)
    if not _may(request.user, FENCE_MANAGE, station):
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = FenceImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"valid_from": now, "valid_until": now + timedelta(days=90)},
    )
    if request.method == "POST" and form.is_valid():
        fences = run_service(
            request,
            services.fence_import,
            form=form,
            success=lambda found: _("%(n)s geofences imported.") % {"n": len(found)},
            actor=request.user,
            station=station,
            geojson=form.geojson(),
            legal_basis=form.cleaned_data["legal_basis"],
            valid_from=form.cleaned_data["valid_from"],
            valid_until=form.cleaned_data["valid_until"],
            name=form.cleaned_data["name"],
        )
        if fences is not None:
            return redirect("monitoring:fences")
    return render(
        request,
        "monitoring/fence_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- bindings -----------------------------------------------------------------------------


@login_required
def binding_list(request):
    _require_view(request.user)
    station = _station(request.user)
    may_bind = _may(request.user, BINDING_MANAGE, station)
    form = None
    if may_bind:
        form = BindingForm(
            request.POST or None,
            subjects=_station_subjects(request.user, station, [Kind.PLACE, Kind.PERSON]),
            sources=Source.objects.filter(station=station, enabled=True),
        )
        if request.method == "POST" and form.is_valid():
            saved = run_service(
                request,
                services.binding_create,
                form=form,
                success=_("Bound."),
                actor=request.user,
                station=station,
                **form.cleaned_data,
            )
            if saved is not None:
                return redirect("monitoring:bindings")
    elif request.method == "POST":
        raise PermissionDenied
    bindings = list(selectors.visible_bindings(request.user))
    record_read(request, what="monitoring_bindings", objects=bindings)
    return render(
        request,
        "monitoring/bindings.html",
        {"bindings": bindings, "form": form, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def binding_revoke(request, pk: int):
    binding = get_for_user_or_404(request.user, Binding, BINDING_MANAGE, pk=pk)
    run_service(
        request,
        services.binding_revoke,
        success=_("The binding is revoked."),
        actor=request.user,
        binding=binding,
    )
    return redirect(reverse("monitoring:bindings"))
