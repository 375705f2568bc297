"""What sharing with partner departments adds to the pages of tracking and subjects: a task's
links (``tracking.task_page``), and on an incident's overview its participants and the
departments involved (``subjects.dossier``). Registered from ``IntelConfig.ready()``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casebook.subjects.choices import AssociationType, Kind
from casebook.subjects.models import Association
from casebook.tracking.models import TaskShare

from .models import PartnerLink
from .services.partner_links import may_manage_link

#: The audit codes of sharing with departments (written by tracking.partner_shares and
#: intel.services.partner_links).
AUDIT_ACTIONS = (
    ("task.share_partner", _("Task shared with a partner department")),
    ("task.share_done", _("Shared task completed")),
    ("partner.link_create", _("Partner link created")),
    ("partner.link_revoke", _("Partner link revoked")),
    ("partner.link_open", _("Partner link opened")),
    ("partner.answer", _("Partner department answered")),
)


def task_links(user, task):
    """The links of a task's department shares, with their answers."""
    return (
        PartnerLink.objects.restrict(user)
        .filter(share__task=task)
        .select_related("partner", "contact", "share", "created_by")
        .prefetch_related("answers__record")
    )


def incident_panel(request, subject) -> dict:
    """Participants and departments involved of an incident (nothing for other subjects)."""
    if subject.kind != Kind.INCIDENT:
        return {"is_incident": False, "partner_links": []}
    user = request.user
    links = list(
        PartnerLink.objects.restrict(user)
        .filter(Q(incident=subject) | Q(share__task__subjects=subject))
        .select_related("partner", "created_by")
        .prefetch_related("answers")
        .order_by("-created_at")
    )
    shares = (
        TaskShare.objects.restrict(user)
        .filter(task__subjects=subject, partner__isnull=False)
        .select_related("partner")
    )
    departments = {link.partner for link in links} | {s.partner for s in shares}
    participants = (
        Association.objects.restrict(user)
        .filter(
            Q(target_subject=subject, type=AssociationType.PARTICIPANT_IN)
            | Q(source_subject=subject, type=AssociationType.PARTICIPANT_IN)
        )
        .select_related("source_subject", "target_subject")
    )
    detail = getattr(subject, "incident", None)
    return {
        "is_incident": True,
        "partner_links": links,
        "departments_involved": sorted(departments, key=lambda p: p.name),
        "departments_text": detail.departments if detail else "",
        "people_involved": detail.people_involved if detail else None,
        "participants": [
            a.source_subject if a.target_subject_id == subject.pk else a.target_subject
            for a in participants
        ],
        "may_share": bool(links) or _may_share_incident(user, subject),
    }


def _may_share_incident(user, subject) -> bool:
    probe = PartnerLink(incident=subject)
    return may_manage_link(user, probe)
