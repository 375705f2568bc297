"""/api/v1/staff/summaries/, inspections/, rectifications/, complaints/: self-summaries and
supervision through the same services, selectors and rules as the pages. Objects outside the
caller's reach answer 404; refusals and bad input answer problem details."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casebook.access.policy import Action
from casebook.access.registry import restrict
from casebook.accounts.models import User
from casebook.audit import reads
from casebook.core.api import JsonInput, ObjectIdField
from casebook.core.models import Unit
from casebook.subjects.models import Subject

from .. import supervision_selectors as sel
from .. import supervision_services as services
from ..supervision_access import supervised_station_ids
from ..supervision_choices import ComplaintOutcome, ComplaintSource, ComplaintStatus, Rating
from ..supervision_models import Complaint, Inspection, Rectification, WorkSummary

# --- summaries -----------------------------------------------------------------------------------


class SummaryOut(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.username")
    officer_name = serializers.CharField(source="officer.real_name")

    class Meta:
        model = WorkSummary
        fields = [
            "id",
            "officer",
            "officer_name",
            "station",
            "cadence",
            "period_start",
            "period_end",
            "figures",
            "text",
            "status",
            "submitted_at",
            "leader_comment",
            "reviewed_at",
        ]


class SummaryIn(JsonInput):
    period_start = serializers.DateField()
    text = serializers.CharField(max_length=5000)


class SummaryCommentIn(JsonInput):
    comment = serializers.CharField(max_length=5000)


class SummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work summaries the caller may read (their own, their station's as its leader, the
    bureau's as a bureau leader or supervisor)."""

    serializer_class = SummaryOut

    def get_queryset(self):
        return sel.visible_summaries(self.request.user).order_by("-period_start", "pk")

    def retrieve(self, request, *args, **kwargs):
        summary = self.get_object()
        if summary.officer_id != request.user.pk:
            reads.record_read(request, what="work_summary", objects=[summary], fields=["text"])
        return Response(SummaryOut(summary).data)

    @extend_schema(request=SummaryIn, responses={201: SummaryOut}, summary="Submit my summary")
    def create(self, request):
        data = SummaryIn(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.summary_submit(actor=request.user, **data.validated_data)
        return Response(SummaryOut(summary).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SummaryCommentIn, responses=SummaryOut, summary="The leader's comment")
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        summary = self.get_object()
        data = SummaryCommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.summary_comment(
            actor=request.user, summary=summary, **data.validated_data
        )
        return Response(SummaryOut(summary).data)


# --- inspections and rectifications -------------------------------------------------------------


class RectificationOut(serializers.ModelSerializer):
    finding = serializers.CharField(source="finding.text")
    inspection = serializers.IntegerField(source="finding.inspection_id")
    owner = serializers.CharField(source="owner.username")
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "inspection",
            "finding",
            "station",
            "owner",
            "deadline",
            "state",
            "evidence",
            "has_file",
            "closed_at",
        ]

    def get_has_file(self, obj) -> bool:
        return bool(obj.evidence_type)


class InspectionOut(serializers.ModelSerializer):
    supervisor = serializers.CharField(source="supervisor.username")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "station",
            "target",
            "subject",
            "supervisor",
            "planned_for",
            "scope",
            "status",
            "conducted_on",
            "checked",
            "conclusion",
            "rating",
        ]


class InspectionPlanIn(JsonInput):
    station = ObjectIdField()
    subject = ObjectIdField(required=False, allow_null=True)
    planned_for = serializers.DateField()
    scope = serializers.CharField(max_length=300)


class InspectionFindingIn(JsonInput):
    text = serializers.CharField(max_length=5000)
    owner = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="The owner's police number."
    )
    deadline = serializers.DateField(required=False, allow_null=True)


class InspectionRecordIn(JsonInput):
    conducted_on = serializers.DateField()
    checked = serializers.CharField(max_length=5000)
    conclusion = serializers.CharField(max_length=5000)
    rating = serializers.ChoiceField(choices=Rating.choices)
    findings = InspectionFindingIn(many=True, required=False)


def _owner(inspection, number: str):
    """The owner named by police number, among the inspected station's officers (else None)."""
    if not number:
        return None
    station = inspection.station_id
    return (
        User.objects.filter(username=number, is_active=True).filter(unit_id=station).first()
        or User.objects.filter(username=number, is_active=True, unit__parent_id=station).first()
    )


