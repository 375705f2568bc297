"""Notifications: recorded in the database (the in-app centre) and e-mailed after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


def notify(users, text: str, *, url: str = "", task=None, email: bool = True) -> list[Notification]:
    """Record one notification per distinct active user; e-mail those with an address once the
    surrounding transaction has committed (a failed e-mail never undoes the notification).
    ``email=False`` for callers that send their own mail (urgent reports, with retries)."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, text=text[:300], url=url, task=task))
    rows = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in rows if n.user.email] if email else []
    if ids:
        transaction.on_commit(lambda: _send(ids))
    return rows


def _send(ids: list[int]) -> None:
    for n in Notification.objects.filter(pk__in=ids).select_related("user"):
        try:
            send_mail(
                subject=f"[Casebook] {n.text[:60]}",
                message=f"{n.text}\n\n{n.url}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[n.user.email],
                fail_silently=False,
            )
        except OSError:
            logger.warning("notification %s: e-mail not sent", n.pk, exc_info=True)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
