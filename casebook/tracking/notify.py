"""Notifications: recorded in the database (the in-app centre) and sent by e-mail (or SMS where a
gateway is registered) after commit, as each user chose per kind; or gathered in a daily digest.

Every notification has a kind (:data:`KINDS`): the centre groups them per task and kind, and each
user chooses per kind which channels reach them. The modules above register their kinds from
``AppConfig.ready()`` (``register_kind("urgent", label, urgent=True)`` in reports) and the
channels they can send by (``register_sender("sms", ...)``). An urgent kind is never grouped,
never muted and never left to a digest: the preference form does not offer it and
:func:`preferences_set` refuses it."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.audit.services import record_event

from .models import Notification, NotificationDigest, NotificationPreference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    urgent: bool = False


#: code -> Kind; tracking's own kinds here, the modules above add theirs.
KINDS: dict[str, Kind] = {}


def register_kind(code: str, label, *, urgent: bool = False) -> None:
    if code in KINDS and KINDS[code].urgent != urgent:
        raise ValueError(f"notification kind {code!r} is already registered otherwise")
    KINDS[code] = Kind(code, label, urgent)


register_kind("task", gettext_lazy("Tasks assigned, accepted, moved or handed over"))
register_kind("comment", gettext_lazy("Comments and mentions"))
register_kind("deadline", gettext_lazy("Deadline reminders and escalation"))
register_kind("share", gettext_lazy("Requests to cooperate"))
register_kind("other", gettext_lazy("Everything else"))


@dataclass(frozen=True)
class Sender:
    code: str
    label: object
    available: Callable  # (user) -> bool: may this channel reach this user at all?
    send: Callable  # (notification) -> None; raises OSError when it cannot


def _email_available(user) -> bool:
    return bool(user.email)


def _email_send(n: Notification) -> None:
    send_mail(
        subject=f"[Casebook] {n.text[:60]}",
        message=f"{n.text}\n\n{n.url}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[n.user.email],
        fail_silently=False,
    )


#: channel -> Sender besides the in-app centre; e-mail here, SMS from reports (its gateway).
SENDERS: dict[str, Sender] = {
    "email": Sender("email", gettext_lazy("E-mail"), _email_available, _email_send)
}
CHANNELS = ("in_app", "email", "sms")


def register_sender(code: str, label, *, available: Callable, send: Callable) -> None:
    if code not in CHANNELS or code == "in_app":
        raise ValueError(f"unknown notification channel {code!r}")
    SENDERS[code] = Sender(code, label, available, send)


def channels_for(user) -> list[tuple[str, object]]:
    """The channels that can reach ``user`` here: the app always, e-mail with an address, SMS
    with a phone and a gateway."""
    out = [("in_app", gettext_lazy("In the app"))]
    for code in CHANNELS[1:]:
        sender = SENDERS.get(code)
        if sender is not None and sender.available(user):
            out.append((code, sender.label))
    return out


def choosable_kinds() -> list[Kind]:
    return [k for k in KINDS.values() if not k.urgent]


def _default(user_id: int, kind: str) -> NotificationPreference:
    return NotificationPreference(user_id=user_id, kind=kind)


def preferences(user) -> dict[str, NotificationPreference]:
    """Per choosable kind, the user's preference (unsaved defaults where none is stored)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return {k.code: stored.get(k.code) or _default(user.pk, k.code) for k in choosable_kinds()}


