"""The system administrator's account and organisation management (inside their own bureau), the
security administrator's decisions on access requests and policies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.access.policy import Action, can_decide_grant, require
from casebook.access.registry import get_for_user_or_404, restrict
from casebook.audit.services import record_event
from casebook.core.actions import report_invalid, run_service
from casebook.core.choices import UnitKind
from casebook.core.integrity import check_on_read
from casebook.core.models import Unit
from casebook.crypto.selectors import key_status

from . import services
from .choices import GrantKind, GrantStatus
from .forms import (
    CompartmentForm,
    CredentialResetForm,
    DisableForm,
    GrantDecisionForm,
    RolePolicyForm,
    UnitForm,
    UserForm,
)
from .models import Compartment, GrantRequest, RolePolicy, User
from .roles import Role


def _users(request):
    """Accounts of the administrator's bureau: another bureau's accounts look absent."""
    return User.objects.select_related("unit")


@login_required
def user_list(request):
    require(request.user, Action.USER_MANAGE)
    users = (
        _users(request)
        .restrict(request.user, Action.USER_MANAGE)
        .prefetch_related("roles")
        .order_by("username")
    )
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
    pending = set(
        GrantRequest.objects.filter(
            status=GrantStatus.PENDING, user__in=page.object_list
        ).values_list("user_id", flat=True)
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
            "pending": pending,
        },
    )


def _denied(request, user, exc) -> str:
    """A refused change is recorded after the rollback, so the record survives."""
    record_event(
        actor=request.user,
        action="account.roles",
        obj=user,
        outcome="denied",
        details={"reason": str(exc)},
    )
    return str(exc) or _("Not allowed.")


def _show_temporary_password(request, user, password: str, *, created: bool):
    """The temporary password is shown once, on this response only (never stored in clear)."""
    response = render(
        request,
        "accounts/temporary_password.html",
        {
            "subject_user": user,
            "password": password,
            "created": created,
            "valid_days": services.TEMPORARY_PASSWORD_VALID.days,
            "pending_request": user.grant_requests.filter(
                kind=GrantKind.ACCESS, status=GrantStatus.PENDING
            ).first(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def user_create(request):
    require(request.user, Action.USER_MANAGE)
    form = UserForm(request.POST or None, actor=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        @transaction.atomic  # the account and its first password, or neither
        def create_with_password():
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                roles=set(data["roles"]),
                compartments=data["compartments"],
                reason=data["reason"],
                **{k: data[k] for k in PROFILE_FORM_FIELDS},
            )
            return user, services.user_issue_temporary_password(actor=request.user, user=user)

        created = run_service(request, create_with_password, form=form, default_field="roles")
        if created is not None:
            user, password = created
            return _show_temporary_password(request, user, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


PROFILE_FORM_FIELDS = ("real_name", "unit", "title", "phone", "email", "clearance")


@login_required
def user_detail(request, pk: int):
    require(request.user, Action.USER_MANAGE)
    user = get_for_user_or_404(request.user, _users(request), Action.USER_MANAGE, pk=pk)
    form = UserForm(request.POST or None, instance=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        @transaction.atomic  # the profile and the access together, or neither
        def update_profile_and_access():
            services.user_update(
                actor=request.user,
                user=user,
                **{k: data[k] for k in PROFILE_FORM_FIELDS if k != "clearance"},
            )
            grant = services.user_change_access(
                actor=request.user,
                user=user,
                roles=set(data["roles"]),
                clearance=data["clearance"],
                compartments=data["compartments"],
                reason=data["reason"],
            )
            return {"grant": grant}

        try:
            saved = run_service(
                request,
                update_profile_and_access,
                form=form,
                default_field="roles",
                passthrough=[PermissionDenied],  # recorded as refused, after the rollback
            )
        except PermissionDenied as exc:
            saved = None
            form.add_error("roles", _denied(request, user, exc))
        if saved is not None:
            if saved["grant"] is not None:
                messages.info(
                    request,
                    _(
                        "Changes saved. The change of access awaits the security "
                        "administrator's approval."
                    ),
                )
            else:
                messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", pk=user.pk)
        user.refresh_from_db()
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "creating": False,
            "subject_user": user,
            "disable_form": DisableForm(),
            "has_2fa": services.confirmed_device(user) is not None,
            "pending_request": user.grant_requests.filter(
                kind=GrantKind.ACCESS, status=GrantStatus.PENDING
            )
            .select_related("requested_by")
            .first(),
            "may_reset_credentials": not user.is_admin and user.pk != request.user.pk,
            "reset_form": CredentialResetForm(),
            "pending_reset": user.grant_requests.filter(
                kind=GrantKind.CREDENTIAL_RESET, status=GrantStatus.PENDING
            )
            .select_related("requested_by")
            .first(),
        },
    )


@login_required
@require_POST
def user_toggle_active(request, pk: int):
    require(request.user, Action.USER_MANAGE)
    user = get_for_user_or_404(request.user, _users(request), Action.USER_MANAGE, pk=pk)
    activate = not user.is_active
    form = DisableForm(request.POST)
    form.fields["reason"].required = not activate
    if not form.is_valid():
        report_invalid(request, form, _("Give a reason for disabling the account."))
    else:
        run_service(
            request,
            services.user_set_active,
            success=_("Account enabled.") if activate else _("Account disabled."),
            actor=request.user,
            user=user,
            active=activate,
            reason=form.cleaned_data["reason"],
        )
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def user_credential_reset(request, pk: int):
    """Ask for a new temporary password and second factor for an officer (forgotten password,
    lost phone): the security administrator approves, and only they see the password."""
    require(request.user, Action.USER_MANAGE)
    user = get_for_user_or_404(request.user, _users(request), Action.USER_MANAGE, pk=pk)
    if user.pk == request.user.pk:  # one's own credentials: the profile page, with step-up
        raise PermissionDenied
    form = CredentialResetForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form, _("Say why the credentials are reset."))
    else:
        run_service(
            request,
            services.credential_reset_request,
            success=_(
                "Credential reset requested: the security administrator approves it and gives "
                "the officer the temporary password."
            ),
            actor=request.user,
            user=user,
            reason=form.cleaned_data["reason"],
        )
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def user_temporary_password(request, pk: int):
    """A new temporary password (forgotten password), shown once."""
    require(request.user, Action.USER_MANAGE)
    user = get_for_user_or_404(request.user, _users(request), Action.USER_MANAGE, pk=pk)
    password = run_service(
        request, services.user_issue_temporary_password, actor=request.user, user=user
    )
    if password is None:
        return redirect("accounts:user_detail", pk=pk)
    return _show_temporary_password(request, user, password, created=False)


# --- access requests: the system administrator asks, the security administrator decides -----


def _grant_requests(request):
    """Access requests of the administrator's bureau (another bureau's look absent)."""
    return GrantRequest.objects.select_related("user", "user__unit", "requested_by")


@login_required
def grant_list(request):
    """The security administrator's queue of access requests of the bureau."""
    require(request.user, Action.GRANT_APPROVE)
    requests = (
        _grant_requests(request)
        .restrict(request.user, Action.GRANT_APPROVE)
        .select_related("decided_by")
    )
    pending = list(requests.filter(status=GrantStatus.PENDING).order_by("requested_at", "pk"))
    decided = list(requests.exclude(status=GrantStatus.PENDING)[:20])
    problems = check_on_read(request, [*pending, *decided])
    with_2fa = set(
        TOTPDevice.objects.filter(
            confirmed=True, user__in=[r.user_id for r in pending]
        ).values_list("user_id", flat=True)
    )
    return render(
        request,
        "accounts/grant_list.html",
        {
            "pending": [
                (r, can_decide_grant(request.user, r), r.user_id in with_2fa) for r in pending
            ],
            "decided": decided,
            "integrity_problems": problems,
            "form": GrantDecisionForm(),
        },
    )


