"""Envelope encryption: data keys, value tokens, blind indexes, integrity tags, rewrapping.

A data key is wrapped with a key-encryption key derived (HKDF of its profile, info
``casebook-kek-v1``) from a master key of the keyring; the wrapping's AAD binds the master key
id and the data key's label. Values are encrypted with the data key; their AAD binds the field
context and the data key's pk, so a token copied to another column or subject does not decrypt.

This module writes no audit events: callers (subjects, retention, audit…) audit their own
actions. Note on D6: shredding empties ``wrapped`` in the live database only. A backup taken
earlier still holds the wrapped key; it becomes useless once the master keys that wrapped it are
pruned after a rotation (``manage.py rotate_master_key`` then ``--prune``).
"""

import hmac
import os
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import DecryptionError, KeyDestroyed
from .keyring import Keyring, b64url_decode, b64url_encode, load_keyring
from .models import DataKey
from .profiles import Profile, current_profile, get_profile

TOKEN_VERSION = "cb1"  # noqa: S105 - a format tag, not a secret
KEK_INFO = b"casebook-kek-v1"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"

# --- wrapping --------------------------------------------------------------------------------


def _wrap_aad(kid: str, label: str) -> bytes:
    return b"casebook-datakey|" + kid.encode() + b"|" + label.encode()


def _wrap(profile: Profile, kid: str, master: bytes, label: str, key: bytes) -> bytes:
    kek = profile.derive(master, KEK_INFO, profile.key_length)
    return profile.encrypt(kek, key, _wrap_aad(kid, label))


def _unwrap(profile: Profile, kid: str, master: bytes, label: str, wrapped: bytes) -> bytes:
    kek = profile.derive(master, KEK_INFO, profile.key_length)
    return profile.decrypt(kek, wrapped, _wrap_aad(kid, label))


# Unwrapped keys, keyed by (pk, master_kid, wrapped bytes): the wrapped bytes (random nonce)
# make the entry unique even when a rolled-back transaction lets a pk be reused.
_CACHE_SIZE = 1024
_key_cache: OrderedDict[tuple[int, str, bytes], bytes] = OrderedDict()
_cache_lock = threading.Lock()


def clear_key_cache(pk: int | None = None) -> None:
    """Forget unwrapped data keys: all of them, or those of one data key."""
    with _cache_lock:
        for entry in [k for k in _key_cache if pk is None or k[0] == pk]:
            del _key_cache[entry]


def _remember(entry: tuple[int, str, bytes], key: bytes) -> None:
    with _cache_lock:
        _key_cache[entry] = key
        _key_cache.move_to_end(entry)
        while len(_key_cache) > _CACHE_SIZE:
            _key_cache.popitem(last=False)


# --- data keys -------------------------------------------------------------------------------


def _new_data_key(label: str, system_purpose: str | None = None) -> DataKey:
    """An unsaved DataKey with a fresh random key wrapped under the active master key."""
    if not label or len(label) > 100:
        raise ValueError("a data key label has 1 to 100 characters")
    profile = current_profile()
    kid, master = load_keyring().active
    key = os.urandom(profile.key_length)
    return DataKey(
        label=label,
        system_purpose=system_purpose,
        profile=profile.name,
        wrapped=_wrap(profile, kid, master, label, key),
        master_kid=kid,
    )


def data_key_create(*, label: str) -> DataKey:
    """Create a data key for ``label`` (e.g. ``"subject:123"``) under the current profile."""
    dk = _new_data_key(label)
    dk.save(force_insert=True)
    return dk


def data_key_plaintext(dk: DataKey) -> bytes:
    """The unwrapped key of ``dk``; raises :class:`KeyDestroyed` or ``UnknownMasterKey``."""
    wrapped = bytes(dk.wrapped or b"")
    if dk.destroyed_at is not None or not wrapped:
        raise KeyDestroyed(_("Data key %(pk)s was destroyed.") % {"pk": dk.pk})
    entry = (dk.pk, dk.master_kid, wrapped)
    with _cache_lock:
        key = _key_cache.get(entry)
        if key is not None:
            _key_cache.move_to_end(entry)
            return key
    master = load_keyring().get(dk.master_kid)
    key = _unwrap(get_profile(dk.profile), dk.master_kid, master, dk.label, wrapped)
    _remember(entry, key)
    return key


