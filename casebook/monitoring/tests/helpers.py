"""Shared test helpers: a registered source and signed requests."""

import datetime as dt
import json
import uuid

from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from casebook.accounts.roles import Role
from casebook.monitoring.choices import SourceFormat, SourceKind
from casebook.monitoring.services import source_create


def make_source(make_user, org, *, fmt=SourceFormat.CASEBOOK, networks="", name="视频平台"):
    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    kind = SourceKind.VIDEO if fmt == SourceFormat.CASEBOOK else SourceKind.GEOFENCE
    if fmt == SourceFormat.TRACCAR and not networks:
        networks = "127.0.0.0/8"
    source, secret = source_create(
        actor=admin, station=org["a"], name=name, kind=kind, format=fmt, allowed_networks=networks
    )
    return source, secret, admin


def event(n=1, **kw):
    data = {
        "id": f"ev-{n}",
        "kind": "video_alert",
        "occurred_at": timezone.now().isoformat(),
        "device_id": "CAM-0001",
        "lat": 30.27,
        "lon": 120.15,
        "label": "人员聚集",
    }
    data.update(kw)
    return data


def signed(secret, body: bytes | str, *, msg_id=None, at=None) -> dict:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or timezone.now()
    text = body.decode() if isinstance(body, bytes) else body
    signature = Webhook(secret).sign(msg_id, at.astimezone(dt.UTC).replace(tzinfo=None), text)
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def post(client, source, body, headers=None, **extra):
    if not isinstance(body, bytes | str):
        body = json.dumps(body, ensure_ascii=False)
    return client.post(
        f"/api/v1/monitoring/{source.code if hasattr(source, 'code') else source}/events",
        data=body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **(headers or {}),
        **extra,
    )


def send(client, source, secret, events, *, msg_id=None, at=None, **extra):
    body = json.dumps({"events": events}, ensure_ascii=False)
    return post(client, source, body, signed(secret, body, msg_id=msg_id, at=at), **extra)
