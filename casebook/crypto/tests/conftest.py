"""Every crypto test gets its own keyring file under ``tmp_path`` and empty key caches."""

import pytest

from casebook.crypto.keyring import reset_cache
from casebook.crypto.services import clear_key_cache


def reset_all() -> None:
    reset_cache()
    clear_key_cache()


@pytest.fixture(autouse=True)
def isolated_keyring(settings, tmp_path):
    """A fresh, empty key directory; the international profile unless a test switches."""
    settings.CASEBOOK_MASTER_KEY = None
    settings.CASEBOOK_MASTER_KEY_FILE = tmp_path / "keys" / "master.key"
    settings.CASEBOOK_CRYPTO_PROFILE = "intl"
    settings.PRODUCTION = False
    reset_all()
    yield settings.CASEBOOK_MASTER_KEY_FILE
    reset_all()


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read messages in English, the source language."""
    from django.utils import translation

    with translation.override("en"):
        yield