@transaction.atomic
def data_key_destroy(dk: DataKey, *, reason: str) -> None:
    """Crypto-shred ``dk``: empty its wrapped key so its data can never be decrypted again.
    System keys are refused (destroying one would break the audit chain or every index)."""
    locked = DataKey.objects.select_for_update().get(pk=dk.pk)
    if locked.system_purpose:
        raise ValueError("system data keys are never destroyed")
    if locked.destroyed_at is None:
        locked.wrapped = b""
        locked.destroyed_at = timezone.now()
        locked.destroyed_reason = reason[:200]
        locked.save(update_fields=["wrapped", "destroyed_at", "destroyed_reason"])
    dk.wrapped, dk.destroyed_at = locked.wrapped, locked.destroyed_at
    dk.destroyed_reason = locked.destroyed_reason
    clear_key_cache(dk.pk)


def _system_data_key(purpose: str) -> DataKey:
    dk = DataKey.objects.filter(system_purpose=purpose).first()
    if dk is None:
        fresh = _new_data_key(f"system:{purpose}", purpose)
        with transaction.atomic():  # get_or_create: a concurrent creator wins, we read its key
            dk, _created = DataKey.objects.get_or_create(
                system_purpose=purpose,
                defaults={
                    f: getattr(fresh, f) for f in ("label", "profile", "wrapped", "master_kid")
                },
            )
    return dk


def system_key(purpose: str) -> bytes:
    """The key of a system purpose ("audit", "blind-index", "integrity"), created on first use."""
    return data_key_plaintext(_system_data_key(purpose))