@login_required
@require_POST
def grant_decide(request, pk: int, decision: str):
    require(request.user, Action.GRANT_APPROVE)
    grant = get_for_user_or_404(request.user, _grant_requests(request), Action.GRANT_APPROVE, pk=pk)
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return redirect("accounts:grants")
    if decision == "approve" and grant.kind == GrantKind.CREDENTIAL_RESET:
        try:
            password = run_service(
                request,
                services.credential_reset_approve,
                passthrough=[PermissionDenied],  # recorded as refused below
                actor=request.user,
                request=grant,
                note=form.cleaned_data["note"],
            )
        except PermissionDenied as exc:
            record_event(
                actor=request.user,
                action="account.grant_approve",
                obj=grant.user,
                outcome="denied",
                details={"request": grant.pk},
            )
            messages.error(request, str(exc) or _("Not allowed."))
            return redirect("accounts:grants")
        if password is None:
            return redirect("accounts:grants")
        # shown once, to the approver alone, never stored in clear
        response = render(
            request,
            "accounts/credential_reset_password.html",
            {
                "subject_user": grant.user,
                "password": password,
                "valid_hours": int(services.CREDENTIAL_RESET_VALID.total_seconds() // 3600),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    if decision == "approve":
        service = services.grant_request_approve
        success = _("Request approved: the account's access has changed.")
    else:
        service = services.grant_request_reject
        success = _("Request rejected: the account's access is unchanged.")
    try:
        run_service(
            request,
            service,
            success=success,
            passthrough=[PermissionDenied],  # recorded as refused below
            actor=request.user,
            request=grant,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        record_event(
            actor=request.user,
            action=f"account.grant_{decision}",
            obj=grant.user,
            outcome="denied",
            details={"request": grant.pk},
        )
        messages.error(request, str(exc) or _("Not allowed."))
    return redirect("accounts:grants")


@login_required
@require_POST
def grant_withdraw(request, pk: int):
    require(request.user, Action.ROLE_GRANT)
    grant = get_for_user_or_404(request.user, _grant_requests(request), Action.ROLE_GRANT, pk=pk)
    run_service(
        request,
        services.grant_request_withdraw,
        success=_("Request withdrawn."),
        actor=request.user,
        request=grant,
    )
    return redirect("accounts:user_detail", pk=grant.user_id)


@login_required
def security_policies(request):
    """Security administrator: two-factor policy per role, compartments, key status."""
    require(request.user, Action.POLICY_MANAGE)
    policies = RolePolicy.of_bureau(request.user.unit.bureau)
    if request.method == "POST" and "save_policies" in request.POST:
        form = RolePolicyForm(request.POST)
        if not form.is_valid():
            report_invalid(request, form)
            return redirect("accounts:security")
        wanted = set(form.cleaned_data["mfa"])

        @transaction.atomic  # every role's policy, or none
        def save_policies():
            for role in Role.values:
                services.role_policy_set(actor=request.user, role=role, mfa_required=role in wanted)

        run_service(request, save_policies, success=_("Security policy saved."))
        return redirect("accounts:security")
    compartment_form = CompartmentForm(request.POST if "add_compartment" in request.POST else None)
    if (
        request.method == "POST"
        and compartment_form.is_valid()
        and run_service(
            request,
            services.compartment_create,
            form=compartment_form,
            success=_("Compartment added."),
            actor=request.user,
            **compartment_form.cleaned_data,
        )
    ):
        return redirect("accounts:security")

    return render(
        request,
        "accounts/security.html",
        {
            "rows": [(value, label, policies[value]) for value, label in Role.choices],
            "compartments": Compartment.objects.all(),
            "compartment_form": compartment_form,
            **key_status(),
        },
    )


@login_required
def unit_list(request):
    require(request.user, Action.UNIT_MANAGE)
    # Only the administrator's own bureau: another bureau is never listed.
    bureaus = (
        restrict(request.user, Unit.objects.filter(kind=UnitKind.BUREAU), Action.UNIT_MANAGE)
        .prefetch_related("children__children")
        .order_by("code")
    )
    return render(request, "accounts/unit_list.html", {"bureaus": bureaus})


@login_required
def unit_edit(request, pk: int | None = None):
    require(request.user, Action.UNIT_MANAGE)
    units = restrict(request.user, Unit.objects.all(), Action.UNIT_MANAGE)
    unit = get_for_user_or_404(request.user, Unit, Action.UNIT_MANAGE, pk=pk) if pk else None
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
        success = _("Unit %(name)s saved.") % {"name": data["name"]}
        if unit is None:
            # the form's parent choices are the bureau's units; the service checks again
            saved = run_service(
                request,
                services.unit_create,
                form=form,
                success=success,
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
            saved = run_service(
                request,
                services.unit_update,
                form=form,
                success=success,
                actor=request.user,
                unit=Unit.objects.get(pk=unit.pk),
                **data,
            )
        if saved is not None:
            return redirect("accounts:units")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})
