"""POST /api/v1/monitoring/<code>/events: machine-to-machine ingestion. No user session or API
token: a source authenticates with its Standard Webhooks signature (Casebook format) or its
token and address (Traccar format); see ``casebook/monitoring/ingest.py``."""

from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from casebook.core.middleware import client_ip

from .. import ingest
from .serializers import BatchIn, BatchOut

_HEADERS = [
    OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, description=d)
    for name, d in (
        ("webhook-id", "Standard Webhooks message id; reuse it only to resend the same batch."),
        ("webhook-timestamp", "Unix seconds; at most 5 minutes from the server's time."),
        ("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>."),
        (ingest.TOKEN_HEADER, "The token of a Traccar-format source (instead of a signature)."),
    )
]


def _problem(description):
    return OpenApiResponse(description=description)


class EventIngestView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="monitoring_events_ingest",
        summary="Send a batch of monitoring events",
        description=(
            "A batch of up to 500 events of a video-analytics, geofence or positioning system, "
            "signed per the Standard Webhooks specification. Idempotent per (source, event id): "
            "a batch sent twice stores each event once and answers the same. A Traccar-format "
            "source sends Traccar's event or position forwarding JSON instead, one per request."
        ),
        parameters=_HEADERS,
        request=BatchIn,
        responses={
            200: BatchOut,
            400: _problem("Malformed JSON."),
            401: _problem("Signature or token missing or wrong, or an old timestamp."),
            403: _problem("Source disabled, or an address it may not send from."),
            404: _problem("Unknown source."),
            409: _problem("The message id was already used for another batch."),
            413: _problem("More than 500 events."),
            415: _problem("Not JSON (a form upload, say)."),
            422: _problem("Invalid events (errors by event); nothing stored."),
            429: _problem("Over capacity: retry after Retry-After seconds."),
            503: _problem("Database unavailable: retry after Retry-After seconds."),
        },
        tags=["monitoring"],
    )
    def post(self, request, code: str):
        try:
            body = request.body
        except RawPostDataException:
            body = None  # a multipart form: read (and consumed) as form fields on the way in
        if body is None or request.content_type.startswith("multipart/"):
            answer = ingest.problem(
                415,
                _("Unsupported media type"),
                _("Events are sent as JSON (Content-Type: application/json)."),
            )
        else:
            answer = ingest.ingest(code, body, dict(request.headers), client_ip(request))
        response = JsonResponse(
            answer.body,
            status=answer.status,
            content_type="application/problem+json" if answer.is_problem else "application/json",
            json_dumps_params={"ensure_ascii": False},
        )
        for name, value in answer.headers.items():
            response[name] = value
        return response