def notify(
    users, text: str, *, url: str = "", task=None, email: bool = True, kind: str = "other"
) -> list[Notification]:
    """Record one notification per distinct active user and send it by the channels each chose
    for its kind, once the surrounding transaction has committed (a failed e-mail never undoes
    the notification). A kind the user turned off in the app is still recorded, already read
    (every notification is kept). Those with a daily digest get no e-mail per notification.
    An urgent kind ignores every preference. ``email=False`` for callers that send their own
    e-mail and SMS (urgent reports, with retries)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    urgent = KINDS[kind].urgent
    people, seen = [], set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    prefs, digest = {}, set()
    if not urgent:
        prefs = {
            p.user_id: p for p in NotificationPreference.objects.filter(user__in=seen, kind=kind)
        }
        digest = set(
            NotificationDigest.objects.filter(user__in=seen, enabled=True).values_list(
                "user_id", flat=True
            )
        )
    now = timezone.now()
    rows = []
    for user in people:
        pref = prefs.get(user.pk) or _default(user.pk, kind)
        rows.append(
            Notification(
                user=user,
                text=text[:300],
                url=url,
                task=task,
                kind=kind,
                created_at=now,
                read_at=None if urgent or pref.in_app else now,
            )
        )
    rows = Notification.objects.bulk_create(rows)
    outgoing: dict[str, list[int]] = {}
    for n in rows:
        pref = prefs.get(n.user_id) or _default(n.user_id, kind)
        for code, sender in SENDERS.items():
            wanted = urgent or (getattr(pref, code) and n.user_id not in digest)
            if code == "email" and not email:
                continue
            if code != "email" and urgent:
                continue  # urgent reports send their own SMS through the outbox
            if wanted and sender.available(n.user):
                outgoing.setdefault(code, []).append(n.pk)
    if outgoing:
        transaction.on_commit(lambda: _send(outgoing))
    return rows


def _send(outgoing: dict[str, list[int]]) -> None:
    for code, ids in outgoing.items():
        sender = SENDERS[code]
        for n in Notification.objects.filter(pk__in=ids).select_related("user"):
            try:
                sender.send(n)
            except OSError:
                logger.warning("notification %s: %s not sent", n.pk, code, exc_info=True)
                continue
            if code == "email":
                Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def mark_group_read(user, *, kind: str, task_id: int | None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True, kind=kind, task_id=task_id)
    return qs.update(read_at=timezone.now())


# --- the centre: groups ---------------------------------------------------------------------


@dataclass
class Group:
    """Notifications of one task and kind (or one urgent notification on its own)."""

    kind: str
    task_id: int | None
    count: int
    unread: int
    last_at: datetime
    latest: Notification | None = None
    urgent: bool = False

    @property
    def label(self):
        return KINDS[self.kind].label if self.kind in KINDS else self.kind


def groups(user) -> list[Group]:
    """The user's notifications grouped per task and kind, newest first; urgent ones each on
    their own. Two aggregate queries and one for the latest of each group."""
    urgent_kinds = [k.code for k in KINDS.values() if k.urgent]
    mine = Notification.objects.filter(user=user)
    rows = (
        mine.exclude(kind__in=urgent_kinds)
        .values("kind", "task_id")
        .annotate(
            count=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
            last_at=Max("created_at"),
            last_pk=Max("pk"),
        )
        .order_by()
    )
    out, latest_pks = [], []
    for r in rows:
        out.append(Group(r["kind"], r["task_id"], r["count"], r["unread"], r["last_at"]))
        latest_pks.append(r["last_pk"])
    latest = {n.pk: n for n in mine.filter(pk__in=latest_pks)}
    for group, pk in zip(out, latest_pks, strict=True):
        group.latest = latest.get(pk)
    for n in mine.filter(kind__in=urgent_kinds):
        out.append(Group(n.kind, n.task_id, 1, 0 if n.read_at else 1, n.created_at, n, urgent=True))
    out.sort(key=lambda g: (g.unread == 0, -g.last_at.timestamp()))
    return out


# --- preferences ----------------------------------------------------------------------------


@transaction.atomic
def preferences_set(*, actor, user, choices: dict[str, set[str]], digest: bool) -> None:
    """Save ``user``'s channels per kind (``{"task": {"in_app", "email"}, ...}``) and the daily
    digest. Only one's own; an urgent kind, an unknown kind or a channel that cannot reach the
    user is refused."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Everyone chooses their own notifications."))
    available = {code for code, _label in channels_for(user)}
    errors = []
    for kind, chosen in choices.items():
        if kind not in KINDS:
            errors.append(_("Unknown kind of notification."))
        elif KINDS[kind].urgent:
            errors.append(_("Urgent reports always reach you: they cannot be muted."))
        elif set(chosen) - available:
            errors.append(_("A channel you chose cannot reach you."))
    if digest and not user.email:
        errors.append(_("A daily digest is sent by e-mail: your account has no e-mail address."))
    if errors:
        raise ValidationError(sorted(set(errors)))
    for kind, chosen in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={code: code in chosen for code in CHANNELS},
        )
    NotificationDigest.objects.update_or_create(user=user, defaults={"enabled": digest})
    record_event(
        actor=actor,
        action="notification.preferences",
        obj=user,
        details={
            "kinds": {kind: sorted(chosen) for kind, chosen in sorted(choices.items())},
            "digest": digest,
        },
    )


