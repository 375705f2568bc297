"""Errors raised by :mod:`casebook.crypto`. None of them ever carries key material."""


class CryptoError(Exception):
    """Base class of every error of this package."""


class DecryptionError(CryptoError):
    """Ciphertext that does not authenticate: tampered, truncated, wrong key or wrong context."""


class KeyDestroyed(CryptoError):
    """The data key was crypto-shredded: what it protected cannot be recovered."""


class UnknownMasterKey(CryptoError):
    """A data key names a master key id that is not in the keyring."""
