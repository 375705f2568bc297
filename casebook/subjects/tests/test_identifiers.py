"""Resident ID numbers (GB 11643): property tests of the validator, masking, pinyin."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from casebook.subjects import identifiers as ids

REGIONS = ["110101", "310104", "330106", "440305", "510107", "330122"]
born = st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31))


def build(region: str, birth: date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@given(st.sampled_from(REGIONS), born, st.integers(0, 999))
def test_every_well_formed_number_is_accepted(region, birth, seq):
    number = build(region, birth, seq)
    assert ids.validate_id_number(number) == number
    assert ids.validate_id_number(number.lower()) == number  # a lower-case x is fine
    assert ids.birth_date_of(number) == birth
    assert ids.sex_of(number) == ("1" if seq % 2 else "2")


@given(st.sampled_from(REGIONS), born, st.integers(0, 999), st.integers(1, 10))
def test_any_other_check_digit_is_refused(region, birth, seq, shift):
    number = build(region, birth, seq)
    digits = "0123456789X"
    wrong = digits[(digits.index(number[-1]) + shift) % 11]
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(number[:-1] + wrong)
    assert exc.value.code == "checksum"


@given(st.sampled_from(REGIONS), born, st.integers(0, 999), st.integers(0, 16))
def test_a_mistyped_digit_is_caught(region, birth, seq, position):
    number = build(region, birth, seq)
    typo = str((int(number[position]) + 1) % 10)
    mistyped = number[:position] + typo + number[position + 1 :]
    with pytest.raises(ValidationError):
        ids.validate_id_number(mistyped)


@given(st.text(max_size=30))
def test_garbage_never_passes_silently(text):
    try:
        result = ids.validate_id_number(text)
    except ValidationError:
        return
    assert len(result) == 18 and ids.birth_date_of(result) <= timezone.localdate()


def test_future_birth_date_refused():
    tomorrow = timezone.localdate() + timedelta(days=400)
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(build("330106", tomorrow, 1))
    assert exc.value.code == "future"


def test_birth_date_must_match():
    number = build("330106", date(1985, 3, 17), 123)
    ids.validate_id_number(number, date(1985, 3, 17))
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(number, date(1985, 3, 18))
    assert exc.value.code == "mismatch"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345", "format"),
        ("3301061985031712", "format"),
        ("99999919850317123X", "checksum"),
    ],
)
def test_bad_forms(value, code):
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(value)
    assert exc.value.code in (code, "region", "checksum")


def test_unknown_region_refused():
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(build("999999", date(1985, 3, 17), 1))
    assert exc.value.code == "region"


def test_full_width_input_normalised():
    number = build("330106", date(1985, 3, 17), 123)
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert ids.validate_id_number(wide) == number


def test_masking():
    assert ids.mask_id_number("11010119900307123X") == "110101********123X"
    assert ids.mask_phone("13905710001") == "139****0001"


@pytest.mark.parametrize(
    "phone", ["13905710001", "139 0571 0001", "+8613905710001", "0571-85001110", "057185001110"]
)
def test_valid_phones(phone):
    assert ids.validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "2390571000", "1390571000a", "110"])
def test_invalid_phones(phone):
    with pytest.raises(ValidationError):
        ids.validate_phone(phone)


def test_pinyin_forms():
    assert ids.pinyin_forms("张三") == "zhangsan zs"
    assert ids.pinyin_forms("abc") == ""
