"""API errors as RFC 9457 problem details; never a raw exception string."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


def problem_exception_handler(exc, context):
    # services raise Django's exceptions; they answer as DRF's would, with their message
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    problem = {
        "type": "about:blank",
        "title": getattr(exc, "default_detail", "Error"),
        "status": response.status_code,
    }
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        problem["detail"] = detail["detail"]
    elif response.status_code == status.HTTP_400_BAD_REQUEST:
        problem["title"] = str(exceptions.ValidationError.default_detail)
        problem["errors"] = detail
    else:
        problem["detail"] = detail
    response.data = problem
    response.content_type = "application/problem+json"
    return response
