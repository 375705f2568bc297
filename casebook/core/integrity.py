"""Integrity check on read, for pages of apps below the one that keeps the tags (SECURITY.md D3).

The keyed MACs and their check live in ``casebook.retention.integrity``, which registers its
checker here from its AppConfig.ready(); a page of a lower app (the access requests of accounts)
calls :func:`check_on_read` with the rows it shows and puts the result in its context as
``integrity_problems``, shown by ``includes/integrity_warning.html``. Without a registered checker
(an app left out) nothing is checked.
"""

from collections.abc import Callable, Iterable

_checker: Callable | None = None


def register_checker(checker: Callable) -> None:
    """``checker(request, rows) -> list`` of the changed rows among ``rows`` (model instances),
    each reported (audit event) by the checker."""
    global _checker  # noqa: PLW0603 - a single registration point, set once in ready()
    _checker = checker


def check_on_read(request, rows: Iterable) -> list:
    """The problems among ``rows`` as seen by the reader of ``request`` (empty: intact)."""
    if _checker is None:
        return []
    return list(_checker(request, [row for row in rows if row is not None]))
