"""The encrypted backup file format: a header, then AES-256-GCM chunks (SECURITY.md D7).

Layout::

    MAGIC ("CASEBOOK-BACKUP\\n")
    u32 header length, header (JSON: format, created_at, installation_id, engine, master_kid,
                               wrap_nonce, wrapped_key, nonce_prefix)
    chunk*: u32 ciphertext length, ciphertext || tag

The file key is 32 random bytes, wrapped (AES-256-GCM) with a key derived by HKDF-SHA256 from a
master key of the keyring (``info`` names the installation), so a backup opens with the master
keyring alone — never with a key kept in the database it restores. Each chunk's nonce is the
header's 8-byte prefix and the chunk's number; its AAD is the header's SHA-256, the number and a
"last chunk" flag. A changed header, a reordered, removed or altered chunk, or a file cut short
(no last chunk) fails authentication: nothing of such a file is trusted.

The plaintext is a tar stream (``backup.py`` writes and reads it): nothing is held in memory but
one chunk.
"""

import hashlib
import io
import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from casebook.crypto.keyring import Keyring, b64url_decode, b64url_encode

MAGIC = b"CASEBOOK-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20
_LEN = struct.Struct(">I")
_MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup cannot be written or opened; the message says why, for the operator."""


def _kek(master: bytes, installation_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"casebook-backup-v1|" + installation_id.encode(),
    ).derive(master)


def _wrap_aad(kid: str, installation_id: str) -> bytes:
    return f"casebook-backup-key|{kid}|{installation_id}".encode()


def _chunk_aad(header_digest: bytes, number: int, last: bool) -> bytes:
    return header_digest + struct.pack(">QB", number, 1 if last else 0)


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">I", number)


class EncryptingWriter(io.RawIOBase):
    """A write-only file object: what is written is encrypted chunk by chunk into ``out``."""

    def __init__(self, out, *, keyring: Keyring, installation_id: str, header: dict):
        super().__init__()
        kid, master = keyring.active
        self._key = os.urandom(32)
        wrap_nonce = os.urandom(12)
        wrapped = AESGCM(_kek(master, installation_id)).encrypt(
            wrap_nonce, self._key, _wrap_aad(kid, installation_id)
        )
        self._prefix = os.urandom(8)
        self.header = {
            **header,
            "format": FORMAT,
            "installation_id": installation_id,
            "master_kid": kid,
            "wrap_nonce": b64url_encode(wrap_nonce),
            "wrapped_key": b64url_encode(wrapped),
            "nonce_prefix": b64url_encode(self._prefix),
        }
        header_bytes = json.dumps(self.header, sort_keys=True).encode()
        self._digest = hashlib.sha256(header_bytes).digest()
        self._out = out
        self._buffer = bytearray()
        self._number = 0
        out.write(MAGIC + _LEN.pack(len(header_bytes)) + header_bytes)

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes, last: bool) -> None:
        if self._number >= 2**32 - 1:
            raise BackupError(_("The backup is too large for one file."))
        sealed = AESGCM(self._key).encrypt(
            _nonce(self._prefix, self._number), data, _chunk_aad(self._digest, self._number, last)
        )
        self._out.write(_LEN.pack(len(sealed)) + sealed)
        self._number += 1

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._key = b""
        super().close()


def read_header(fh) -> dict:
    """The header of an open backup file, positioned after it; raises :class:`BackupError`."""
    if fh.read(len(MAGIC)) != MAGIC:
        raise BackupError(_("This file is not a Casebook backup."))
    raw = fh.read(_LEN.size)
    if len(raw) != _LEN.size:
        raise BackupError(_("The backup is truncated (its header is incomplete)."))
    (length,) = _LEN.unpack(raw)
    header_bytes = fh.read(length) if length <= _MAX_HEADER else b""
    if len(header_bytes) != length or not header_bytes:
        raise BackupError(_("The backup is truncated (its header is incomplete)."))
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise BackupError(_("The backup's header is damaged.")) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(_("This backup's format is not supported by this version."))
    header["_digest"] = hashlib.sha256(header_bytes).digest()
    return header


class DecryptingReader(io.RawIOBase):
    """A read-only file object over the decrypted chunks of an open backup file.

    Raises :class:`BackupError` when the keyring cannot open the file, a chunk fails
    authentication, or the file ends before its last chunk (truncation)."""

    def __init__(self, fh, *, keyring: Keyring, expected_installation_id: str | None):
        super().__init__()
        header = read_header(fh)
        self.header = header
        installation_id = str(header.get("installation_id", ""))
        if expected_installation_id is not None and installation_id != expected_installation_id:
            raise BackupError(
                _(
                    "This backup comes from another installation (%(theirs)s); this "
                    "installation is %(ours)s. Nothing was restored."
                )
                % {"theirs": installation_id, "ours": expected_installation_id}
            )
        kid = str(header.get("master_kid", ""))
        if kid not in keyring.kids:
            raise BackupError(
                _(
                    "This backup was encrypted under master key %(kid)s, which is not in this "
                    "keyring. Nothing was restored."
                )
                % {"kid": kid}
            )
        try:
            self._key = AESGCM(_kek(keyring.get(kid), installation_id)).decrypt(
                b64url_decode(header["wrap_nonce"]),
                b64url_decode(header["wrapped_key"]),
                _wrap_aad(kid, installation_id),
            )
            self._prefix = b64url_decode(header["nonce_prefix"])
        except (InvalidTag, KeyError, ValueError) as exc:
            raise BackupError(
                _(
                    "This backup cannot be opened with this master keyring (a different master "
                    "key with the same id, or a damaged header). Nothing was restored."
                )
            ) from exc
        self._fh = fh
        self._number = 0
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        raw = self._fh.read(_LEN.size)
        if len(raw) != _LEN.size:
            raise BackupError(_("The backup is truncated. Nothing was restored."))
        (length,) = _LEN.unpack(raw)
        sealed = self._fh.read(length) if length <= CHUNK + 16 else b""
        if len(sealed) != length:
            raise BackupError(_("The backup is truncated. Nothing was restored."))
        nonce = _nonce(self._prefix, self._number)
        digest = self.header["_digest"]
        for last in (False, True):
            try:
                data = AESGCM(self._key).decrypt(
                    nonce, sealed, _chunk_aad(digest, self._number, last)
                )
            except InvalidTag:
                continue
            self._number += 1
            self._pending = data
            if last:
                self._done = True
                if self._fh.read(1):
                    raise BackupError(
                        _("The backup has data after its end: it was altered. Nothing restored.")
                    )
            return
        raise BackupError(
            _("Chunk %(n)s of the backup fails authentication: it was altered. Nothing restored.")
            % {"n": self._number}
        )

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while size < 0 or len(out) < size:
            if not self._pending:
                if self._done:
                    break
                self._next_chunk()
                continue
            take = len(self._pending) if size < 0 else size - len(out)
            out += self._pending[:take]
            self._pending = self._pending[take:]
        return bytes(out)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
