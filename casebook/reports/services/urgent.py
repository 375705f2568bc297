"""Urgent reports: sent at once, delivered through the outbox (in-app in the same transaction,
e-mail and SMS by the worker with back-off) and escalated up the chain while nobody acknowledges
them."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from casebook.tracking.notify import notify

from .. import channels
from ..choices import (
    Channel,
    DeliveryStatus,
    UrgentLevel,
    UrgentStatus,
)
from ..models import Delivery, UrgentReport
from ..tasks import deliver_urgent_reports
from ._common import _text, station_leaders
from .duty import on_duty

logger = logging.getLogger(__name__)


def ack_window() -> timedelta:
    return timedelta(minutes=max(1, settings.CASEBOOK_URGENT_ACK_MINUTES))


def chain_audience(report: UrgentReport, level: int, at: datetime | None = None) -> list[User]:
    """Who a report reaches at each step: the station's duty leaders (its leaders when nobody
    is on the roster), then every leader of the station, then the bureau's duty leaders (its
    leaders when nobody is on the roster)."""
    station = report.station
    if level == UrgentLevel.ON_DUTY:
        people = on_duty(station, at) or station_leaders(station)
    elif level == UrgentLevel.STATION:
        people = [*on_duty(station, at), *station_leaders(station)]
    else:
        bureau = station.bureau
        people = (
            (on_duty(bureau, at) or list(User.objects.holding(Role.BUREAU_LEADER, bureau)))
            if bureau
            else []
        )
    unique = {u.pk: u for u in people if u.pk != report.author_id}
    return list(unique.values())


#: The audit action by which the security administrator allows or forbids the report's text in
#: e-mail, SMS and notifications; the latest such event is the setting in force (retention's
#: transmission page writes it). Without one, messages carry a link and a minimal summary.
URGENT_TEXT_POLICY = "security.urgent_text"


def urgent_text_allowed() -> bool:
    """Whether urgent messages may carry the report's text (article 七(三): by default not)."""

    event = (
        AuditEvent.objects.filter(action=URGENT_TEXT_POLICY, outcome="success")
        .order_by("-seq")
        .only("details")
        .first()
    )
    return bool(event and (event.details or {}).get("allowed") is True)


def _message(report: UrgentReport) -> tuple[str, str]:
    """Subject and body of an urgent message: a link and a minimal summary (station, author,
    number) — the text itself only when the security administrator allows it."""
    subject = _("[Urgent report] %(station)s, %(name)s") % {
        "station": report.station.name,
        "name": report.author.real_name,
    }
    link = settings.CASEBOOK_BASE_URL.rstrip("/") + report.get_absolute_url()
    if urgent_text_allowed():
        return subject, f"{(report.text or '')[:200]} {link}"
    return subject, _("Urgent report #%(number)s is waiting for acknowledgement: %(link)s") % {
        "number": report.pk,
        "link": link,
    }


def _queue(report: UrgentReport, level: int, people) -> list[Delivery]:
    """Write the outbox rows for one step of the chain. In-app delivery happens here, in the
    same transaction as the report; e-mail and SMS wait for the worker."""
    now = timezone.now()
    subject, body = _message(report)
    notify(people, f"{subject}：{body}", url=report.get_absolute_url(), email=False, kind="urgent")
    rows = []
    for user in people:
        rows.append(
            Delivery(
                report=report,
                recipient=user,
                channel=Channel.IN_APP,
                level=level,
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            skipped = not address or (channel == Channel.SMS and not channels.sms_configured())
            rows.append(
                Delivery(
                    report=report,
                    recipient=user,
                    channel=channel,
                    level=level,
                    status=DeliveryStatus.SKIPPED if skipped else DeliveryStatus.PENDING,
                    last_error=(
                        ""
                        if not skipped
                        else _("no SMS gateway configured")
                        if address
                        else _("no address on file")
                    ),
                )
            )
    rows = Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.status == DeliveryStatus.PENDING for r in rows):
        transaction.on_commit(_kick_delivery)
    return rows


def _kick_delivery() -> None:
    try:
        deliver_urgent_reports.enqueue()
    except Exception:  # noqa: BLE001 - the scheduler picks the outbox up anyway
        logger.warning("could not enqueue the delivery job", exc_info=True)


@transaction.atomic
def urgent_report_create(
    *, actor, text: str, place: str = "", subject=None, record=None, task=None
) -> UrgentReport:
    """Send an urgent report about a subject, a record or a task (or none) at once."""
    if not policy.can(actor, Action.URGENT_SEND):
        raise PermissionDenied
    if subject is not None and not policy.can(actor, Action.SUBJECT_VIEW, subject):
        raise PermissionDenied
    if record is not None and not policy.can(actor, Action.SUBJECT_VIEW, record):
        raise PermissionDenied
    if task is not None and not policy.can(actor, Action.TASK_VIEW, task):
        raise PermissionDenied
    if len(_text(text)) < 2:
        raise ValidationError({"text": [_("Say what happened.")]})
    anchor = subject or record or task
    station = anchor.station if anchor is not None else actor.unit.station
    if station is None:
        raise ValidationError(_("Urgent reports are sent from a station."))
    now = timezone.now()
    report = UrgentReport.objects.create(
        station=station,
        author=actor,
        subject=subject,
        record=record,
        task=task,
        text=_text(text),
        place=_text(place)[:200],
        created_at=now,
        ack_due_at=now + ack_window(),
    )
    people = chain_audience(report, UrgentLevel.ON_DUTY, now)
    if not people:  # nobody at the station: go straight to the bureau
        report.level = UrgentLevel.BUREAU
        report.save(update_fields=["level"])
        people = chain_audience(report, UrgentLevel.BUREAU, now)
    _queue(report, report.level, people)
    record_event(
        actor=actor,
        action="urgent.create",
        obj=report,
        recipients="、".join(u.real_name for u in people)[:300],
        details={
            "subject": subject.pk if subject else None,
            "record": record.pk if record else None,
            "task": task.pk if task else None,
        },
    )
    return report


@transaction.atomic
def urgent_acknowledge(*, actor, report: UrgentReport, note: str = "") -> UrgentReport:
    report = UrgentReport.objects.select_for_update().get(pk=report.pk)
    if not policy.can(actor, Action.URGENT_ACKNOWLEDGE, report):
        raise PermissionDenied
    if report.status != UrgentStatus.OPEN:
        raise ValidationError(_("This urgent report has already been acknowledged."))
    report.status = UrgentStatus.ACKNOWLEDGED
    report.acknowledged_by, report.acknowledged_at = actor, timezone.now()
    report.ack_note = _text(note)[:300]
    report.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "ack_note"])
    record_event(
        actor=actor, action="urgent.acknowledge", obj=report, details={"note": report.ack_note}
    )
    notify(
        [report.author],
        _("%(name)s acknowledged your urgent report.") % {"name": actor.real_name}
        + (f" {report.ack_note}" if report.ack_note else ""),
        url=report.get_absolute_url(),
    )
    return report


