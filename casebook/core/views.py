"""The health check and the error pages. (The home pages and the organisation pages are in
``casebook.accounts``: they need roles and accounts, which sit above the core.)"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound

from .api import api_bad_request, api_server_error, is_api_request, problem_response
from .health import problems
from .resilience import DATABASE_OUTAGE


@login_not_required
@require_GET
def healthz(request):
    """Public, for monitoring: "ok" (200), or "degraded"/"down" (503) and one reason a line.
    The reasons hold counts and ages only (see :mod:`casebook.core.health`)."""

    try:
        found = problems()
    except DATABASE_OUTAGE:
        status, found = "down", ["database: unreachable"]
    else:
        status = "degraded" if found else "ok"
    response = HttpResponse(
        "\n".join([status, *found]),
        content_type="text/plain; charset=utf-8",
        status=503 if found else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    if is_api_request(request):
        return api_bad_request()
    template = loader.get_template("400.html")
    return HttpResponse(template.render({}, request), status=400)


def server_error(request):
    if is_api_request(request):
        return api_server_error()
    template = loader.get_template("500.html")
    return HttpResponse(template.render({}, request), status=500)


def not_found(request, exception=None):
    """An unknown address: problem details under /api/ (the API's one error format), else the page."""
    if is_api_request(request):
        return problem_response(404, NotFound.default_detail)
    return page_not_found(request, exception)