# --- the daily digest -----------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """Send each user who chose it one e-mail a day, from ``CASEBOOK_DIGEST_HOUR`` (local time)
    on, listing per kind and task what arrived since their last digest. Idempotent: a user's
    day is claimed with a conditional update before the mail is sent, so two workers never
    send it twice. Returns the number of e-mails sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < getattr(settings, "CASEBOOK_DIGEST_HOUR", 8):
        return 0
    today = local.date()
    sent = 0
    due = NotificationDigest.objects.filter(enabled=True, user__is_active=True).exclude(
        last_sent_on=today
    )
    for digest in due.select_related("user"):
        since = digest.last_sent_at or now - timedelta(days=1)
        claimed = (
            NotificationDigest.objects.filter(pk=digest.pk)
            .exclude(last_sent_on=today)
            .update(last_sent_on=today, last_sent_at=now)
        )
        if not claimed or not digest.user.email:
            continue
        body = _digest_body(digest.user, since, now)
        if not body:
            continue
        try:
            send_mail(
                subject=_("[Casebook] Your notifications of %(day)s") % {"day": today.isoformat()},
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[digest.user.email],
                fail_silently=False,
            )
        except OSError:
            logger.warning("digest of user %s not sent", digest.user_id, exc_info=True)
            NotificationDigest.objects.filter(pk=digest.pk).update(
                last_sent_on=digest.last_sent_on, last_sent_at=digest.last_sent_at
            )
            continue
        sent += 1
    return sent


def _digest_body(user, since: datetime, until: datetime) -> str:
    urgent_kinds = [k.code for k in KINDS.values() if k.urgent]
    rows = list(
        Notification.objects.filter(user=user, created_at__gt=since, created_at__lte=until)
        .exclude(kind__in=urgent_kinds)
        .order_by("kind", "task_id", "created_at")
    )
    if not rows:
        return ""
    lines, current = [], None
    for n in rows:
        key = (n.kind, n.task_id)
        if key != current:
            current = key
            label = KINDS[n.kind].label if n.kind in KINDS else n.kind
            lines.append(f"\n{label}")
        lines.append(f"  {timezone.localtime(n.created_at):%m-%d %H:%M}  {n.text}  {n.url}")
    return "\n".join(lines).strip() + "\n"


def credential_reset_notice(sender, *, request, **kwargs) -> None:
    """An approved credential reset: the officer learns that their password and second factor
    were reset (in case they did not ask), the requester that it was approved. Neither message
    holds the password, which only the approving security administrator has seen."""
    officer, requester = request.user, request.requested_by
    notify(
        [officer],
        _(
            "Your password and second factor were reset (approved by %(approver)s). The "
            "security administrator gives you a temporary password in person; if you did not "
            "ask for this, tell them at once."
        )
        % {"approver": request.decided_by},
    )
    if requester is not None:
        notify(
            [requester],
            _("The credential reset of %(name)s was approved; the officer has been told.")
            % {"name": officer},
        )
