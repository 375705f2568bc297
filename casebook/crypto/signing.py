"""The bureau's document-signing credential: a private key, its certificate and the chain.

Every PDF that Casebook issues (dossier exports, periodic reports, destruction certificates) is
signed with this key (PAdES, see ``casebook.reports.documents.signature``), so that any PDF
reader can show who signed the file and that it has not changed since.

Where it lives: the directory ``settings.CASEBOOK_SIGNING_DIR`` (environment variable of the same
name; default ``<var>/signing``), never the database:

* ``signing-key.json`` — the private key (PKCS#8), encrypted like a data key: with the crypto
  profile's AEAD under a key derived from the active master key (HKDF, info
  ``casebook-signing-key-v1``), the master key's id and the certificate's fingerprint bound as
  associated data. Without the master keyring the file is useless.
* ``signing-cert.pem`` — the signing certificate, then the certificates that issued it, up to
  the root (the chain embedded in every signature).
* ``trust.pem`` — the roots that ``verify_export`` accepts: every root this deployment has signed
  under, so files signed before a rotation or a change of certificate authority still verify.
* ``ca-key.json`` / ``ca-cert.pem`` — only for a deployment that issues its own certificates:
  the self-signed bureau CA and its key (encrypted the same way), kept to issue the next signing
  certificate at rotation.
* ``retired/`` — earlier signing certificates.

``manage.py issue_signing_certificate`` issues (or rotates, or imports) the credential; see
docs/operations.md.
"""

import base64
import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from .keyring import load_keyring
from .profiles import current_profile, get_profile

KEY_INFO = b"casebook-signing-key-v1"
KEY_FILE = "signing-key.json"
CERT_FILE = "signing-cert.pem"
TRUST_FILE = "trust.pem"
CA_KEY_FILE = "ca-key.json"
CA_CERT_FILE = "ca-cert.pem"
RETIRED_DIR = "retired"
SIGNING_DAYS = 3 * 365
CA_DAYS = 20 * 365


class SigningUnavailable(RuntimeError):
    """No usable signing credential; the message says what to run."""


@dataclass(frozen=True)
class Credential:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the issuers of ``certificate``, nearest first

    @property
    def signer_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()


def signing_dir() -> Path:
    configured = getattr(settings, "CASEBOOK_SIGNING_DIR", None) or os.environ.get(
        "CASEBOOK_SIGNING_DIR"
    )
    return Path(configured) if configured else Path(settings.VAR_DIR) / "signing"


# --- files -------------------------------------------------------------------------------------


@contextmanager
def _lock():
    """An exclusive lock on the signing directory (processes issuing at the same time)."""
    directory = signing_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pem(certificates) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(data) if data.strip() else []


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _aad(kid: str, certificate: x509.Certificate) -> bytes:
    return b"casebook-signing-key|" + kid.encode() + b"|" + fingerprint(certificate).encode()


def _seal_key(key, certificate: x509.Certificate) -> bytes:
    """The private key encrypted under the active master key, as JSON."""
    profile = current_profile()
    kid, master = load_keyring().active
    kek = profile.derive(master, KEY_INFO, profile.key_length)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    blob = profile.encrypt(kek, der, _aad(kid, certificate))
    record = {
        "version": 1,
        "profile": profile.name,
        "kid": kid,
        "certificate": fingerprint(certificate),
        "key": base64.b64encode(blob).decode("ascii"),
    }
    return json.dumps(record, indent=1).encode()


def _open_key(data: bytes, certificate: x509.Certificate):
    record = json.loads(data)
    profile = get_profile(record["profile"])
    master = load_keyring().get(record["kid"])
    kek = profile.derive(master, KEY_INFO, profile.key_length)
    der = profile.decrypt(kek, base64.b64decode(record["key"]), _aad(record["kid"], certificate))
    # The AEAD has authenticated the key: cryptography's RSA consistency check (0.4 s for
    # RSA-3072) would prove nothing more.
    return serialization.load_der_private_key(
        der, password=None, unsafe_skip_rsa_key_validation=True
    )


def default_organisation() -> str:
    """The name of the (first) bureau, which a self-issued certificate names."""

    bureau = Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk").first()
    return bureau.name if bureau else "Casebook"


def load_credential() -> Credential:
    """The current signing credential. An embedded (non-production) installation without one
    gets a self-issued one, made once, as it gets its master key; in production
    :class:`SigningUnavailable` says to run ``manage.py issue_signing_certificate``."""
    directory = signing_dir()
    if not settings.PRODUCTION and not (directory / CERT_FILE).exists():
        with _lock():
            if not (directory / CERT_FILE).exists():
                _issue_self_signed(default_organisation(), datetime.now(UTC))
    try:
        certificates = load_certificates((directory / CERT_FILE).read_bytes())
        key_data = (directory / KEY_FILE).read_bytes()
    except FileNotFoundError:
        raise SigningUnavailable(
            str(
                _(
                    "No document-signing certificate in %(dir)s: run "
                    "'manage.py issue_signing_certificate'."
                )
                % {"dir": directory}
            )
        ) from None
    if not certificates:
        raise SigningUnavailable(str(_("The signing certificate file holds no certificate.")))
    key = _open_key(key_data, certificates[0])
    return Credential(key=key, certificate=certificates[0], chain=tuple(certificates[1:]))


