"""Sensitive categories encrypted at rest (issue #14 item 6; PIPL art. 28; SECURITY.md D2):
each column read raw holds a token, never the plaintext; the application reads it back."""

from datetime import date

import pytest
from django.db import connection

from casebook.subjects.models import (
    DrugTest,
    Offence,
    PersonDetail,
    RehabPeriod,
    SituationEntry,
    Threat,
)
from casebook.subjects.services.category_records import person_record_add, situation_add
from casebook.testing.factories import IncidentFactory, PersonFactory

SECRET = "绝密测试文本"


def _raw(model, field: str, pk) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def person(crew, org):
    return PersonFactory(
        station=org["a"],
        actor=crew["leader"],
        detail={
            "data_subject_category": "convicted",
            "id_number": "",
            "economic_situation": f"{SECRET}经济",
        },
    )


def _records(person, leader):
    add = lambda record, **data: person_record_add(  # noqa: E731
        actor=leader, subject=person, record=record, data=data
    )
    return [
        (
            add("offence", offence_type=f"{SECRET}罪", judgment=f"{SECRET}判"),
            ["offence_type", "judgment"],
        ),
        (
            add("rehab", rehab_type="community", start=date(2025, 1, 1), place=f"{SECRET}所"),
            ["place"],
        ),
        (
            add(
                "drug_test",
                tested_on=date(2025, 2, 1),
                result="negative",
                substance=f"{SECRET}物",
                method=f"{SECRET}法",
            ),
            ["substance", "method"],
        ),
        (
            add(
                "threat",
                what=f"{SECRET}言",
                where=f"{SECRET}地",
                against=f"{SECRET}人",
                measures=f"{SECRET}措",
            ),
            ["what", "where", "against", "measures"],
        ),
    ]


def test_every_sensitive_column_holds_ciphertext(person, crew):
    checked = []
    for obj, fields in _records(person, crew["leader"]):
        fresh = type(obj).objects.get(pk=obj.pk)
        for field in fields:
            raw = _raw(type(obj), field, obj.pk)
            assert raw.startswith("cb1:") and SECRET not in raw, (type(obj).__name__, field)
            assert getattr(fresh, field).startswith(SECRET)
            checked.append(f"{type(obj).__name__}.{field}")
    raw = _raw(PersonDetail, "economic_situation", person.pk)
    assert raw.startswith("cb1:") and SECRET not in raw
    assert PersonDetail.objects.get(pk=person.pk).economic_situation == f"{SECRET}经济"
    assert len(checked) == 9


def test_situation_log_text_is_ciphertext(crew, org):
    incident = IncidentFactory(station=org["a"], actor=crew["leader"])
    entry = situation_add(actor=crew["leader"], subject=incident, text=f"{SECRET}现场")
    raw = _raw(SituationEntry, "text", entry.pk)
    assert raw.startswith("cb1:") and SECRET not in raw
    assert SituationEntry.objects.get(pk=entry.pk).text == f"{SECRET}现场"


def test_models_covered():
    """The columns this test reads are the ones the models encrypt."""
    from casebook.crypto.fields import EncryptedTextField

    for model, fields in [
        (Offence, ["offence_type", "judgment"]),
        (RehabPeriod, ["place"]),
        (DrugTest, ["substance", "method"]),
        (Threat, ["what", "where", "against", "measures"]),
        (SituationEntry, ["text"]),
        (PersonDetail, ["economic_situation"]),
    ]:
        for field in fields:
            assert isinstance(model._meta.get_field(field), EncryptedTextField), (model, field)
