"""Who, from where, in which request: the context every audit event carries.

The web middleware fills it per request; management commands and background tasks set their own
with :func:`bind` so their events are attributed too.
"""

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str = ""
    channel: str = "web"  # web, api, cli, task


_current: ContextVar[RequestContext | None] = ContextVar("casebook_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext(request_id=new_request_id(), channel="cli")


@contextlib.contextmanager
def bind(ctx: RequestContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def for_job():
    """The context of one background job run: its own request id, channel "task"."""
    return bind(RequestContext(request_id=new_request_id(), channel="task"))