def run_urgent_escalation(now: datetime | None = None) -> int:
    """Move every report whose acknowledgement is overdue one step up the chain. Idempotent: a
    report climbs once per window, and the bureau is the top."""
    now = now or timezone.now()
    moved = 0
    due = UrgentReport.objects.filter(
        status=UrgentStatus.OPEN, ack_due_at__lte=now, level__lt=UrgentLevel.BUREAU
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            report = UrgentReport.objects.select_for_update().get(pk=pk)
            if report.status != UrgentStatus.OPEN or report.ack_due_at > now:
                continue
            if report.level >= UrgentLevel.BUREAU:
                continue
            report.level += 1
            people = chain_audience(report, report.level, now)
            reached = set(report.deliveries.values_list("recipient_id", flat=True))
            if report.level < UrgentLevel.BUREAU and not {u.pk for u in people} - reached:
                # nobody new at this step (no roster: the leaders had it already): go on up
                report.level = UrgentLevel.BUREAU
                people = chain_audience(report, report.level, now)
            report.ack_due_at = now + ack_window()
            report.save(update_fields=["level", "ack_due_at"])
            _queue(report, report.level, people)
            record_event(
                actor=None,
                actor_name="system",
                action="urgent.escalate",
                obj=report,
                recipients="、".join(u.real_name for u in people)[:300],
                details={"level": report.level},
            )
            moved += 1
    return moved


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most 10 min between attempts; never given up."""
    return timedelta(seconds=min(600, 30 * 2 ** max(0, attempts - 1)))


def deliver_pending(now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Send what the outbox holds and is due. Returns (delivered, failed this round)."""
    with translation.override(settings.LANGUAGE_CODE):  # messages and errors in the default
        return _deliver(now or timezone.now(), limit)


def _deliver(now: datetime, limit: int) -> tuple[int, int]:
    """Each message: claimed in one short statement, sent outside any transaction (a slow mail
    server or gateway must not hold database locks: on SQLite that would lock every writer out),
    then its outcome written in another. The claim pushes the next attempt out already, so a
    worker that dies while sending leaves the message to be retried, not lost; the SMS carries
    its id so the gateway can drop a repeat."""
    sent = failed = 0
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        delivery = _claim_delivery(pk, now)
        if delivery is None:  # another worker has it, or it went out meanwhile
            continue
        subject, body = _message(delivery.report)
        error = ""
        try:
            channels.send(delivery, subject, body)
        except Exception as exc:  # noqa: BLE001 - one bad message must not block the outbox
            if not isinstance(exc, channels.ChannelError):
                logger.exception("urgent report delivery %s: unexpected error", pk)
                exc = channels.ChannelError(f"{delivery.get_channel_display()}: {exc!r}")
            error = str(exc)[:300]
            failed += 1
            logger.warning("urgent report delivery %s failed: %s", pk, exc)
        else:
            sent += 1
        outcome = Delivery.objects.filter(pk=pk, attempts=delivery.attempts)
        if error:
            outcome.update(last_error=error)
        else:
            outcome.update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    return sent, failed


def _claim_delivery(pk: int, now: datetime) -> Delivery | None:
    """Take one due message for this round: count the attempt and set when the next one is due
    (the back-off), in a single conditional UPDATE that only one worker can win."""
    delivery = (
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .select_related("report__station", "report__author", "recipient")
        .first()
    )
    if delivery is None:
        return None
    attempts = delivery.attempts + 1
    won = Delivery.objects.filter(
        pk=pk,
        status=DeliveryStatus.PENDING,
        attempts=delivery.attempts,
        next_attempt_at__lte=now,
    ).update(attempts=attempts, next_attempt_at=now + _backoff(attempts))
    if not won:
        return None
    delivery.attempts = attempts
    return delivery