def rewrap_all(*, from_keyring: Keyring, to_kid: str, batch_size: int = 500) -> int:
    """Rewrap every live data key not yet under ``to_kid`` with that master key, in one
    transaction, locking rows in pk order batch by batch. Returns how many were rewrapped."""
    to_master = from_keyring.get(to_kid)
    count, last_pk = 0, 0
    with transaction.atomic():
        while True:
            batch = list(
                DataKey.objects.select_for_update()
                .filter(destroyed_at__isnull=True, pk__gt=last_pk)
                .exclude(master_kid=to_kid)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            now = timezone.now()
            for dk in batch:
                profile = get_profile(dk.profile)
                key = _unwrap(
                    profile,
                    dk.master_kid,
                    from_keyring.get(dk.master_kid),
                    dk.label,
                    bytes(dk.wrapped),
                )
                dk.wrapped = _wrap(profile, to_kid, to_master, dk.label, key)
                dk.master_kid, dk.rotated_at = to_kid, now
            DataKey.objects.bulk_update(batch, ["wrapped", "master_kid", "rotated_at"])
            count += len(batch)
            last_pk = batch[-1].pk
    clear_key_cache()
    return count


# --- values ----------------------------------------------------------------------------------


def _value_aad(context: str, dk: DataKey) -> bytes:
    return f"{TOKEN_VERSION}|{context}|{dk.pk}".encode()


def _header(dk: DataKey) -> str:
    return f"{TOKEN_VERSION}:{dk.profile}:{dk.pk}:"


def _check_header(dk: DataKey, version: str, profile: str, pk: str) -> Profile:
    if version != TOKEN_VERSION or profile != dk.profile or pk != str(dk.pk):
        raise DecryptionError("token does not belong to this data key")
    return get_profile(profile)


def encrypt_bytes(dk: DataKey, data: bytes, *, context: str) -> bytes:
    """Encrypt a file's bytes: ``b"cb1:<profile>:<pk>:" + nonce || ciphertext || tag``."""
    blob = get_profile(dk.profile).encrypt(data_key_plaintext(dk), data, _value_aad(context, dk))
    return _header(dk).encode() + blob


def decrypt_bytes(dk: DataKey, data: bytes, *, context: str) -> bytes:
    """Inverse of :func:`encrypt_bytes`; raises :class:`DecryptionError` or ``KeyDestroyed``."""
    parts = bytes(data).split(b":", 3)
    if len(parts) != 4:
        raise DecryptionError("not an encrypted file")
    try:
        version, profile_name, pk = (p.decode("ascii") for p in parts[:3])
    except UnicodeDecodeError as exc:
        raise DecryptionError("not an encrypted file") from exc
    profile = _check_header(dk, version, profile_name, pk)
    return profile.decrypt(data_key_plaintext(dk), parts[3], _value_aad(context, dk))


def encrypt_value(dk: DataKey, plaintext: str, *, context: str) -> str:
    """Encrypt text into a token ``cb1:<profile>:<pk>:<base64url>``; ``context`` names the
    field (e.g. ``"subjects.Person.id_number"``) and must be the same when decrypting."""
    blob = get_profile(dk.profile).encrypt(
        data_key_plaintext(dk), plaintext.encode("utf-8"), _value_aad(context, dk)
    )
    return _header(dk) + b64url_encode(blob)


def decrypt_value(dk: DataKey, token: str, *, context: str) -> str:
    """Inverse of :func:`encrypt_value`; raises :class:`DecryptionError` or ``KeyDestroyed``."""
    parts = token.split(":", 3)
    if len(parts) != 4:
        raise DecryptionError("not an encrypted token")
    profile = _check_header(dk, *parts[:3])
    try:
        blob = b64url_decode(parts[3])
    except ValueError as exc:
        raise DecryptionError("not an encrypted token") from exc
    plaintext = profile.decrypt(data_key_plaintext(dk), blob, _value_aad(context, dk))
    return plaintext.decode("utf-8")


def is_token(value: object) -> bool:
    """Whether ``value`` looks like a token of :func:`encrypt_value` (no decryption tried)."""
    return isinstance(value, str) and value.startswith(TOKEN_VERSION + ":")


# --- blind indexes and integrity tags --------------------------------------------------------


def system_mac(purpose: str, data: bytes) -> bytes:
    """HMAC of ``data`` with the system key of ``purpose``, in that key's own profile, so
    indexes, tags and chains stay verifiable after ``CASEBOOK_CRYPTO_PROFILE`` changes."""
    return system_mac_function(purpose)(data)


def system_mac_function(purpose: str) -> Callable[[bytes], bytes]:
    """:func:`system_mac` with the key looked up now, for a caller that MACs many values or must
    not touch the database later: the audit chain looks its key up before it locks the chain
    head, so that inside the lock only the HMAC itself runs. The unwrapped key comes from this
    process's key cache, keyed by the wrapped bytes: a rotation (new wrapping) or a restored key
    row never meets a stale entry, and :func:`rewrap_all` empties the cache besides."""
    dk = _system_data_key(purpose)
    return partial(get_profile(dk.profile).mac, data_key_plaintext(dk))


def normalise_for_index(value: str) -> str:
    """NFKC (full-width → ASCII), drop whitespace and dashes, upper-case."""
    text = unicodedata.normalize("NFKC", value).strip()
    return "".join(c for c in text if not c.isspace() and c not in _DASHES).upper()


def blind_index(value: str, *, kind: str) -> str:
    """HMAC blind index (32 hex chars) of ``value`` for exact-match lookup in a column of
    ``kind`` (e.g. "id_number"); "" for an empty value. Same value and kind, same index."""
    normalised = normalise_for_index(value or "")
    if not normalised:
        return ""
    data = kind.encode() + b"\x00" + normalised.encode()
    return system_mac("blind-index", data).hex()[:32]


def integrity_mac(data: bytes) -> str:
    """Hex HMAC tag of a row's canonical bytes (SECURITY.md D3)."""
    return system_mac("integrity", data).hex()


def integrity_verify(data: bytes, tag: str) -> bool:
    """Constant-time check of a tag made by :func:`integrity_mac`."""
    return hmac.compare_digest(integrity_mac(data).encode(), str(tag).encode())


def system_data_key(purpose: str) -> DataKey:
    """The system data key of ``purpose`` (made on first use), for data that belongs to no
    subject: periodic station reports, for instance."""
    return _system_data_key(purpose)
