"""Every read of the reports module that a view, command or other module uses, scoped by
``access``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.audit.models import AuditEvent
from casebook.intel.selectors import get_record
from casebook.subjects.selectors import get_subject
from casebook.tracking.models import Task

from .archive import local_time
from .choices import Channel, DeliveryStatus, FeedbackStatus, UrgentStatus
from .models import Delivery, Export, FeedbackReport, PeriodicReport, UrgentReport


def visible_feedback(user):
    return FeedbackReport.objects.restrict(user, Action.FEEDBACK_VIEW)


def visible_urgent(user):
    return UrgentReport.objects.restrict(user, Action.URGENT_VIEW)


def feedback_awaiting(user):
    """Feedback reports addressed to the user that still wait for an instruction."""
    return (
        FeedbackReport.objects.filter(receipts__user=user, status=FeedbackStatus.SUBMITTED)
        .select_related("task", "author")
        .order_by("submitted_at")
    )


def urgent_awaiting(user):
    """Open urgent reports the user may acknowledge, oldest first: what the red banner and the
    inbox show until someone acknowledges them."""
    return (
        visible_urgent(user)
        .restrict(user, Action.URGENT_ACKNOWLEDGE)
        .filter(status=UrgentStatus.OPEN)
        .select_related("author", "station", "subject")
        .order_by("created_at")
    )


def urgent_alerts(user):
    """Open urgent reports that reached the user (the red banner on every page): a leader
    further up the chain is alerted only once the report has climbed to them."""
    return (
        UrgentReport.objects.filter(status=UrgentStatus.OPEN, deliveries__recipient=user)
        .exclude(author=user)
        .distinct()
        .select_related("author")
        .order_by("created_at")
    )


def urgent_anchor(user, *, subject=None, record=None, task=None) -> dict:
    """What an urgent report is about, given by ids, each fetched the one scoped way of its
    module: what the user may not see answers 404 (pages and API alike)."""

    anchor = {}
    if subject:
        anchor["subject"] = get_subject(user, subject)
    if record:
        anchor["record"] = get_record(user, record)
    if task:
        anchor["task"] = get_for_user_or_404(user, Task, Action.TASK_VIEW, pk=task)
    return anchor


@dataclass
class Step:
    at: datetime
    text: str
    state: str = ""  # "ok", "wait", "fail" — the colour of the dot


def urgent_timeline(report: UrgentReport) -> list[Step]:
    """Each delivery and the acknowledgement, in order: the proof that the report reached
    someone, when, by which channel, and who answered."""
    steps = [
        Step(
            report.created_at,
            _("%(name)s sent the report") % {"name": report.author.real_name},
            "ok",
        )
    ]
    for e in AuditEvent.objects.filter(
        object_type="reports.urgentreport", object_id=str(report.pk), action="urgent.escalate"
    ).order_by("seq"):
        steps.append(
            Step(
                e.occurred_at,
                _("Not acknowledged in time: escalated to %(who)s") % {"who": e.recipients or "—"},
                "fail",
            )
        )
    for d in report.deliveries.select_related("recipient").order_by("created_at", "pk"):
        who = {"name": d.recipient.real_name, "channel": d.get_channel_display()}
        if d.status == DeliveryStatus.SENT:
            text = _("Delivered to %(name)s by %(channel)s") % who
            if d.attempts > 1:
                text += " " + _("(after %(n)s attempts)") % {"n": d.attempts}
            steps.append(Step(d.sent_at or d.created_at, text, "ok"))
        elif d.status == DeliveryStatus.PENDING:
            text = _("Queued for %(name)s by %(channel)s") % who
            if d.attempts:
                text += " " + _("— attempt %(n)s failed (%(error)s), retrying at %(at)s") % {
                    "n": d.attempts,
                    "error": d.last_error,
                    "at": timezone.localtime(d.next_attempt_at).strftime("%H:%M:%S"),
                }
            steps.append(Step(d.created_at, text, "wait"))
        elif d.channel != Channel.IN_APP:
            steps.append(
                Step(
                    d.created_at,
                    _("Not sent to %(name)s by %(channel)s: %(why)s")
                    % {**who, "why": d.last_error},
                    "",
                )
            )
    if report.acknowledged_at:
        text = _("Acknowledged by %(name)s") % {"name": report.acknowledged_by.real_name}
        if report.ack_note:
            text += f"：{report.ack_note}"
        steps.append(Step(report.acknowledged_at, text, "ok"))
    steps.sort(key=lambda s: s.at)
    return steps


def my_exports(user):
    return (
        Export.objects.filter(user=user)
        .defer("content")
        .select_related("subject")
        .order_by("-created_at")
    )


def visible_periodic_reports(user):
    return (
        PeriodicReport.objects.defer("content")
        .select_related("station")
        .restrict(user, Action.STATION_DASHBOARD)
    )


@dataclass
class Issued:
    """A document this system issued, found by its digest (for ``verify_export``)."""

    text: str

    def describe(self) -> str:
        return self.text


#: Higher apps (retention: destruction certificates, audit review reports) register a lookup
#: ``fn(digest) -> Issued | None`` for the sealed documents they keep, from ``AppConfig.ready()``.
_ISSUED_LOOKUPS: list = []


def register_issued_lookup(lookup) -> None:
    """Let ``verify_export`` find the documents a higher app issues (by their digest)."""
    if lookup not in _ISSUED_LOOKUPS:
        _ISSUED_LOOKUPS.append(lookup)


def issued_document(digest: str) -> Issued | None:
    for lookup in _ISSUED_LOOKUPS:
        found = lookup(digest)
        if found is not None:
            return found

    export = (  # the signed original, or a PDF's transport copy encrypted for its recipient
        Export.objects.filter(Q(digest=digest) | Q(transport_digest=digest))
        .select_related("user")
        .first()
    )
    if export is not None:
        return Issued(
            _(
                "Export %(ref)s “%(title)s” by %(name)s (%(number)s) at %(time)s, purpose: %(purpose)s"
            )
            % {
                "ref": export.reference,
                "title": export.title,
                "name": export.user.real_name,
                "number": export.user.username,
                "time": local_time(export.created_at),
                "purpose": export.purpose,
            }
        )
    report = PeriodicReport.objects.filter(digest=digest).select_related("station").first()
    if report is not None:
        return Issued(
            _("Periodic report %(ref)s of %(station)s, %(start)s to %(end)s")
            % {
                "ref": report.reference,
                "station": report.station.name,
                "start": report.starts_on,
                "end": report.ends_on,
            }
        )
    return None


def outbox_health(now: datetime) -> list[str]:
    """For ``/healthz`` (registered in ``ReportsConfig.ready``): urgent-report messages still
    queued after ``CASEBOOK_HEALTH_OUTBOX_MAX_AGE_SECONDS``. A count only, nothing of whom."""
    limit = settings.CASEBOOK_HEALTH_OUTBOX_MAX_AGE_SECONDS
    if not limit:
        return []
    waiting = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, created_at__lt=now - timedelta(seconds=limit)
    ).count()
    return [f"outbox: {waiting} urgent messages queued for more than {limit} s"] if waiting else []
