"""Geofence matching of raw positions: enter/exit crossings, state, bindings, validity; the
GeoJSON checks of a fence's area."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from casebook.accounts.roles import Role
from casebook.monitoring import geo, pipeline
from casebook.monitoring.geo_models import FenceState
from casebook.testing.factories import PersonFactory

from .geo_helpers import bind, make_fence, make_source, position, square

IN = (120.15, 30.27)
OUT = (120.16, 30.28)


@pytest.fixture
def setup(org, make_user):
    leader = make_user(Role.STATION_LEADER, org["a"])
    source = make_source(org["a"], leader)
    person = PersonFactory(station=org["a"])
    fence = make_fence(org["a"], leader)
    return {"leader": leader, "source": source, "person": person, "fence": fence, "org": org}


def kinds(events):
    return [(e.kind, e.fence_ref) for e in events]


def test_enter_then_exit_and_inside_to_inside_gives_nothing(setup):
    s = setup
    bind(s["org"]["a"], s["leader"], s["person"], source=s["source"])
    batch = [
        position(1, *OUT, minutes=0),
        position(2, *IN, minutes=1),
        position(3, *IN, minutes=2),  # inside -> inside: nothing
        position(4, *OUT, minutes=3),
        position(5, *OUT, minutes=4),  # outside -> outside: nothing
    ]
    out = pipeline.prepare(s["source"], batch)
    fid = str(s["fence"].pk)
    assert kinds(out) == [(pipeline.GEOFENCE_ENTER, fid), (pipeline.GEOFENCE_EXIT, fid)]
    assert out[0].external_id == f"pos-2:enter:{fid}"
    assert out[1].occurred_at == batch[3].occurred_at
    assert not [e for e in out if e.kind == pipeline.POSITION]  # positions are never stored
    state = FenceState.objects.get(fence=s["fence"], device_id="GPS-001")
    assert state.inside is False


def test_state_carries_across_batches_and_a_replay_gives_nothing(setup):
    s = setup
    bind(s["org"]["a"], s["leader"], s["person"], source=s["source"])
    first = [position(1, *IN, minutes=0)]
    assert kinds(pipeline.prepare(s["source"], first)) == [
        (pipeline.GEOFENCE_ENTER, str(s["fence"].pk))
    ]
    # the same batch again (a retry): the device is already inside -> no second entry
    assert pipeline.prepare(s["source"], first) == []
    # next batch, still inside: nothing; then out: one exit
    assert pipeline.prepare(s["source"], [position(2, *IN, minutes=1)]) == []
    out = pipeline.prepare(s["source"], [position(3, *OUT, minutes=2)])
    assert kinds(out) == [(pipeline.GEOFENCE_EXIT, str(s["fence"].pk))]
    # a stale position (older than the state) is ignored
    assert pipeline.prepare(s["source"], [position(9, *IN, minutes=-30)]) == []


def test_expired_fence_gives_no_event(setup):
    s = setup
    bind(s["org"]["a"], s["leader"], s["person"], source=s["source"])
    s["fence"].valid_until = timezone.now() - timedelta(days=2)
    s["fence"].save()
    assert pipeline.prepare(s["source"], [position(1, *OUT), position(2, *IN, minutes=1)]) == []


def test_fence_not_yet_in_force_or_withdrawn_gives_no_event(setup):
    s = setup
    bind(s["org"]["a"], s["leader"], s["person"], source=s["source"])
    s["fence"].valid_from = timezone.now() + timedelta(days=1)
    s["fence"].save()
    assert pipeline.prepare(s["source"], [position(1, *IN)]) == []
    s["fence"].valid_from = timezone.now() - timedelta(days=1)
    s["fence"].is_active = False
    s["fence"].save()
    assert pipeline.prepare(s["source"], [position(2, *IN, minutes=1)]) == []


def test_expired_or_revoked_binding_stops_matching(setup):
    s = setup
    binding = bind(s["org"]["a"], s["leader"], s["person"], source=s["source"], start=-30, end=-1)
    assert pipeline.prepare(s["source"], [position(1, *IN)]) == []
    binding.ends_on = timezone.localdate() + timedelta(days=5)
    binding.revoked_at = timezone.now()
    binding.save()
    assert pipeline.prepare(s["source"], [position(2, *IN, minutes=1)]) == []
    binding.revoked_at = None
    binding.save()
    assert len(pipeline.prepare(s["source"], [position(3, *IN, minutes=2)])) == 1


def test_unbound_device_is_not_followed(setup):
    s = setup
    bind(s["org"]["a"], s["leader"], s["person"], device_id="GPS-OTHER", source=s["source"])
    assert pipeline.prepare(s["source"], [position(1, *IN)]) == []
    assert not FenceState.objects.exists()


def test_fence_applies_only_to_its_devices_or_subjects(setup, org):
    s = setup
    other = PersonFactory(station=org["a"])
    bind(org["a"], s["leader"], s["person"], source=s["source"])
    s["fence"].subjects.set([other])
    s["fence"].save()  # a fence naming another subject does not apply to this device
    assert pipeline.prepare(s["source"], [position(1, *IN)]) == []
    s["fence"].subjects.set([s["person"]])
    s["fence"].save()
    assert len(pipeline.prepare(s["source"], [position(2, *IN, minutes=1)])) == 1
    s["fence"].subjects.clear()
    s["fence"].device_ids = ["GPS-XYZ"]
    s["fence"].save()  # named devices only
    assert pipeline.prepare(s["source"], [position(3, *OUT, minutes=2)]) == []


def test_another_stations_fence_is_never_matched(setup, org, make_user):
    s = setup
    other_leader = make_user(Role.STATION_LEADER, org["b"])
    make_fence(org["b"], other_leader, geometry=square(d=0.01), name="乙所围栏")
    bind(org["a"], s["leader"], s["person"], source=s["source"])
    out = pipeline.prepare(s["source"], [position(1, *IN)])
    assert [e.fence_ref for e in out] == [str(s["fence"].pk)]


def test_index_and_naive_loop_agree(setup):
    from casebook.monitoring.matching import station_index

    index = station_index(setup["org"]["a"].pk)
    for lon, lat in [IN, OUT, (120.1505, 30.2705), (120.151, 30.271)]:
        assert {e.pk for e in index.containing(lon, lat)} == {
            e.pk for e in index.naive_containing(lon, lat)
        }


# --- the area's checks --------------------------------------------------------------------


def test_self_intersecting_polygon_is_refused():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        geo.parse_geometry(bowtie)
    assert "crosses itself" in exc.value.messages[0]


@pytest.mark.parametrize(
    "geometry, message",
    [
        (
            {"type": "Polygon", "coordinates": [[[200, 0], [1, 1], [1, 0], [200, 0]]]},
            "out of range",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 95], [1, 1], [1, 0], [0, 95]]]}, "out of range"),
        ({"type": "Point", "coordinates": [120, 30]}, "must be a polygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0]]]}, "at least four"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[["a", 0], [1, 1], [1, 0], ["a", 0]]]}, "numbers"),
        ({"coordinates": []}, "no “type”"),
    ],
)
def test_bad_areas_are_refused_with_a_clear_error(geometry, message):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        geo.parse_geometry(geometry)
    assert message in " ".join(exc.value.messages)


def test_invalid_geojson_text_is_refused():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        geo.parse_import("{not json")
    assert "not valid GeoJSON" in exc.value.messages[0]


def test_import_names_the_bad_feature():
    good = {"type": "Feature", "properties": {"name": "甲"}, "geometry": square()}
    bad = {
        "type": "Feature",
        "properties": {"name": "乙"},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    }
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        geo.parse_import({"type": "FeatureCollection", "features": [good, bad]})
    assert exc.value.messages[0].startswith("Area 2（乙）")
    areas = geo.parse_import({"type": "FeatureCollection", "features": [good]})
    assert areas[0][0] == "甲" and areas[0][1]["type"] == "Polygon"
