"""API errors as RFC 9457 problem details; never a raw exception string."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def problem_response(status_code: int, title: str, detail: str = "") -> JsonResponse:
    """A problem-details answer for errors raised outside DRF (middleware, 400/500 handlers)."""
    problem = {"type": "about:blank", "title": str(title), "status": status_code}
    if detail:
        problem["detail"] = str(detail)
    return JsonResponse(
        problem,
        status=status_code,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


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
        "title": str(getattr(exc, "default_detail", "Error")),
        "status": response.status_code,
    }
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        problem["detail"] = str(detail["detail"])
    elif response.status_code == status.HTTP_400_BAD_REQUEST:
        problem["title"] = str(exceptions.ValidationError.default_detail)
        problem["errors"] = detail
    else:
        problem["detail"] = detail
    response.data = problem
    response.content_type = "application/problem+json"
    request = context.get("request")
    if request is not None and not isinstance(
        getattr(request, "accepted_renderer", None), JSONRenderer
    ):
        # a route that answers in another format (the schema in YAML, a file) still answers
        # its errors as JSON problem details, never as a server error in its renderer
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def api_server_error() -> JsonResponse:
    """An unexpected error in the API: problem details, never a page or the exception's text."""
    return problem_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR,
        _("Internal server error"),
        _("Something went wrong on our side and nothing was saved."),
    )


def api_bad_request() -> JsonResponse:
    return problem_response(status.HTTP_400_BAD_REQUEST, _("Bad request"))


#: The largest id a 64-bit primary key holds; a larger number is refused, not sent to the database.
MAX_ID = 2**63 - 1


class ObjectIdField(serializers.IntegerField):
    """An object's id in a request body: a whole number from 1 to MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


#: The JSON types of each kind of input field, and the message when a value has another type
#: (DRF's own messages, translated by DRF); DRF alone would turn 1 into "1" and "1" into 1.
_JSON_TYPES = [
    (serializers.BooleanField, (bool,), serializers.BooleanField),
    (serializers.IntegerField, (int,), serializers.IntegerField),
    (serializers.DecimalField, (str, int, float), serializers.DecimalField),
    (serializers.ChoiceField, (str,), serializers.CharField),
    (serializers.CharField, (str,), serializers.CharField),
    (serializers.DateField, (str,), serializers.CharField),
    (serializers.DateTimeField, (str,), serializers.CharField),
]


def _wrong_type(field, value) -> str | None:
    """DRF's 'invalid' message when the JSON value has the wrong type for the field, else None."""
    for kind, types, messages in _JSON_TYPES:
        if isinstance(field, kind):
            if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
                return None
            return str(messages.default_error_messages["invalid"])
    return None


class JsonInput(serializers.Serializer):
    """An input serializer that holds a JSON body to the types its schema documents: a number
    where text is expected (or text where a number is) is an error, not silently converted.
    Form-encoded bodies, where every value is text, keep DRF's conversions."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                value = data.get(name)
                if field.read_only or value is None:
                    continue
                if isinstance(field, serializers.ListField) and isinstance(value, list):
                    found = [_wrong_type(field.child, item) for item in value]
                    message = next((m for m in found if m), None)
                else:
                    message = _wrong_type(field, value)
                if message:
                    errors[name] = [message]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


class Pagination(PageNumberPagination):
    """DRF's page numbers, but ``?page=`` without a number is an invalid page (404) like
    ``?page=x``, instead of silently the first page: the schema says a page is an integer."""

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param)
        if number is None:
            return 1
        if number in self.last_page_strings:
            return paginator.num_pages
        return number
