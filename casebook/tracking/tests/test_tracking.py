"""Tracking tasks: every guard and illegal transition, deadlines and scope on assignment,
schedules and escalation under a frozen clock, scope on every interface, cooperation, comments,
notifications and the API."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services
from casebook.tracking.choices import STAGES, Stage
from casebook.tracking.models import Escalation, Notification, Task
from conftest import login, second_factor


@pytest.fixture
def subject(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="任务对象",
        station=org["a"],
        legal_basis_ref="城公〔2026〕1号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="111")},
    )


@pytest.fixture
def task(org, crew, subject):
    return services.task_create(
        actor=crew["leader"],
        title="走访核查",
        station=org["a"],
        lead=crew["officer"],
        subjects=[subject],
    )


def add_verified_record(task, actor):
    """What the information module's guards want before organising and analysing."""
    from casebook.intel.services import record_create, record_verify

    record = record_create(
        actor=actor,
        subjects=task.subjects.all(),
        method="field_visit",
        channel="own",
        occurred_at=timezone.now(),
        content="走访见本人在家",
        source_evaluation="A",
        info_assessment="1",
        task=task,
    )
    record_verify(actor=actor, record=record, status="verified", note="本人当面核实")


def add_assessment(task, actor):
    """What the analysis module's guard wants before feeding back."""
    from casebook.analysis.services import Rating, assessment_create

    for subject in task.subjects.all():
        factor = subject.category.risk_factors.filter(kind="protective").first()
        assessment_create(
            actor=actor,
            subject=subject,
            task=task,
            ratings=[Rating(factor, list(task.records.all()))],
        )


def add_acknowledged_feedback(task, actor):
    """What the reports module's guard wants before archiving: a feedback report that a
    leader of the station has acknowledged."""
    from casebook.accounts.models import User
    from casebook.reports.services import feedback_acknowledge, feedback_submit

    if task.feedback_reports.filter(status="acknowledged").exists():
        return
    leader = User.objects.filter(unit=task.station, roles__role=Role.STATION_LEADER).first()
    author = actor if actor.pk != leader.pk else task.lead
    report = feedback_submit(
        actor=author, task=task, summary="跟踪完毕", findings="情况稳定", recommendations="继续关注"
    )
    feedback_acknowledge(actor=leader, report=report, instruction="同意归档")


def move(task, actor, *stages):
    for stage in stages:
        if stage == Stage.ORGANISING and not task.records.exists():
            add_verified_record(task, actor)
        if stage == Stage.FEEDBACK and not task.assessments.exists():
            add_assessment(task, actor)
        if stage == Stage.ARCHIVED:
            add_acknowledged_feedback(task, actor)
        task = services.task_advance(actor=actor, task=task, to_stage=stage)
    return task


