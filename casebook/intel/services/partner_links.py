"""Secure links for partner departments (regulation 一(三)4, 四(五)): a task or an incident is
shared with a department of the bureau's register; the department opens the link (no account),
reads the summary the officer chose, and answers — text and an optional attachment — which
becomes an information record of the task (channel "another department", unverified, in the
去伪存真 verification like any other record). The task's lead is notified.

The token is 256 random bits shown once to the officer; only its keyed hash is stored. A link
expires, can be revoked, and every opening — and every refused attempt — is audited. A wrong,
expired or revoked token gets the same 404.
"""

import secrets
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core.validators import collect, validate_plain_name, validate_text_length
from casebook.crypto.services import blind_index, data_key_create, system_mac
from casebook.subjects.choices import Kind
from casebook.tracking.notify import notify
from casebook.tracking.partner_shares import (
    may_share_with_partner,
    task_share_done,
    task_share_partner,
)

from ..choices import Channel, InfoAssessment, Method, SourceEvaluation
from ..models import PartnerAnswer, PartnerLink
from .attachments import attachment_add
from .records import record_create

#: Longest and default life of a link, in days.
MAX_DAYS, DEFAULT_DAYS = 30, 7
#: Openings of partner links per client address and hour; answers per link and hour.
OPEN_LIMIT, ANSWER_LIMIT = 60, 10


class LinkRefused(Exception):
    """Too many requests: the page says so without saying whether the link exists."""


def _hash(token: str) -> str:
    return system_mac("partner-link", token.encode()).hex()


def _summary_errors(summary: str, request: str) -> dict:
    errors: dict[str, list] = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Write what the department may see.")]
    if not (request or "").strip():
        errors["request"] = [_("Say what you ask of them.")]
    collect(errors, "summary", validate_text_length, (summary or "").strip(), 3000)
    collect(errors, "request", validate_text_length, (request or "").strip(), 1000)
    return errors


def _check_partner(actor, partner, contact, station) -> dict:
    errors: dict[str, list] = {}
    if partner is None or not partner.is_active or partner.bureau_id != station.parent_id:
        errors["partner"] = [_("Choose a department of the bureau's register.")]
    elif contact is not None and (contact.partner_id != partner.pk or not contact.is_active):
        errors["contact"] = [_("Choose a contact of this department.")]
    return errors


def _new_link(*, actor, partner, contact, station, summary, request, days, **target):
    token = secrets.token_urlsafe(32)
    link = PartnerLink(
        partner=partner,
        contact=contact,
        station=station,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
        data_key=data_key_create(label=f"partner-link:{uuid.uuid4().hex}"),
        **target,
    )
    link.summary, link.request = summary.strip(), request.strip()
    link.save()
    return link, token


def _days(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": [_("A link is valid for 1 to %(n)s days.") % {"n": MAX_DAYS}]}
        )
    return days


