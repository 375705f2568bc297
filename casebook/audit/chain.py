"""Hash chain of the audit log: computing, verifying and checkpointing it.

Each event's ``hash`` is an HMAC (SHA-256, or SM3 in the national profile) keyed by the audit
system key — itself wrapped by the master key, so a database administrator cannot recompute the
chain after editing a row. ``prev_hash`` is the previous event's hash. A checkpoint is the chain
head (seq, hash) signed with the same key and written to a file outside the database; verifying
against it detects a cut tail.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from casebook.crypto.profiles import current_profile
from casebook.crypto.services import system_mac_function

from .models import AuditEvent, ChainHead

GENESIS = "0" * 64


def _mac(data: bytes) -> str:
    """HMAC under the audit system key, with the profile that key was made with (so a later
    change of CASEBOOK_CRYPTO_PROFILE does not break the existing chain)."""
    return chain_mac()(data).hex()


def chain_mac() -> Callable[[bytes], bytes]:
    """The HMAC of the audit system key, its key looked up once (see ``system_mac_function``)."""

    return system_mac_function("audit")


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _occurred(event) -> str:
    return event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _placed(event) -> list:
    """The fields between the event's place in the chain (seq, time) and ``prev_hash``."""
    return [
        event.actor_id,
        event.actor_name,
        event.actor_unit,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.outcome,
        event.ip,
        event.request_id,
        event.channel,
        event.purpose,
        event.recipients,
        event.details or {},
    ]


def canonical(event, prepared: "Prepared | None" = None) -> bytes:
    """The bytes that an event's hash covers: every field but the hash itself, as the JSON
    array ``[seq, occurred_at, actor_id, …, details, prev_hash]``. With ``prepared`` the middle
    of the array is the one serialised before the chain head was locked: the same bytes."""
    if prepared is None:
        return _dumps([event.seq, _occurred(event), *_placed(event), event.prev_hash])
    return b"".join(
        (
            b"[",
            _dumps(event.seq),
            b",",
            _dumps(_occurred(event)),
            b",",
            prepared.middle,
            b",",
            _dumps(event.prev_hash),
            b"]",
        )
    )


@dataclass(frozen=True)
class Prepared:
    """What an event's hash needs that does not depend on its place in the chain, computed
    before the chain head is locked: the serialised fields and the keyed HMAC."""

    middle: bytes
    mac: Callable[[bytes], bytes]


def prepare(event) -> Prepared:
    """Serialise everything of ``event`` but seq, time and prev_hash, and look the key up."""
    return Prepared(middle=_dumps(_placed(event))[1:-1], mac=chain_mac())


def compute_hash(event, prepared: Prepared | None = None) -> str:
    """The event's hash; with ``prepared`` (see :func:`prepare`) no database access and no
    serialisation of its fields: what runs under the chain-head lock is microseconds."""
    if prepared is None:
        return _mac(canonical(event))
    return prepared.mac(canonical(event, prepared)).hex()


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    message: str
    broken_seq: int | None = None


def verify(checkpoint: dict | None = None, *, chunk: int = 2000) -> VerifyResult:
    """Walk the whole chain; return the first break found, or success."""

    expected_seq, running, checked = 1, GENESIS, 0
    hashes_at: dict[int, str] = {}
    want_seq = int(checkpoint["seq"]) if checkpoint else None
    mac = None  # the key is looked up once, at the first event
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk):
        mac = mac or chain_mac()
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq - 1,
                    _("Event #%(seq)s is missing (deleted).") % {"seq": expected_seq},
                    expected_seq,
                )
            return VerifyResult(
                False,
                checked,
                expected_seq - 1,
                _("Event #%(seq)s is out of sequence.") % {"seq": event.seq},
                event.seq,
            )
        if event.prev_hash != running:
            return VerifyResult(
                False,
                checked,
                expected_seq - 1,
                _("Event #%(seq)s does not follow its predecessor (reordered or inserted).")
                % {"seq": event.seq},
                event.seq,
            )
        if mac(canonical(event)).hex() != event.hash:
            return VerifyResult(
                False,
                checked,
                expected_seq - 1,
                _("Event #%(seq)s was altered.") % {"seq": event.seq},
                event.seq,
            )
        running = event.hash
        if want_seq == event.seq:
            hashes_at[event.seq] = event.hash
        checked += 1
        expected_seq += 1
    last = expected_seq - 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last or (last and head.hash != running)):
        return VerifyResult(
            False,
            checked,
            last,
            _(
                "The chain ends at #%(last)s but its head records #%(head)s: "
                "events after #%(last)s were removed."
            )
            % {"last": last, "head": head.seq},
            last + 1,
        )
    if checkpoint:
        if not checkpoint_signature_ok(checkpoint):
            return VerifyResult(False, checked, last, _("The checkpoint's signature is invalid."))
        if want_seq > last:
            return VerifyResult(
                False,
                checked,
                last,
                _(
                    "The checkpoint records #%(cp)s but the chain ends at "
                    "#%(last)s: the tail was cut."
                )
                % {"cp": want_seq, "last": last},
                last + 1,
            )
        if hashes_at.get(want_seq) != checkpoint["hash"]:
            return VerifyResult(
                False,
                checked,
                last,
                _("Event #%(seq)s differs from the checkpoint.") % {"seq": want_seq},
                want_seq,
            )
    return VerifyResult(
        True,
        checked,
        last,
        _("%(n)s events verified, chain intact up to #%(last)s.") % {"n": checked, "last": last},
    )


def _checkpoint_payload(seq: int, hash_: str, created: str, profile: str) -> bytes:
    return json.dumps([seq, hash_, created, profile], separators=(",", ":")).encode()


def checkpoint_signature_ok(cp: dict) -> bool:
    try:
        payload = _checkpoint_payload(int(cp["seq"]), cp["hash"], cp["created_at"], cp["profile"])
        return _mac(b"checkpoint|" + payload) == cp["signature"]
    except (KeyError, TypeError, ValueError):
        return False


def checkpoint_directory() -> Path:
    return Path(settings.CASEBOOK_AUDIT_CHECKPOINT_DIR)


def make_checkpoint() -> dict:
    """Sign the current chain head and append it to the checkpoint file outside the database."""

    head = ChainHead.objects.get(pk=1)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    profile = current_profile().name
    payload = _checkpoint_payload(head.seq, head.hash, created, profile)
    cp = {
        "seq": head.seq,
        "hash": head.hash,
        "created_at": created,
        "profile": profile,
        "signature": _mac(b"checkpoint|" + payload),
    }
    directory = checkpoint_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "checkpoints.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(json.dumps(cp) + "\n")
    return cp


def read_checkpoints(path: Path | None = None) -> list[dict]:
    path = path or checkpoint_directory() / "checkpoints.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
