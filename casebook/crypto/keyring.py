"""The master keyring: the keys that wrap data keys. It never lives in the database.

Format: entries ``kid:base64url(32 random bytes)`` separated by commas or newlines (blank lines
and lines starting with ``#`` are ignored in a file). The FIRST entry is the active key, which
wraps new data keys; the others are older keys kept only to unwrap what they still wrap.

Source, in order: ``settings.CASEBOOK_MASTER_KEY`` (a keyring string), else the file
``settings.CASEBOOK_MASTER_KEY_FILE``. An embedded (non-production) installation without either
gets a file with one new entry, created once with mode 0600.
"""

import base64
import binascii
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .exceptions import UnknownMasterKey

logger = logging.getLogger(__name__)

MASTER_KEY_BYTES = 32
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SPLIT = re.compile(r"[,\n]")
_FILE_HEADER = "# Casebook master keyring: the first entry is active. Keep this file secret.\n"


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url_encode` (padding optional); raises ``ValueError``."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("invalid base64url") from exc


@dataclass(frozen=True)
class Keyring:
    """Parsed master keys, active first. ``repr`` shows key ids only, never key bytes."""

    entries: tuple[tuple[str, bytes], ...]
    source: str

    def __repr__(self) -> str:
        return f"Keyring(kids={self.kids!r}, source={self.source!r})"

    @property
    def active(self) -> tuple[str, bytes]:
        """``(kid, key)`` of the key that wraps new data keys."""
        return self.entries[0]

    @property
    def kids(self) -> list[str]:
        return [kid for kid, _key in self.entries]

    def get(self, kid: str) -> bytes:
        """The key named ``kid``; raises :class:`UnknownMasterKey`."""
        for entry_kid, key in self.entries:
            if entry_kid == kid:
                return key
        raise UnknownMasterKey(
            _("Master key %(kid)s is not in the keyring (%(source)s).")
            % {"kid": kid, "source": self.source}
        )

    def entry_strings(self) -> list[str]:
        """The entries in keyring format, active first (for rewriting the file)."""
        return [f"{kid}:{b64url_encode(key)}" for kid, key in self.entries]


def parse_keyring(text: str, *, source: str) -> Keyring:
    """Parse and validate a keyring string; raises ``ImproperlyConfigured`` (no key bytes shown)."""
    entries: list[tuple[str, bytes]] = []
    for number, raw in enumerate(_SPLIT.split(text), start=1):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        kid, sep, encoded = item.partition(":")
        kid = kid.strip()
        if not sep or not _KID.match(kid):
            raise ImproperlyConfigured(
                _(
                    "Keyring %(source)s, entry %(n)s: expected 'kid:base64url-key' with a key id "
                    "of letters, digits, '.', '_' or '-'."
                )
                % {"source": source, "n": number}
            )
        try:
            key = b64url_decode(encoded.strip())
        except ValueError:
            key = b""
        if len(key) != MASTER_KEY_BYTES:
            raise ImproperlyConfigured(
                _(
                    "Keyring %(source)s, key %(kid)s: the key must be %(size)s random bytes in "
                    "base64url."
                )
                % {"source": source, "kid": kid, "size": MASTER_KEY_BYTES}
            )
        if any(kid == seen for seen, _key in entries):
            raise ImproperlyConfigured(
                _("Keyring %(source)s: key id %(kid)s appears twice.")
                % {"source": source, "kid": kid}
            )
        entries.append((kid, key))
    if not entries:
        raise ImproperlyConfigured(_("Keyring %(source)s holds no key.") % {"source": source})
    return Keyring(tuple(entries), source)


def new_entry() -> str:
    """A fresh keyring entry: ``k<UTC yyyymmddHHMMSS><4 hex>:<base64url of 32 random bytes>``."""
    kid = f"k{datetime.now(UTC):%Y%m%d%H%M%S}{secrets.token_hex(2)}"
    return f"{kid}:{b64url_encode(secrets.token_bytes(MASTER_KEY_BYTES))}"


def keyring_path() -> Path:
    return Path(settings.CASEBOOK_MASTER_KEY_FILE)


def write_keyring_file(entries: Iterable[str], path: Path | None = None) -> Path:
    """Validate ``entries`` and atomically replace the keyring file with them (mode 0600)."""
    path = path or keyring_path()
    entries = list(entries)
    parse_keyring("\n".join(entries), source=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".master-key-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:  # mkstemp creates the file with mode 0600
            fh.write(_FILE_HEADER + "".join(f"{entry}\n" for entry in entries))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:  # make the rename itself durable before the database is changed
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


def _create_keyring_file(path: Path) -> None:
    """Create the file once with one new entry; a concurrent creator wins silently."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as fh:
        fh.write(_FILE_HEADER + new_entry() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    logger.warning("Created a new master keyring at %s: back it up apart from the database.", path)


def _read_keyring() -> Keyring:
    env_value = settings.CASEBOOK_MASTER_KEY
    if env_value:
        return parse_keyring(env_value, source="CASEBOOK_MASTER_KEY")
    path = keyring_path()
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                _("No master key: set CASEBOOK_MASTER_KEY or provide the file %(path)s.")
                % {"path": path}
            )
        _create_keyring_file(path)
    if path.stat().st_mode & 0o077:
        logger.warning("Master keyring %s is readable by group or others: chmod 600 it.", path)
    return parse_keyring(path.read_text(), source=str(path))


_cache: dict[tuple[str | None, str], Keyring] = {}
_lock = threading.Lock()


def load_keyring() -> Keyring:
    """The keyring, read once per process (and per configured source)."""
    source = (settings.CASEBOOK_MASTER_KEY or None, str(settings.CASEBOOK_MASTER_KEY_FILE))
    with _lock:
        keyring = _cache.get(source)
        if keyring is None:
            keyring = _cache[source] = _read_keyring()
        return keyring


def keyring_from_environment() -> bool:
    """Whether the keyring comes from ``CASEBOOK_MASTER_KEY`` (and so cannot be rewritten)."""
    return bool(settings.CASEBOOK_MASTER_KEY)


def reset_cache() -> None:
    """Forget the cached keyring (after rotation, or when tests change the settings)."""
    with _lock:
        _cache.clear()
