"""A task speaks about its subjects: whoever may not see one of them does not see the task on
any interface (SECURITY.md A1, A2), system-made titles never carry a subject's name, and nobody
is made to work on a task about a subject they may not see."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.core.choices import Classification
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create, subject_update
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import selectors, services
from casebook.tracking.models import Notification, Task
from conftest import login

TITLE = "核查落脚点"
NAME = "隐秘对象"


@pytest.fixture
def compartment(db):
    return Compartment.objects.get(code="classified-incidents")


@pytest.fixture
def crew_compartments(compartment):
    """Cleared for the classified incidents: the leader, the officer, one analyst in station A
    and one officer in station B."""
    return {key: [compartment] for key in ("leader", "officer", "cleared_analyst", "other_cleared")}


def _person(org, crew, *, classification=Classification.INTERNAL, compartments=(), seq="211"):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name=NAME,
        station=org["a"],
        legal_basis_ref="城公〔2026〕7号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        classification=classification,
        compartments=compartments,
        detail={"data_subject_category": "suspect", "id_number": make_id(seq=seq)},
    )


@pytest.fixture
def confidential(org, crew):
    """秘密: the analyst is not assigned to it, so may not see it (need-to-know)."""
    return _person(org, crew, classification=Classification.CONFIDENTIAL)


@pytest.fixture
def compartmented(org, crew, compartment):
    return _person(org, crew, compartments=[compartment], seq="212")


def _task(org, crew, subject, **extra):
    return services.task_create(
        actor=crew["leader"],
        title=TITLE,
        station=org["a"],
        lead=crew["officer"],
        subjects=[subject],
        **extra,
    )


def _api(user) -> Client:
    _t, key = api_token_create(actor=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _assert_hidden_everywhere(user, task, subject):
    client = login(Client(), user)
    assert client.get(f"/subjects/{subject.pk}/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    for url in ("/tasks/?queue=station", "/tasks/?queue=unaccepted", "/tasks/board/", "/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert TITLE not in page.content.decode(), url
        assert NAME not in page.content.decode(), url
    assert client.post(f"/tasks/{task.pk}/comment/", {"text": "看看"}).status_code == 404
    api = _api(user)
    assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    listed = api.get("/api/v1/tasks/").json()
    assert task.pk not in [t["id"] for t in listed["results"]]
    assert api.get(f"/api/v1/tasks/?subject={subject.pk}").json()["results"] == []
    assert not selectors.visible_tasks(user).filter(pk=task.pk).exists()
    assert selectors.queue(user, "overdue").count() == 0


@pytest.mark.django_db
class TestVisibility:
    def test_analyst_does_not_see_a_task_on_a_confidential_subject(self, org, crew, confidential):
        task = _task(org, crew, confidential)
        _assert_hidden_everywhere(crew["analyst"], task, confidential)
        # those who may see the subject still see the task
        for who in ("leader", "officer"):
            assert login(Client(), crew[who]).get(f"/tasks/{task.pk}/").status_code == 200

    def test_user_without_the_compartment_does_not_see_the_task(self, org, crew, compartmented):
        task = _task(org, crew, compartmented)
        for who in ("colleague", "analyst"):
            _assert_hidden_everywhere(crew[who], task, compartmented)
        page = login(Client(), crew["cleared_analyst"]).get(f"/tasks/{task.pk}/")
        assert page.status_code == 200 and TITLE in page.content.decode()

    def test_one_hidden_subject_hides_a_task_on_several(self, org, crew, compartmented):
        plain = _person(org, crew, seq="213")
        task = services.task_create(
            actor=crew["leader"],
            title=TITLE,
            station=org["a"],
            lead=crew["officer"],
            subjects=[plain, compartmented],
        )
        colleague = login(Client(), crew["colleague"])
        assert colleague.get(f"/subjects/{plain.pk}/").status_code == 200
        assert colleague.get(f"/tasks/{task.pk}/").status_code == 404
        # the plain subject's own page lists no task that names the hidden one
        assert TITLE not in colleague.get(f"/subjects/{plain.pk}/?tab=details").content.decode()

    def test_reclassifying_a_subject_hides_its_tasks(self, org, crew):
        subject = _person(org, crew, seq="214")
        task = _task(org, crew, subject)
        assert login(Client(), crew["analyst"]).get(f"/tasks/{task.pk}/").status_code == 200
        services.task_comment(actor=crew["leader"], task=task, text=f"@{crew['analyst'].username}")
        subject_update(
            actor=crew["leader"], subject=subject, classification=Classification.CONFIDENTIAL
        )
        analyst = login(Client(), crew["analyst"])
        assert analyst.get(f"/tasks/{task.pk}/").status_code == 404
        # the notification sent before stays, but no longer shows the task's title
        assert Notification.objects.filter(user=crew["analyst"], task=task).exists()
        centre = analyst.get("/tasks/notifications/").content.decode()
        assert TITLE not in centre and 'data-testid="withheld"' in centre

    def test_escalation_reaches_only_leaders_who_may_see(self, org, crew, compartmented, make_user):
        blind_leader = make_user(Role.STATION_LEADER, org["a"], real_name="所长乙")
        with time_machine.travel(datetime.fromisoformat("2026-03-01T09:00:00+08:00"), tick=False):
            task = _task(org, crew, compartmented)
        with time_machine.travel(datetime.fromisoformat("2026-06-01T09:00:00+08:00"), tick=False):
            services.run_escalation()
        assert Notification.objects.filter(user=crew["leader"], task=task).exists()
        assert not Notification.objects.filter(user=blind_leader).exists()


@pytest.mark.django_db
class TestWhoWorksOnIt:
    def test_lead_without_the_compartment_refused(self, org, crew, compartmented):
        with pytest.raises(ValidationError) as caught:
            services.task_create(
                actor=crew["leader"],
                title=TITLE,
                station=org["a"],
                lead=crew["colleague"],
                subjects=[compartmented],
            )
        assert "lead" in caught.value.message_dict
        assert "民警乙" in caught.value.message_dict["lead"][0]
        assert not Task.objects.exists()

    def test_team_member_who_may_not_see_refused(self, org, crew, confidential):
        with pytest.raises(ValidationError) as caught:
            _task(org, crew, confidential, team=[crew["analyst"]])
        assert "team" in caught.value.message_dict
        assert not Task.objects.exists()

    def test_handover_to_an_officer_who_may_not_see_refused(self, org, crew, compartmented):
        task = _task(org, crew, compartmented)
        with pytest.raises(ValidationError) as caught:
            services.task_reassign(
                actor=crew["leader"], task=task, lead=crew["colleague"], reason="调岗"
            )
        assert "lead" in caught.value.message_dict
        task.refresh_from_db()
        assert task.lead == crew["officer"]
        assert not Notification.objects.filter(user=crew["colleague"]).exists()

    def test_handover_form_shows_the_refusal(self, org, crew, compartmented):
        task = _task(org, crew, compartmented)
        leader = login(Client(), crew["leader"])
        leader.post(f"/tasks/{task.pk}/reassign/", {"lead": crew["colleague"].pk, "reason": "调岗"})
        task.refresh_from_db()
        assert task.lead == crew["officer"]

    def test_share_only_with_an_officer_cleared_for_the_subjects(self, org, crew, compartmented):
        task = _task(org, crew, compartmented)
        with pytest.raises(ValidationError) as caught:
            services.task_share(
                actor=crew["leader"], task=task, assignee=crew["other_officer"], request="协查"
            )
        assert "assignee" in caught.value.message_dict
        assert task.shares.count() == 0
        services.task_share(
            actor=crew["leader"], task=task, assignee=crew["other_cleared"], request="协查"
        )
        other = login(Client(), crew["other_cleared"])
        page = other.get(f"/tasks/{task.pk}/").content.decode()
        assert TITLE in page and NAME not in page  # the task, not the dossier
        assert login(Client(), crew["other_officer"]).get(f"/tasks/{task.pk}/").status_code == 404


@pytest.mark.django_db
class TestSystemTitles:
    def test_scheduled_task_title_has_no_name(self, org, crew, compartmented):
        with time_machine.travel(datetime.fromisoformat("2026-12-01T09:00:00+08:00"), tick=False):
            assert services.run_schedules() == 1
        task = Task.objects.get(origin="schedule")
        assert NAME not in task.title and NAME not in task.instructions
        assert list(task.subjects.all()) == [compartmented]
        assert all(NAME not in n.text for n in Notification.objects.all())
        # the subject shows on the task page to those who may see it
        assert NAME in login(Client(), crew["officer"]).get(f"/tasks/{task.pk}/").content.decode()
