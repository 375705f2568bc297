"""The phone home page of an officer (issue #18 item 7): the visits and tasks due today come
first, before every counter; tomorrow's work is not in them. Under a frozen clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking.choices import WORKING_STAGES, Origin
from casebook.tracking.services import task_create
from conftest import login

MORNING = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def deadlines(first_in_hours: int) -> dict:
    now = timezone.now()
    return {
        stage: now + timedelta(hours=first_in_hours + 24 * i)
        for i, stage in enumerate(WORKING_STAGES)
    }


@pytest.mark.django_db
def test_todays_visits_and_tasks_come_before_the_counters(org, crew):
    with time_machine.travel(MORNING, tick=False):
        person = subject_create(
            actor=crew["leader"],
            kind="person",
            category=Category.objects.get(code="drug_involved"),
            name="今日走访对象",
            station=org["a"],
            legal_basis_ref="城公〔2026〕7号",
            approved_by=crew["leader"],
            approved_on=date(2026, 1, 5),
            officers=[crew["officer"]],
            detail={"data_subject_category": "suspect", "id_number": make_id(seq="713")},
        )

        def task(title, hours, origin=Origin.STATION, lead="officer"):
            return task_create(
                actor=crew["leader"],
                title=title,
                station=org["a"],
                lead=crew[lead],
                subjects=[person],
                origin=origin,
                deadlines=deadlines(hours),
            )

        visit = task(title="例行走访今日", hours=6, origin=Origin.SCHEDULE)
        task(title="今日到期任务", hours=8)
        task(title="明日到期任务", hours=30)
        task(title="别人的任务", hours=5, lead="colleague")

        page = login(Client(), crew["officer"]).get("/").content.decode()
        today = page.index('data-testid="home-today"')
        assert today < page.index('data-testid="subject-stats"')  # before the counters
        visits = page[page.index('data-testid="today-visits"') :]
        visits = visits[: visits.index("</ul>")]
        assert (
            "例行走访今日" in visits and f"/subjects/{person.pk}/visit/?task={visit.pk}" in visits
        )
        tasks = page[page.index('data-testid="today-tasks"') :]
        tasks = tasks[: tasks.index("</ul>")]
        assert "今日到期任务" in tasks
        assert "明日到期任务" not in page[today:].split('data-testid="subject-stats"')[0]
        assert "别人的任务" not in page

    with time_machine.travel(MORNING + timedelta(days=1), tick=False):  # tomorrow, now due
        page = login(Client(), crew["officer"]).get("/").content.decode()
        tasks = page[page.index('data-testid="today-tasks"') :]
        tasks = tasks[: tasks.index("</ul>")]
        assert "明日到期任务" in tasks and "今日到期任务" in tasks  # yesterday's, now late


@pytest.mark.django_db
def test_not_for_leaders_or_administrators(crew):
    for who in ("leader", "admin"):
        page = login(Client(), crew[who]).get("/").content.decode()
        assert 'data-testid="home-today"' not in page
