"""The master keyring: sources, validation, file creation and rewriting."""

import re
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from casebook.crypto.exceptions import UnknownMasterKey
from casebook.crypto.keyring import (
    b64url_decode,
    load_keyring,
    new_entry,
    reset_cache,
    write_keyring_file,
)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_created_once_with_mode_0600(isolated_keyring):
    assert not isolated_keyring.exists()
    keyring = load_keyring()
    assert mode(isolated_keyring) == 0o600
    kid, key = keyring.active
    assert re.fullmatch(r"k\d{14}[0-9a-f]{4}", kid) and len(key) == 32
    reset_cache()
    assert load_keyring().active == (kid, key)  # read back, not recreated
    assert load_keyring() is load_keyring()  # cached


def test_production_refuses_to_invent_a_key(settings, isolated_keyring):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="No master key"):
        load_keyring()
    assert not isolated_keyring.exists()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "# only a comment\n",
        "no-separator",
        "bad kid!:" + "A" * 43,
        "k1:tooshort",
        "k1:" + "!" * 43,
        "{entry}\n{entry}",
    ],
)
def test_malformed_keyring_file_is_refused(isolated_keyring, content):
    entry = new_entry()
    isolated_keyring.parent.mkdir(parents=True)
    isolated_keyring.write_text(content.format(entry=entry))
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_keyring()
    assert entry.split(":")[1] not in str(excinfo.value)  # never echo key material


def test_environment_keyring_wins_and_first_entry_is_active(settings, isolated_keyring):
    first, second = new_entry(), new_entry()
    settings.CASEBOOK_MASTER_KEY = f"{first},\n {second}"
    keyring = load_keyring()
    assert keyring.source == "CASEBOOK_MASTER_KEY"
    assert keyring.kids == [first.split(":")[0], second.split(":")[0]]
    assert keyring.active == (first.split(":")[0], b64url_decode(first.split(":")[1]))
    assert keyring.get(second.split(":")[0]) == b64url_decode(second.split(":")[1])
    assert not isolated_keyring.exists()
    with pytest.raises(UnknownMasterKey):
        keyring.get("k-missing")
    assert first.split(":")[1] not in repr(keyring)


def test_write_keyring_file_is_atomic_and_private(isolated_keyring):
    entries = [new_entry(), new_entry()]
    write_keyring_file(entries)
    assert mode(isolated_keyring) == 0o600
    assert load_keyring().entry_strings() == entries
    with pytest.raises(ImproperlyConfigured):
        write_keyring_file(["k9:broken"])
    assert [p.name for p in isolated_keyring.parent.iterdir()] == ["master.key"]
    reset_cache()
    assert load_keyring().entry_strings() == entries
