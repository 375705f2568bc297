import pytest

from casebook.accounts.roles import Role
from casebook.monitoring import demo
from casebook.monitoring.models import Source, SourceSecret

pytestmark = pytest.mark.django_db


def test_demo_sources_are_made_once(make_user, org, monkeypatch):
    monkeypatch.setattr(demo, "_extras", [])
    make_user(Role.SYSTEM_ADMIN, org["bureau"])
    demo.load()
    demo.load()
    sources = Source.objects.filter(station=org["a"])
    assert sources.count() == len(demo.SOURCES)
    assert {s.format for s in sources} == {"casebook", "traccar"}
    assert SourceSecret.objects.filter(source__in=sources).count() == len(demo.SOURCES)
    assert not Source.objects.filter(station__parent=org["other_bureau"]).exists()  # no admin
