"""The staff demo: a pledge signed by every demo officer but one (who meets the gate), the
posts, quotas and sessions that flag one officer to the station leader; a second run adds
nothing."""

import io

import pytest
from django.test import Client

from casebook.accounts.models import User
from casebook.site.management.commands.load_demo import Command
from casebook.staff import demo, selectors
from casebook.staff.models import Attendance, PledgeSignature, PledgeVersion
from conftest import login


@pytest.mark.django_db
def test_staff_demo():
    Command(stdout=io.StringIO())._organisation_and_accounts()
    demo.load(io.StringIO())
    version = PledgeVersion.objects.get()
    unsigned = User.objects.get(username=demo.UNSIGNED)
    assert not PledgeSignature.objects.filter(officer=unsigned).exists()
    for username in ("010001", "010004", "000001", "000002", "020001"):
        assert PledgeSignature.objects.filter(version=version, officer__username=username).exists()
    leader = User.objects.get(username="010004")
    assert [o.username for o in selectors.unsigned_officers(leader)] == [demo.UNSIGNED]
    flagged = [o.username for o, _s in selectors.lapsed_officers(leader)]
    assert "010005" in flagged and "010001" not in flagged
    assert login(Client(), unsigned).get("/subjects/").status_code == 403
    assert login(Client(), User.objects.get(username="010001")).get("/subjects/").status_code == 200
    counts = (PledgeSignature.objects.count(), Attendance.objects.count())
    demo.load(io.StringIO())
    assert (PledgeSignature.objects.count(), Attendance.objects.count()) == counts
