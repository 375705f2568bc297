"""The officer file registry: sections in order, sections with nothing left out, one key one
section."""

import pytest

from casebook.accounts import officer_file


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(officer_file, "_SECTIONS", {})


def test_sections_come_in_order_and_empty_ones_are_left_out(clean_registry):
    officer_file.register_section("b", "B", lambda viewer, officer: {"x": 2}, "b.html", order=20)
    officer_file.register_section("a", "A", lambda viewer, officer: {"x": 1}, "a.html", order=10)
    officer_file.register_section("none", "N", lambda viewer, officer: None, "n.html", order=5)

    assert [s.key for s in officer_file.sections()] == ["none", "a", "b"]
    shown = officer_file.render_sections("viewer", "officer")
    assert [(s.key, ctx) for s, ctx in shown] == [("a", {"x": 1}), ("b", {"x": 2})]


def test_a_key_claimed_twice_is_an_error(clean_registry):
    def fetch(viewer, officer):
        return {}

    officer_file.register_section("a", "A", fetch, "a.html", order=10)
    officer_file.register_section("a", "A", fetch, "a.html", order=10)  # same section: no-op
    with pytest.raises(ValueError):
        officer_file.register_section("a", "A", fetch, "other.html", order=10)