@pytest.mark.django_db
class TestTransitions:
    def test_full_path_with_acceptance(self, task, crew):
        with pytest.raises(ValidationError) as exc:
            services.task_advance(actor=crew["officer"], task=task, to_stage=Stage.COLLECTING)
        assert "not accepted" in str(exc.value) or "签收" in str(exc.value)
        task = services.task_accept(actor=crew["officer"], task=task)
        assert task.accepted_at is not None
        assert task.stage == Stage.COLLECTING  # accepting starts the collection at once
        task = move(task, crew["officer"], *STAGES[2:])
        assert task.stage == Stage.ARCHIVED and task.archived_at is not None
        transitions = AuditEvent.objects.filter(action="task.transition", object_id=str(task.pk))
        assert [e.details["to"] for e in transitions.order_by("seq")] == STAGES[1:]

    @pytest.mark.parametrize(
        "target",
        [
            Stage.COLLECTING,
            Stage.ANALYSING,
            Stage.FEEDBACK,
            Stage.ARCHIVED,
            Stage.ASSIGNED,
            "nonsense",
        ],
    )
    def test_skipping_or_staying_refused(self, task, crew, target):
        task = services.task_accept(actor=crew["officer"], task=task)
        with pytest.raises(ValidationError):
            services.task_advance(actor=crew["officer"], task=task, to_stage=target)
        task.refresh_from_db()
        assert task.stage == Stage.COLLECTING

    def test_archived_cannot_move(self, task, crew):
        task = services.task_accept(actor=crew["officer"], task=task)
        task = move(task, crew["officer"], *STAGES[2:])
        with pytest.raises(ValidationError):
            services.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        with pytest.raises(ValidationError):
            services.task_return(actor=crew["officer"], task=task, reason="再看看")

    def test_only_the_lead_accepts(self, task, crew):
        with pytest.raises(PermissionDenied):
            services.task_accept(actor=crew["colleague"], task=task)
        services.task_accept(actor=crew["officer"], task=task)
        with pytest.raises(ValidationError):
            services.task_accept(actor=crew["officer"], task=task)

    def test_outsiders_cannot_move(self, task, crew):
        task = services.task_accept(actor=crew["officer"], task=task)
        for who in ("colleague", "other_officer", "other_leader", "admin"):
            with pytest.raises(PermissionDenied):
                services.task_advance(actor=crew[who], task=task, to_stage=Stage.ORGANISING)
        assert move(task, crew["leader"], Stage.ORGANISING).stage == Stage.ORGANISING

    def test_return_needs_a_reason(self, task, crew):
        task = services.task_accept(actor=crew["officer"], task=task)
        task = move(task, crew["officer"], Stage.ORGANISING)
        with pytest.raises(ValidationError):
            services.task_return(actor=crew["officer"], task=task, reason=" ")
        task = services.task_return(actor=crew["officer"], task=task, reason="信息不全")
        assert task.stage == Stage.COLLECTING

    def test_plugged_guard_names_what_is_missing(self, task, crew, monkeypatch):
        monkeypatch.setattr(  # copy the lists too: the guard must not outlive this test
            services, "_GUARDS", {key: list(guards) for key, guards in services._GUARDS.items()}
        )
        services.register_guard(
            Stage.COLLECTING, Stage.ORGANISING, lambda t: ["至少需要一条信息记录"]
        )
        task = services.task_accept(actor=crew["officer"], task=task)
        with pytest.raises(ValidationError) as exc:
            services.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ORGANISING)
        assert "至少需要一条信息记录" in exc.value.message_dict["stage"]
        page = login(Client(), crew["officer"]).get(f"/tasks/{task.pk}/").content.decode()
        assert "至少需要一条信息记录" in page and 'data-testid="missing"' in page


@pytest.mark.django_db
class TestAssignment:
    def test_deadline_in_the_past_names_the_stage(self, org, crew, subject):
        deadlines = services.default_deadlines("normal")
        deadlines[Stage.ANALYSING] = timezone.now() - timedelta(hours=1)
        with pytest.raises(ValidationError) as exc:
            services.task_create(
                actor=crew["leader"],
                title="x",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
                deadlines=deadlines,
            )
        text = " ".join(exc.value.messages)
        assert str(Stage.ANALYSING.label) in text
        assert not Task.objects.exists()

    def test_assignment_outside_the_station_refused(self, org, crew, subject):
        with pytest.raises(ValidationError) as exc:
            services.task_create(
                actor=crew["leader"],
                title="x",
                station=org["a"],
                lead=crew["other_officer"],
                subjects=[subject],
            )
        assert "lead" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            services.task_create(
                actor=crew["officer"],
                title="x",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
            )
        with pytest.raises(PermissionDenied):
            services.task_create(
                actor=crew["other_leader"],
                title="x",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
            )

    def test_form_shows_errors_and_saves_nothing(self, crew, subject):
        client = login(Client(), crew["leader"])
        past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            "/tasks/new/",
            {
                "title": "表单任务",
                "subjects": [subject.pk],
                "lead": crew["officer"].pk,
                "priority": "normal",
                "origin": "station",
                "due_assigned": past,
                "due_collecting": future,
                "due_organising": future,
                "due_analysing": future,
                "due_feedback": future,
            },
        )
        assert response.status_code == 200
        assert "past" in response.content.decode() or "已过" in response.content.decode()
        assert not Task.objects.exists()

    def test_handover_needs_a_reason_and_notifies(self, task, crew):
        with pytest.raises(ValidationError):
            services.task_reassign(
                actor=crew["leader"], task=task, lead=crew["colleague"], reason=""
            )
        services.task_reassign(
            actor=crew["leader"], task=task, lead=crew["colleague"], reason="原民警休假"
        )
        task.refresh_from_db()
        assert task.lead == crew["colleague"] and task.accepted_at is None
        assert Notification.objects.filter(user=crew["colleague"], task=task).exists()
        event = AuditEvent.objects.get(action="task.reassign")
        assert event.details["reason"] == "原民警休假"


