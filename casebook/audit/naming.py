"""Current names of the objects events are about, looked up when the log is shown.

An event's ``object_repr`` is written once and can never be changed (the log is append-only and
hash-chained), so for subjects and what hangs from them it holds a neutral label — kind,
category and number — never a name (docs/security.md D6): after a destruction nothing personal
must remain. Where a reader may see the object *now*, the page can show its current name next
to the label; a higher app registers, from its ``AppConfig.ready()``, a function that returns
those names for the objects the reader may see, and nothing for the others::

    register_namer("subjects.subject", names_for)   # names_for(user, ids) -> {id: name}

A destroyed subject has no row, so it gets no name; neither does one the reader may not see (the
audit administrator sees no case data, SECURITY.md A3, so the audit log shows the labels)."""

from collections.abc import Callable, Iterable

Namer = Callable[[object, list[str]], dict[str, str]]

_NAMERS: dict[str, Namer] = {}


def register_namer(object_type: str, namer: Namer) -> None:
    _NAMERS[object_type] = namer


def current_names(user, events: Iterable) -> dict[tuple[str, str], str]:
    """``{(object_type, object_id): current name}`` for the events' objects that still exist and
    that ``user`` may see; one query per object type."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in _NAMERS and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found = {}
    for object_type, ids in wanted.items():
        for object_id, name in _NAMERS[object_type](user, sorted(ids)).items():
            found[(object_type, str(object_id))] = name
    return found
