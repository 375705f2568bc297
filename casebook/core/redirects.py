"""The one safe-redirect rule: follow a user-supplied target only when it stays on this site.

Hand-written ``startswith("/")`` checks let ``/\\evil.example`` through (browsers read the
backslash as a slash); Django's ``url_has_allowed_host_and_scheme`` does not.
"""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_target(request, target: str) -> bool:
    """True when ``target`` points to this site (same host, https kept when in use)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_target(request, target: str, default: str = "/") -> str:
    """``target`` when it is safe, else ``default`` (a URL or a URL pattern name)."""
    return target if is_safe_target(request, target) else resolve_url(default)
