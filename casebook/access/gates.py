"""Gates: conditions an officer must meet before any page or API call shows personal data.

A gate is a function ``check(user) -> Refusal | None`` that a higher app registers from its
``AppConfig.ready()`` (``access`` knows no app above it): staff registers the confidentiality
pledge (五(二)2: no personal data until the current version is signed) and lapsed training
(八(一), where the bureau's security administrator turns it on)::

    register_gate("pledge", pledge_gate)
    register_exempt("accounts:logout", "staff:pledge", ...)

Two doors consult the gates, so that every way in is covered:

- :class:`GateMiddleware` (``settings.MIDDLEWARE``, after the login requirement) answers a
  page of a signed-in user that a gate refuses with the gate's page (HTTP 403) saying what to
  do and linking to where it is done. It passes pages that need no login, the views marked
  :func:`gate_exempt` or named with :func:`register_exempt` (logging out, the pledge itself,
  the language switch, the polled notification count), and the API, which DRF authenticates
  later (tokens): there
- :class:`GatePermission` (``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``) refuses with a
  403 problem-details answer naming the gate; an API view sets ``gate_exempt = True`` to pass.

Each gate answers once per request (the answer is kept on the request). Accounts without a case
role (the three administrators) are never gated here: they see no case data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.shortcuts import render
from rest_framework import exceptions
from rest_framework.permissions import BasePermission


@dataclass(frozen=True)
class Refusal:
    """Why a gate is closed for a user, and where to open it."""

    code: str
    title: str
    detail: str
    url: str = ""
    link_label: str = ""


Gate = Callable[..., Refusal | None]
_GATES: dict[str, Gate] = {}
_EXEMPT_URL_NAMES: set[str] = set()
_CACHE = "_casebook_gate_refusal"


def register_gate(key: str, check: Gate) -> None:
    """Add a gate (a key registered twice keeps the latest function: reloads in tests)."""
    _GATES[key] = check


def register_exempt(*url_names: str) -> None:
    """Pages reachable with a gate closed, by URL name (``namespace:name``)."""
    _EXEMPT_URL_NAMES.update(url_names)


def gate_exempt(view):
    """Mark a view as reachable with a gate closed (the page that opens the gate)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper.gate_exempt = True
    return wrapper


def gates() -> list[str]:
    return list(_GATES)


def refusal_for(user) -> Refusal | None:
    """The first closed gate for ``user``, or None when every gate is open (or nobody is
    signed in)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    for check in _GATES.values():
        refusal = check(user)
        if refusal is not None:
            return refusal
    return None


def _cached_refusal(request, user) -> Refusal | None:
    holder = getattr(request, "_request", request)  # DRF's Request wraps Django's
    cached = getattr(holder, _CACHE, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    refusal = refusal_for(user)
    setattr(holder, _CACHE, (user.pk, refusal))
    return refusal


def _is_exempt(request, view_func) -> bool:
    if (
        getattr(view_func, "gate_exempt", False)
        or getattr(view_func, "login_required", True) is False
    ):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in _EXEMPT_URL_NAMES


class GateMiddleware:
    """The door of the pages (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not _GATES:
            return None
        if hasattr(view_func, "cls") or _is_exempt(request, view_func):
            return None  # the API answers through GatePermission, after DRF's authentication
        refusal = _cached_refusal(request, user)
        if refusal is None:
            return None
        return render(
            request,
            "access/gate.html",
            {"refusal": refusal, "urgent_banner": None},
            status=403,
        )


class GatePermission(BasePermission):
    """The door of the API (see the module's docstring)."""

    def has_permission(self, request, view):
        if getattr(view, "gate_exempt", False) or not _GATES:
            return True
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True  # IsAuthenticated answers 401/403 for these
        refusal = _cached_refusal(request, user)
        if refusal is None:
            return True
        exc = exceptions.PermissionDenied(refusal.detail, code=refusal.code)
        exc.default_detail = refusal.title  # the problem's title
        raise exc
