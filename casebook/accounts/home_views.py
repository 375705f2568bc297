"""The home page: one per role (the user's first role in ``HOME_ORDER``). The figures of the
station and bureau pages and of the administrators' pages come from here; what the modules
above show on them (subject counts, my tasks, feedback awaiting, the audit figures) they
register with ``casebook.core.home.register_home_panel``."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.access.policy import Action
from casebook.access.registry import restrict
from casebook.audit.models import AuditEvent
from casebook.core.choices import UnitKind
from casebook.core.home import panel_context
from casebook.core.models import Unit

from .choices import GrantStatus
from .models import GrantRequest, RolePolicy, User
from .roles import Role

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
    context.update(panel_context(user, role))  # panels of the other modules (core.home)
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
        template = "accounts/home_station.html"
    elif role in (Role.BUREAU_LEADER, Role.SUPERVISOR):
        bureau = user.unit.bureau
        stations = Unit.objects.filter(parent=bureau, kind=UnitKind.STATION, is_active=True)
        context["stations"] = [_station_summary(s) for s in stations.order_by("code")]
        context["bureau"] = bureau
        template = "accounts/home_bureau.html"
    elif role == Role.SYSTEM_ADMIN:
        context.update(_system_admin_figures(user))
        template = "accounts/home_sysadmin.html"
    elif role == Role.SECURITY_ADMIN:
        context.update(_security_admin_figures(user))
        template = "accounts/home_secadmin.html"
    elif role == Role.AUDIT_ADMIN:
        template = "audit/home_auditadmin.html"  # its figures: casebook.audit.home
    else:
        template = "accounts/home_norole.html"
    return render(request, template, context)


def _system_admin_figures(user) -> dict:
    now = timezone.now()
    users = User.objects.restrict(user, Action.USER_MANAGE)
    return {
        "user_count": users.filter(is_active=True).count(),
        "disabled_count": users.filter(is_active=False).count(),
        "dormant": users.filter(is_active=True).filter(
            Q(last_login__lt=now - DORMANT_AFTER)
            | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_AFTER)
        ),
        "unit_counts": restrict(user, Unit.objects.all(), Action.UNIT_MANAGE)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("kind"),
        "demo_accounts": users.filter(is_demo=True, is_active=True).count(),
    }


def _security_admin_figures(user) -> dict:
    policies = RolePolicy.of_bureau(user.unit.bureau)
    required_roles = [r for r in Role.values if policies[r]]
    without = (
        User.objects.restrict(user, Action.GRANT_APPROVE)
        .filter(is_active=True, roles__role__in=required_roles)
        .exclude(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
        .distinct()
    )
    return {
        "required_roles": [Role(r).label for r in required_roles],
        "without_2fa": without.count(),
        "pending_grants": GrantRequest.objects.restrict(user, Action.GRANT_APPROVE)
        .filter(status=GrantStatus.PENDING)
        .count(),
        "failures_24h": AuditEvent.objects.filter(
            action="auth.login",
            outcome__in=["failure", "denied"],
            occurred_at__gte=timezone.now() - timedelta(hours=24),
        ).count(),
    }
