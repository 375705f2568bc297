"""Consultations of personal data (SECURITY.md L1, L2): one audit event per page or API response.

A page that shows personal data calls :func:`record_read` once, after it has fetched what it
shows and before it answers, so a failure to log is a failure of the page (L4). The event names
who (the actor), what (``read.<what>``), which objects (their ids, capped), which fields or tab,
which kind of search and how many results, and the purpose when one was stated. It never holds
the values themselves: no ID or phone number, no search text, no coordinates. Source address,
request id and channel (web or api) come from the request context like every other event.

The dossier's sensitive parts (full particulars, criminal record, the trail) need a purpose; it
is remembered in the session for that subject for a bounded time (:func:`remember_purpose`,
:func:`stated_purpose`) and copied into each read event while it lasts.
"""

import time
from collections.abc import Iterable

from rest_framework.response import Response

from .services import record_event

MAX_IDS = 200
PURPOSE_SESSION_KEY = "cb_purposes"
PURPOSE_SECONDS = 15 * 60


def _actor_of(request_or_actor):
    user = getattr(request_or_actor, "user", None)
    return user if user is not None else request_or_actor


def _ids_and_type(objects: Iterable, object_type: str) -> tuple[list[str], str]:
    ids = []
    for obj in objects:
        meta = getattr(obj, "_meta", None)
        if meta is not None:
            object_type = object_type or f"{meta.app_label}.{meta.model_name}"
            ids.append(str(obj.pk))
        else:
            ids.append(str(obj))
    return list(dict.fromkeys(ids)), object_type


def capped(ids: Iterable) -> dict:
    """At most MAX_IDS ids, and how many there were."""
    ids = [str(i) for i in dict.fromkeys(ids)]
    return {"ids": ids[:MAX_IDS], "count": len(ids)}


def record_read(
    request_or_actor,
    *,
    what: str,
    objects: Iterable = (),
    object_type: str = "",
    fields: Iterable[str] = (),
    search: dict | None = None,
    purpose: str = "",
    related: dict[str, Iterable] | None = None,
    details: dict | None = None,
):
    """Append one ``read.<what>`` event for everything one response shows.

    ``objects`` are model instances or primary keys (then give ``object_type``); when exactly
    one object is shown it is also the event's object, so the audit search by object finds it.
    ``related`` names other objects on the page (``{"records": [...]}``), capped the same way.
    ``search`` describes a search by kind and filters only — never the text searched for.
    """
    ids, object_type = _ids_and_type(objects, object_type)
    body = {**capped(ids)}
    if fields:
        body["fields"] = sorted(set(fields))
    if search is not None:
        body["search"] = search
    for name, values in (related or {}).items():
        body[name] = capped(_ids_and_type(values, "")[0])
    body.update(details or {})
    single = ids[0] if len(ids) == 1 else ""
    return record_event(
        actor=_actor_of(request_or_actor),
        action=f"read.{what}",
        object_type=object_type,
        object_id=single,
        purpose=purpose,
        details=body,
    )


# --- purposes stated for a subject, remembered in the session ----------------------------------


def _key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def stated_purpose(request, obj) -> str:
    """The purpose stated for this object in this session, if still within PURPOSE_SECONDS."""
    entry = request.session.get(PURPOSE_SESSION_KEY, {}).get(_key(obj))
    if not entry:
        return ""
    stamp, purpose = entry
    return purpose if time.time() - stamp < PURPOSE_SECONDS else ""


def remember_purpose(request, obj, purpose: str) -> None:
    now = time.time()
    kept = {
        k: v
        for k, v in request.session.get(PURPOSE_SESSION_KEY, {}).items()
        if now - v[0] < PURPOSE_SECONDS
    }
    kept[_key(obj)] = [now, purpose]
    request.session[PURPOSE_SESSION_KEY] = kept


# --- the API: one event per list or retrieve response ------------------------------------------


def _related_subjects(rows: list) -> list:
    found = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        many = row.get("subjects")
        if isinstance(many, list):
            found.extend(many)
        if isinstance(row.get("subject"), int):
            found.append(row["subject"])
    return found


class ReadLoggedMixin:
    """For viewsets: each ``list`` and ``retrieve`` response appends one ``read.api`` event with
    the ids it returned (and the subjects they name). ``read_object_type`` names the model;
    ``read_search`` may describe the query (by kind, never its text)."""

    read_object_type = ""

    def read_search(self, request) -> dict | None:
        params = sorted(k for k in request.query_params if k not in ("page", "format"))
        return {"params": params} if params else None

    def _log_read(self, request, response: Response, view: str) -> Response:
        if response.status_code != 200 or not isinstance(response.data, dict):
            return response
        data = response.data
        rows = data.get("results") if view == "list" else [data]
        rows = rows if isinstance(rows, list) else []
        ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
        extra = {"resource": getattr(self, "basename", "") or "", "view": view}
        if view == "list":
            extra["total"] = data.get("count", len(rows))
        record_read(
            request,
            what="api",
            objects=ids,
            object_type=self.read_object_type,
            search=self.read_search(request) if view == "list" else None,
            related={"subjects": _related_subjects(rows)} if _related_subjects(rows) else None,
            details=extra,
        )
        return response

    def list(self, request, *args, **kwargs):
        return self._log_read(request, super().list(request, *args, **kwargs), "list")

    def retrieve(self, request, *args, **kwargs):
        return self._log_read(request, super().retrieve(request, *args, **kwargs), "retrieve")
