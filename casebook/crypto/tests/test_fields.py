"""EncryptedTextField without a table of its own.

A real test model would need a migration in this app, so the model below lives in an isolated
app registry and its rows are simulated: ``pre_save`` gives what would be written, and
``Model.from_db`` with ``from_db_value`` gives what a query would return. The subjects app tests
the field on its real models and tables.
"""

import logging

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from casebook.crypto.exceptions import DecryptionError
from casebook.crypto.fields import Ciphertext, EncryptedTextField
from casebook.crypto.models import DataKey
from casebook.crypto.services import data_key_create, data_key_destroy, decrypt_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def Note():  # noqa: N802 - a model class
    with isolate_apps("casebook.crypto"):

        class Note(models.Model):
            key_id = models.BigIntegerField(null=True)
            body = EncryptedTextField("body", blank=True, null=True)

            class Meta:
                app_label = "crypto"

            def __str__(self) -> str:
                return f"note {self.pk}"

            def get_data_key(self) -> DataKey:
                if self.key_id is None:
                    self.key_id = data_key_create(label="note").pk
                return DataKey.objects.get(pk=self.key_id)

        yield Note


def stored(note) -> str:
    """What save() would write into the column."""
    return note._meta.get_field("body").pre_save(note, add=True)


def load(Note, pk: int, key_id: int, column: str | None):  # noqa: N803
    field = Note._meta.get_field("body")
    return Note.from_db(
        connection.alias,
        ["id", "key_id", "body"],
        [pk, key_id, field.from_db_value(column, None, connection)],
    )


def test_column_holds_a_token_attribute_holds_plaintext(Note):  # noqa: N803
    note = Note(body="线人：李四")
    token = stored(note)
    assert isinstance(token, Ciphertext) and token.startswith("cb1:intl:")
    assert "李四" not in token
    assert note.body == "线人：李四"
    assert stored(note) == token  # unchanged value: same token, no re-encryption
    assert decrypt_value(note.get_data_key(), token, context="crypto.Note.body") == "线人：李四"

    loaded = load(Note, 1, note.key_id, token)
    assert loaded.__dict__["body"] == token  # lazy: nothing decrypted yet
    assert loaded.body == "线人：李四"
    assert stored(loaded) == token
    loaded.body = "changed"
    assert stored(loaded) != token and loaded.body == "changed"


def test_empty_values_stay_unencrypted(Note):  # noqa: N803
    for value in (None, ""):
        note = Note(body=value)
        assert stored(note) == value and note.key_id is None
        assert load(Note, 1, None, value).body == value


def test_tampered_column_is_refused(Note):  # noqa: N803
    note = Note(body="secret")
    token = stored(note)
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    with pytest.raises(DecryptionError):
        load(Note, 1, note.key_id, tampered).body  # noqa: B018


def test_destroyed_key_reads_as_none_and_keeps_the_token(Note, caplog):  # noqa: N803
    note = Note(body="secret")
    token = stored(note)
    data_key_destroy(note.get_data_key(), reason="retention")
    loaded = load(Note, 1, note.key_id, token)
    with caplog.at_level(logging.WARNING, logger="casebook.crypto.fields"):
        assert loaded.body is None
    assert "destroyed" in caplog.text
    assert stored(loaded) == token


def test_plaintext_never_reaches_a_query(Note):  # noqa: N803
    field = Note._meta.get_field("body")
    for value in (None, "", Ciphertext("cb1:intl:1:abc"), "cb1:intl:1:abc"):
        assert field.get_prep_value(value) == value
    with pytest.raises(ValueError, match="blind index"):
        field.get_prep_value("110105194912310021")
    with pytest.raises(ValueError):
        str(Note.objects.filter(body="110105194912310021").query)


def test_deconstruct(Note):  # noqa: N803
    name, path, args, kwargs = Note._meta.get_field("body").deconstruct()
    assert (name, path) == ("body", "casebook.crypto.fields.EncryptedTextField")
    assert kwargs == {"verbose_name": "body", "blank": True, "null": True}
    assert EncryptedTextField(*args, **kwargs).deconstruct()[3] == kwargs
