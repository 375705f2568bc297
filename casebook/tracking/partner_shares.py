"""Sharing a task with a partner department (regulation 一(三)4 协作配合, 四(五)): the share is a
``TaskShare`` naming the department instead of an officer; the department answers through a
secure link (``intel.PartnerLink``, which calls :func:`task_share_done` when it marks the share
done). A share with an officer is completed by that officer with :func:`task_share_done` too."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event

from .choices import Stage
from .models import Task, TaskShare
from .notify import notify


def may_share_with_partner(user, task: Task) -> bool:
    """The lead, the team and the station's leaders share a task with a department."""
    return policy.can(user, Action.TASK_WORK, task)


@transaction.atomic
def task_share_partner(*, actor, task: Task, partner, request: str) -> TaskShare:
    if not may_share_with_partner(actor, task):
        raise PermissionDenied(_("Only those who work on the task share it."))
    if task.stage == Stage.ARCHIVED:
        raise ValidationError({"partner": [_("The task is archived.")]})
    if partner is None or not partner.is_active or partner.bureau_id != task.station.parent_id:
        raise ValidationError({"partner": [_("Choose a department of the bureau's register.")]})
    if not (request or "").strip():
        raise ValidationError({"request": [_("Say what you ask of them.")]})
    share = TaskShare.objects.create(
        task=task,
        unit=task.station,
        partner=partner,
        request=request.strip(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="task.share_partner",
        obj=task,
        recipients=partner.name,
        details={"share": share.pk, "partner": partner.pk},
    )
    return share


@transaction.atomic
def task_share_done(*, share: TaskShare, actor=None, actor_name: str = "") -> TaskShare:
    """Mark a share done: by its assignee (an officer), or — ``actor`` None, ``actor_name`` the
    department — by a partner through its link (the link's service has checked the token)."""
    share = (
        TaskShare.objects.select_for_update(of=("self",))
        .select_related("task", "partner")
        .get(pk=share.pk)
    )
    if actor is not None and actor.pk != share.assignee_id:
        raise PermissionDenied(_("Only the officer it was shared with marks it done."))
    if actor is None and share.partner_id is None:
        raise PermissionDenied(_("Only the officer it was shared with marks it done."))
    if share.done_at is not None:
        return share
    share.done_at = timezone.now()
    share.save(update_fields=["done_at"])
    who = actor.real_name if actor is not None else (actor_name or share.partner.name)
    record_event(
        actor=actor,
        actor_name="" if actor is not None else f"partner: {who}",
        action="task.share_done",
        obj=share.task,
        details={"share": share.pk},
    )
    notify(
        [share.task.lead],
        _("%(who)s has completed what was asked on %(title)s")
        % {"who": who, "title": share.task.title},
        url=share.task.get_absolute_url(),
        task=share.task,
        kind="share",
    )
    return share
