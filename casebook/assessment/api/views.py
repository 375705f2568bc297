"""/api/v1/assessment/: the figures, spot checks, quarterly assessments and opinions, through
the same services and access rules as the pages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casebook.audit.reads import ReadLoggedMixin
from casebook.core.api import JsonInput
from casebook.core.models import Unit

from .. import services
from ..access import assessed_stations, is_assessor
from ..choices import CheckResult, SampleKind
from ..models import Assessment, FigureSnapshot, Opinion, SpotCheck, SpotCheckItem
from ..periods import PATTERN, Quarter


class FigureOut(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.username", default=None, allow_null=True)
    station = serializers.CharField(source="station.code")

    class Meta:
        model = FigureSnapshot
        fields = [
            "id",
            "station",
            "officer",
            "period",
            "code",
            "numerator",
            "denominator",
            "computed_at",
        ]


class ItemOut(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.username")

    class Meta:
        model = SpotCheckItem
        fields = ["id", "object_id", "officer", "result", "note", "checked_at"]


class SpotCheckOut(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    drawn_by = serializers.CharField(source="drawn_by.username")
    items = ItemOut(many=True, read_only=True)
    reproducible = serializers.SerializerMethodField()

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "station",
            "period",
            "kind",
            "size",
            "seed",
            "drawn_by",
            "drawn_at",
            "items",
            "reproducible",
        ]

    def get_reproducible(self, obj) -> bool:
        return services.spot_check_redraw(obj)


class DrawIn(JsonInput):
    station = serializers.IntegerField()
    period = serializers.CharField(max_length=6)
    kind = serializers.ChoiceField(choices=SampleKind.choices)
    size = serializers.IntegerField(min_value=1, max_value=500)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)


class CheckIn(JsonInput):
    item = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=[c for c in CheckResult.choices if c[0] != CheckResult.PENDING]
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssessmentOut(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    officer = serializers.CharField(source="officer.username")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "station",
            "officer",
            "period",
            "status",
            "basis",
            "grade",
            "reasons",
            "scored_at",
            "read_at",
            "objection",
            "objected_at",
            "confirm_note",
            "confirmed_at",
        ]


class ObjectionIn(JsonInput):
    objection = serializers.CharField(max_length=5000)


class OpinionOut(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    officer = serializers.CharField(source="officer.username", default=None, allow_null=True)

    class Meta:
        model = Opinion
        fields = [
            "id",
            "reference",
            "station",
            "kind",
            "source",
            "text",
            "status",
            "officer",
            "answer",
            "answered_at",
            "received_at",
        ]


PERIOD = OpenApiParameter("period", str, description="A quarter, e.g. 2026Q4", pattern=PATTERN)


class FigureViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The computed figures the caller may see: a leader's stations, an officer's own."""

    serializer_class = FigureOut
    read_object_type = "assessment.figuresnapshot"

    @extend_schema(parameters=[PERIOD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = FigureSnapshot.objects.restrict(self.request.user).select_related("station", "officer")
        period = self.request.query_params.get("period")
        if period is not None and self.action == "list":  # given, even empty: it must be valid
            qs = qs.filter(period=Quarter.parse(period).code)
        return qs.order_by("station_id", "officer_id", "code", "pk")


class SpotCheckViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = SpotCheckOut
    read_object_type = "assessment.spotcheck"

    def get_queryset(self):
        return (
            SpotCheck.objects.restrict(self.request.user)
            .select_related("station", "drawn_by")
            .prefetch_related("items__officer")
            .order_by("-drawn_at", "-pk")
        )

    @extend_schema(
        request=DrawIn,
        responses={
            201: SpotCheckOut,
            404: OpenApiResponse(description="The station is not one the caller assesses."),
        },
    )
    def create(self, request):
        if not is_assessor(request.user):
            raise PermissionDenied
        data = DrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        station = get_object_or_404(
            Unit.objects.filter(pk__in=assessed_stations(request.user)), pk=d.pop("station")
        )
        check = services.spot_check_draw(actor=request.user, station=station, **d)
        check = self.get_queryset().get(pk=check.pk)
        return Response(SpotCheckOut(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CheckIn, responses=SpotCheckOut, summary="Record the check of an item")
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        spot = self.get_object()
        data = CheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        item = get_object_or_404(spot.items, pk=d.pop("item"))
        services.spot_item_check(actor=request.user, item=item, **d)
        return Response(SpotCheckOut(self.get_queryset().get(pk=spot.pk)).data)


class AssessmentViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = AssessmentOut
    read_object_type = "assessment.assessment"

    def get_queryset(self):
        return (
            Assessment.objects.restrict(self.request.user)
            .select_related("station", "officer")
            .order_by("-period", "pk")
        )

    @extend_schema(request=ObjectionIn, responses=AssessmentOut, summary="State an objection")
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        a = self.get_object()
        data = ObjectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_object(actor=request.user, assessment=a, **data.validated_data)
        return Response(AssessmentOut(self.get_queryset().get(pk=a.pk)).data)


class OpinionViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = OpinionOut
    read_object_type = "assessment.opinion"

    def get_queryset(self):
        return (
            Opinion.objects.restrict(self.request.user)
            .select_related("station", "officer")
            .order_by("-received_at", "-pk")
        )