@pytest.mark.django_db
class TestSchedules:
    # Dates around a month's and a year's end, and the date this test once failed on: the
    # calendar, not an epoch-aligned period grid, decides when the next visit is due.
    @pytest.mark.parametrize(
        "start",
        ["2026-11-30T09:00:00+08:00", "2026-12-01T08:00:00+08:00", "2027-12-31T23:30:00+08:00"],
    )
    def test_one_visit_per_cycle_on_any_date(self, subject, crew, start):
        cycle = subject.visit_cycle
        with time_machine.travel(datetime.fromisoformat(start), tick=False) as traveller:
            assert services.run_schedules() == 1
            assert services.run_schedules() == 0
            task = Task.objects.get(origin="schedule")
            assert task.lead == crew["officer"] and list(task.subjects.all()) == [subject]
            traveller.shift(timedelta(days=cycle - 1))
            assert services.run_schedules() == 0  # not due before a whole cycle
            traveller.shift(timedelta(days=1))
            assert services.run_schedules() == 1
            assert services.run_schedules() == 0
        assert Task.objects.filter(origin="schedule").count() == 2

    def test_a_field_visit_moves_the_next_due_date(self, subject, crew):
        from casebook.intel.services import field_visit

        with time_machine.travel(datetime.fromisoformat("2026-12-01T09:00:00+08:00"), tick=False):
            assert services.run_schedules() == 1
        visited = datetime.fromisoformat("2026-12-11T10:00:00+08:00")
        with time_machine.travel(visited, tick=False) as traveller:
            field_visit(
                actor=crew["officer"], subject=subject, occurred_at=visited, findings="本人在家"
            )
            traveller.shift(timedelta(days=subject.visit_cycle - 1))
            assert services.run_schedules() == 0  # one cycle after the visit, not the task
            traveller.shift(timedelta(days=1))
            assert services.run_schedules() == 1

    def test_next_visit_due(self):
        today = date(2026, 12, 1)
        assert services.next_visit_due(30, None, today) == today
        last = datetime.fromisoformat("2026-11-30T23:30:00+08:00")
        assert services.next_visit_due(30, last, today) == date(2026, 12, 30)

    def test_closed_subjects_are_not_scheduled(self, subject, crew):
        from casebook.subjects.services import subject_set_status

        subject_set_status(actor=crew["leader"], subject=subject, status="closed", reason="迁出")
        assert services.run_schedules() == 0


