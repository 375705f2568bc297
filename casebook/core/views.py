"""Home pages per role, the organisation pages, error pages."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound

from casebook.access.policy import Action, require, unit_admin_queryset
from casebook.accounts.models import RolePolicy, User
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent

from .api import api_bad_request, api_server_error, is_api_request, problem_response
from .choices import UnitKind
from .forms import apply_validation_error
from .home import panel_context
from .models import Unit
from .services import unit_create, unit_update

#: Which home page a user with several roles lands on: the first role they hold in this order.
HOME_ORDER = [
    Role.STATION_LEADER,
    Role.BUREAU_LEADER,
    Role.SUPERVISOR,
    Role.ANALYST,
    Role.TRACKING_OFFICER,
    Role.COMMUNITY_OFFICER,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
]
DORMANT_AFTER = timedelta(days=90)


def primary_role(user) -> str | None:
    return next((r for r in HOME_ORDER if r in user.role_set), None)


def _station_summary(station: Unit) -> dict:
    members = User.objects.filter(Q(unit=station) | Q(unit__parent=station), is_active=True)
    return {
        "station": station,
        "areas": station.children.filter(is_active=True).order_by("code"),
        "officers": members.count(),
        "by_role": members.values("roles__role").annotate(n=Count("pk")).order_by("roles__role"),
    }


@login_required
def home(request):
    user = request.user
    role = primary_role(user)
    context = {"role": role, "role_label": Role(role).label if role else ""}
    mine = (
        AuditEvent.objects.filter(actor_id=user.pk)
        .exclude(action__startswith="read.")  # what I did, not every page I opened
        .order_by("-seq")[:8]
    )
    context["my_events"] = mine
    context.update(panel_context(user, role))  # panels of higher modules (core.home)
    if (
        role in (Role.STATION_LEADER, Role.ANALYST, Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER)
        and user.unit.station
    ):
        summary = _station_summary(user.unit.station)
        context["summary"] = summary
        if role == Role.STATION_LEADER:
            context["colleagues"] = (
                User.objects.filter(Q(unit=summary["station"]) | Q(unit__parent=summary["station"]))
                .select_related("unit")
                .prefetch_related("roles")
                .order_by("username")
            )
        template = "core/home_station.html"
    elif role in (Role.BUREAU_LEADER, Role.SUPERVISOR):
        bureau = user.unit.bureau
        stations = Unit.objects.filter(parent=bureau, kind=UnitKind.STATION, is_active=True)
        context["stations"] = [_station_summary(s) for s in stations.order_by("code")]
        context["bureau"] = bureau
        template = "core/home_bureau.html"
    elif role == Role.SYSTEM_ADMIN:
        from casebook.access.policy import unit_admin_queryset, user_admin_queryset

        now = timezone.now()
        users = user_admin_queryset(user, User.objects.all())
        context.update(
            {
                "user_count": users.filter(is_active=True).count(),
                "disabled_count": users.filter(is_active=False).count(),
                "dormant": users.filter(is_active=True).filter(
                    Q(last_login__lt=now - DORMANT_AFTER)
                    | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_AFTER)
                ),
                "unit_counts": unit_admin_queryset(user, Unit.objects.all())
                .values("kind")
                .annotate(n=Count("pk"))
                .order_by("kind"),
                "demo_accounts": users.filter(is_demo=True, is_active=True).count(),
            }
        )
        template = "core/home_sysadmin.html"
    elif role == Role.SECURITY_ADMIN:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from casebook.access.policy import grant_request_queryset, user_admin_queryset
        from casebook.accounts.choices import GrantStatus
        from casebook.accounts.models import GrantRequest

        policies = dict(RolePolicy.objects.values_list("role", "mfa_required"))
        required_roles = [r for r in Role.values if policies.get(r, RolePolicy.default_for(r))]
        without = (
            user_admin_queryset(user, User.objects.all(), Action.GRANT_APPROVE)
            .filter(is_active=True, roles__role__in=required_roles)
            .exclude(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
            .distinct()
        )
        context.update(
            {
                "required_roles": [Role(r).label for r in required_roles],
                "without_2fa": without.count(),
                "pending_grants": grant_request_queryset(user, GrantRequest.objects.all())
                .filter(status=GrantStatus.PENDING)
                .count(),
                "failures_24h": AuditEvent.objects.filter(
                    action="auth.login",
                    outcome__in=["failure", "denied"],
                    occurred_at__gte=timezone.now() - timedelta(hours=24),
                ).count(),
            }
        )
        template = "core/home_secadmin.html"
    elif role == Role.AUDIT_ADMIN:
        from casebook.audit.chain import read_checkpoints

        checkpoints = read_checkpoints()
        context.update(
            {
                "event_count": AuditEvent.objects.count(),
                "last_checkpoint": checkpoints[-1] if checkpoints else None,
                "failures_24h": AuditEvent.objects.filter(
                    outcome__in=["failure", "denied"],
                    occurred_at__gte=timezone.now() - timedelta(hours=24),
                ).count(),
            }
        )
        template = "core/home_auditadmin.html"
    else:
        template = "core/home_norole.html"
    return render(request, template, context)


@login_required
def unit_list(request):
    require(request.user, Action.UNIT_MANAGE)
    # Only the administrator's own bureau: another bureau is never listed.
    bureaus = (
        unit_admin_queryset(request.user, Unit.objects.filter(kind=UnitKind.BUREAU))
        .prefetch_related("children__children")
        .order_by("code")
    )
    return render(request, "core/unit_list.html", {"bureaus": bureaus})


@login_required
def unit_edit(request, pk: int | None = None):
    from casebook.accounts.forms import UnitForm

    require(request.user, Action.UNIT_MANAGE)
    units = unit_admin_queryset(request.user, Unit.objects.all())
    unit = get_object_or_404(units, pk=pk) if pk else None
    initial = {}
    if unit is None and request.GET.get("parent", "").isdigit():
        parent = units.filter(pk=request.GET["parent"]).first()
        if parent is not None:
            initial = {
                "parent": parent,
                "kind": UnitKind.STATION if parent.kind == UnitKind.BUREAU else UnitKind.AREA,
            }
    form = UnitForm(request.POST or None, instance=unit, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if unit is None:
                # the form's parent choices are the bureau's units; the service checks again
                unit = unit_create(
                    actor=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    code=data["code"],
                    parent=data["parent"],
                    address=data["address"],
                    phone=data["phone"],
                    time_zone=data["time_zone"],
                )
            else:
                unit_update(actor=request.user, unit=Unit.objects.get(pk=unit.pk), **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Unit %(name)s saved.") % {"name": data["name"]})
            return redirect("core:units")
    return render(request, "core/unit_form.html", {"form": form, "unit": unit})


@login_not_required
@require_GET
def healthz(request):
    """Public, for monitoring: "ok" (200), or "degraded"/"down" (503) and one reason a line.
    The reasons hold counts and ages only (see :mod:`casebook.core.health`)."""
    from .health import problems
    from .resilience import DATABASE_OUTAGE

    try:
        found = problems()
    except DATABASE_OUTAGE:
        status, found = "down", ["database: unreachable"]
    else:
        status = "degraded" if found else "ok"
    response = HttpResponse(
        "\n".join([status, *found]),
        content_type="text/plain; charset=utf-8",
        status=503 if found else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def csrf_failure(request, reason=""):
    from casebook.audit.services import record_event

    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    record_event(
        actor=user, action="security.csrf", outcome="denied", object_repr=request.path[:200]
    )
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    if is_api_request(request):
        return api_bad_request()
    template = loader.get_template("400.html")
    return HttpResponse(template.render({}, request), status=400)


def server_error(request):
    if is_api_request(request):
        return api_server_error()
    template = loader.get_template("500.html")
    return HttpResponse(template.render({}, request), status=500)


def not_found(request, exception=None):
    """An unknown address: problem details under /api/ (the API's one error format), else the page."""
    if is_api_request(request):
        return problem_response(404, NotFound.default_detail)
    return page_not_found(request, exception)
