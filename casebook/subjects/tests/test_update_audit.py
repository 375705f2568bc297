"""A change of a subject's detail names the fields that changed; coordinates, licences and other
identifying values never enter the audit log (SECURITY.md L2)."""

import pytest

from casebook.audit.models import AuditEvent
from casebook.subjects.services import subject_update
from casebook.testing.factories import PlaceFactory


@pytest.mark.django_db
def test_coordinates_and_licences_are_named_not_logged(crew):
    place = PlaceFactory(actor=crew["leader"], officers=[crew["officer"]])
    subject_update(
        actor=crew["leader"],
        subject=place,
        detail={
            "latitude": "28.123456",
            "longitude": "115.654321",
            "licence_numbers": "娱经许字999999号",
            "opening_hours": "20:00-02:00",
        },
    )
    event = AuditEvent.objects.filter(action="subject.update").latest("seq")
    text = str(event.details)
    for value in ("28.123456", "115.654321", "999999"):
        assert value not in text
    assert event.details["latitude"] == {"changed": True}
    assert event.details["licence_numbers"] == {"changed": True}
    assert event.details["opening_hours"]["to"] == "20:00-02:00"  # plain fields keep their values
