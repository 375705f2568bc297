"""Writing audit events. Services call :func:`record_event` inside their own transaction, so the
event and the change commit together or not at all (SECURITY.md L4: fail closed)."""

import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from casebook.core import request_context

from . import chain
from .labels import check_action
from .models import AuditEvent, ChainHead, Outcome

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def neutralise(value: Any, limit: int | None = None) -> Any:
    """Escape CR, LF and other control characters (SECURITY.md L6)."""
    if isinstance(value, str):
        cleaned = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        return cleaned[:limit] if limit else cleaned
    if isinstance(value, dict):
        return {neutralise(str(k)): neutralise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [neutralise(v) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    return neutralise(str(value))


def describe(obj) -> tuple[str, str, str]:
    """(object_type, object_id, object_repr) of a model instance, without sensitive values."""
    meta = obj._meta
    label = getattr(obj, "audit_repr", None)
    text = label() if callable(label) else str(obj)
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), text


def record_event(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    outcome: str = Outcome.SUCCESS,
    purpose: str = "",
    recipients: str = "",
    details: dict | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain. ``details`` must never hold the sensitive values
    themselves (ID numbers, coordinates…): name the fields that changed instead.

    Every append locks the chain head, so appends queue on it: everything that does not depend
    on the previous event — neutralising, serialising, looking up the chain key — is done before
    the lock. Under it: read the head, take the time, HMAC, insert, move the head."""
    check_action(action)
    if obj is not None:
        object_type, object_id, object_repr = describe(obj)
    ctx = request_context.current()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor_id=actor.pk if authenticated else None,
        actor_name=neutralise((actor.real_name if authenticated else actor_name) or "", 80),
        actor_unit=neutralise(str(actor.unit) if authenticated else "", 100),
        action=action,
        object_type=object_type,
        object_id=neutralise(str(object_id), 64),
        object_repr=neutralise(object_repr, 200),
        outcome=outcome,
        ip=ctx.ip,
        request_id=ctx.request_id,
        channel=ctx.channel,
        purpose=neutralise(purpose, 300),
        recipients=neutralise(recipients, 300),
        details=neutralise(details or {}),
    )
    prepared = chain.prepare(event)
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        # the time is taken under the lock, so that times never run backwards along the chain
        event.seq, event.occurred_at, event.prev_hash = head.seq + 1, timezone.now(), head.hash
        event.hash = chain.compute_hash(event, prepared)
        if connection.vendor == "postgresql":
            _insert_and_move_head(event)
        else:
            event.save(force_insert=True)
            ChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def _insert_and_move_head(event: AuditEvent) -> None:
    """Insert ``event`` and move the chain head to it in one statement (PostgreSQL: a
    data-modifying CTE), so that the lock on the head is held for one round trip fewer: under
    load every statement under it waits its turn for the CPU, and every append waits for the
    lock (issue #13). The same rows as ``save()`` and ``update()``: each value is prepared by its
    model field."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(event, add=True), connection) for f in fields]
    marks = ", ".join(["%s"] * len(fields))
    # identifiers from the models' meta, every value a parameter
    sql = (
        f"WITH appended AS (INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({marks}) RETURNING {quote('id')}) "
        f"UPDATE {quote(ChainHead._meta.db_table)} SET {quote('seq')} = %s, {quote('hash')} = %s "
        f"WHERE {quote('id')} = 1 RETURNING (SELECT {quote('id')} FROM appended)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, event.seq, event.hash])
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def changes(before: dict, after: dict, *, sensitive: frozenset[str] = frozenset()) -> dict:
    """Before/after of changed fields; sensitive fields are named, never shown."""
    diff = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            if key in sensitive:
                diff[key] = {"changed": True}
            else:
                diff[key] = {"from": before.get(key), "to": after.get(key)}
    return diff
