"""PAdES signatures on issued PDFs, with pyHanko: a reader can check them without Casebook.

Each PDF is signed once, after it has been made PDF/A and sealed, as an incremental update
(the PDF/A revision stays byte for byte as it was; PDF/A allows incremental updates). The
signature is a certification signature (DocMDP "no changes allowed") in the PAdES baseline B-B
form (``ETSI.CAdES.detached``, SHA-256, the signing certificate bound by the
``signing-certificate-v2`` attribute, the chain embedded), with an invisible field: a reader
lists it in its signature panel ("certified by 江州市公安局 文书签章, the document has not been
modified"). There is no time stamp (B-T would need a time-stamping authority on the network);
the signing time is the one the signer states.

The key and the certificates come from :mod:`casebook.crypto.signing`.
"""

import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from casebook.crypto import signing

FIELD_NAME = "CasebookSignature"

NOT_SIGNED = _("The PDF carries no digital signature.")
SIGNATURE_BROKEN = _("The digital signature does not match the file: it was changed after signing.")
SIGNATURE_PARTIAL = _(
    "The digital signature does not cover the whole file: data was added after signing."
)
SIGNATURE_UNTRUSTED = _(
    "The digital signature was not made with a certificate of this deployment's signing authority."
)
SIGNATURE_UNREADABLE = _("The digital signature cannot be read.")
PASSWORD_NEEDED = _(
    "The file is encrypted for its recipient: give its password (--password) to check it."
)
WRONG_PASSWORD = _("The password does not open this file.")


class SignatureError(Exception):
    """The signature is missing or does not hold; the message (translated) says why."""


@dataclass(frozen=True)
class SignatureReport:
    signer: str  # the signing certificate's common name
    signed_at: str  # ISO 8601, as the signer stated it
    certificate_sha256: str


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document information and the XMP metadata as
    they are. pyHanko would set a new modification date in both, and its own name as the
    producer in each differently ("pikepdf; pyHanko" in one, "pyHanko" in the other), which
    breaks PDF/A's rule that the two agree. The signature dictionary records the signing
    time; the metadata keeps describing the archived document."""

    def _update_meta(self):
        return None


class _Signer(signers.SimpleSigner):
    """pyHanko's signer, given the key already loaded: pyHanko would parse it again from DER
    for each of the two signing passes, and cryptography checks an RSA key's consistency on
    every parse (about 0.4 s for RSA-3072)."""

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism.signature_algo == (
            "rsassa_pkcs1v15"
        ):
            return self._key.sign(
                data, asym_padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)


def _asn1_certificate(certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_pdf(data: bytes, *, reason: str, location: str, password: str | None = None) -> bytes:
    """``data`` with a certification signature appended as an incremental update; an
    encrypted ``data`` (a transport copy) is opened with ``password`` and the update is
    encrypted like the rest of the file."""
    credential = signing.load_credential()
    key_der = credential.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = _Signer(
        credential.key,
        signing_cert=_asn1_certificate(credential.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(c) for c in credential.chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        reason=reason[:200],
        location=location[:200],
        name=credential.signer_name,
    )
    writer = _MetadataKeepingWriter(io.BytesIO(data), strict=False)
    if password is not None:
        writer.encrypt(password)
    out = signers.sign_pdf(
        writer,
        meta,
        signer=signer,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME),
        in_place=False,
    )
    return out.getvalue()


def verify_pdf_signature(data: bytes, *, password: str | None = None) -> SignatureReport:
    """Check the signature of ``data``: intact, covering the whole file, made with a
    certificate that chains to a root this deployment trusts. An encrypted file (a transport
    copy) is opened with ``password``. Raises :class:`SignatureError`."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # noqa: BLE001 - a mangled file is "unreadable", whatever broke
        raise SignatureError(str(SIGNATURE_UNREADABLE)) from exc
    if reader.encrypted:
        if not password:
            raise SignatureError(str(PASSWORD_NEEDED))
        if reader.decrypt(password).status == AuthStatus.FAILED:
            raise SignatureError(str(WRONG_PASSWORD))
    try:
        embedded = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - a mangled file is "unreadable", whatever broke
        raise SignatureError(str(SIGNATURE_UNREADABLE)) from exc
    if not embedded:
        raise SignatureError(str(NOT_SIGNED))
    roots = [_asn1_certificate(c) for c in signing.trust_roots()]
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    last = embedded[-1]
    try:
        status = validate_pdf_signature(last, context)
    except (SignatureValidationError, SigningError, ValueError, KeyError) as exc:
        raise SignatureError(str(SIGNATURE_UNREADABLE)) from exc
    if not (status.intact and status.valid):
        raise SignatureError(str(SIGNATURE_BROKEN))
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        raise SignatureError(str(SIGNATURE_PARTIAL))
    if not status.trusted:
        raise SignatureError(str(SIGNATURE_UNTRUSTED))
    certificate = status.signing_cert
    return SignatureReport(
        signer=certificate.subject.native.get("common_name", ""),
        signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else "",
        certificate_sha256=certificate.sha256.hex(),
    )
