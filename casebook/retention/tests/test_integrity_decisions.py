"""The decisions the audit relies on carry the keyed MAC too (issue #14 item 4; SECURITY.md D3):
a destruction proposal, its approvals and its certificate's register row, and an access request
with its decision. A column changed in the database behind the application's back is reported
by ``manage.py integrity_verify`` (exit 1, the row named); an untouched database verifies."""

import pytest
from django.core.management import call_command
from django.db import connection

from casebook.accounts.roles import Role
from casebook.accounts.services import (
    grant_request_approve,
    grant_request_reject,
    user_change_access,
)
from casebook.core.choices import Classification
from casebook.crypto.models import IntegrityTag
from casebook.retention import integrity, services
from casebook.retention.models import DestructionApproval, DestructionProposal
from casebook.retention.services.destruction import _certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(make_user, org):
    return {
        "sys": make_user(Role.SYSTEM_ADMIN, org["bureau"], real_name="系统管理员"),
        "sec": make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员"),
    }


@pytest.fixture
def approved(crew, org):
    """A proposal of station A with the station leader's approval (one of the two)."""
    proposal = DestructionProposal.objects.create(
        reference="DP-TA-20260302-standard", station=org["a"], retention_class="standard"
    )
    services.destruction_approve(actor=crew["leader"], proposal=proposal)
    return proposal


@pytest.fixture
def grants(crew, admins):
    """An approved request (officer → secret) and a rejected one (analyst → secret)."""
    approved = user_change_access(
        actor=admins["sys"], user=crew["officer"], clearance=Classification.SECRET
    )
    grant_request_approve(actor=admins["sec"], request=approved, note="核准")
    rejected = user_change_access(
        actor=admins["sys"], user=crew["analyst"], clearance=Classification.SECRET
    )
    grant_request_reject(actor=admins["sec"], request=rejected, note="无此必要")
    return {"approved": approved, "rejected": rejected}


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify(capsys) -> tuple[int, str]:
    try:
        call_command("integrity_verify")
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_decisions_are_tagged_on_write_and_an_untouched_database_verifies(approved, grants, capsys):
    approval = DestructionApproval.objects.get(proposal=approved)
    for model, pk in [
        ("retention.destructionproposal", approved.pk),
        ("retention.destructionapproval", approval.pk),
        ("accounts.grantrequest", grants["approved"].pk),
        ("accounts.grantrequest", grants["rejected"].pk),
    ]:
        assert IntegrityTag.objects.filter(model=model, object_id=str(pk)).exists(), model
    code, out = _verify(capsys)
    assert code == 0 and "OK" in out, out


def test_a_changed_approver_is_reported(approved, crew, admins, capsys):
    approval = DestructionApproval.objects.get(proposal=approved)
    # someone with database access puts another person's name on the approval
    _sql(
        "UPDATE retention_destructionapproval SET user_id = %s WHERE id = %s",
        admins["sec"].pk,
        approval.pk,
    )
    code, out = _verify(capsys)
    assert code == 1
    assert f"retention.destructionapproval#{approval.pk}: changed" in out
    assert "destructionproposal" not in out  # only the changed row is named


def test_a_forged_second_approval_row_is_reported_as_untagged(approved, admins, capsys):
    _sql(
        "INSERT INTO retention_destructionapproval (proposal_id, user_id, role, approved_at) "
        "VALUES (%s, %s, %s, %s)",
        approved.pk,
        admins["sec"].pk,
        "security_admin",
        "2026-03-02 01:00:00",
    )
    forged = DestructionApproval.objects.get(proposal=approved, role="security_admin")
    code, out = _verify(capsys)
    assert code == 1 and f"retention.destructionapproval#{forged.pk}: untagged" in out


def test_a_changed_proposal_is_reported(approved, capsys):
    _sql(
        "UPDATE retention_destructionproposal SET status = %s WHERE id = %s",
        "withdrawn",
        approved.pk,
    )
    code, out = _verify(capsys)
    assert code == 1 and f"retention.destructionproposal#{approved.pk}: changed" in out


def test_a_changed_certificate_row_is_reported(org, capsys):
    proposal = DestructionProposal.objects.create(
        reference="DP-TA-20260302-short", station=org["a"], retention_class="short"
    )
    certificate = _certificate(proposal, ["7:subject-key"])
    assert integrity.verify_all() == []
    _sql(
        "UPDATE retention_destructioncertificate SET item_count = 0, key_ids = %s WHERE id = %s",
        "[]",
        certificate.pk,
    )
    code, out = _verify(capsys)
    assert code == 1 and f"retention.destructioncertificate#{certificate.pk}: changed" in out


def test_a_rejected_request_turned_approved_is_reported(grants, admins, capsys):
    rejected = grants["rejected"]
    _sql("UPDATE accounts_grantrequest SET status = %s WHERE id = %s", "approved", rejected.pk)
    code, out = _verify(capsys)
    assert code == 1 and f"accounts.grantrequest#{rejected.pk}: changed" in out


def test_a_changed_decider_or_requested_access_is_reported(grants, admins):
    approved = grants["approved"]
    # the requester made the decider (a self-approval hidden in the database)
    _sql(
        "UPDATE accounts_grantrequest SET decided_by_id = %s WHERE id = %s",
        admins["sys"].pk,
        approved.pk,
    )
    assert [(m.model, m.object_id, m.problem) for m in integrity.verify_all()] == [
        ("accounts.grantrequest", str(approved.pk), "changed")
    ]
    # put back: intact again; then the clearance asked for changed
    _sql(
        "UPDATE accounts_grantrequest SET decided_by_id = %s WHERE id = %s",
        admins["sec"].pk,
        approved.pk,
    )
    assert integrity.verify_all() == []
    _sql(
        "UPDATE accounts_grantrequest SET clearance = %s WHERE id = %s",
        int(Classification.CONFIDENTIAL),
        approved.pk,
    )
    assert [m.object_id for m in integrity.verify_all()] == [str(approved.pk)]
