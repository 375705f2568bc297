"""Common Chinese passwords and their padded variants are refused (SECURITY.md S2)."""

import gzip

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from casebook.accounts.models import User
from casebook.accounts.passwords import LIST_PATH, ChineseCommonPasswordValidator


@pytest.mark.parametrize(
    "password",
    [
        "iloveyou1234",
        "woaini131452",
        "qwertyuiop123",
        "woaini1314520",
        "qq123456789012",
        "a1234567890123",
        "1qaz2wsx3edc4rfv",
        "zhangwei19900101",
        "Wang Fang 1990-01-01",
        "gongan110110110",
        "ASDFGHJKL!!2024",
    ],
)
def test_common_patterns_refused(password):
    with pytest.raises(ValidationError) as caught:
        ChineseCommonPasswordValidator().validate(password)
    assert caught.value.code == "password_too_common"


@pytest.mark.django_db
def test_refused_by_the_configured_validators(org):
    user = User(username="100001", real_name="李四", unit=org["a"])
    for password in ("iloveyou1234", "woaini131452", "qwertyuiop123"):
        with pytest.raises(ValidationError):
            validate_password(password, user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "春眠不觉晓，处处闻啼鸟。",
        "派出所门口的梧桐树2024年又开花了",
        "the river runs east at dawn",
        "Wo zai 1998 nian qu guo Lhasa",
    ],
)
def test_passphrases_accepted_without_composition_rules(org, password):
    user = User(username="100001", real_name="李四", unit=org["a"])
    validate_password(password, user)


def test_list_is_lowercase_and_of_useful_size():
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as lines:
        entries = [line.strip() for line in lines if line.strip()]
    assert 1_000 <= len(entries) <= 20_000
    assert all(entry == entry.lower() for entry in entries)
    assert {"woaini", "5201314", "1qaz2wsx", "zhangwei"} <= set(entries)