@transaction.atomic
def link_for_task(
    *, actor, task, partner, summary: str, request: str, contact=None, days=DEFAULT_DAYS
) -> tuple[PartnerLink, str]:
    """Share ``task`` with ``partner``: a ``TaskShare`` naming the department and its link.
    Returns the link and the token, which is shown once and never stored."""
    if not may_share_with_partner(actor, task):
        raise PermissionDenied(_("Only those who work on the task share it."))
    errors = _summary_errors(summary, request) | _check_partner(
        actor, partner, contact, task.station
    )
    try:
        days = _days(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    share = task_share_partner(actor=actor, task=task, partner=partner, request=request)
    link, token = _new_link(
        actor=actor,
        partner=partner,
        contact=contact,
        station=task.station,
        summary=summary,
        request=request,
        days=days,
        share=share,
    )
    record_event(
        actor=actor,
        action="partner.link_create",
        obj=task,
        recipients=f"{partner.name}" + (f"（{contact.name}）" if contact else ""),
        details={"link": link.pk, "partner": partner.pk, "days": days},
    )
    return link, token


@transaction.atomic
def link_for_incident(
    *, actor, incident, partner, summary: str, request: str, contact=None, days=DEFAULT_DAYS
) -> tuple[PartnerLink, str]:
    """Share an incident with a department (the answer becomes a record of the incident)."""
    if incident.kind != Kind.INCIDENT:
        raise ValidationError({"incident": [_("Only incidents are shared this way.")]})
    if not policy.can(actor, Action.SUBJECT_EDIT, incident) and not policy.can(
        actor, Action.SUBJECT_APPROVE, incident
    ):
        raise PermissionDenied(_("Only the officers of the incident share it."))
    errors = _summary_errors(summary, request) | _check_partner(
        actor, partner, contact, incident.station
    )
    try:
        days = _days(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    link, token = _new_link(
        actor=actor,
        partner=partner,
        contact=contact,
        station=incident.station,
        summary=summary,
        request=request,
        days=days,
        incident=incident,
    )
    record_event(
        actor=actor,
        action="partner.link_create",
        obj=incident,
        recipients=partner.name,
        details={"link": link.pk, "partner": partner.pk, "days": days},
    )
    return link, token


def may_manage_link(user, link: PartnerLink) -> bool:
    if link.share_id:
        return may_share_with_partner(user, link.share.task)
    return policy.can(user, Action.SUBJECT_EDIT, link.incident) or policy.can(
        user, Action.SUBJECT_APPROVE, link.incident
    )


@transaction.atomic
def link_revoke(*, actor, link: PartnerLink) -> PartnerLink:
    if not may_manage_link(actor, link):
        raise PermissionDenied(_("Only those who work on the task revoke its links."))
    link = PartnerLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            actor=actor,
            action="partner.link_revoke",
            obj=link.task or link.incident,
            details={"link": link.pk},
        )
    return link


def _limit(key: str, limit: int) -> None:
    count = cache.get(key, 0)
    if count >= limit:
        raise LinkRefused
    cache.set(key, count + 1, 3600)


def link_open(token: str, *, ip: str) -> PartnerLink | None:
    """The link of ``token`` if it is valid now, counted and audited; None otherwise (the
    refusal is audited too, without the token). Raises LinkRefused when the address has opened
    too many links this hour."""
    _limit(f"partner-open:{blind_index(ip or 'unknown', kind='partner-ip')}", OPEN_LIMIT)
    if not token or len(token) > 100:
        return None
    link = (
        PartnerLink.objects.select_related("partner", "share__task", "incident")
        .filter(token_hash=_hash(token))
        .first()
    )
    now = timezone.now()
    if link is None or not link.is_open(now):
        record_event(
            actor=None,
            actor_name="partner",
            action="partner.link_open",
            outcome="denied",
            object_type="intel.partnerlink",
            object_id=str(link.pk) if link else "",
            details={"reason": "unknown" if link is None else "expired or revoked"},
        )
        return None
    with transaction.atomic():
        PartnerLink.objects.filter(pk=link.pk).update(
            opened_count=F("opened_count") + 1, last_opened_at=now
        )
        record_event(
            actor=None,
            actor_name=f"partner: {link.partner.name}",
            action="partner.link_open",
            obj=link.task or link.incident,
            details={"link": link.pk},
        )
    return link


def link_answer(
    *,
    link: PartnerLink,
    text: str,
    answered_by: str = "",
    done: bool = False,
    file_name: str = "",
    data: bytes = b"",
) -> PartnerAnswer:
    """The department's answer: an information record of the task (or incident), with the
    optional attachment; ``done`` completes the share. ``link`` comes from :func:`link_open`."""
    _limit(f"partner-answer:{link.pk}", ANSWER_LIMIT)
    errors: dict[str, list] = {}
    text, answered_by = (text or "").strip(), (answered_by or "").strip()
    if len(text) < 2:
        errors["text"] = [_("Write your answer.")]
    collect(errors, "text", validate_text_length, text, 5000)
    collect(errors, "answered_by", validate_plain_name, answered_by)
    collect(errors, "answered_by", validate_text_length, answered_by, 50)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = PartnerLink.objects.select_for_update().get(pk=link.pk)
        if not link.is_open():
            raise PermissionDenied
        task = link.task
        subjects = list(task.subjects.all()) if task else [link.incident]
        source = link.partner.name + (f"（{answered_by}）" if answered_by else "")
        # recorded in the name of the officer who shared: the department has no account; the
        # record names it as the source and its own event says who answered
        record = record_create(
            actor=link.created_by,
            subjects=subjects,
            task=task,
            method=Method.COLLECTION,
            channel=Channel.DEPARTMENT,
            occurred_at=timezone.now(),
            content=_("Answer of %(source)s: %(text)s") % {"source": source, "text": text},
            source_evaluation=SourceEvaluation.UNTESTED,
            info_assessment=InfoAssessment.INDIRECT,
            observations={"partner": link.partner.name, "partner_link": link.pk},
        )
        if data:
            attachment_add(actor=link.created_by, record=record, name=file_name, data=data)
        answer = PartnerAnswer.objects.create(
            link=link, record=record, answered_by=answered_by[:50], marked_done=done
        )
        record_event(
            actor=None,
            actor_name=f"partner: {source}"[:80],
            action="partner.answer",
            obj=task or link.incident,
            details={"link": link.pk, "record": record.pk, "done": done, "file": bool(data)},
        )
        if done and link.done_at is None:
            link.done_at = timezone.now()
            link.save(update_fields=["done_at"])
            if link.share_id:
                task_share_done(share=link.share, actor_name=link.partner.name)
        people = [task.lead] if task else [link.created_by]
        notify(
            people,
            _("%(partner)s answered: %(title)s")
            % {"partner": link.partner.name, "title": task.title if task else link.incident.name},
            url=task.get_absolute_url() if task else link.incident.get_absolute_url(),
            task=task,
            kind="share",
        )
    return answer
