"""Notifications (issue #18 item 6): grouped per task and kind in the centre, channels chosen per
kind by each user, a daily digest instead of one e-mail each; urgent reports never grouped,
never muted, never left to a digest. Dates under a frozen clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from casebook.audit.models import AuditEvent
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import notify
from casebook.tracking.models import Notification, NotificationDigest, NotificationPreference
from casebook.tracking.services import task_create
from conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tasks(org, crew):
    subject = subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="通知对象",
        station=org["a"],
        legal_basis_ref="城公〔2026〕6号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="612")},
    )
    return [
        task_create(
            actor=crew["leader"],
            title=f"通知任务{i}",
            station=org["a"],
            lead=crew["officer"],
            subjects=[subject],
        )
        for i in range(2)
    ]


def send(users, text, *, kind, task=None, capture=None):
    with capture(execute=True):
        return notify.notify(users, text, url="/tasks/", task=task, kind=kind)


@pytest.mark.django_db
class TestGroups:
    def test_grouped_per_task_and_kind_urgent_alone(
        self, crew, tasks, django_capture_on_commit_callbacks
    ):
        leader = crew["leader"]
        Notification.objects.filter(user=leader).delete()
        for i in range(5):
            send(
                [leader],
                f"第一项动态{i}",
                kind="task",
                task=tasks[0],
                capture=django_capture_on_commit_callbacks,
            )
        send(
            [leader],
            "第一项评论",
            kind="comment",
            task=tasks[0],
            capture=django_capture_on_commit_callbacks,
        )
        send(
            [leader],
            "第二项动态",
            kind="task",
            task=tasks[1],
            capture=django_capture_on_commit_callbacks,
        )
        for i in range(2):
            send(
                [leader], f"紧急报告{i}", kind="urgent", capture=django_capture_on_commit_callbacks
            )
        groups = notify.groups(leader)
        by_key = {(g.kind, g.task_id, g.latest.text): g for g in groups}
        assert len(groups) == 5  # 3 groups + 2 urgent on their own
        assert by_key[("task", tasks[0].pk, "第一项动态4")].count == 5
        assert [g.count for g in groups if g.urgent] == [1, 1]

        client = login(Client(), leader)
        page = client.get("/tasks/notifications/").content.decode()
        assert page.count('data-testid="notification-group"') == 3
        assert page.count('data-testid="notification-urgent"') == 2
        # opening a group reads all of it and follows the newest link
        response = client.get(f"/tasks/notifications/group/task/{tasks[0].pk}/")
        assert response.status_code == 302
        assert not Notification.objects.filter(
            user=leader, task=tasks[0], kind="task", read_at__isnull=True
        ).exists()
        assert Notification.objects.filter(
            user=leader, kind="comment", read_at__isnull=True
        ).exists()

    def test_someone_elses_group_is_not_found(
        self, crew, tasks, django_capture_on_commit_callbacks
    ):
        send(
            [crew["leader"]],
            "只给所长",
            kind="task",
            task=tasks[0],
            capture=django_capture_on_commit_callbacks,
        )
        client = login(Client(), crew["colleague"])
        assert client.get(f"/tasks/notifications/group/task/{tasks[0].pk}/").status_code == 404
        assert Notification.objects.filter(user=crew["leader"], read_at__isnull=True).exists()


@pytest.mark.django_db
class TestPreferences:
    def test_in_app_off_is_kept_but_read_and_email_off_sends_nothing(
        self, crew, tasks, django_capture_on_commit_callbacks
    ):
        leader = crew["leader"]  # has an e-mail address
        notify.preferences_set(
            actor=leader, user=leader, choices={"comment": set(), "task": {"in_app"}}, digest=False
        )
        before = notify.unread_count(leader)
        mail.outbox.clear()
        send(
            [leader],
            "有人提到你",
            kind="comment",
            task=tasks[0],
            capture=django_capture_on_commit_callbacks,
        )
        send(
            [leader],
            "任务动态",
            kind="task",
            task=tasks[0],
            capture=django_capture_on_commit_callbacks,
        )
        assert notify.unread_count(leader) == before + 1  # the comment arrived already read
        assert Notification.objects.filter(user=leader, text="有人提到你").exists()  # kept
        assert mail.outbox == []  # neither kind by e-mail
        send([leader], "其他事项", kind="other", capture=django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1  # defaults for kinds not chosen: app and e-mail

    def test_urgent_is_never_muted(self, crew, django_capture_on_commit_callbacks):
        leader = crew["leader"]
        with pytest.raises(ValidationError):
            notify.preferences_set(
                actor=leader, user=leader, choices={"urgent": set()}, digest=False
            )
        assert not NotificationPreference.objects.exists()
        with pytest.raises(IntegrityError), transaction.atomic():
            NotificationPreference.objects.create(user=leader, kind="urgent", in_app=False)
        # the form does not offer it, and a forged field changes nothing
        client = login(Client(), leader)
        page = client.get("/tasks/notifications/settings/").content.decode()
        assert 'name="kind_urgent"' not in page and 'name="kind_task"' in page
        client.post("/tasks/notifications/settings/", {"kind_urgent": [], "kind_task": ["in_app"]})
        assert set(NotificationPreference.objects.values_list("kind", flat=True)) >= {"task"}
        assert not NotificationPreference.objects.filter(kind="urgent").exists()
        # with every other kind off and a digest on, an urgent report still arrives at once
        notify.preferences_set(
            actor=leader,
            user=leader,
            choices={k.code: set() for k in notify.choosable_kinds()},
            digest=True,
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            notify.notify([leader], "紧急：现场聚集", url="/reports/", kind="urgent")
        n = Notification.objects.get(user=leader, text="紧急：现场聚集")
        assert n.read_at is None and len(mail.outbox) == 1

    def test_only_ones_own_and_only_reachable_channels(self, crew):
        with pytest.raises(PermissionDenied):
            notify.preferences_set(
                actor=crew["leader"], user=crew["officer"], choices={"task": set()}, digest=False
            )
        officer = crew["officer"]  # no e-mail address, no phone
        with pytest.raises(ValidationError):
            notify.preferences_set(
                actor=officer, user=officer, choices={"task": {"email"}}, digest=False
            )
        with pytest.raises(ValidationError):
            notify.preferences_set(
                actor=officer, user=officer, choices={"task": {"sms"}}, digest=False
            )
        with pytest.raises(ValidationError):
            notify.preferences_set(actor=officer, user=officer, choices={}, digest=True)
        assert not NotificationPreference.objects.exists()
        assert not NotificationDigest.objects.exists()

    def test_saved_through_the_page_and_audited(self, crew):
        leader = crew["leader"]
        client = login(Client(), leader)
        response = client.post(
            "/tasks/notifications/settings/",
            {"kind_task": ["in_app"], "kind_comment": ["in_app", "email"], "digest": "on"},
        )
        assert response.status_code == 302
        prefs = {p.kind: p for p in NotificationPreference.objects.filter(user=leader)}
        assert prefs["task"].in_app and not prefs["task"].email
        assert prefs["comment"].email and prefs["deadline"].in_app is False
        assert NotificationDigest.objects.get(user=leader).enabled
        event = AuditEvent.objects.get(action="notification.preferences")
        assert event.actor_id == leader.pk and event.details["digest"] is True


@pytest.mark.django_db
class TestDigest:
    def test_once_a_day_after_the_hour_instead_of_each_email(
        self, crew, tasks, django_capture_on_commit_callbacks
    ):
        leader = crew["leader"]
        notify.preferences_set(actor=leader, user=leader, choices={}, digest=True)
        with time_machine.travel(datetime(2026, 5, 4, 17, 0, tzinfo=SHANGHAI), tick=False):
            mail.outbox.clear()
            send(
                [leader],
                "下午的任务动态",
                kind="task",
                task=tasks[0],
                capture=django_capture_on_commit_callbacks,
            )
            assert mail.outbox == []  # left to the digest
        with time_machine.travel(datetime(2026, 5, 5, 7, 30, tzinfo=SHANGHAI), tick=False):
            assert notify.send_digests() == 0  # before the hour
        with time_machine.travel(datetime(2026, 5, 5, 8, 5, tzinfo=SHANGHAI), tick=False):
            assert notify.send_digests() == 1
            assert "下午的任务动态" in mail.outbox[-1].body
            assert "2026-05-05" in mail.outbox[-1].subject
            assert notify.send_digests() == 0  # once a day
        with time_machine.travel(datetime(2026, 5, 5, 20, 0, tzinfo=SHANGHAI), tick=False):
            send(
                [leader],
                "晚上的评论",
                kind="comment",
                task=tasks[0],
                capture=django_capture_on_commit_callbacks,
            )
            assert notify.send_digests() == 0  # still the same day
        with time_machine.travel(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False):
            mail.outbox.clear()
            assert notify.send_digests() == 1
            body = mail.outbox[0].body
            assert "晚上的评论" in body and "下午的任务动态" not in body

    def test_the_job_is_registered(self):
        from casebook.core.jobs import periodic_jobs
        from casebook.tracking.tasks import send_notification_digests

        assert send_notification_digests in periodic_jobs()
