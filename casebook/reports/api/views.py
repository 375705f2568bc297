"""/api/v1/urgent-reports/: raise an urgent report from another system (a command centre, a
phone app), follow its deliveries, acknowledge it — the same rules as the pages."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casebook.audit.reads import ReadLoggedMixin
from casebook.core.api import JsonInput, ObjectIdField
from casebook.subjects.selectors import visible_subjects

from .. import selectors, services
from ..models import UrgentReport


class StepOut(serializers.Serializer):
    at = serializers.DateTimeField()
    text = serializers.CharField()
    state = serializers.CharField()


class UrgentOut(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    author = serializers.CharField(source="author.username")
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, allow_null=True
    )
    subject = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = UrgentReport
        fields = [
            "id",
            "station",
            "author",
            "text",
            "place",
            "subject",
            "record",
            "task",
            "created_at",
            "level",
            "ack_due_at",
            "status",
            "acknowledged_by",
            "acknowledged_at",
            "ack_note",
            "timeline",
        ]

    def get_subject(self, obj) -> int | None:
        """The subject's id, when the caller may see it."""
        user = self.context["request"].user
        if obj.subject_id and visible_subjects(user).filter(pk=obj.subject_id).exists():
            return obj.subject_id
        return None

    def get_timeline(self, obj) -> list[dict]:
        return StepOut(selectors.urgent_timeline(obj), many=True).data


class UrgentIn(JsonInput):
    text = serializers.CharField(min_length=2, max_length=2000)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject = ObjectIdField(required=False)
    record = ObjectIdField(required=False)
    task = ObjectIdField(required=False)


class AcknowledgeIn(JsonInput):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UrgentReportViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = UrgentOut
    read_object_type = "reports.urgentreport"

    def get_throttles(self):
        # raising a report sends SMS and mail down the duty chain: it has its own, tighter rate
        # (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["urgent"]); reading is throttled per user
        self.throttle_scope = "urgent" if self.action == "create" else None
        return super().get_throttles()

    def get_queryset(self):
        return (
            selectors.visible_urgent(self.request.user)
            .select_related("station", "author", "acknowledged_by")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=UrgentIn,
        responses={
            201: UrgentOut,
            404: OpenApiResponse(description="The subject, record or task is not visible."),
        },
    )
    def create(self, request):
        data = UrgentIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        user = request.user
        anchor = selectors.urgent_anchor(  # what the caller may not see answers 404
            user,
            subject=d.pop("subject", None),
            record=d.pop("record", None),
            task=d.pop("task", None),
        )
        report = services.urgent_report_create(actor=user, **d, **anchor)
        report = self.get_queryset().get(pk=report.pk)
        return Response(
            UrgentOut(report, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AcknowledgeIn, responses=UrgentOut, summary="Acknowledge (收到)")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self.get_object()
        data = AcknowledgeIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.urgent_acknowledge(actor=request.user, report=report, **data.validated_data)
        report = self.get_queryset().get(pk=report.pk)
        return Response(UrgentOut(report, context={"request": request}).data)
