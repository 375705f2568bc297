"""The retention page, the proposal page and the processing register: who reaches them, what
they show, and their forms (bad input: a clear error, nothing written)."""

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.test import Client

from casebook.accounts.roles import Role
from casebook.retention import services
from casebook.retention.models import DestructionApproval, DestructionProposal, LegalHold
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject
from casebook.subjects.services import subject_set_status
from casebook.testing.factories import PersonFactory
from conftest import login

from .test_lifecycle import DAY0


@pytest.fixture
def secadmin(make_user, org):
    return make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员")


@pytest.fixture
def proposal(crew):
    person = PersonFactory(actor=crew["leader"], officers=[crew["officer"]], name="待销毁人")
    with time_machine.travel(DAY0, tick=False):
        subject_set_status(
            actor=crew["leader"], subject=person, status=Status.CLOSED, reason="结案"
        )
        services.review_run()
    with time_machine.travel(DAY0 + timedelta(days=3660), tick=False):
        services.propose_destructions()
    return DestructionProposal.objects.get()


@pytest.mark.django_db
class TestPages:
    def test_who_reaches_the_retention_page(self, crew, secadmin, proposal):
        assert login(Client(), crew["leader"]).get("/retention/").status_code == 200
        page = login(Client(), secadmin).get("/retention/").content.decode()
        assert proposal.reference in page
        for key in ("officer", "analyst", "admin"):
            assert login(Client(), crew[key]).get("/retention/").status_code == 403, key
        # the other station's leader: not its proposals
        other = login(Client(), crew["other_leader"])
        assert proposal.reference not in other.get("/retention/").content.decode()
        assert other.get(f"/retention/proposals/{proposal.pk}/").status_code == 404

    def test_approval_through_the_page_needs_the_confirmation(self, crew, secadmin, proposal):
        leader = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["leader"])  # message in English
        leader.post(f"/retention/proposals/{proposal.pk}/approve/", {})
        assert not DestructionApproval.objects.exists()  # not confirmed: nothing written
        leader.post(f"/retention/proposals/{proposal.pk}/approve/", {"confirm": "on"})
        again = leader.post(
            f"/retention/proposals/{proposal.pk}/approve/", {"confirm": "on"}, follow=True
        )
        assert "second person" in again.content.decode()
        assert DestructionApproval.objects.count() == 1
        login(Client(), secadmin).post(
            f"/retention/proposals/{proposal.pk}/approve/", {"confirm": "on"}
        )
        proposal.refresh_from_db()
        assert proposal.status == "destroyed"
        assert not Subject.objects.filter(name="待销毁人").exists()
        certificate = proposal.certificate
        response = login(Client(), secadmin).get(f"/retention/certificates/{certificate.pk}/")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert "待销毁人".encode() not in response.content

    def test_hold_form_refuses_bad_input_and_places_a_hold(self, crew, proposal):
        leader = login(Client(), crew["leader"])
        leader.post("/retention/holds/", {"kind": "litigation", "reference": ""})
        assert not LegalHold.objects.exists()
        subject_id = proposal.items[0]["id"]
        leader.post(
            "/retention/holds/",
            {"subject": subject_id, "kind": "litigation", "reference": "(2026)浙0102民初1号"},
        )
        assert LegalHold.objects.filter(subject_id=subject_id, released_at__isnull=True).exists()


@pytest.mark.django_db
class TestProcessingRegister:
    def test_security_and_audit_admins_view_and_export_it(self, crew, secadmin, make_user, org):
        for user in (secadmin, crew["auditor"]):
            client = login(Client(), user)
            page = client.get("/retention/register/").content.decode()
            assert "有违法犯罪前科人员" in page and "《" in page
            response = client.get("/retention/register.xlsx")
            assert response.status_code == 200
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            cells = " ".join(
                str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
            )
            assert "有违法犯罪前科人员" in cells
        for key in ("leader", "officer", "admin"):
            assert login(Client(), crew[key]).get("/retention/register/").status_code == 403
        # another bureau's security administrator sees their own bureau's categories only
        from casebook.subjects.models import Category

        mine = Category.objects.filter(bureau=crew["leader"].unit.bureau).first()
        Category.objects.filter(pk=mine.pk).update(name="本局专属类别")
        other = make_user(Role.SECURITY_ADMIN, org["other_bureau"])
        page = login(Client(), other).get("/retention/register/").content.decode()
        assert "本局专属类别" not in page
