"""/api/v1/subjects/: the same rules as the pages — scoped reads, service writes, 404 outside."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.audit.reads import ReadLoggedMixin

from .. import selectors, services
from ..choices import Kind
from ..filters import SubjectFilterSet
from ..models import Subject
from .serializers import (
    ConflictOut,
    ConsultIn,
    ParticularsOut,
    SubjectDetailOut,
    SubjectIn,
    SubjectOut,
    SubjectPatchIn,
)


class SubjectViewSet(
    ReadLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = SubjectFilterSet  # the list page's, too
    ordering = ["-updated_at"]
    read_object_type = "subjects.subject"

    def read_search(self, request) -> dict | None:
        summary = super().read_search(request)
        q = request.query_params.get("q", "")
        if summary and q:
            exact = selectors.identifier_search(Subject.objects.none(), q) is not None
            summary["kind"] = selectors.search_kind(q, exact=exact)
        return summary

    def get_queryset(self):
        return (
            selectors.visible_subjects(self.request.user)
            .select_related("category", "station", "area")
            .prefetch_related("identifiers", "officers")
            .order_by("-updated_at", "-pk")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return SubjectIn
        return SubjectDetailOut if self.action == "retrieve" else SubjectOut

    @extend_schema(request=SubjectIn, responses={201: SubjectDetailOut})
    def create(self, request, *args, **kwargs):
        incoming = SubjectIn(data=request.data, context={"user": request.user})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = request.user
        station = user.unit.station
        if station is None or policy.reach(user, Action.SUBJECT_CREATE) is None:
            raise PermissionDenied
        approver = User.objects.filter(username=data["approved_by"]).first()
        subject = services.subject_create(
            actor=user,
            kind=data["kind"],
            category=data["category"],
            name=data["name"],
            station=station,
            legal_basis_ref=data["legal_basis_ref"],
            approved_by=approver,
            approved_on=data["approved_on"],
            classification=data["classification"],
            notes=data["notes"],
            detail=dict(data[data["kind"]]),
        )
        out = SubjectDetailOut(subject, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SubjectPatchIn,
        responses={200: SubjectDetailOut, 409: ConflictOut},
        summary="Change a subject's common fields (optimistic concurrency: send the version)",
    )
    def partial_update(self, request, pk=None):
        subject = selectors.get_subject(request.user, pk, Action.SUBJECT_EDIT)
        incoming = SubjectPatchIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        try:
            subject = services.subject_update(
                actor=request.user, subject=subject, expected_version=version, **data
            )
        except services.StaleEdit as exc:
            problem = {
                "type": "about:blank",
                "title": _("Edit conflict"),
                "status": status.HTTP_409_CONFLICT,
                "detail": " ".join(exc.messages),
                "current_version": exc.current_version,
                "changed": list(exc.changed),
            }
            return Response(
                problem, status=status.HTTP_409_CONFLICT, content_type="application/problem+json"
            )
        subject = self.get_queryset().get(pk=subject.pk)
        return Response(SubjectDetailOut(subject, context={"request": request}).data)

    @extend_schema(
        request=ConsultIn,
        responses=ParticularsOut,
        summary="Reveal a person's encrypted particulars, stating the purpose",
    )
    @action(detail=True, methods=["post"])
    def consult(self, request, pk=None):
        subject = selectors.get_subject(request.user, pk)
        incoming = ConsultIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        if subject.kind != Kind.PERSON:
            raise ValidationError({"detail": "Only persons have protected particulars."})
        services.subject_consult(
            actor=request.user, subject=subject, purpose=incoming.validated_data["purpose"]
        )
        p = subject.person
        return Response(
            ParticularsOut(
                {
                    "id_number": p.id_number or "",
                    "phones": p.phone_list,
                    "household_address": p.household_address or "",
                    "current_address": p.current_address or "",
                }
            ).data
        )
