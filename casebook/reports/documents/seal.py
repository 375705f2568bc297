"""The seal every exported file carries: a digest of its content and a MAC of that digest.

The trailer ``CASEBOOK-SEAL v1 <algorithm> <digest hex> <mac hex>`` (ASCII) goes where the
format lets a reader ignore it:

* PDF: a comment line after ``%%EOF``. The payload is the PDF up to and including the newline
  that ends its last line. What follows the seal line, if anything, must be the incremental
  update that signs the file (:mod:`.signature`): its signature covers the payload and the
  seal, and :func:`verify` checks it too.
* ZIP (docx, xlsx): the archive comment, the last field of the End-Of-Central-Directory record.
  The payload is the archive with an empty comment (comment length ``0``), as rendered.

``algorithm`` is ``sm3`` under the national crypto profile, ``sha256`` otherwise; the MAC is
made with the system key ``export-seal``, so only this installation can make a seal that
:func:`verify` accepts. The digest alone proves nothing (anyone can recompute it after editing);
the MAC does, and the digest identifies the export in the register of issued documents.
"""

import hmac
import re
from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from casebook.crypto.profiles import current_profile, get_profile
from casebook.crypto.services import system_mac  # needs the app registry and the DB

from .signature import SignatureError, verify_pdf_signature

VERSION = "v1"
MAGIC = b"CASEBOOK-SEAL " + VERSION.encode() + b" "
MAC_PURPOSE = "export-seal"
PROFILE_OF = {"sha256": "intl", "sm3": "sm"}  # algorithm -> crypto profile giving the hash
_TRAILER = re.compile(
    rb"CASEBOOK-SEAL v1 (?P<algorithm>sha256|sm3) (?P<digest>[0-9a-f]{64}) (?P<mac>[0-9a-f]{32,128})"
)
_EOCD = b"PK\x05\x06"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Word or Excel file (transport copy)
_EOCD_SIZE = 22  # the record without its comment

NO_SEAL = _("The file carries no export seal.")
MALFORMED = _("The export seal of the file is malformed.")
UNKNOWN_FORMAT = _("The file is not a PDF, Word or Excel file.")
CHANGED = _("The content does not match its digest: the file was changed after export.")
FOREIGN = _("The seal was not made by this system.")


class SealError(Exception):
    """The file has no valid seal; the message (translated) says why."""


@dataclass(frozen=True)
class Seal:
    algorithm: str  # "sha256" or "sm3"
    digest: str  # hex digest of the payload
    mac: str  # hex MAC of "algorithm:digest"
    payload: bytes  # the file as it was before sealing
    fmt: str  # "pdf" or "zip"
    after: bytes = b""  # PDF: the signing revision appended after the seal line, if any
    signature: object = None  # a verified signature.SignatureReport (set by verify)


def detect(data: bytes) -> str:
    """``"pdf"`` or ``"zip"`` from the first bytes; ValueError for anything else."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    raise ValueError("not a PDF or ZIP (docx, xlsx) file")


def algorithm_for_new_seals() -> str:
    return "sm3" if current_profile().name == "sm" else "sha256"


def digest_hex(algorithm: str, payload: bytes) -> str:
    return get_profile(PROFILE_OF[algorithm]).digest(payload).hex()


def mac_hex(algorithm: str, digest: str) -> str:
    return system_mac(MAC_PURPOSE, f"{algorithm}:{digest}".encode()).hex()


def seal(data: bytes) -> tuple[bytes, str, str]:
    """Seal rendered (unsealed) bytes: returns ``(sealed bytes, algorithm, digest hex)``."""
    fmt = detect(data)
    if fmt == "pdf":
        payload = data if data.endswith(b"\n") else data + b"\n"
    else:
        payload = data
        if payload[-_EOCD_SIZE : -_EOCD_SIZE + 4] != _EOCD or payload[-2:] != b"\x00\x00":
            raise ValueError(
                "the ZIP archive must end with an End-Of-Central-Directory record "
                "with an empty comment (is it sealed already?)"
            )
    algorithm = algorithm_for_new_seals()
    digest = digest_hex(algorithm, payload)
    trailer = MAGIC + f"{algorithm} {digest} {mac_hex(algorithm, digest)}".encode("ascii")
    if fmt == "pdf":
        sealed = payload + b"%" + trailer + b"\n"
    else:
        sealed = payload[:-2] + len(trailer).to_bytes(2, "little") + trailer
    return sealed, algorithm, digest


def read_seal(data: bytes) -> Seal:
    """The seal of ``data`` and the payload it covers, unverified; :class:`SealError` when
    there is none or it is malformed."""
    try:
        fmt = detect(data)
    except ValueError:
        raise SealError(str(UNKNOWN_FORMAT)) from None
    after = b""
    if fmt == "pdf":
        start = data.rfind(b"\n%" + MAGIC)
        end = data.find(b"\n", start + 2) if start >= 0 else -1
        if end < 0:
            raise SealError(str(NO_SEAL))
        trailer, payload, after = data[start + 2 : end], data[: start + 1], data[end + 1 :]
    else:
        start = data.rfind(MAGIC)
        if start < 0:
            raise SealError(str(NO_SEAL))
        record = start - _EOCD_SIZE
        length = int.from_bytes(data[start - 2 : start], "little")
        if record < 0 or data[record : record + 4] != _EOCD or length != len(data) - start:
            raise SealError(str(MALFORMED))
        trailer, payload = data[start:], data[: start - 2] + b"\x00\x00"
    match = _TRAILER.fullmatch(trailer)
    if match is None:
        raise SealError(str(MALFORMED))
    return Seal(
        algorithm=match["algorithm"].decode(),
        digest=match["digest"].decode(),
        mac=match["mac"].decode(),
        payload=payload,
        fmt=fmt,
        after=after,
    )


def verify(data: bytes, *, password: str | None = None) -> Seal:
    """The seal of ``data`` once checked: the digest matches the payload, the MAC was made by
    this system and, for a signed PDF, the signature holds for the whole file (see
    :attr:`Seal.signature`; an unsigned PDF has ``None``). A transport copy encrypted for its
    recipient needs its ``password``: an encrypted Word or Excel file is decrypted and its
    original checked; an encrypted PDF carries its own seal and its signature is checked once
    the file is opened. Raises :class:`SealError`."""

    if data.startswith(OLE):
        from .transport import decrypt_office  # noqa: PLC0415 - transport imports this module

        data = decrypt_office(data, password)
    found = read_seal(data)
    if not hmac.compare_digest(digest_hex(found.algorithm, found.payload), found.digest):
        raise SealError(str(CHANGED))
    if not hmac.compare_digest(mac_hex(found.algorithm, found.digest), found.mac):
        raise SealError(str(FOREIGN))
    if found.after:
        try:
            report = verify_pdf_signature(data, password=password)
        except SignatureError as exc:
            raise SealError(str(exc)) from exc
        found = replace(found, signature=report)
    return found
