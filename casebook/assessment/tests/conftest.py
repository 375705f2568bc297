import pytest

from casebook.testing.factories import PersonFactory


@pytest.fixture
def subject(crew):
    return PersonFactory(actor=crew["leader"], officers=[crew["officer"], crew["colleague"]])
