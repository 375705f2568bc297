"""Envelope encryption, crypto-shredding, blind indexes and integrity tags."""

import re

import pytest

from casebook.crypto.exceptions import DecryptionError, KeyDestroyed
from casebook.crypto.keyring import b64url_decode, b64url_encode, load_keyring
from casebook.crypto.models import DataKey
from casebook.crypto.services import (
    blind_index,
    clear_key_cache,
    data_key_create,
    data_key_destroy,
    data_key_plaintext,
    decrypt_bytes,
    decrypt_value,
    encrypt_bytes,
    encrypt_value,
    integrity_mac,
    integrity_verify,
    system_key,
)

pytestmark = pytest.mark.django_db
CTX = "subjects.Person.id_number"


@pytest.fixture(params=["intl", "sm"])
def profile_name(request, settings):
    settings.CASEBOOK_CRYPTO_PROFILE = request.param
    return request.param


def test_envelope_round_trip(profile_name):
    dk = data_key_create(label="subject:1")
    assert (dk.profile, dk.master_kid) == (profile_name, load_keyring().active[0])
    key = data_key_plaintext(dk)
    assert len(key) == {"intl": 32, "sm": 16}[profile_name]
    assert key not in bytes(dk.wrapped)

    token = encrypt_value(dk, "110105194912310021 张三", context=CTX)
    assert re.fullmatch(rf"cb1:{profile_name}:{dk.pk}:[A-Za-z0-9_-]+", token)
    assert "110105" not in token

    clear_key_cache()  # unwrap again from the database row, not from the cache
    fresh = DataKey.objects.get(pk=dk.pk)
    assert data_key_plaintext(fresh) == key
    assert decrypt_value(fresh, token, context=CTX) == "110105194912310021 张三"

    blob = encrypt_bytes(fresh, b"%PDF-1.7 scan", context="subjects.Attachment.file")
    assert blob.startswith(f"cb1:{profile_name}:{dk.pk}:".encode())
    assert decrypt_bytes(fresh, blob, context="subjects.Attachment.file") == b"%PDF-1.7 scan"


def test_tokens_are_bound_to_context_and_key(profile_name):
    dk, other = data_key_create(label="subject:1"), data_key_create(label="subject:2")
    token = encrypt_value(dk, "13800138000", context=CTX)
    head, _sep, body = token.rpartition(":")
    raw = bytearray(b64url_decode(body))
    raw[20] ^= 0x80
    flipped = f"{head}:{b64url_encode(bytes(raw))}"
    for bad_dk, bad_token, context in [
        (dk, token, "subjects.Person.phone"),  # copied to another column
        (other, token, CTX),  # copied to another subject
        (other, token.replace(f":{dk.pk}:", f":{other.pk}:"), CTX),  # header rewritten
        (dk, flipped, CTX),  # tampered
        (dk, token.replace(f"cb1:{profile_name}", "cb1:xx"), CTX),
        (dk, "not a token", CTX),
    ]:
        with pytest.raises(DecryptionError):
            decrypt_value(bad_dk, bad_token, context=context)
    with pytest.raises(DecryptionError):
        decrypt_bytes(dk, b"plain file bytes", context=CTX)


def test_wrapping_is_bound_to_the_label():
    dk = data_key_create(label="subject:1")
    clear_key_cache()
    dk.label = "subject:2"
    with pytest.raises(DecryptionError):
        data_key_plaintext(dk)


def test_keys_keep_their_profile_after_the_setting_changes(settings):
    dk = data_key_create(label="subject:1")
    token = encrypt_value(dk, "secret", context=CTX)
    settings.CASEBOOK_CRYPTO_PROFILE = "sm"
    clear_key_cache()
    assert decrypt_value(DataKey.objects.get(pk=dk.pk), token, context=CTX) == "secret"
    assert data_key_create(label="subject:2").profile == "sm"


def test_destroyed_key_makes_data_unrecoverable(profile_name):
    dk = data_key_create(label="subject:7")
    token = encrypt_value(dk, "secret", context=CTX)
    blob = encrypt_bytes(dk, b"file", context=CTX)
    data_key_destroy(dk, reason="retention expired")
    row = DataKey.objects.get(pk=dk.pk)
    assert bytes(row.wrapped) == b"" and row.destroyed_at and row.is_destroyed
    assert row.destroyed_reason == "retention expired"
    for instance in (dk, row):
        with pytest.raises(KeyDestroyed):
            decrypt_value(instance, token, context=CTX)
        with pytest.raises(KeyDestroyed):
            decrypt_bytes(instance, blob, context=CTX)
        with pytest.raises(KeyDestroyed):
            encrypt_value(instance, "new", context=CTX)
    data_key_destroy(row, reason="again")  # idempotent; keeps the first record
    assert DataKey.objects.get(pk=dk.pk).destroyed_reason == "retention expired"


def test_system_keys():
    audit = system_key("audit")
    assert system_key("audit") == audit
    assert system_key("blind-index") != audit
    dk = DataKey.objects.get(system_purpose="audit")
    assert dk.label == "system:audit"
    with pytest.raises(ValueError):
        data_key_destroy(dk, reason="no")
    assert DataKey.objects.filter(system_purpose__isnull=False).count() == 2


def test_blind_index():
    index = blind_index("11010519491231002x", kind="id_number")
    assert re.fullmatch(r"[0-9a-f]{32}", index)
    assert blind_index(" 110105-19491231-002X ", kind="id_number") == index
    full_width = "１１０１０５ １９４９１２３１００２Ｘ"
    assert blind_index(full_width, kind="id_number") == index
    assert blind_index("11010519491231002x", kind="passport") != index
    assert blind_index("110105194912310021", kind="id_number") != index
    assert blind_index(" - ", kind="id_number") == ""


def test_integrity_tags():
    tag = integrity_mac(b"row|1|open")
    assert re.fullmatch(r"[0-9a-f]{64}", tag)
    assert integrity_mac(b"row|1|open") == tag
    assert integrity_verify(b"row|1|open", tag)
    assert not integrity_verify(b"row|1|closed", tag)
    assert not integrity_verify(b"row|1|open", "标签")
