"""What the home pages show of the modules above `core`, registered by them.

`core` imports no module above it (docs/architecture.md). A module adds to the home page by
registering, from its ``AppConfig.ready()``, a function ``panel(user, role)`` that returns
template variables for the user's home page (``role`` is the role whose page is shown); it
returns an empty dict for the roles it has nothing for, and reads through its own scoped
selectors:

    register_home_panel(subject_stats)   # casebook.subjects: the counts of tracked subjects
    register_home_panel(my_tasks)        # casebook.tracking: the "My tasks" figure
    register_home_panel(feedback_panel)  # casebook.reports: feedback awaiting an instruction
"""

from collections.abc import Callable

_PANELS: list[Callable] = []


def register_home_panel(panel: Callable) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panel_context(user, role: str | None) -> dict:
    context: dict = {}
    for panel in _PANELS:
        context.update(panel(user, role))
    return context
