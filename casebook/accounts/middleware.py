"""Session policy on every request: idle and absolute timeouts, two-factor enforcement."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from casebook.audit.services import record_event

from . import authflow
from .services import mfa_required

#: Background polls (the unread badge) that must not count as activity for the idle timeout.
PASSIVE_PATHS = frozenset({"/tasks/notifications/count/"})

#: The last activity is written to the session at most this often (seconds). The session is saved
#: only when it changed (``SESSION_SAVE_EVERY_REQUEST`` is off): writing the time on every
#: request cost an UPDATE and a COMMIT of the session row per page (issue #13). The idle limit is
#: counted from the time written, which is at most this much older than the last request, so a
#: session ends at most this much *earlier* than the policy says, never later; and the session
#: row, renewed with each write for the idle limit plus five minutes, always outlives it.
LAST_SEEN_RESOLUTION = 60


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            reason = self._expired(request)
            if reason is None and mfa_required(user) and not user.is_verified():
                reason = "mfa"
            if reason is not None:
                return self._end(request, user, reason)
            if request.path not in PASSIVE_PATHS:
                now = time.time()
                if now - request.session[authflow.LAST_SEEN] >= LAST_SEEN_RESOLUTION:
                    request.session[authflow.LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> str | None:
        now = time.time()
        last = request.session.get(authflow.LAST_SEEN)
        login_at = request.session.get(authflow.LOGIN_AT)
        if last is None or login_at is None:
            return "unknown"
        if now - last > settings.CASEBOOK_IDLE_TIMEOUT.total_seconds():
            return "idle"
        if now - login_at > settings.CASEBOOK_ABSOLUTE_TIMEOUT.total_seconds():
            return "absolute"
        return None

    @staticmethod
    def _end(request, user, reason: str):
        record_event(actor=user, action="auth.session_end", details={"reason": reason})
        logout(request)
        text = (
            _("Two-factor authentication is now required for your role. Please log in again.")
            if reason == "mfa"
            else _("Your session has expired. Please log in again.")
        )
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"type": "about:blank", "title": text, "status": 401},
                status=401,
                content_type="application/problem+json",
            )
        messages.warning(request, text)
        if request.headers.get("HX-Request"):
            response = JsonResponse({}, status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        next_query = urlencode({"next": request.get_full_path()})
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?{next_query}")
