"""/api/v1/records/ and /api/v1/tips/: the same rules as the pages. Informants appear by code
only; encrypted identities never leave through the API."""

from django.core.paginator import Paginator as DjangoPaginator
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from casebook.access.policy import Action
from casebook.audit.reads import ReadLoggedMixin
from casebook.core.api import JsonInput, ObjectIdField, Pagination
from casebook.subjects.selectors import visible_subjects
from casebook.tracking.selectors import visible_tasks

from .. import services
from ..choices import (
    Channel,
    Handling,
    InfoAssessment,
    Method,
    SourceEvaluation,
    Verification,
)
from ..filters import RecordFilterSet, TipFilterSet
from ..models import InformationRecord, Tip
from ..selectors import SearchPaginator, visible_records


class RecordOut(serializers.ModelSerializer):
    subjects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    informant = serializers.CharField(source="informant.code", default=None, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    grade = serializers.CharField()

    class Meta:
        model = InformationRecord
        fields = [
            "id",
            "subjects",
            "task",
            "method",
            "channel",
            "informant",
            "occurred_at",
            "recorded_at",
            "address",
            "latitude",
            "longitude",
            "content",
            "observations",
            "source_evaluation",
            "info_assessment",
            "grade",
            "handling",
            "handling_conditions",
            "tags",
            "verification",
            "verification_note",
            "verified_at",
            "merged_into",
        ]


class RecordIn(JsonInput):
    subjects = serializers.ListField(child=ObjectIdField(), min_length=1)
    task = ObjectIdField(required=False, allow_null=True)
    method = serializers.ChoiceField(choices=Method.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    informant = serializers.CharField(required=False, allow_blank=True, help_text="informant code")
    occurred_at = serializers.DateTimeField()
    address = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField()
    source_evaluation = serializers.ChoiceField(choices=SourceEvaluation.choices)
    info_assessment = serializers.ChoiceField(choices=InfoAssessment.choices)
    handling = serializers.ChoiceField(choices=Handling.choices, default=Handling.SHAREABLE)
    handling_conditions = serializers.CharField(required=False, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )


class VerifyIn(JsonInput):
    status = serializers.ChoiceField(
        choices=[v for v in Verification.values if v != Verification.UNVERIFIED]
    )
    note = serializers.CharField(max_length=300)


class RecordPagination(Pagination):
    """Page numbers; a text search counts its matches only up to SEARCH_COUNT_CAP."""

    def paginate_queryset(self, queryset, request, view=None):
        searching = request.query_params.get("q", "").strip()
        self.django_paginator_class = SearchPaginator if searching else DjangoPaginator
        return super().paginate_queryset(queryset, request, view)


class RecordViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RecordOut
    filterset_class = RecordFilterSet  # the list page's, too
    pagination_class = RecordPagination
    read_object_type = "intel.informationrecord"

    def get_queryset(self):
        return visible_records(self.request.user).order_by("-occurred_at", "-pk")

    @extend_schema(request=RecordIn, responses={201: RecordOut})
    def create(self, request):
        data = RecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        subjects = list(visible_subjects(request.user).filter(pk__in=d.pop("subjects")))
        if not subjects:
            raise ValidationError({"subjects": ["Unknown subject."]})
        task_id = d.pop("task", None)
        task = visible_tasks(request.user).filter(pk=task_id).first() if task_id else None
        code = d.pop("informant", "").strip()
        informant = services.informant_by_code(station=subjects[0].station, code=code)
        if code and informant is None:  # unknown and another station's codes answer alike
            raise ValidationError({"informant": [services.unknown_informant_message()]})
        record = services.record_create(
            actor=request.user, subjects=subjects, task=task, informant=informant, **d
        )
        return Response(RecordOut(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VerifyIn, responses=RecordOut, summary="Verify a record (去伪存真)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        record = self.get_object()
        data = VerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.record_verify(actor=request.user, record=record, **data.validated_data)
        return Response(RecordOut(record).data)


class TipOut(serializers.ModelSerializer):
    class Meta:
        model = Tip
        fields = [
            "id",
            "reference",
            "station",
            "what",
            "where",
            "when",
            "anonymous",
            "status",
            "record",
            "received_at",
        ]


class TipLinkIn(JsonInput):
    subjects = serializers.ListField(child=ObjectIdField(), min_length=1)


class TipDismissIn(JsonInput):
    reason = serializers.CharField(max_length=300)


class TipViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The triage queue of public tips (the tipster's contact is never in the API)."""

    serializer_class = TipOut
    read_object_type = "intel.tip"
    filterset_class = TipFilterSet  # the triage page's, too

    def get_queryset(self):
        return Tip.objects.restrict(self.request.user, Action.TIP_TRIAGE).order_by("-received_at")

    @extend_schema(request=TipLinkIn, responses=RecordOut)
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        tip = self.get_object()
        data = TipLinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        subjects = list(
            visible_subjects(request.user).filter(pk__in=data.validated_data["subjects"])
        )
        record = services.tip_link(actor=request.user, tip=tip, subjects=subjects)
        return Response(RecordOut(record).data)

    @extend_schema(request=TipDismissIn, responses=TipOut)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        tip = self.get_object()
        data = TipDismissIn(data=request.data)
        data.is_valid(raise_exception=True)
        tip = services.tip_dismiss(actor=request.user, tip=tip, **data.validated_data)
        return Response(TipOut(tip).data)
