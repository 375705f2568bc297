"""Archiving the audit log past its legal period (SECURITY.md L5), never silently deleting it.

``audit_archive(before=…)`` writes the chain segment of the events older than ``before`` that no
earlier archive holds to ``CASEBOOK_AUDIT_ARCHIVE_DIR/audit-segment-<first>-<last>.jsonl``: a
header line (the segment's bounds, the hash its first event follows, a fresh signed checkpoint
of the chain head) and one line per event with every field. The file is then read back and
verified on its own — each event's HMAC recomputed, each link to the one before, the last hash
equal to the database's — before the archive is audited. ``before`` must be at least
``CASEBOOK_AUDIT_KEEP_DAYS`` (≥ 365) days ago: younger events are refused.

The rows stay in the database: the application cannot delete them (triggers). Removing archived
rows is a deliberate act of the database owner (docs/operations.md, "Audit log retention").
"""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.audit import chain
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event

_FIELDS = [
    "seq",
    "actor_id",
    "actor_name",
    "actor_unit",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "outcome",
    "ip",
    "request_id",
    "channel",
    "purpose",
    "recipients",
    "details",
    "prev_hash",
    "hash",
]


class ArchiveError(Exception):
    """The archive cannot be made or does not verify; the message says why."""


@dataclass
class ArchiveResult:
    path: Path | None
    first_seq: int
    last_seq: int
    events: int


def archive_directory() -> Path:
    return Path(settings.CASEBOOK_AUDIT_ARCHIVE_DIR)


def _archived_up_to(directory: Path) -> int:
    last = 0
    for path in directory.glob("audit-segment-*.jsonl"):
        try:
            last = max(last, int(path.stem.rsplit("-", 1)[1]))
        except (IndexError, ValueError):
            continue
    return last


def _line(event: AuditEvent) -> dict:
    row = {name: getattr(event, name) for name in _FIELDS}
    row["occurred_at"] = event.occurred_at.astimezone(UTC).isoformat()
    return row


def _event(row: dict) -> AuditEvent:
    values = {name: row[name] for name in _FIELDS}
    return AuditEvent(occurred_at=datetime.fromisoformat(row["occurred_at"]), **values)


def verify_segment(path: Path) -> tuple[int, int]:
    """Verify an archive file on its own; returns (first seq, last seq) or raises."""
    mac = chain.chain_mac()
    with path.open(encoding="utf-8") as fh:
        try:
            header = json.loads(fh.readline())
            expected_prev, expected_seq = header["prev_hash"], header["first_seq"]
            count = 0
            for raw in fh:
                event = _event(json.loads(raw))
                if event.seq != expected_seq or event.prev_hash != expected_prev:
                    raise ArchiveError(
                        _("Archived event #%(seq)s is out of its chain.") % {"seq": event.seq}
                    )
                if mac(chain.canonical(event)).hex() != event.hash:
                    raise ArchiveError(
                        _("Archived event #%(seq)s was altered.") % {"seq": event.seq}
                    )
                expected_prev, expected_seq, count = event.hash, event.seq + 1, count + 1
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError(_("The archive file is damaged.")) from exc
    if count == 0 or expected_seq - 1 != header["last_seq"]:
        raise ArchiveError(_("The archive file is incomplete."))
    if not chain.checkpoint_signature_ok(header["checkpoint"]):
        raise ArchiveError(_("The archive's checkpoint signature is invalid."))
    return header["first_seq"], header["last_seq"]


def audit_archive(*, before: datetime, actor=None, directory: Path | None = None) -> ArchiveResult:
    """Archive the events older than ``before`` that no archive holds yet (see module doc)."""
    floor = timezone.now() - timedelta(days=settings.CASEBOOK_AUDIT_KEEP_DAYS)
    if before > floor:
        raise ArchiveError(
            _(
                "Audit events are kept %(days)s days: only events before %(floor)s may be "
                "archived. Nothing was archived."
            )
            % {"days": settings.CASEBOOK_AUDIT_KEEP_DAYS, "floor": floor.date().isoformat()}
        )
    directory = directory or archive_directory()
    directory.mkdir(parents=True, exist_ok=True)
    done = _archived_up_to(directory)
    events = AuditEvent.objects.filter(seq__gt=done, occurred_at__lt=before).order_by("seq")
    first = events.first()
    if first is None:
        return ArchiveResult(None, 0, 0, 0)
    if first.seq != done + 1:
        raise ArchiveError(
            _("Event #%(seq)s is missing: the chain is broken, nothing archived.")
            % {"seq": done + 1}
        )
    last = events.last()
    checkpoint = chain.make_checkpoint()
    path = directory / f"audit-segment-{first.seq:012d}-{last.seq:012d}.jsonl"
    partial = path.with_suffix(".partial")
    header = {
        "first_seq": first.seq,
        "last_seq": last.seq,
        "prev_hash": first.prev_hash,
        "before": before.astimezone(UTC).isoformat(),
        "checkpoint": checkpoint,
    }
    with partial.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for event in events.filter(seq__lte=last.seq).iterator(chunk_size=2000):
            fh.write(json.dumps(_line(event), ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        verify_segment(partial)
        if last.hash != AuditEvent.objects.get(seq=last.seq).hash:
            raise ArchiveError(_("The archive does not match the database."))
    except ArchiveError:
        partial.unlink(missing_ok=True)
        raise
    partial.chmod(0o600)
    partial.replace(path)
    record_event(
        actor=actor,
        actor_name="" if actor else "manage.py",
        action="audit.archive",
        object_type="audit.segment",
        object_id=f"{first.seq}-{last.seq}",
        details={"events": last.seq - first.seq + 1, "file": path.name},
    )
    return ArchiveResult(path, first.seq, last.seq, last.seq - first.seq + 1)
