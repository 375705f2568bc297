"""The last two decision kinds carry the keyed MAC (issue #14 item 4; SECURITY.md D3): a
category change with the bureau leader's decision and a legal hold with its release; and the
decision pages check the rows they show on read — the destruction proposal page (proposal,
approvals, certificate) and the access requests' page — warning the reader and recording an
``integrity.mismatch`` event when one was changed behind the application's back."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from casebook.accounts.roles import Role
from casebook.accounts.services import grant_request_reject, user_change_access
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification
from casebook.crypto.models import IntegrityTag
from casebook.retention import integrity, services
from casebook.retention.models import DestructionApproval, DestructionProposal, LegalHold
from casebook.subjects.category_approval import category_change_decide, propose
from casebook.subjects.choices import ChangeStatus
from casebook.subjects.models import Category, CategoryChange
from casebook.testing.factories import PersonFactory
from conftest import login

pytestmark = pytest.mark.django_db

WARNING = 'data-testid="integrity-warning"'


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify(capsys) -> tuple[int, str]:
    try:
        call_command("integrity_verify")
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


@pytest.fixture
def admins(make_user, org):
    return {
        "sys": make_user(Role.SYSTEM_ADMIN, org["bureau"], real_name="系统管理员"),
        "sec": make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员"),
        "boss": make_user(Role.BUREAU_LEADER, org["bureau"], real_name="局领导"),
    }


@pytest.fixture
def change(admins):
    """A category change proposed by the system administrator, rejected by the bureau leader."""
    category = Category.objects.get(code="prior_offender")
    proposed = propose(
        actor=admins["sys"], category=category, creating=False, values={"name": category.name}
    )
    return category_change_decide(
        actor=admins["boss"], change=proposed, approve=False, note="无需修改"
    )


@pytest.fixture
def hold(crew):
    """A legal hold placed by the station leader, then released."""
    person = PersonFactory(actor=crew["leader"], officers=[crew["officer"]], name="留存人")
    placed = services.legal_hold_place(
        actor=crew["leader"], subject=person, kind="litigation", reference="（2026）某民初1号"
    )
    return services.legal_hold_release(actor=crew["leader"], hold=placed, reason="诉讼终结")


@pytest.fixture
def approved(crew, org):
    proposal = DestructionProposal.objects.create(
        reference="DP-TA-20261202-standard", station=org["a"], retention_class="standard"
    )
    services.destruction_approve(actor=crew["leader"], proposal=proposal)
    return proposal


def test_category_changes_and_holds_are_tagged_and_an_untouched_database_verifies(
    change, hold, capsys
):
    for model, pk in [("subjects.categorychange", change.pk), ("retention.legalhold", hold.pk)]:
        assert IntegrityTag.objects.filter(model=model, object_id=str(pk)).exists(), model
    code, out = _verify(capsys)
    assert code == 0 and "OK" in out, out


def test_a_superseded_change_keeps_a_valid_tag(admins):
    category = Category.objects.get(code="prior_offender")
    first = propose(actor=admins["sys"], category=category, creating=False, values={"name": "甲"})
    propose(actor=admins["sys"], category=category, creating=False, values={"name": "乙"})
    first.refresh_from_db()
    assert first.status == ChangeStatus.SUPERSEDED
    assert integrity.verify_all() == []


def test_a_rejected_category_change_turned_approved_is_reported(change, admins, capsys):
    CategoryChange.objects.filter(pk=change.pk).update(status=ChangeStatus.APPROVED)
    code, out = _verify(capsys)
    assert code == 1 and f"subjects.categorychange#{change.pk}: changed" in out
    # another decider put on it behind the app's back is reported the same way
    CategoryChange.objects.filter(pk=change.pk).update(
        status=ChangeStatus.REJECTED, decided_by=admins["sys"]
    )
    assert [(m.model, m.problem) for m in integrity.verify_all()] == [
        ("subjects.categorychange", "changed")
    ]


def test_a_released_hold_erased_from_the_record_is_reported(hold, capsys):
    # the release hidden (the hold looks active again), or its reason rewritten
    LegalHold.objects.filter(pk=hold.pk).update(released_at=None, released_by=None)
    code, out = _verify(capsys)
    assert code == 1 and f"retention.legalhold#{hold.pk}: changed" in out
    assert "categorychange" not in out


def test_the_proposal_page_warns_when_its_approval_was_changed(approved, crew, admins):
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["leader"])
    url = f"/retention/proposals/{approved.pk}/"
    page = client.get(url).content.decode()
    assert WARNING not in page
    assert not AuditEvent.objects.filter(action="integrity.mismatch").exists()

    approval = DestructionApproval.objects.get(proposal=approved)
    DestructionApproval.objects.filter(pk=approval.pk).update(user=admins["boss"])
    page = client.get(url).content.decode()
    assert WARNING in page and "changed outside Casebook" in page
    assert f"retention.destructionapproval #{approval.pk}" in page
    event = AuditEvent.objects.get(action="integrity.mismatch")
    assert event.object_type == "retention.destructionapproval"
    assert event.object_id == str(approval.pk) and event.actor_id == crew["leader"].pk


def test_the_access_requests_page_warns_when_a_decision_was_changed(admins, crew):
    request = user_change_access(
        actor=admins["sys"], user=crew["officer"], clearance=Classification.SECRET
    )
    grant_request_reject(actor=admins["sec"], request=request, note="无此必要")
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), admins["sec"])
    assert WARNING not in client.get("/accounts/grants/").content.decode()

    _sql("UPDATE accounts_grantrequest SET status = %s WHERE id = %s", "approved", request.pk)
    page = client.get("/accounts/grants/").content.decode()
    assert WARNING in page and f"accounts.grantrequest #{request.pk}" in page
    assert AuditEvent.objects.filter(
        action="integrity.mismatch", object_id=str(request.pk), actor_id=admins["sec"].pk
    ).exists()


def test_existing_changes_and_holds_are_tagged_at_migrate(change, hold):
    """An upgraded database: rows written before these models were covered have no tag; the
    post_migrate backfill (``seal_untagged``) tags them, audited."""
    IntegrityTag.objects.filter(
        model__in=["subjects.categorychange", "retention.legalhold"]
    ).delete()
    assert {m.model for m in integrity.verify_all()} == {
        "subjects.categorychange",
        "retention.legalhold",
    }
    assert integrity.seal_untagged() >= 2
    assert integrity.verify_all() == []
    assert AuditEvent.objects.filter(action="integrity.seal").exists()
