"""Categories are signed off (spec, scope decisions; issue #14 item 9).

* The legal basis of a category must cite a law or regulation: a title in 《…》 or the name of a
  known law (:func:`validate_legal_basis`).
* A category without an impact statement cannot be active (PIPL Art. 55, 56; SECURITY.md D8).
* A new or changed category is a :class:`CategoryChange`, pending until a bureau leader of the
  category's bureau approves it — a second person, since the system administrator proposes.
  Until then a new category stays inactive and a changed one keeps its approved values.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.roles import Role
from casebook.audit.services import record_event

from .choices import ChangeStatus
from .models import Category, CategoryChange

#: Laws and regulations a category's basis may name without 《》 (the ones the shipped
#: categories rest on, and the general ones of police work and personal information).
KNOWN_LAWS = (
    "中华人民共和国",
    "治安管理处罚法",
    "刑法",
    "刑事诉讼法",
    "人民警察法",
    "禁毒法",
    "戒毒条例",
    "社区矫正法",
    "反恐怖主义法",
    "突发事件应对法",
    "安全生产法",
    "消防法",
    "个人信息保护法",
    "娱乐场所管理条例",
    "互联网上网服务营业场所管理条例",
    "危险化学品安全管理条例",
    "公安机关办理行政案件程序规定",
)
_TITLE = re.compile(r"《[^《》\s]{2,}》")


def cites_law(text: str) -> bool:
    text = text or ""
    return bool(_TITLE.search(text)) or any(name in text for name in KNOWN_LAWS)


def validate_legal_basis(text: str) -> None:
    if not cites_law(text):
        raise ValidationError(
            {
                "legal_basis": [
                    _(
                        "The legal basis must cite a law or regulation, e.g. 《中华人民共和国"
                        "治安管理处罚法》 or 《戒毒条例》 with its article."
                    )
                ]
            }
        )


def validate_activation(values: dict) -> None:
    if values.get("is_active") and not (values.get("impact_assessment") or "").strip():
        raise ValidationError(
            {
                "impact_assessment": [
                    _("A category without an impact statement cannot be activated.")
                ]
            }
        )


def propose(*, actor, category: Category, creating: bool, values: dict) -> CategoryChange:
    """Record the proposed values (the category itself is not changed; a new one is saved
    inactive). Called inside the category service's transaction."""
    # saved one by one (a handful at most), so each keeps a valid integrity tag (SECURITY.md D3)
    for stale in CategoryChange.objects.select_for_update().filter(
        category=category, status=ChangeStatus.PENDING
    ):
        stale.status = ChangeStatus.SUPERSEDED
        stale.save(update_fields=["status"])
    return CategoryChange.objects.create(
        category=category, creating=creating, values=values, proposed_by=actor
    )


def may_decide(user, change: CategoryChange) -> bool:
    """A bureau leader of the category's bureau who did not propose it."""
    return (
        policy.reach(user, Action.CATEGORY_APPROVE) is not None
        and Role.BUREAU_LEADER in user.role_set
        and user.unit.bureau is not None
        and change.category.bureau_id == user.unit.bureau.pk
        and change.proposed_by_id != user.pk
    )


def pending_for(user):
    """The changes ``user`` decides (a bureau leader) or follows (the system administrator of
    the bureau); none for anyone else."""
    if user.unit.bureau is None or (
        policy.reach(user, Action.CATEGORY_APPROVE) is None
        and policy.reach(user, Action.CATEGORY_MANAGE) is None
    ):
        return CategoryChange.objects.none()
    return CategoryChange.objects.filter(
        category__bureau=user.unit.bureau, status=ChangeStatus.PENDING
    ).select_related("category", "proposed_by")


@transaction.atomic
def category_change_decide(*, actor, change: CategoryChange, approve: bool, note: str = ""):
    change = CategoryChange.objects.select_for_update().get(pk=change.pk)
    if not may_decide(actor, change):
        raise PermissionDenied(_("A bureau leader other than the proposer decides this change."))
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(_("This change is no longer pending."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the change is rejected.")]})
    category = Category.objects.select_for_update().get(pk=change.category_id)
    if approve:
        values = dict(change.values)
        validate_legal_basis(values.get("legal_basis", ""))
        validate_activation(values)
        for key, value in values.items():
            if key != "code" or change.creating:
                setattr(category, key, value)
        category.full_clean()
        category.save()
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.note = actor, timezone.now(), note[:300]
    change.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record_event(
        actor=actor,
        action="category.approve" if approve else "category.reject",
        obj=category,
        details={"change": change.pk, "note": note, "new": change.creating},
    )
    return change
