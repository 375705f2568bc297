"""Review and renewal end to end (issue #14 item 1), in a real browser.

A subject of the demo station whose review is long overdue is announced and restricted (the
daily job's two steps, run on that subject alone so the shared demo data stays as it is); the
station leader finds it on the retention page, renews it with a reason and a new review date,
and it is tracked again: restriction lifted, status back to active, the new review date set, the
renewal audited. A renewal without a new date or basis is refused and changes nothing."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .catalogue import zh

NAME = "续期测试对象"

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from casebook.accounts.models import User
from casebook.retention.services.review import _announce, _restrict
from casebook.subjects.models import Subject
from casebook.testing.factories import PersonFactory, id_number_for

leader = User.objects.get(username="010004")
person = PersonFactory(
    actor=leader,
    name="%(name)s",
    detail={"data_subject_category": "convicted", "id_number": id_number_for(987321)},
)
Subject.objects.filter(pk=person.pk).update(review_due=timezone.localdate() - timedelta(days=40))
person.refresh_from_db()
print(json.dumps({"pk": person.pk, "announced": _announce(person), "restricted": _restrict(person)}))
"""

STATE = """
import json
from casebook.audit.models import AuditEvent
from casebook.retention.models import Restriction
from casebook.subjects.models import Subject

person = Subject.objects.get(pk=%(pk)s)
restriction = Restriction.objects.filter(subject=person).order_by("-pk").first()
print(json.dumps({
    "status": person.status,
    "review_due": person.review_due.isoformat(),
    "lifted": restriction.lifted_at is not None,
    "outcome": restriction.outcome,
    "reason": restriction.reason,
    "renew_events": AuditEvent.objects.filter(
        action="retention.renew", object_id=str(person.pk)
    ).count(),
}))
"""


def _shell(server, script: str) -> dict:
    out = server._manage("shell", "-c", script)
    return json.loads(out.strip().splitlines()[-1])


def test_leader_renews_a_restricted_subject_and_it_is_tracked_again(page, login, casebook_server):
    made = _shell(casebook_server, SETUP % {"name": NAME})
    assert made["announced"] and made["restricted"], made
    pk = made["pk"]
    assert _shell(casebook_server, STATE % {"pk": pk})["status"] == "restricted"

    login(page, "010004")  # the demo station leader
    page.goto("/retention/")
    row = page.locator("[data-testid=restrictions] tr", has_text=NAME)
    expect(row).to_have_count(1)
    row.locator("summary").click()
    renew = row.locator("[data-testid=renew-form]")
    # a renewal without a new date or basis is refused, and nothing changes
    renew.locator("input[name=reason]").fill("仍在社区矫正期内")
    with page.expect_navigation():
        renew.locator("button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    assert _shell(casebook_server, STATE % {"pk": pk})["status"] == "restricted"

    new_due = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=90)).isoformat()
    row = page.locator("[data-testid=restrictions] tr", has_text=NAME)
    row.locator("summary").click()
    renew = row.locator("[data-testid=renew-form]")
    renew.locator("input[name=reason]").fill("仍在社区矫正期内，继续跟踪")
    renew.locator("input[name=review_due]").fill(new_due)
    with page.expect_navigation():
        renew.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(zh("Tracking renewed."))
    expect(page.locator("[data-testid=restrictions] tr", has_text=NAME)).to_have_count(0)

    state = _shell(casebook_server, STATE % {"pk": pk})
    assert state["status"] == "active"
    assert state["review_due"] == new_due
    assert state["lifted"] and state["outcome"] == "renewed"
    assert "继续跟踪" in state["reason"]
    assert state["renew_events"] == 1

    # the dossier opens again for the leader, with the subject no longer restricted
    page.goto(f"/subjects/{pk}/")
    expect(page.locator("[data-testid=subject-name]")).to_contain_text(NAME)
