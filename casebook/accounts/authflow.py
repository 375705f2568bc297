"""Session bookkeeping of the login flow: the pending (password-only) state, login completion
and step-up re-authentication. A password alone never gives a session where 2FA applies."""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render
from django_otp import login as otp_login

from casebook.audit.services import record_event

from .models import User

PENDING = "cb_pending"
LOGIN_AT = "cb_login_at"
LAST_SEEN = "cb_last_seen"
AUTH_AT = "cb_auth_at"
PENDING_TTL = 300  # seconds to finish the second step


def set_pending(request, user) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"uid": user.pk, "at": time.time(), "backend": user.backend}


def pending_user(request):
    data = request.session.get(PENDING)
    if not data or time.time() - data.get("at", 0) > PENDING_TTL:
        return None
    user = User.objects.filter(pk=data.get("uid"), is_active=True).first()
    if user is not None:
        user.backend = data.get("backend", settings.AUTHENTICATION_BACKENDS[-1])
    return user


def complete_login(request, user, device=None) -> None:
    """Log the user in with a new session id; mark it verified when a device was used."""
    request.session.pop(PENDING, None)
    login(request, user)  # cycles the session key (SECURITY.md S5)
    if device is not None:
        otp_login(request, device)
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[AUTH_AT] = now
    record_event(actor=user, action="auth.login", details={"second_factor": device is not None})


def mark_recent_auth(request) -> None:
    request.session[AUTH_AT] = time.time()


def auth_is_recent(request) -> bool:
    window = settings.CASEBOOK_STEP_UP_WINDOW.total_seconds()
    return time.time() - request.session.get(AUTH_AT, 0) <= window


# --- password checks after login: the same lock as the login (SECURITY.md S3) ------------------
# The step-up prompt and the password change ask for the password of a logged-in user. Each
# wrong answer counts as a failed login of that account in django-axes, so five in all — at the
# login, the prompt or the form — lock the account for AXES_COOLOFF_TIME; the lock ends the
# session as well.


def _credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def password_locked(request, user) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def password_failed(request, user) -> bool:
    """Count a wrong password as a failed login; True when this failure locks the account."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    request.axes_locked_out = False  # answered by end_locked_session, not by axes' middleware
    return locked or password_locked(request, user)


def password_succeeded(user) -> None:
    """A right password clears the failures, as a successful login does."""
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.reset_attempts(username=user.get_username())


def end_locked_session(request, user, *, action: str):
    """The account is locked: record it, end the session, say for how long."""
    record_event(actor=user, action=action, outcome="denied", details={"reason": "locked"})
    logout(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)
