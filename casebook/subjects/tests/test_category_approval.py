"""Categories are signed off (issue #14 item 9): the legal basis cites a law, an active category
has an impact statement, and a new or changed category waits for a bureau leader."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.subjects.category_approval import category_change_decide, cites_law
from casebook.subjects.category_services import category_save
from casebook.subjects.choices import ChangeStatus
from casebook.subjects.models import Category, CategoryChange
from conftest import login

NEW = {
    "code": "karaoke_bar",
    "kind": "place",
    "name": "歌舞厅",
    "name_en": "Dance hall",
    "description": "",
    "legal_basis": "《娱乐场所管理条例》第二十条",
    "review_cycle_days": 365,
    "visit_cycle_days": 60,
    "retention_class": "standard",
    "impact_assessment": "处理经营者信息，限于治安管理职责。",
    "is_active": True,
}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("《中华人民共和国治安管理处罚法》第四十二条", True),
        ("依据戒毒条例第八条", True),
        ("《娱乐场所管理条例》", True),
        ("所领导同意", False),
        ("《》", False),
        ("维稳需要", False),
        ("", False),
    ],
)
def test_legal_basis_must_cite_a_law(text, ok):
    assert cites_law(text) is ok


@pytest.mark.django_db
class TestSignOff:
    def test_new_category_pending_until_a_bureau_leader_approves(self, people):
        admin, leader = people["sysadmin"], people["bureau"]
        category = category_save(actor=admin, category=Category(), **NEW)
        category.refresh_from_db()
        assert not category.is_active  # pending: not usable yet
        change = CategoryChange.objects.get(category=category)
        assert change.status == ChangeStatus.PENDING and change.creating
        with pytest.raises(PermissionDenied):  # the proposer, or anyone but a bureau leader
            category_change_decide(actor=admin, change=change, approve=True)
        with pytest.raises(PermissionDenied):
            category_change_decide(actor=people["leader_a"], change=change, approve=True)
        category_change_decide(actor=leader, change=change, approve=True)
        category.refresh_from_db()
        assert category.is_active and category.name == "歌舞厅"
        assert AuditEvent.objects.filter(action="category.approve", actor_id=leader.pk).exists()
        with pytest.raises(ValidationError):  # decided once
            category_change_decide(actor=leader, change=change, approve=False, note="x")

    def test_a_change_takes_effect_only_when_approved_and_a_rejection_needs_a_reason(self, people):
        category = Category.objects.get(code="prior_offender")
        values = {f: getattr(category, f) for f in NEW if f != "code"}
        category_save(
            actor=people["sysadmin"],
            category=Category.objects.get(pk=category.pk),
            **{**values, "review_cycle_days": 30},
        )
        category.refresh_from_db()
        assert category.review_cycle_days != 30
        change = CategoryChange.objects.get(category=category, status=ChangeStatus.PENDING)
        with pytest.raises(ValidationError):
            category_change_decide(actor=people["bureau"], change=change, approve=False)
        category_change_decide(
            actor=people["bureau"], change=change, approve=False, note="周期过短"
        )
        category.refresh_from_db()
        assert category.review_cycle_days != 30

    def test_basis_without_a_law_and_activation_without_impact_refused(self, people):
        with pytest.raises(ValidationError) as exc:
            category_save(
                actor=people["sysadmin"],
                category=Category(),
                **{**NEW, "legal_basis": "领导批示", "impact_assessment": ""},
            )
        assert {"legal_basis", "impact_assessment"} & set(exc.value.message_dict)
        with pytest.raises(ValidationError) as exc:
            category_save(
                actor=people["sysadmin"], category=Category(), **{**NEW, "impact_assessment": ""}
            )
        assert "impact_assessment" in exc.value.message_dict
        assert not Category.objects.filter(code="karaoke_bar").exists()
        assert not CategoryChange.objects.exists()

    def test_page_for_the_bureau_leader_only(self, people, make_user, org):
        category_save(actor=people["sysadmin"], category=Category(), **NEW)
        change = CategoryChange.objects.get()
        leader = login(Client(), people["bureau"])
        assert "歌舞厅" in leader.get("/subjects/categories/changes/").content.decode()
        officer = login(Client(), people["officer_a"])
        assert officer.get("/subjects/categories/changes/").status_code == 403
        other = login(Client(), make_user(Role.BUREAU_LEADER, org["other_bureau"]))
        assert "歌舞厅" not in other.get("/subjects/categories/changes/").content.decode()
        response = other.post(f"/subjects/categories/changes/{change.pk}/", {"decision": "approve"})
        assert response.status_code == 404
        leader.post(f"/subjects/categories/changes/{change.pk}/", {"decision": "approve"})
        change.refresh_from_db()
        assert change.status == ChangeStatus.APPROVED
