"""API serializers: separate output (masked identifiers) and input shapes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casebook.access import policy
from casebook.access.policy import Action
from casebook.core.api import JsonInput

from ..choices import DataSubjectCategory, IncidentStatus, Kind, Sex, SupervisionStatus
from ..models import Category, Subject


class IdentifierOut(serializers.Serializer):
    kind = serializers.CharField()
    masked = serializers.CharField()


class SubjectOut(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station = serializers.CharField(source="station.code", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True, default=None, allow_null=True)
    identifiers = IdentifierOut(many=True, read_only=True)
    officers = serializers.SerializerMethodField()
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Subject
        fields = [
            "id",
            "kind",
            "category",
            "name",
            "station",
            "area",
            "status",
            "status_reason",
            "risk_level",
            "classification",
            "legal_basis_ref",
            "approved_on",
            "review_due",
            "review_overdue",
            "identifiers",
            "officers",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_officers(self, obj) -> list[str]:
        return [u.username for u in obj.officers.all()]


class SubjectDetailOut(SubjectOut):
    details = serializers.SerializerMethodField()

    class Meta(SubjectOut.Meta):
        fields = [*SubjectOut.Meta.fields, "notes", "version", "details"]

    @extend_schema_field(serializers.DictField())
    def get_details(self, obj) -> dict:
        """Kind-specific fields; a person's encrypted fields never appear here (use /consult/)."""
        if obj.kind == Kind.PERSON:
            p = obj.person
            return {
                "aliases": p.aliases,
                "sex": p.sex,
                "date_of_birth": p.date_of_birth,
                "occupation": p.occupation,
                "data_subject_category": p.data_subject_category,
                "supervision_status": p.supervision_status,
            }
        if obj.kind == Kind.PLACE:
            p = obj.place
            return {
                "address": p.address,
                "licence_numbers": p.licence_list,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "operator": p.operator_id
                if p.operator_id
                and policy.can(self.context["request"].user, Action.SUBJECT_VIEW, p.operator)
                else None,
                "operator_name": p.operator_name,
                "opening_hours": p.opening_hours,
            }
        i = obj.incident
        return {
            "incident_type": i.incident_type,
            "started_at": i.started_at,
            "location": i.location,
            "latitude": i.latitude,
            "longitude": i.longitude,
            "incident_status": i.incident_status,
            "cause": i.cause,
            "scale": i.scale,
            "people_involved": i.people_involved,
        }


class PersonIn(JsonInput):
    aliases = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=24)
    phones = serializers.CharField(required=False, allow_blank=True, max_length=200)
    household_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    current_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    occupation = serializers.CharField(required=False, allow_blank=True, max_length=100)
    employer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    economic_situation = serializers.CharField(required=False, allow_blank=True)
    data_subject_category = serializers.ChoiceField(choices=DataSubjectCategory.choices)
    supervision_status = serializers.ChoiceField(choices=SupervisionStatus.choices, required=False)


class PlaceIn(JsonInput):
    licence_numbers = serializers.CharField(required=False, allow_blank=True, max_length=300)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    address = serializers.CharField(max_length=200)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    operator_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    opening_hours = serializers.CharField(required=False, allow_blank=True, max_length=100)


class IncidentIn(JsonInput):
    incident_type = serializers.CharField(max_length=60)
    started_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    incident_status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    cause = serializers.CharField(required=False, allow_blank=True)
    scale = serializers.CharField(required=False, allow_blank=True, max_length=100)
    people_involved = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1_000_000
    )
    departments = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SubjectIn(JsonInput):
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    name = serializers.CharField(max_length=100)
    legal_basis_ref = serializers.CharField(max_length=200)
    approved_by = serializers.CharField(help_text="police number of the approving leader")
    approved_on = serializers.DateField()
    classification = serializers.IntegerField(min_value=0, max_value=3, default=1)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    person = PersonIn(required=False)
    place = PlaceIn(required=False)
    incident = IncidentIn(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a category code names one of the caller's own bureau's categories (another bureau's
        # category with the same code is not a choice)
        user = self.context.get("user")
        self.fields["category"].queryset = (
            Category.objects.restrict(user, Action.SUBJECT_CREATE).filter(is_active=True)
            if user is not None
            else Category.objects.none()
        )

    def validate(self, attrs):
        kind = attrs["kind"]
        if kind not in attrs:
            raise serializers.ValidationError({kind: "This field is required for this kind."})
        return attrs


class SubjectPatchIn(serializers.Serializer):
    """A change to a subject's common fields. ``version`` is the one the client read (GET
    returns it): a save on an older version answers 409 and changes nothing."""

    version = serializers.IntegerField(
        min_value=1, help_text="the subject's version as read; a stale one answers 409"
    )
    name = serializers.CharField(max_length=100, required=False)
    legal_basis_ref = serializers.CharField(max_length=200, required=False)
    approved_on = serializers.DateField(required=False)
    classification = serializers.IntegerField(min_value=0, max_value=3, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class ConflictOut(serializers.Serializer):
    """RFC 9457 problem details of a stale save."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField())


class ConsultIn(JsonInput):
    purpose = serializers.CharField(min_length=2, max_length=300)


class ParticularsOut(serializers.Serializer):
    id_number = serializers.CharField(allow_blank=True)
    phones = serializers.ListField(child=serializers.CharField())
    household_address = serializers.CharField(allow_blank=True)
    current_address = serializers.CharField(allow_blank=True)
