"""What reports adds to the notifications of tracking (registered from ``ReportsConfig.ready()``):
its kinds — urgent reports, which are never grouped, muted or left to a digest, and feedback
reports — and the SMS channel through its gateway, for those who choose it."""

from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _

from casebook.tracking.notify import register_kind, register_sender

from .channels import ChannelError, _sms, sms_configured


def _sms_available(user) -> bool:
    return sms_configured() and bool(user.phone)


def _sms_send(notification) -> None:
    """One SMS through the gateway; its id (``notification-<pk>``) never meets a delivery id,
    so the gateway's repeat filter keeps the two apart. Not retried: only urgent reports are."""
    message = SimpleNamespace(recipient=notification.user, pk=f"notification-{notification.pk}")
    try:
        _sms(message, "[Casebook]", f"{notification.text} {notification.url}".strip())
    except ChannelError as exc:
        raise OSError(str(exc)) from exc


def register() -> None:
    register_kind("urgent", _("Urgent reports"), urgent=True)
    register_kind("feedback", _("Feedback reports and instructions"))
    register_sender("sms", _("SMS"), available=_sms_available, send=_sms_send)
