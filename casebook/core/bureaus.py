"""What a new bureau is given: each app registers how a bureau's own configuration is set up.

Configuration (categories, warning and deadline rules, role policies) belongs to one bureau. A
fresh installation's migrations ship it unowned; the first bureau created takes it. A later
bureau starts from what each app's set-up gives it (see each app's ``bureau_setup``): shipped
switches and defaults, never another bureau's values. ``accounts.services.unit_create`` calls
:func:`set_up_bureau` in the same transaction as the new bureau.
"""

from collections.abc import Callable

Setup = Callable[[object], None]
_setups: list[Setup] = []


def register_bureau_setup(setup: Setup) -> Setup:
    """Add ``setup(bureau)``, run once for every new bureau (from ``AppConfig.ready()``)."""
    if setup not in _setups:
        _setups.append(setup)
    return setup


def set_up_bureau(bureau) -> None:
    for setup in _setups:
        setup(bureau)
