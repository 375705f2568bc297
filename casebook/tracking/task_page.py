"""What a task's page shows of the modules above `tracking`, registered by them.

`tracking` never imports intel, analysis or reports (the layers of docs/architecture.md). A higher
module registers, from its ``AppConfig.ready()``, a function that fetches the objects of one kind
related to a task, through its own scoped selectors:

    register_related("records", task_records)   # casebook.intel.dossier

The task page gets each list as a template variable of that name, and its read event lists them.
"""

from collections.abc import Callable

_RELATED: dict[str, Callable] = {}


def register_related(key: str, fetch: Callable) -> None:
    """``fetch(user, task)`` returns the objects of kind ``key`` the user may see."""
    if _RELATED.get(key, fetch) is not fetch:
        raise ValueError(f"task page section {key!r} is registered twice")
    _RELATED[key] = fetch


def related_of(user, task) -> dict[str, list]:
    return {key: list(fetch(user, task)) for key, fetch in sorted(_RELATED.items())}
