"""Master key rotation: ``rewrap_all`` and ``manage.py rotate_master_key``."""

import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class

from casebook.crypto.keyring import load_keyring, new_entry, parse_keyring
from casebook.crypto.management.commands import rotate_master_key
from casebook.crypto.models import DataKey
from casebook.crypto.services import (
    data_key_create,
    data_key_destroy,
    decrypt_value,
    encrypt_value,
    rewrap_all,
    system_key,
)

from .conftest import reset_all

pytestmark = pytest.mark.django_db
CTX = "subjects.Person.phone"


@pytest.fixture
def audit_events(monkeypatch):
    """Capture the audit events the command records. Patched where the command looks the name
    up (it imports ``record_event`` at module top): patching ``casebook.audit.services`` would
    only be seen by a command module first imported during that same test."""
    events: list[dict] = []
    monkeypatch.setattr(rotate_master_key, "record_event", lambda **kw: events.append(kw))
    return events


def make_data(settings) -> list[tuple[int, str, str]]:
    """Tokens under keys of both profiles, plus a destroyed key and a system key."""
    made = []
    for profile in ("intl", "sm"):
        settings.CASEBOOK_CRYPTO_PROFILE = profile
        for n in range(3):
            dk = data_key_create(label=f"subject:{profile}{n}")
            made.append((dk.pk, encrypt_value(dk, f"1380013800{n}", context=CTX), f"1380013800{n}"))
    data_key_destroy(data_key_create(label="subject:gone"), reason="test")
    system_key("audit")
    return made


def assert_all_decrypt(made) -> None:
    reset_all()  # no cached keyring or unwrapped key: everything goes through the file
    for pk, token, plaintext in made:
        assert decrypt_value(DataKey.objects.get(pk=pk), token, context=CTX) == plaintext


def run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_master_key", *args, stdout=out)
    return out.getvalue()


def test_rotate_then_prune(settings, isolated_keyring, audit_events):
    made = make_data(settings)
    old_kid = load_keyring().active[0]
    system_before = system_key("audit")

    output = run()
    keyring = load_keyring()
    new_kid = keyring.active[0]
    assert keyring.kids == [new_kid, old_kid]
    assert stat.S_IMODE(isolated_keyring.stat().st_mode) == 0o600
    live = DataKey.objects.filter(destroyed_at__isnull=True)
    assert set(live.values_list("master_kid", flat=True)) == {new_kid}
    assert all(dk.rotated_at for dk in live)
    assert live.count() == 7 and "7" in output
    gone = DataKey.objects.get(label="subject:gone")
    assert (gone.master_kid, bytes(gone.wrapped)) == (old_kid, b"")
    assert [e["action"] for e in audit_events] == ["crypto.master_key.rotate"]
    assert audit_events[0]["details"]["rewrapped"] == 7
    assert_all_decrypt(made)
    assert system_key("audit") == system_before

    run("--prune")
    assert load_keyring().kids == [new_kid]
    assert audit_events[-1]["details"]["removed_kids"] == [old_kid]
    assert_all_decrypt(made)
    assert "No keyring entry" in run("--prune")


def test_new_key_option_and_refusals(settings, audit_events):
    made = make_data(settings)
    entry = new_entry()
    run("--new-key", entry)
    assert load_keyring().active[0] == entry.split(":")[0]
    assert_all_decrypt(made)
    with pytest.raises(CommandError, match="already"):
        run("--new-key", entry)
    with pytest.raises(CommandError):
        run("--new-key", "k1:short")


def test_environment_keyring_needs_rewrap_only(settings, isolated_keyring, audit_events):
    old, new = new_entry(), new_entry()
    settings.CASEBOOK_MASTER_KEY = old
    reset_all()
    made = make_data(settings)
    with pytest.raises(CommandError, match="CASEBOOK_MASTER_KEY"):
        run()
    settings.CASEBOOK_MASTER_KEY = f"{new},{old}"  # what the operator does, then:
    run("--rewrap-only")
    new_kid = new.split(":")[0]
    assert set(
        DataKey.objects.filter(destroyed_at__isnull=True).values_list("master_kid", flat=True)
    ) == {new_kid}
    assert audit_events[0]["details"]["mode"] == "rewrap-only"
    with pytest.raises(CommandError, match=old.split(":")[0]):
        run("--prune")
    settings.CASEBOOK_MASTER_KEY = new
    assert_all_decrypt(made)
    assert not isolated_keyring.exists()


def test_generate_entry_and_help(isolated_keyring):
    entry = run("--generate-entry").strip()
    assert parse_keyring(entry, source="test").active[0] == entry.split(":")[0]
    assert not isolated_keyring.exists()  # nothing written
    command = load_command_class("casebook.crypto", "rotate_master_key")
    assert "--rewrap-only" in command.create_parser("manage.py", "rotate_master_key").format_help()


def test_rewrap_all_skips_keys_already_rewrapped(settings):
    make_data(settings)
    keyring = load_keyring()
    assert rewrap_all(from_keyring=keyring, to_kid=keyring.active[0]) == 0