def trust_roots() -> list[x509.Certificate]:
    """The roots that signatures of this deployment chain to (current and earlier)."""
    path = signing_dir() / TRUST_FILE
    return load_certificates(path.read_bytes()) if path.exists() else []


def _add_trust(roots: list[x509.Certificate]) -> None:
    known = trust_roots()
    seen = {fingerprint(c) for c in known}
    known.extend(c for c in roots if fingerprint(c) not in seen)
    _write(signing_dir() / TRUST_FILE, _pem(known), 0o644)


def _retire_current() -> str | None:
    path = signing_dir() / CERT_FILE
    if not path.exists():
        return None
    current = load_certificates(path.read_bytes())
    if not current:
        return None
    retired = signing_dir() / RETIRED_DIR / f"{current[0].serial_number:x}.pem"
    _write(retired, path.read_bytes(), 0o644)
    return fingerprint(current[0])


def _install(key, certificates: list[x509.Certificate]) -> None:
    """Make ``key`` with ``certificates`` (leaf first) the signing credential."""
    _retire_current()
    _write(signing_dir() / KEY_FILE, _seal_key(key, certificates[0]))
    _write(signing_dir() / CERT_FILE, _pem(certificates), 0o644)
    root = certificates[-1]
    if root.issuer == root.subject:
        _add_trust([root])


# --- issuing -----------------------------------------------------------------------------------


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _certificate(subject, issuer, public_key, signing_key, days, *, ca: bool, now: datetime):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        ).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


def _new_key() -> rsa.RSAPrivateKey:
    """RSA-3072: ECDSA would make pyHanko mark the file as PDF 2.0 (ISO/TS 32002), which
    PDF/A-2 (PDF 1.7 at most) does not allow; and every reader checks RSA signatures."""
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def _self_ca(organisation: str, now: datetime):
    """The deployment's own CA (made once), as ``(key, certificate)``."""
    directory = signing_dir()
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        certificate = load_certificates(cert_path.read_bytes())[0]
        return _open_key(key_path.read_bytes(), certificate), certificate
    key = _new_key()
    name = _name(f"{organisation} 文书签章根证书", organisation)
    certificate = _certificate(name, name, key.public_key(), key, CA_DAYS, ca=True, now=now)
    _write(key_path, _seal_key(key, certificate))
    _write(cert_path, _pem([certificate]), 0o644)
    return key, certificate


def issue_self_signed(organisation: str, *, now: datetime | None = None) -> Credential:
    """A new signing key and certificate issued by the deployment's own CA (created the first
    time). Rotation: the previous signing certificate is retired; files it signed still verify,
    since the CA stays the same."""
    with _lock():
        _issue_self_signed(organisation, now or datetime.now(UTC))
    return load_credential()


def _issue_self_signed(organisation: str, now: datetime) -> None:
    ca_key, ca_cert = _self_ca(organisation, now)
    key = _new_key()
    leaf = _certificate(
        _name(f"{organisation} 文书签章", organisation),
        ca_cert.subject,
        key.public_key(),
        ca_key,
        SIGNING_DAYS,
        ca=False,
        now=now,
    )
    _install(key, [leaf, ca_cert])


def import_credential(
    key_pem: bytes, certificates_pem: bytes, *, password: bytes | None = None
) -> Credential:
    """Install the bureau's own key and certificate chain (leaf first, up to the root). The key
    must belong to the leaf; the chain must link each certificate to the next."""
    key = serialization.load_pem_private_key(key_pem, password=password)
    certificates = load_certificates(certificates_pem)
    if not certificates:
        raise ValueError(str(_("The certificate file holds no certificate.")))
    leaf = certificates[0]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != leaf.public_key().public_bytes(serialization.Encoding.DER, public):
        raise ValueError(str(_("The private key does not belong to the first certificate.")))
    for child, parent in zip(certificates, certificates[1:], strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, Exception) as exc:  # noqa: BLE001 - any failure is "no"
            raise ValueError(
                str(_("Certificate %(n)s was not issued by the next one in the file."))
                % {"n": certificates.index(child) + 1}
            ) from exc
    root = certificates[-1]
    if root.issuer != root.subject:
        raise ValueError(
            str(_("The chain must end with the root certificate (self-signed) of the bureau."))
        )
    with _lock():
        _install(key, certificates)
    return load_credential()


def rewrap() -> None:
    """Encrypt the signing key (and the CA key) again under the active master key, after a
    master-key rotation and before old master keys are pruned."""
    directory = signing_dir()
    credential = load_credential()
    _write(directory / KEY_FILE, _seal_key(credential.key, credential.certificate))
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        certificate = load_certificates(cert_path.read_bytes())[0]
        key = _open_key(key_path.read_bytes(), certificate)
        _write(key_path, _seal_key(key, certificate))
