"""What the tracking module adds to the home pages: the "My tasks" figure (registered from
``TrackingConfig.ready()``)."""

from casebook.access.policy import Action, reach

from .selectors import queue


def my_tasks(user, role) -> dict:
    if reach(user, Action.TASK_VIEW) is None:
        return {}
    return {"my_tasks": queue(user, "mine").count()}
