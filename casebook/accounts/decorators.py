"""View decorators of the accounts module that other modules' views use."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from casebook.core.redirects import safe_target

from . import authflow


def recent_auth_required(view=None, *, back=None):
    """Step-up re-authentication (SECURITY.md S6): a login older than
    ``CASEBOOK_STEP_UP_WINDOW`` is asked for the password (and code) again before the view runs,
    so nothing is revealed, exported or written until then.

    A GET is resumed where it was: ``next`` is the request itself (a CSV export downloads once
    the user has confirmed). A POST cannot be replayed through a redirect: ``next`` is the page
    of its form, ``back(request, *args, **kwargs)`` when given, else the referring page of this
    site, and the user submits the form again. Use as ``@recent_auth_required`` or
    ``@recent_auth_required(back=...)``."""
    if view is None:
        return lambda view: recent_auth_required(view, back=back)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if authflow.auth_is_recent(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            target = request.get_full_path()
        else:
            target = (back(request, *args, **kwargs) if back else "") or _referrer(request)
            messages.info(request, _("Confirm it is you, then submit the form again."))
        query = urlencode({"next": target})
        return HttpResponseRedirect(f"{resolve_url('accounts:reauth')}?{query}")

    return wrapper


def _referrer(request) -> str:
    """The referring page when it is on this site, else the home page."""
    target = request.headers.get("referer", "")
    return safe_target(request, target, settings.LOGIN_REDIRECT_URL)
