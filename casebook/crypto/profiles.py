"""Two algorithm suites behind one interface (SECURITY.md D2, D3).

``intl``: AES-256-GCM, HMAC-SHA256, SHA-256, HKDF-SHA256, 32-byte data keys.
``sm``: SM4-GCM, HMAC-SM3, SM3, HKDF-SM3, 16-byte data keys (GB/T 39786 national profile).

An AEAD blob is ``nonce (12 bytes) || ciphertext || tag (16 bytes)``.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .choices import ProfileName
from .exceptions import DecryptionError

NONCE_BYTES = 12
TAG_BYTES = 16


class Profile:
    """An algorithm suite. Subclasses supply the hash and the raw GCM operations."""

    name: str
    key_length: int

    def _hash(self) -> hashes.HashAlgorithm:
        raise NotImplementedError

    def gcm_encrypt_with_nonce(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        """Raw GCM with a caller-chosen nonce: ``ciphertext || tag``. For known-answer tests
        only — reusing a nonce under one key breaks GCM; use :meth:`encrypt`."""
        raise NotImplementedError

    def _gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        raise NotImplementedError

    def _check_key(self, key: bytes) -> None:
        if len(key) != self.key_length:
            raise ValueError(f"{self.name} needs a {self.key_length}-byte key, got {len(key)}")

    def encrypt(self, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """Authenticated encryption with a random nonce: ``nonce || ciphertext || tag``."""
        self._check_key(key)
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self.gcm_encrypt_with_nonce(key, nonce, plaintext, aad)

    def decrypt(self, key: bytes, blob: bytes, aad: bytes) -> bytes:
        """Inverse of :meth:`encrypt`; any tampering, wrong key or wrong ``aad`` raises
        :class:`DecryptionError`."""
        if len(key) != self.key_length or len(blob) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("ciphertext or key has the wrong size")
        try:
            return self._gcm_decrypt(key, blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate") from exc

    def mac(self, key: bytes, data: bytes) -> bytes:
        """HMAC of ``data``."""
        h = hmac.HMAC(key, self._hash())
        h.update(data)
        return h.finalize()

    def digest(self, data: bytes) -> bytes:
        """Hash of ``data``."""
        h = hashes.Hash(self._hash())
        h.update(data)
        return h.finalize()

    def derive(self, key: bytes, info: bytes, length: int) -> bytes:
        """HKDF (RFC 5869, no salt) of ``key`` for the purpose named by ``info``."""
        return HKDF(algorithm=self._hash(), length=length, salt=None, info=info).derive(key)

    def __repr__(self) -> str:
        return f"<Profile {self.name}>"


class IntlProfile(Profile):
    """AES-256-GCM with SHA-256."""

    name = ProfileName.INTL.value
    key_length = 32

    def _hash(self) -> hashes.HashAlgorithm:
        return hashes.SHA256()

    def gcm_encrypt_with_nonce(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        self._check_key(key)
        return AESGCM(key).encrypt(nonce, plaintext, aad)

    def _gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        return AESGCM(key).decrypt(nonce, data, aad)


class SMProfile(Profile):
    """SM4-GCM (128-bit key) with SM3."""

    name = ProfileName.SM.value
    key_length = 16

    def _hash(self) -> hashes.HashAlgorithm:
        return hashes.SM3()

    def gcm_encrypt_with_nonce(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        self._check_key(key)
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        ciphertext = encryptor.update(plaintext) + encryptor.finalize()
        return ciphertext + encryptor.tag

    def _gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        ciphertext, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()


PROFILES: dict[str, Profile] = {p.name: p for p in (IntlProfile(), SMProfile())}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (``"intl"`` or ``"sm"``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ImproperlyConfigured(
            _("Unknown crypto profile %(name)r: use 'intl' or 'sm'.") % {"name": name}
        ) from None


def current_profile() -> Profile:
    """The profile chosen by ``settings.CASEBOOK_CRYPTO_PROFILE``; it applies to new keys and
    new ciphertext. Existing data keys keep the profile they were made with."""
    return get_profile(settings.CASEBOOK_CRYPTO_PROFILE)