def _findings(inspection, rows) -> list[dict]:
    out = []
    for row in rows or []:
        owner = _owner(inspection, row.get("owner") or "")
        if row.get("owner") and owner is None:
            raise serializers.ValidationError(
                {"owner": ["The owner must be an officer of the inspected station."]}
            )
        out.append({"text": row["text"], "owner": owner, "deadline": row.get("deadline")})
    return out


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections of the stations the caller supervises or leads."""

    serializer_class = InspectionOut

    def get_queryset(self):
        return sel.visible_inspections(self.request.user).order_by("-planned_for", "-pk")

    @extend_schema(
        request=InspectionPlanIn, responses={201: InspectionOut}, summary="Plan an inspection"
    )
    def create(self, request):
        data = InspectionPlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        station = Unit.objects.filter(pk=d.pop("station"), kind="station").first()
        if station is None:
            raise serializers.ValidationError({"station": ["Unknown station."]})
        subject_id = d.pop("subject", None)
        subject = None
        if subject_id:
            visible = restrict(request.user, Subject.objects.all(), Action.SUBJECT_VIEW)
            subject = visible.filter(pk=subject_id).first()
            if subject is None:  # absent and hidden answer alike
                raise serializers.ValidationError({"subject": ["Unknown subject."]})
        inspection = services.inspection_plan(
            actor=request.user, station=station, subject=subject, **d
        )
        return Response(InspectionOut(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InspectionRecordIn, responses=InspectionOut, summary="Record the inspection"
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        inspection = self.get_object()
        data = InspectionRecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        findings = _findings(inspection, d.pop("findings", []))
        inspection = services.inspection_record(
            actor=request.user, inspection=inspection, findings=findings, **d
        )
        return Response(InspectionOut(inspection).data)

    @extend_schema(
        request=InspectionFindingIn, responses={201: RectificationOut}, summary="Add a finding"
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        inspection = self.get_object()
        data = InspectionFindingIn(data=request.data)
        data.is_valid(raise_exception=True)
        (finding,) = _findings(inspection, [data.validated_data])
        rectification = services.finding_add(actor=request.user, inspection=inspection, **finding)
        return Response(RectificationOut(rectification).data, status=status.HTTP_201_CREATED)


class RectificationCloseIn(JsonInput):
    evidence = serializers.CharField(max_length=5000)


class RectificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rectifications the caller owns or oversees; closed with evidence (a file through the
    page)."""

    serializer_class = RectificationOut

    def get_queryset(self):
        return sel.visible_rectifications(self.request.user).order_by("state", "deadline", "pk")

    @extend_schema(
        request=RectificationCloseIn, responses=RectificationOut, summary="Close with evidence"
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rectification = self.get_object()
        data = RectificationCloseIn(data=request.data)
        data.is_valid(raise_exception=True)
        rectification = services.rectification_close(
            actor=request.user, rectification=rectification, **data.validated_data
        )
        return Response(RectificationOut(rectification).data)


# --- complaints ---------------------------------------------------------------------------------


class ComplaintOut(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.username")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "officer",
            "station",
            "received_on",
            "source",
            "status",
            "outcome",
            "outcome_note",
            "registered_at",
            "closed_at",
        ]


class ComplaintIn(JsonInput):
    officer = serializers.CharField(max_length=30, help_text="The officer's police number.")
    received_on = serializers.DateField()
    source = serializers.ChoiceField(choices=ComplaintSource.choices)
    complainant = serializers.CharField(max_length=200, required=False, allow_blank=True)
    account = serializers.CharField(max_length=5000)


class ComplaintFollowIn(JsonInput):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    outcome = serializers.ChoiceField(
        choices=ComplaintOutcome.choices, required=False, allow_blank=True
    )
    outcome_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints about officers' conduct (the complainant and the account only on the page,
    where reading them is logged)."""

    serializer_class = ComplaintOut

    def get_queryset(self):
        return sel.visible_complaints(self.request.user).order_by("-received_on", "-pk")

    @extend_schema(request=ComplaintIn, responses={201: ComplaintOut}, summary="Register")
    def create(self, request):
        data = ComplaintIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        officer = User.objects.filter(username=d.pop("officer"), is_active=True).first()
        station = officer.unit.station if officer is not None and officer.unit_id else None
        if station is None or station.pk not in supervised_station_ids(request.user):
            raise serializers.ValidationError({"officer": ["Unknown officer."]})
        complaint = services.complaint_register(actor=request.user, officer=officer, **d)
        return Response(ComplaintOut(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintFollowIn, responses=ComplaintOut, summary="Follow up")
    @action(detail=True, methods=["post"])
    def follow(self, request, pk=None):
        complaint = self.get_object()
        data = ComplaintFollowIn(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_update(
            actor=request.user, complaint=complaint, **data.validated_data
        )
        return Response(ComplaintOut(complaint).data)
