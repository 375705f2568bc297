"""Login (password, then second factor), logout, lockout, step-up, the user's own profile, and
the answer to a refused CSRF check (logged as a security event)."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.audit.services import record_event
from casebook.core.actions import run_service
from casebook.core.redirects import safe_target

from . import authflow, demo, services
from .decorators import recent_auth_required
from .forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    ReauthForm,
    SetPasswordForm,
    TokenForm,
)
from .models import ApiToken


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_target(request, target, settings.LOGIN_REDIRECT_URL)


@login_not_required
def csrf_failure(request, reason=""):
    """``settings.CSRF_FAILURE_VIEW``: the refusal is a security event in the audit log."""
    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    record_event(
        actor=user, action="security.csrf", outcome="denied", object_repr=request.path[:200]
    )
    return render(request, "403_csrf.html", status=403)


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this for every attempt on a locked account."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    record_event(
        actor=None,
        actor_name=str(username)[:40],
        action="auth.login",
        outcome="denied",
        details={"reason": "locked"},
    )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)


@login_not_required
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, {"username": username})
        if user is None:
            record_event(
                actor=None,
                actor_name=username[:40],
                action="auth.login",
                outcome="failure",
                details={"reason": "credentials"},
            )
            form.add_error(None, _("The police number or password is not correct."))
        elif demo.login_refused(user, form.cleaned_data["password"]):
            record_event(
                actor=None,
                actor_name=username[:40],
                action="auth.login",
                obj=user,
                outcome="denied",
                details={"reason": "demo_credentials"},
            )
            form.add_error(
                None,
                _(
                    "Demo accounts and the published demo password cannot be used on this "
                    "system. Ask the system administrator for your own account."
                ),
            )
        elif services.temporary_password_expired(user):
            record_event(
                actor=None,
                actor_name=username[:40],
                action="auth.login",
                obj=user,
                outcome="denied",
                details={"reason": "temporary_password_expired"},
            )
            form.add_error(
                None,
                _(
                    "Your temporary password has expired. Ask the system administrator "
                    "for a new one."
                ),
            )
        elif user.must_change_password:
            # A temporary password gives no session: the officer first chooses their own. A
            # reset's temporary password is good for this one login only.
            services.temporary_password_used(user)
            authflow.set_pending(request, user)
            query = urlencode({"next": _next_url(request)})
            return HttpResponseRedirect(f"{resolve_url('accounts:password_set')}?{query}")
        else:
            return _second_step(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _second_step(request, user):
    """After the password: log in, or ask for the code (or the enrolment) where 2FA applies."""
    device = services.confirmed_device(user)
    if device is None and not services.must_enrol(user):
        authflow.complete_login(request, user)
        return redirect(_next_url(request))
    authflow.set_pending(request, user)
    query = urlencode({"next": _next_url(request)})
    step = "accounts:verify" if device else "accounts:enrol"
    return HttpResponseRedirect(f"{resolve_url(step)}?{query}")


@login_not_required
def password_set_view(request):
    """First login with a temporary password: the officer sets their own, then goes on to the
    second factor (enrolling their own device where 2FA applies)."""
    user = authflow.pending_user(request)
    if user is None:
        messages.warning(request, _("Please log in again."))
        return redirect("accounts:login")
    if not user.must_change_password:
        return _second_step(request, user)
    form = SetPasswordForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.user_set_password,
            form=form,
            default_field="new_password",
            success=_("Your password has been set."),
            actor=user,
            user=user,
            password=form.cleaned_data["new_password"],
        )
    ):
        return _second_step(request, user)
    return render(request, "accounts/password_set.html", {"form": form, "next": _next_url(request)})


@login_not_required
def verify_view(request):
    """Second step: the TOTP code of a user whose password was right."""
    user = authflow.pending_user(request)
    if user is None:
        messages.warning(request, _("Please log in again."))
        return redirect("accounts:login")
    if user.must_change_password:  # no way round choosing one's own password
        return redirect("accounts:password_set")
    device = services.confirmed_device(user)
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            authflow.complete_login(request, user, device)
            return redirect(_next_url(request))
        record_event(
            actor=None, actor_name=user.real_name, action="auth.mfa", obj=user, outcome="failure"
        )
        form.add_error("token", _("The code is not correct or has expired. Try the current code."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _qr_data_uri(device: TOTPDevice, user) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = (
        f"otpauth://totp/{settings.OTP_TOTP_ISSUER}:{user.username}?secret={secret}"
        f"&issuer={settings.OTP_TOTP_ISSUER}&digits={device.digits}&period={device.step}"
    )
    svg = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return svg


def _enrolment(request, user, *, pending: bool):
    device_id = request.session.get("cb_enrol_device")
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.mfa_begin_enrolment(user=user)
        request.session["cb_enrol_device"] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.mfa_confirm_enrolment(
            user=user, device=device, token=form.cleaned_data["token"]
        ):
            request.session.pop("cb_enrol_device", None)
            device.refresh_from_db()
            if pending:
                authflow.complete_login(request, user, device)
                messages.success(request, _("Two-factor authentication is set up."))
                return redirect(_next_url(request))
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect("accounts:profile")
        form.add_error(
            "token",
            _("The code is not correct. Check the time on your phone and enter the current code."),
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr": _qr_data_uri(device, user),
            "secret": grouped,
            "pending": pending,
            "next": _next_url(request),
        },
    )


@login_not_required
def enrol_view(request):
    """Enrolment during login (policy requires 2FA and the user has no device yet)."""
    user = authflow.pending_user(request)
    if user is None:
        messages.warning(request, _("Please log in again."))
        return redirect("accounts:login")
    if user.must_change_password:
        return redirect("accounts:password_set")
    if services.confirmed_device(user) is not None:
        return redirect("accounts:verify")
    return _enrolment(request, user, pending=True)


@login_required
def reauth_view(request):
    user = request.user
    if authflow.password_locked(request, user):  # locked by guesses here or at the login
        return authflow.end_locked_session(request, user, action="auth.step_up")
    device = services.confirmed_device(user)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = user.check_password(form.cleaned_data["password"])
        if ok and device is not None:
            ok = device.verify_token((form.cleaned_data["token"] or "").strip())
        record_event(actor=user, action="auth.step_up", outcome="success" if ok else "failure")
        if ok:
            authflow.password_succeeded(user)
            authflow.mark_recent_auth(request)
            return redirect(_next_url(request))
        if authflow.password_failed(request, user):  # a wrong password or code counts alike
            return authflow.end_locked_session(request, user, action="auth.step_up")
        form.add_error(None, _("Password or code not correct."))
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "needs_token": device is not None, "next": _next_url(request)},
    )


@login_not_required  # an expired session's logout button still ends where it should
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record_event(actor=request.user, action="auth.logout")
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
def profile_view(request):
    user = request.user
    password_form = PasswordChangeForm(user)
    token_form = ApiTokenForm()
    new_key = None
    if request.method == "POST":
        if "change_password" in request.POST:
            if authflow.password_locked(request, user):
                return authflow.end_locked_session(request, user, action="account.password")
            password_form = PasswordChangeForm(user, request.POST)
            if not password_form.is_valid():
                if request.POST.get("old_password") and password_form.has_error("old_password"):
                    record_event(
                        actor=user,
                        action="account.password",
                        outcome="failure",
                        details={"reason": "current_password"},
                    )
                    if authflow.password_failed(request, user):
                        return authflow.end_locked_session(request, user, action="account.password")
            else:
                authflow.password_succeeded(user)
                if run_service(
                    request,
                    services.user_set_password,
                    form=password_form,
                    default_field="new_password",
                    actor=user,
                    user=user,
                    password=password_form.cleaned_data["new_password"],
                ):
                    update_session_auth_hash(request, user)
                    messages.success(request, _("Your password has been changed."))
                    return redirect("accounts:profile")
        elif "create_token" in request.POST:
            token_form = ApiTokenForm(request.POST)
            created = token_form.is_valid() and run_service(
                request,
                services.api_token_create,
                form=token_form,
                actor=user,
                name=token_form.cleaned_data["name"],
                days=token_form.cleaned_data["days"],
            )
            if created:
                _token, new_key = created
                token_form = ApiTokenForm()
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "new_key": new_key,
            "tokens": user.api_tokens.filter(revoked_at__isnull=True),
            "device": services.confirmed_device(user),
            "mfa_required": services.mfa_required(user),
        },
    )


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


@login_required
@recent_auth_required
def mfa_setup_view(request):
    """Voluntary enrolment or replacement of the second factor (needs a recent login)."""
    return _enrolment(request, request.user, pending=False)


@login_required
@recent_auth_required
@require_POST
def mfa_remove_view(request):
    if services.mfa_required(request.user):
        raise PermissionDenied(_("Your role requires two-factor authentication."))
    services.mfa_reset(actor=request.user, user=request.user)
    messages.success(request, _("Two-factor authentication has been removed."))
    return redirect("accounts:profile")
