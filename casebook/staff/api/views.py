"""/api/v1/staff/: one's own officer file, the confidentiality pledge (status and signing) and
training records — the same services, selectors and rules as the pages.

The pledge endpoints pass the gates (``gate_exempt``): they are how a closed gate opens."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casebook.audit import reads
from casebook.core.api import JsonInput

from .. import selectors, services
from ..models import (
    Attendance,
    Certificate,
    ConductEntry,
    OfficerProfile,
    PledgeSignature,
    PledgeVersion,
)


class ProfileOut(serializers.ModelSerializer):
    class Meta:
        model = OfficerProfile
        fields = ["post", "post_since", "duties_note"]


class CertificateOut(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "name", "issuer", "number", "issued_on", "expires_on", "has_file"]

    def get_has_file(self, obj) -> bool:
        return obj.file_id is not None


class ConductOut(serializers.ModelSerializer):
    class Meta:
        model = ConductEntry
        fields = ["id", "kind", "decided_on", "decided_by", "reason"]


class AttendanceOut(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id")
    course = serializers.CharField(source="session.course.title")
    category = serializers.CharField(source="session.course.category")
    held_on = serializers.DateField(source="session.held_on")
    hours = serializers.DecimalField(source="session.course.hours", max_digits=5, decimal_places=1)
    completed = serializers.BooleanField()

    class Meta:
        model = Attendance
        fields = [
            "session",
            "course",
            "category",
            "held_on",
            "hours",
            "attended",
            "score",
            "completed",
        ]


class QuotaOut(serializers.Serializer):
    role = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    quota = serializers.DecimalField(max_digits=5, decimal_places=1)
    done = serializers.DecimalField(max_digits=7, decimal_places=1)
    met = serializers.BooleanField()


class TrainingOut(serializers.Serializer):
    lapsed = serializers.BooleanField()
    in_grace = serializers.BooleanField()
    quotas = QuotaOut(many=True)
    lapsed_certificates = serializers.ListField(child=serializers.CharField())
    records = AttendanceOut(many=True)


class SignatureOut(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = PledgeSignature
        fields = ["version", "signed_at"]


class FileOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    real_name = serializers.CharField()
    unit = serializers.CharField()
    profile = ProfileOut(allow_null=True)
    certificates = CertificateOut(many=True)
    conduct = ConductOut(many=True)
    pledges = SignatureOut(many=True)
    training = TrainingOut()


class PledgeVersionOut(serializers.ModelSerializer):
    class Meta:
        model = PledgeVersion
        fields = ["id", "number", "title", "text", "issued_at"]


class PledgeStatusOut(serializers.Serializer):
    version = PledgeVersionOut(allow_null=True)
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)


class PledgeSignIn(JsonInput):
    version = serializers.IntegerField(help_text="The id of the version in force (from GET).")
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, help_text="The caller's password: re-authentication."
    )


def _training(viewer, officer) -> dict:
    status_ = selectors.training_status(officer)
    return {
        "lapsed": status_.lapsed,
        "in_grace": status_.in_grace,
        "quotas": [
            {
                "role": r.requirement.role,
                "category": r.requirement.category,
                "unit": r.requirement.unit,
                "quota": r.requirement.quota,
                "done": r.done,
                "met": r.met,
            }
            for r in status_.requirements
        ],
        "lapsed_certificates": [c.name for c in status_.lapsed_certificates],
        "records": list(selectors.attendance_of(viewer, officer)),
    }


class MyFileView(APIView):
    """The caller's own officer file."""

    @extend_schema(responses=FileOut, summary="My officer file")
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "real_name": user.real_name,
            "unit": str(user.unit),
            "profile": selectors.profile_of(user),
            "certificates": list(selectors.certificates_of(user, user)),
            "conduct": list(selectors.conduct_of(user, user)),
            "pledges": list(selectors.signatures_of(user, user)),
            "training": _training(user, user),
        }
        reads.record_read(request, what="officer_file", objects=[user], fields=["api"])
        return Response(FileOut(data).data)


class TrainingView(APIView):
    """Training records and quotas: the caller's own, or (``officer``) an officer whose file
    the caller may read — anyone else answers 404."""

    @extend_schema(
        parameters=[OpenApiParameter("officer", int, required=False)],
        responses={200: TrainingOut, 404: OpenApiResponse(description="No such officer.")},
        summary="Training records",
    )
    def get(self, request):
        user = request.user
        officer = user
        if request.query_params.get("officer"):
            officer = selectors.get_officer_or_404(user, request.query_params["officer"])
        reads.record_read(request, what="officer_file", objects=[officer], fields=["training"])
        return Response(TrainingOut(_training(user, officer)).data)


class PledgeView(APIView):
    """The pledge in force for the caller's bureau and whether the caller signed it."""

    gate_exempt = True

    @extend_schema(responses=PledgeStatusOut, summary="Pledge status")
    def get(self, request):
        version, signed = selectors.pledge_state(request.user)
        signature = (
            PledgeSignature.objects.filter(version=version, officer=request.user).first()
            if signed
            else None
        )
        return Response(
            PledgeStatusOut(
                {
                    "version": version,
                    "signed": signed,
                    "signed_at": signature.signed_at if signature else None,
                }
            ).data
        )


class PledgeSignView(APIView):
    """Sign the pledge in force, re-entering the password. Signing twice answers 400."""

    gate_exempt = True

    @extend_schema(
        request=PledgeSignIn,
        responses={
            201: PledgeStatusOut,
            400: OpenApiResponse(
                description="Wrong password, not the version in force, or signed already."
            ),
        },
        summary="Sign the pledge",
    )
    def post(self, request):
        data = PledgeSignIn(data=request.data)
        data.is_valid(raise_exception=True)
        version, _signed = selectors.pledge_state(request.user)
        if version is None or version.pk != data.validated_data["version"]:
            raise serializers.ValidationError(
                {"version": [_("This is not the version of the pledge in force.")]}
            )
        signature = services.pledge_sign(
            actor=request.user,
            version=version,
            password=data.validated_data["password"],
            request=request._request,
        )
        return Response(
            PledgeStatusOut(
                {"version": version, "signed": True, "signed_at": signature.signed_at}
            ).data,
            status=status.HTTP_201_CREATED,
        )