@pytest.mark.django_db
class TestEscalation:
    def test_chain_with_a_frozen_clock(self, org, crew, subject):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            deadlines = services.default_deadlines("normal")
            deadlines[Stage.ASSIGNED] = start + timedelta(hours=48)
            task = services.task_create(
                actor=crew["leader"],
                title="升级测试",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
                deadlines=deadlines,
            )
            assert services.run_escalation() == 0
            traveller.shift(timedelta(hours=25))  # 23 h before the deadline
            assert services.run_escalation() == 1
            assert services.run_escalation() == 0  # once only
            traveller.shift(timedelta(hours=24))  # 1 h overdue
            assert services.run_escalation() == 1
            traveller.shift(timedelta(hours=24))  # 25 h overdue: the station leader
            assert services.run_escalation() == 1
            traveller.shift(timedelta(hours=48))  # 73 h overdue: the bureau
            assert services.run_escalation() == 1
            assert services.run_escalation() == 0
        levels = list(Escalation.objects.filter(task=task).values_list("level", flat=True))
        assert levels == [0, 1, 2, 3]
        assert (
            Notification.objects.filter(
                user=crew["officer"], task=task, text__contains="升级测试"
            ).count()
            >= 3
        )
        assert Notification.objects.filter(user=crew["leader"], task=task).exists()
        assert Notification.objects.filter(user=crew["bureau"], task=task).exists()
        assert not Notification.objects.filter(user=crew["other_leader"]).exists()
        page = login(Client(), crew["leader"]).get(f"/tasks/{task.pk}/").content.decode()
        assert 'data-testid="escalations"' in page

    def test_moving_on_restarts_the_chain_for_the_new_stage(self, org, crew, subject):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            task = services.task_create(
                actor=crew["leader"],
                title="分阶段",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
                priority="urgent",
            )
            traveller.shift(timedelta(hours=3))  # urgent: 2 h to accept
            services.run_escalation()
            services.task_accept(actor=crew["officer"], task=task)  # and on to collecting
            before = Escalation.objects.filter(task=task, stage=Stage.COLLECTING).count()
            traveller.shift(timedelta(hours=13))
            services.run_escalation()
            assert Escalation.objects.filter(task=task, stage=Stage.COLLECTING).count() > before


@pytest.mark.django_db
class TestScope:
    def test_other_station_cannot_see_or_move(self, task, crew):
        outsider = login(Client(), crew["other_officer"])
        assert outsider.get(f"/tasks/{task.pk}/").status_code == 404
        assert "走访核查" not in outsider.get("/tasks/?queue=station").content.decode()
        assert outsider.post(f"/tasks/{task.pk}/accept/").status_code == 404
        assert (
            outsider.post(f"/tasks/{task.pk}/advance/", {"to_stage": "collecting"}).status_code
            == 404
        )
        _t, key = api_token_create(actor=crew["other_officer"], name="t")
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
        assert (
            api.post(f"/api/v1/tasks/{task.pk}/transition/", {"to_stage": "collecting"}).status_code
            == 404
        )
        task.refresh_from_db()
        assert task.stage == Stage.ASSIGNED

    def test_station_and_bureau_see_it(self, task, crew):
        for who in ("leader", "colleague", "bureau"):
            assert login(Client(), crew[who]).get(f"/tasks/{task.pk}/").status_code == 200

    def test_shared_task_reaches_the_other_unit(self, task, crew):
        services.task_share(
            actor=crew["leader"],
            task=task,
            assignee=crew["other_officer"],
            request="请协助核查其在滨江辖区的落脚点",
        )
        other = login(Client(), crew["other_officer"])
        page = other.get(f"/tasks/{task.pk}/").content.decode()
        assert "走访核查" in page
        assert "任务对象" not in page  # the subject stays outside their access
        assert Notification.objects.filter(user=crew["other_officer"], task=task).exists()
        event = AuditEvent.objects.get(action="task.share")
        assert "民警丙" in event.recipients
        with pytest.raises(PermissionDenied):
            services.task_advance(actor=crew["other_officer"], task=task, to_stage=Stage.COLLECTING)
        services.task_comment(actor=crew["other_officer"], task=task, text="已核实，无异常")
        assert task.comments.get().author == crew["other_officer"]


