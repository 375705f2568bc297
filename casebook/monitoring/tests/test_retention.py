import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from casebook.audit.models import AuditEvent
from casebook.core.jobs import periodic_jobs
from casebook.monitoring.models import Delivery, Event
from casebook.monitoring.services import purge_events
from casebook.monitoring.tasks import monitoring_purge

from .helpers import make_source

pytestmark = pytest.mark.django_db


def _event(source, n, age_days, *, promoted=False, kind="video_alert"):
    at = timezone.now() - dt.timedelta(days=age_days)
    return Event.objects.create(
        source=source,
        external_id=f"e{n}",
        kind=kind,
        occurred_at=at,
        received_at=at,
        batch="b",
        promoted=promoted,
    )


def test_purge_deletes_only_old_unpromoted_events_with_one_aggregate_audit(make_user, org):
    source, _secret, _ = make_source(make_user, org)
    _event(source, 1, 31)
    _event(source, 2, 40, kind="geofence_enter")
    keep_promoted = _event(source, 3, 90, promoted=True)
    keep_young = _event(source, 4, 29)
    Delivery.objects.create(
        source=source,
        message_id="m",
        body_hash="h",
        received_at=timezone.now() - dt.timedelta(days=31),
    )
    before = AuditEvent.objects.count()
    result = purge_events()
    assert result["events"] == 2
    assert result["by_kind"] == {"video_alert": 1, "geofence_enter": 1}
    assert set(Event.objects.values_list("pk", flat=True)) == {keep_promoted.pk, keep_young.pk}
    assert Delivery.objects.count() == 0
    audit = AuditEvent.objects.filter(action="monitoring.purge")
    assert audit.count() == 1 and AuditEvent.objects.count() == before + 1
    assert audit.get().details["events"] == 2
    assert purge_events()["events"] == 0
    assert AuditEvent.objects.filter(action="monitoring.purge").count() == 1


@override_settings(CASEBOOK_MONITORING_RETENTION_DAYS=7)
def test_purge_period_is_configurable(make_user, org):
    source, _secret, _ = make_source(make_user, org)
    _event(source, 1, 8)
    _event(source, 2, 6)
    assert monitoring_purge.call()["events"] == 1
    assert list(Event.objects.values_list("external_id", flat=True)) == ["e2"]


def test_purge_is_a_registered_job():
    assert monitoring_purge in periodic_jobs()
