"""Transport copies: an issued document encrypted for its recipient with a one-time password.

A PDF/A file may not be encrypted (ISO 19005 forbids it), so an encrypted export is a
*transport copy*; the archive keeps the unencrypted signed original. The copy is made so that
it stays verifiable:

* PDF: the original's sealed PDF/A revision (the payload its seal covers) is encrypted with
  AES-256 (security handler revision 6, pikepdf), the encrypted file is sealed (its digest goes
  into the register of issued documents) and then signed with pyHanko, which opens the
  encrypted file with the password and appends the signature as an encrypted incremental
  update. The signature therefore covers the encrypted file and validates once it is opened
  with the password.
* Word and Excel: the sealed original is encrypted as a whole with ECMA-376 Agile encryption
  (AES-256, SHA-512 key derivation; msoffcrypto-tool). Decrypting gives back the sealed
  original byte for byte, so its seal and digest stay those of the original.

The password is made here and given back to the caller once; nothing here keeps it.
"""

import io
import secrets

import msoffcrypto
import pikepdf
from django.utils.translation import gettext_lazy as _
from msoffcrypto.exceptions import DecryptionError, InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile

from .seal import OLE, SealError, read_seal, seal
from .signature import PASSWORD_NEEDED, WRONG_PASSWORD, sign_pdf

#: Letters and digits a reader cannot mistake for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
GROUPS, GROUP_SIZE = 4, 5  # 20 characters of 25: about 93 bits

PDF_ALGORITHM = "pdf-aes256-r6"
OFFICE_ALGORITHM = "ecma376-agile-aes256"

NOT_OFFICE = _("The encrypted container does not hold an encrypted Word or Excel file.")


def make_password() -> str:
    """A strong random password, e.g. ``K7QMX-3TPDA-W9HCE-RNFY4``."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS)
    )


def is_office_encrypted(data: bytes) -> bool:
    return data.startswith(OLE)


def encrypt_pdf(original: bytes, password: str, *, reason: str, location: str) -> tuple[bytes, str]:
    """A signed, sealed, AES-256 encrypted transport copy of the signed original ``original``:
    ``(bytes, seal digest)``."""
    payload = read_seal(original).payload  # the PDF/A revision, before seal and signature
    encrypted = io.BytesIO()
    with pikepdf.open(io.BytesIO(payload)) as pdf:
        pdf.save(
            encrypted,
            encryption=pikepdf.Encryption(
                user=password, owner=secrets.token_urlsafe(32), R=6, aes=True
            ),
        )
    sealed, _algorithm, digest = seal(encrypted.getvalue())
    return sign_pdf(sealed, reason=reason, location=location, password=password), digest


def encrypt_office(original: bytes, password: str) -> bytes:
    """The sealed Word or Excel file ``original`` encrypted with ECMA-376 Agile encryption."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(original)).encrypt(password, out)
    return out.getvalue()


def decrypt_office(data: bytes, password: str | None) -> bytes:
    """The sealed original inside an encrypted Word or Excel file; :class:`SealError` without
    the right password."""
    if not password:
        raise SealError(str(PASSWORD_NEEDED))
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            raise SealError(str(NOT_OFFICE))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError) as exc:
        raise SealError(str(WRONG_PASSWORD)) from exc
    except SealError:
        raise
    except Exception as exc:  # noqa: BLE001 - a mangled container is "not an Office file"
        raise SealError(str(NOT_OFFICE)) from exc
    return out.getvalue()
