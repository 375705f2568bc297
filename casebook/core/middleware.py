"""Cross-cutting middleware: request context for the audit log, Content-Security-Policy, NUL,
compression of text answers."""

import logging
import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import request_context
from .api import is_api_request, problem_response

security_log = logging.getLogger("django.security.casebook")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def client_ip(request) -> str:
    """The client address; trusts X-Forwarded-For only for the configured proxy count."""
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return (request.META.get("REMOTE_ADDR") or "")[:64]


class RequestContextMiddleware:
    """Gives each request an id (kept from a sane X-Request-ID header) and binds the context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else request_context.new_request_id()
        channel = "api" if request.path.startswith("/api/") else "web"
        ctx = request_context.RequestContext(request_id, client_ip(request), channel)
        request.request_id = request_id
        with request_context.bind(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class GZipTextMiddleware(GZipMiddleware):
    """Django's GZip middleware for text only: pages, fragments and API answers shrink to a
    fifth or less, while a PDF, a spreadsheet, an image or an encrypted attachment (already
    compressed, or incompressible) is passed on untouched instead of costing CPU for nothing.

    BREACH (docs/operations.md, "Sizing and tuning"): Django masks the CSRF token afresh in every
    response and this middleware pads each compressed answer with up to 100 random bytes
    (``max_random_bytes``, "Heal the BREACH"); session cookies are SameSite=Lax and HttpOnly.
    """

    COMPRESSIBLE = (
        "text/",
        "application/json",
        "application/problem+json",
        "application/javascript",
        "application/xml",
        "application/vnd.oai.openapi",
        "image/svg+xml",
    )

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware:
    """No inline script, nothing from other origins except a configured map tile server."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = ""
        tile_url = getattr(settings, "CASEBOOK_MAP_TILE_URL", "")
        match = re.match(r"^(https?://[^/{]+)", tile_url or "")
        if match:
            tiles = " " + match.group(1)
        self.policy = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{tiles}; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", self.policy)
        return response


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())


class RejectNulMiddleware:
    """A NUL character in the path, the query string or a form is refused with 400.

    No honest client sends one, and PostgreSQL refuses NUL in text, which would otherwise turn a
    search such as ``?q=%00`` into a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (request.method == "POST" and _has_nul(request.POST))
        ):
            security_log.warning("NUL character refused: %s", request.path.replace("\x00", "\\0"))
            detail = _("The request contains a NUL character.")
            if is_api_request(request):
                return problem_response(400, _("Bad request"), detail)
            return render(request, "400.html", {"detail": detail}, status=400)
        return self.get_response(request)
