"""The system administrator's account management and the security administrator's policies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.access.policy import Action, require
from casebook.audit.services import record_event
from casebook.core.forms import apply_validation_error

from . import services
from .forms import CompartmentForm, DisableForm, UserForm
from .models import Compartment, RolePolicy, User
from .roles import Role


@login_required
def user_list(request):
    require(request.user, Action.USER_MANAGE)
    users = User.objects.select_related("unit").prefetch_related("roles").order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(real_name__icontains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(roles__role=role)
    state = request.GET.get("state", "")
    if state == "active":
        users = users.filter(is_active=True)
    elif state == "disabled":
        users = users.filter(is_active=False)
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    with_2fa = set(
        TOTPDevice.objects.filter(confirmed=True, user__in=page.object_list).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "state": state,
            "roles": Role.choices,
            "with_2fa": with_2fa,
        },
    )


def _save_user(request, form, user=None):
    data = form.cleaned_data
    fields = {k: data[k] for k in ("real_name", "unit", "title", "phone", "email", "clearance")}
    try:
        with transaction.atomic():
            if user is None:
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],
                    roles=set(data["roles"]),
                    compartments=data["compartments"],
                    **fields,
                )
            else:
                services.user_update(
                    actor=request.user, user=user, compartments=data["compartments"], **fields
                )
                if set(data["roles"]) != set(user.role_set):
                    services.user_set_roles(actor=request.user, user=user, roles=set(data["roles"]))
    except ValidationError as exc:
        apply_validation_error(form, exc, default_field="password" if user is None else None)
        return None
    except PermissionDenied as exc:
        # The refused attempt is recorded after the rollback, so the record survives.
        record_event(
            actor=request.user,
            action="account.roles",
            obj=user,
            outcome="denied",
            details={"reason": str(exc)},
        )
        form.add_error("roles", str(exc) or _("Not allowed."))
        return None
    return user


@login_required
def user_create(request):
    require(request.user, Action.USER_MANAGE)
    form = UserForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        user = _save_user(request, form)
        if user is not None:
            messages.success(request, _("Account %(name)s created.") % {"name": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
def user_detail(request, pk: int):
    require(request.user, Action.USER_MANAGE)
    user = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid() and _save_user(request, form, user):
        messages.success(request, _("Changes saved."))
        return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "creating": False,
            "subject_user": user,
            "disable_form": DisableForm(),
            "has_2fa": services.confirmed_device(user) is not None,
        },
    )


@login_required
@require_POST
def user_toggle_active(request, pk: int):
    require(request.user, Action.USER_MANAGE)
    user = get_object_or_404(User, pk=pk)
    activate = not user.is_active
    try:
        services.user_set_active(
            actor=request.user, user=user, active=activate, reason=request.POST.get("reason", "")
        )
    except ValidationError:
        messages.error(request, _("Give a reason for disabling the account."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Account enabled.") if activate else _("Account disabled."))
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def user_reset_mfa(request, pk: int):
    require(request.user, Action.USER_MANAGE)
    user = get_object_or_404(User, pk=pk)
    services.mfa_reset(actor=request.user, user=user)
    messages.success(
        request, _("Two-factor authentication reset: the officer enrols again at the next login.")
    )
    return redirect("accounts:user_detail", pk=pk)


@login_required
def security_policies(request):
    """Security administrator: two-factor policy per role, compartments, key status."""
    require(request.user, Action.POLICY_MANAGE)
    policies = dict(RolePolicy.objects.values_list("role", "mfa_required"))
    if request.method == "POST" and "save_policies" in request.POST:
        wanted = set(request.POST.getlist("mfa"))
        for role in Role.values:
            services.role_policy_set(actor=request.user, role=role, mfa_required=role in wanted)
        messages.success(request, _("Security policy saved."))
        return redirect("accounts:security")
    compartment_form = CompartmentForm(request.POST if "add_compartment" in request.POST else None)
    if request.method == "POST" and compartment_form.is_valid():
        services.compartment_create(actor=request.user, **compartment_form.cleaned_data)
        messages.success(request, _("Compartment added."))
        return redirect("accounts:security")
    from casebook.crypto.keyring import load_keyring
    from casebook.crypto.models import DataKey
    from casebook.crypto.profiles import current_profile

    keyring = load_keyring()
    return render(
        request,
        "accounts/security.html",
        {
            "rows": [
                (value, label, policies.get(value, RolePolicy.default_for(value)))
                for value, label in Role.choices
            ],
            "compartments": Compartment.objects.all(),
            "compartment_form": compartment_form,
            "profile": current_profile().name,
            "active_kid": keyring.active[0],
            "key_count": DataKey.objects.filter(destroyed_at__isnull=True).count(),
            "destroyed_count": DataKey.objects.filter(destroyed_at__isnull=False).count(),
            "kid_counts": DataKey.objects.filter(destroyed_at__isnull=True)
            .values("master_kid")
            .order_by("master_kid")
            .annotate(n=Count("pk")),
        },
    )
