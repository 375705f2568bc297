"""The documented shapes of the ingestion API (for the OpenAPI schema; parsing itself is done by
``formats.py``, which is faster on batches of 500 and gives errors by event)."""

from rest_framework import serializers

from ..pipeline import KINDS


class EventIn(serializers.Serializer):
    id = serializers.CharField(
        max_length=100, help_text="The sender's id of the event, unique per source."
    )
    kind = serializers.ChoiceField(choices=KINDS)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    device_id = serializers.CharField(
        max_length=100, required=False, help_text="The camera's or device's id at the sender."
    )
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)
    fence = serializers.CharField(
        max_length=100, required=False, help_text="The sender's fence id (geofence events)."
    )
    label = serializers.CharField(
        max_length=200, required=False, help_text="E.g. the video analytics rule: 人员聚集."
    )
    attributes = serializers.DictField(required=False, help_text="Small JSON object of details.")


class BatchIn(serializers.Serializer):
    events = EventIn(many=True, max_length=500)


class EventResult(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["stored", "duplicate", "rejected", "processed"])
    reason = serializers.CharField(required=False)


class BatchOut(serializers.Serializer):
    source = serializers.CharField()
    message_id = serializers.CharField()
    stored = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()
    processed = serializers.IntegerField(help_text="Positions, turned into crossings.")
    crossings = serializers.IntegerField(help_text="Crossings computed from the positions.")
    events = EventResult(many=True)