@pytest.mark.django_db
class TestCommentsAndNotifications:
    def test_mentions_notify_only_those_who_may_see(self, task, crew):
        services.task_comment(
            actor=crew["leader"], task=task, text=f"@{crew['officer'].username} 请尽快签收 @民警丙"
        )
        # one for the new task, one for the mention
        assert Notification.objects.filter(user=crew["officer"], task=task).count() == 2
        assert not Notification.objects.filter(user=crew["other_officer"]).exists()

    def test_unread_badge_and_centre(self, task, crew):
        client = login(Client(), crew["officer"])
        badge = client.get("/tasks/notifications/count/").content.decode()
        assert 'data-testid="unread-count">1<' in badge
        centre = client.get("/tasks/notifications/").content.decode()
        assert "走访核查" in centre
        n = Notification.objects.get(user=crew["officer"])
        response = client.get(f"/tasks/notifications/{n.pk}/")
        assert response["Location"] == f"/tasks/{task.pk}/"
        assert "unread-count" not in client.get("/tasks/notifications/count/").content.decode()

    def test_badge_polling_does_not_keep_the_session_alive(self, crew):
        client = Client()
        client.post(
            "/accounts/login/",
            {"username": crew["officer"].username, "password": "correct horse battery staple"},
        )
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(4):
                traveller.shift(timedelta(minutes=10))
                client.get("/tasks/notifications/count/")
            assert client.get("/").status_code == 302

    def test_bulk_accept(self, org, crew, subject):
        tasks = [
            services.task_create(
                actor=crew["leader"],
                title=f"批量{i}",
                station=org["a"],
                lead=crew["officer"],
                subjects=[subject],
            )
            for i in range(3)
        ]
        client = login(Client(), crew["officer"])
        client.post("/tasks/bulk/", {"action": "accept", "task": [t.pk for t in tasks]})
        assert Task.objects.filter(accepted_at__isnull=False).count() == 3


@pytest.mark.django_db
class TestPagesAndApi:
    def test_history_and_purpose_prefill(self, task, crew, subject):
        services.task_accept(actor=crew["officer"], task=task)
        client = login(Client(), crew["officer"])
        page = client.get(f"/tasks/{task.pk}/").content.decode()
        assert 'data-testid="history"' in page
        details = client.get(f"/subjects/{subject.pk}/?tab=details").content.decode()
        assert task.reference in details and "走访核查" in details

    def test_board_and_queues(self, task, crew):
        leader = login(Client(), crew["leader"])
        assert "走访核查" in leader.get("/tasks/board/").content.decode()
        officer = login(Client(), crew["officer"])
        assert "走访核查" in officer.get("/tasks/?queue=unaccepted").content.decode()
        assert officer.get("/tasks/board/").status_code == 200

    def test_api_flow_and_problem_details(self, crew, subject):
        second_factor(crew["leader"])  # a leader's token works only with a second factor
        _t, leader_key = api_token_create(actor=crew["leader"], name="t")
        _t, officer_key = api_token_create(actor=crew["officer"], name="t")
        leader = Client(HTTP_AUTHORIZATION=f"Token {leader_key}")
        officer = Client(HTTP_AUTHORIZATION=f"Token {officer_key}")
        created = leader.post(
            "/api/v1/tasks/",
            {"title": "API任务", "subjects": [subject.pk], "lead": crew["officer"].username},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        refused = officer.post(
            f"/api/v1/tasks/{pk}/transition/",
            {"to_stage": "collecting"},
            content_type="application/json",
        )
        assert refused.status_code == 400
        assert refused["Content-Type"] == "application/problem+json"
        accepted = officer.post(f"/api/v1/tasks/{pk}/accept/")
        assert accepted.status_code == 200
        assert accepted.json()["stage"] == "collecting"  # accepting starts the collection
        listed = officer.get("/api/v1/tasks/?stage=collecting").json()
        assert [t["id"] for t in listed["results"]] == [pk]
        schema = officer.get("/api/schema/?format=json").json()  # for logged-in users only
        assert "/api/v1/tasks/{id}/transition/" in schema["paths"]
