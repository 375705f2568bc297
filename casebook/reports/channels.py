"""The channels an urgent report travels by. In-app delivery is a notification row written with
the report; e-mail and SMS are sent by the worker from the outbox (``Delivery``) and retried
until they go through."""

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .choices import Channel


class ChannelError(Exception):
    """A channel could not deliver now; the delivery stays queued and is retried."""


def sms_configured() -> bool:
    return bool(settings.CASEBOOK_SMS_WEBHOOK_URL)


def _email(delivery, subject: str, body: str) -> None:
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[delivery.recipient.email],
            fail_silently=False,
        )
    except OSError as exc:  # SMTPException is an OSError
        raise ChannelError(
            _("mail server refused or unreachable (%(error)s)") % {"error": exc}
        ) from exc


def _sms(delivery, subject: str, body: str) -> None:
    """POST ``{"to", "text", "id"}`` to the gateway, signed with HMAC-SHA256 of the body in
    ``X-Casebook-Signature``; any answer but 2xx is a failure. The id lets the gateway drop a
    repeat if an answer was lost."""
    payload = json.dumps(
        {"to": delivery.recipient.phone, "text": f"{subject} {body}"[:480], "id": delivery.pk},
        ensure_ascii=False,
    ).encode()
    secret = (settings.CASEBOOK_SMS_WEBHOOK_SECRET or "").encode()
    signature = hmac.new(secret, payload, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - the operator's own gateway URL
        settings.CASEBOOK_SMS_WEBHOOK_URL,
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json", "X-Casebook-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise ChannelError(_("SMS gateway answered %(status)s") % {"status": exc.code}) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ChannelError(_("SMS gateway unreachable (%(error)s)") % {"error": exc}) from exc
    if not 200 <= status < 300:
        raise ChannelError(_("SMS gateway answered %(status)s") % {"status": status})


SENDERS = {Channel.EMAIL: _email, Channel.SMS: _sms}


def send(delivery, subject: str, body: str) -> None:
    """Send one queued delivery or raise :class:`ChannelError`."""
    SENDERS[delivery.channel](delivery, subject, body)
