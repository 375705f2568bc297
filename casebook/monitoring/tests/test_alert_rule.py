"""The station dashboard and the warning rule "repeated monitoring alerts at a place" count real
monitoring alerts (analysis reads them from monitoring.alert_selectors)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casebook.accounts.roles import Role
from casebook.analysis import rules
from casebook.analysis.dashboard import station_numbers
from casebook.analysis.models import Warning
from casebook.monitoring import alert_services as services
from casebook.monitoring.alerts import collapse
from casebook.monitoring.geo_models import Alert
from casebook.testing.factories import PlaceFactory

from .geo_helpers import bind, make_source, video


@pytest.fixture
def s(org, make_user):
    leader = make_user(Role.STATION_LEADER, org["a"])
    officer = make_user(Role.TRACKING_OFFICER, org["a"])
    source = make_source(org["a"], leader, kind="video")
    place = PlaceFactory(station=org["a"])
    bind(org["a"], leader, place, device_id="CAM-01", source=source, kind="camera")
    return {"leader": leader, "officer": officer, "source": source, "place": place}


def _alerts(s, n, *, hours_apart=3):
    """``n`` separate alerts (each past the collapse window) at the place's camera."""
    base = timezone.now() - timedelta(days=2)
    for i in range(n):
        collapse(s["source"], [video(s["source"], i, at=base + timedelta(hours=i * hours_apart))])


def warnings_for(place):
    return Warning.objects.filter(rule__code="repeated_alerts", subject=place)


def test_three_real_alerts_at_a_place_raise_one_warning(s):
    _alerts(s, 2)
    rules.evaluate()
    assert not warnings_for(s["place"]).exists()
    collapse(s["source"], [video(s["source"], 50, at=timezone.now() - timedelta(hours=1))])
    assert Alert.objects.count() == 3
    rules.evaluate()
    rules.evaluate()
    assert warnings_for(s["place"]).count() == 1


def test_dismissed_alerts_do_not_count_and_a_promoted_one_counts_once(s):
    _alerts(s, 3)
    first = Alert.objects.order_by("pk").first()
    services.alert_dismiss(actor=s["officer"], alert=first, reason="误报")
    rules.evaluate()
    assert not warnings_for(s["place"]).exists()  # 2 real alerts left
    second = Alert.objects.order_by("pk")[1]
    services.alert_promote(
        actor=s["officer"],
        alert=second,
        subject=s["place"],
        content="门口人员聚集",
        source_evaluation="A",
        info_assessment="1",
    )
    rules.evaluate()
    assert not warnings_for(s["place"]).exists()  # the record is its alert, not a third one


def test_the_station_dashboard_counts_live_alerts(s, org):
    _alerts(s, 2)
    numbers = station_numbers(s["leader"], org["a"].pk)
    assert numbers["monitoring_alerts"]["live"] == 2
    assert numbers["monitoring_alerts"]["week"] == 2
    services.alert_dismiss(actor=s["officer"], alert=Alert.objects.first(), reason="误报")
    numbers = station_numbers(s["leader"], org["a"].pk)
    assert (numbers["monitoring_alerts"]["live"], numbers["monitoring_alerts"]["week"]) == (1, 1)
    assert station_numbers(s["leader"], org["b"].pk)["monitoring_alerts"]["live"] == 0
