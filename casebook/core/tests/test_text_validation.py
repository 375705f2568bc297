"""Names without hidden characters, bounded free text, plausible dates (issue #11, lower)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebook.accounts.models import Compartment, User
from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create, user_create
from casebook.core.choices import UnitKind
from casebook.core.models import Unit
from casebook.core.validators import (
    HIDDEN_CHARACTERS,
    MAX_TEXT_LENGTH,
    validate_plain_name,
    validate_plausible_date,
    validate_text_length,
)
from casebook.intel import services as intel
from casebook.intel.models import Informant, InformationRecord
from casebook.subjects.models import Category, Subject
from casebook.subjects.services import subject_create
from conftest import PASSWORD

RLO = "\u202e"  # right-to-left override
ZWSP = "\u200b"  # zero-width space


@pytest.mark.parametrize("char", sorted(HIDDEN_CHARACTERS))
def test_every_hidden_character_refused_in_a_name(char):
    with pytest.raises(ValidationError) as caught:
        validate_plain_name(f"张{char}三")
    assert caught.value.code == "hidden_characters"


def test_hidden_character_list_covers_the_ranges():
    wanted = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
    wanted |= {*range(0x200B, 0x200E), 0xFEFF, 0x2060}
    assert {ord(c) for c in HIDDEN_CHARACTERS} == wanted


@pytest.mark.parametrize("name", ["张三", "欧阳娜娜", "Zhang San", "阿卜杜·热合曼", "O'Brien-李"])
def test_ordinary_names_accepted(name):
    validate_plain_name(name)


def test_text_length_and_dates():
    validate_text_length("字" * MAX_TEXT_LENGTH)
    with pytest.raises(ValidationError):
        validate_text_length("字" * (MAX_TEXT_LENGTH + 1))
    validate_plausible_date(date(1900, 1, 1))
    for bad in (date(1, 1, 1), date(1899, 12, 31), date(2999, 1, 1)):
        with pytest.raises(ValidationError):
            validate_plausible_date(bad)
    validate_plausible_date(date(2999, 1, 1), allow_future=True)


@pytest.fixture
def leader(org, make_user):
    return make_user(
        Role.STATION_LEADER,
        org["a"],
        compartments=[Compartment.objects.get(code="informants")],
    )


def make_subject(leader, org, **overrides):
    fields = {
        "actor": leader,
        "kind": "person",
        "category": Category.objects.get(code="drug_involved"),
        "name": "王五",
        "station": org["a"],
        "legal_basis_ref": "城公〔2026〕2号",
        "approved_by": leader,
        "approved_on": date(2026, 1, 5),
        "detail": {"data_subject_category": "suspect"},
    }
    fields.update(overrides)
    return subject_create(**fields)


@pytest.mark.django_db
class TestServices:
    @pytest.mark.parametrize(
        ("field", "overrides"),
        [
            ("name", {"name": f"王{RLO}五"}),
            ("name", {"name": f"王{ZWSP}五"}),
            ("approved_on", {"approved_on": date(1, 1, 1)}),
            ("notes", {"notes": "长" * (MAX_TEXT_LENGTH + 1)}),
            ("aliases", {"detail": {"data_subject_category": "suspect", "aliases": f"小五{RLO}"}}),
            (
                "economic_situation",
                {"detail": {"data_subject_category": "suspect", "economic_situation": "x" * 6000}},
            ),
        ],
    )
    def test_subject_refused_and_nothing_written(self, leader, org, field, overrides):
        with pytest.raises(ValidationError) as caught:
            make_subject(leader, org, **overrides)
        assert field in caught.value.message_dict
        assert not Subject.objects.exists()

    def test_plain_subject_accepted(self, leader, org):
        subject = make_subject(leader, org, notes="长" * MAX_TEXT_LENGTH)
        assert subject.pk

    def test_unit_name_refused(self, org):
        with pytest.raises(ValidationError) as caught:
            unit_create(
                actor=None,
                kind=UnitKind.STATION,
                name=f"丁{RLO}派出所",
                code="TD",
                parent=org["bureau"],
            )
        assert "name" in caught.value.message_dict
        assert not Unit.objects.filter(code="TD").exists()

    def test_user_real_name_refused(self, org):
        with pytest.raises(ValidationError) as caught:
            user_create(
                actor=None,
                username="800001",
                real_name=f"李{ZWSP}四",
                unit=org["a"],
                password=PASSWORD,
            )
        assert "real_name" in caught.value.message_dict
        assert not User.objects.filter(username="800001").exists()

    def test_informant_name_and_notes_refused(self, leader, make_user, org):
        handler = make_user(Role.TRACKING_OFFICER, org["a"])
        for fields in ({"real_name": f"孙{RLO}某"}, {"real_name": "孙某", "notes": "n" * 5001}):
            with pytest.raises(ValidationError):
                intel.informant_register(actor=leader, handler=handler, **fields)
        assert not Informant.objects.exists()

    @pytest.mark.parametrize(
        ("field", "overrides"),
        [
            ("content", {"content": "事" * (MAX_TEXT_LENGTH + 1)}),
            ("occurred_at", {"occurred_at": datetime(1, 1, 1, tzinfo=UTC)}),
            ("occurred_at", {"occurred_at": datetime(1899, 12, 31, tzinfo=UTC)}),
        ],
    )
    def test_record_refused(self, leader, org, make_user, field, overrides):
        subject = make_subject(leader, org)
        fields = {
            "actor": leader,
            "subjects": [subject],
            "method": "collection",
            "channel": "video",
            "occurred_at": timezone.now(),
            "content": "视频发现其出现在车站",
            "source_evaluation": "A",
            "info_assessment": "1",
        }
        fields.update(overrides)
        with pytest.raises(ValidationError) as caught:
            intel.record_create(**fields)
        assert field in caught.value.message_dict
        assert not InformationRecord.objects.exists()
