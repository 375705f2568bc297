"""API of accounts and organisation: who am I, which units exist."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from casebook.core.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "kind", "name", "code", "parent"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    real_name = serializers.CharField()
    unit = UnitSerializer()
    roles = serializers.ListField(child=serializers.CharField())
    clearance = serializers.IntegerField()


@extend_schema(responses=MeSerializer, summary="The authenticated user")
@api_view(["GET"])
def me(request):
    user = request.user
    data = {
        "id": user.pk,
        "username": user.username,
        "real_name": user.real_name,
        "unit": user.unit,
        "roles": sorted(user.role_set),
        "clearance": user.clearance,
    }
    return Response(MeSerializer(data).data)


@extend_schema(responses=UnitSerializer(many=True), summary="Units of the user's bureau")
@api_view(["GET"])
def units(request):
    bureau = request.user.unit.bureau
    qs = (
        Unit.objects.filter(is_active=True).filter(pk=bureau.pk)
        | Unit.objects.filter(is_active=True, parent=bureau)
        | Unit.objects.filter(is_active=True, parent__parent=bureau)
    )
    return Response(UnitSerializer(qs.order_by("kind", "code"), many=True).data)
