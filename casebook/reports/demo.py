"""Demo reports: a duty roster for each station and the bureau (this week), a few urgent
reports (acknowledged ones, and one still waiting at 滨江), and the periodic station reports
of the last complete week and month. Through the services."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.models import Unit
from casebook.tracking import demo as tracking_demo
from casebook.tracking.choices import Stage

from . import periodic, services
from .choices import DutyPost
from .documents.fonts import FontUnavailable
from .models import DutyShift

URGENT = [
    (
        "对象在辖区超市门口与人发生争执，情绪激动，扬言报复，现场已有民警控制。",
        "城南路88号超市门口",
    ),
    ("走访发现对象已连续三日未归，家属称其曾扬言要找原债主“算账”，并携带刀具离家。", "东风小区5栋"),
]


def _roster(unit, people, creator, days=7) -> None:
    """24-hour shifts from 08:30, the people in turn."""
    if not people:
        return
    tz = timezone.get_current_timezone()
    start_day = timezone.localdate() - timedelta(days=1)
    for d in range(days + 1):
        starts = datetime.combine(start_day + timedelta(days=d), time(8, 30), tz)
        if starts + timedelta(hours=24) <= timezone.now():
            continue
        services.duty_shift_add(
            actor=creator,
            unit=unit,
            user=people[d % len(people)],
            post=DutyPost.LEADER,
            starts_at=starts,
            ends_at=starts + timedelta(hours=24),
        )


def load(stdout) -> None:
    walked = walk_tasks()
    stdout.write(f"Demo tasks fed back: {walked}")
    if DutyShift.objects.exists():
        return
    bureau = Unit.objects.filter(kind="bureau", code="JZ").first()
    if bureau is not None:
        chief = User.objects.filter(unit=bureau, roles__role=Role.BUREAU_LEADER).first()
        if chief is not None:
            _roster(bureau, [chief], chief)
    made = 0
    for station in Unit.objects.filter(kind="station", code__in=["JZ01", "JZ02", "JZ03"]):
        leaders = list(
            User.objects.filter(unit=station, roles__role=Role.STATION_LEADER).order_by("pk")
        )
        if not leaders:
            continue
        _roster(station, leaders, leaders[0])
        officer = User.objects.filter(unit=station, roles__role=Role.TRACKING_OFFICER).first()
        subjects = list(station.subjects.filter(kind="person").order_by("pk")[:2])
        if officer is None or not subjects:
            continue
        for i, (text, place) in enumerate(URGENT):
            if i == 1 and station.code == "JZ01":
                continue  # 城关's leaders start with an empty banner
            report = services.urgent_report_create(
                actor=officer, text=text, place=place, subject=subjects[i % len(subjects)]
            )
            made += 1
            if i == 0:
                services.urgent_acknowledge(
                    actor=leaders[0], report=report, note="收到，立即出警，保持联系。"
                )
    try:
        reports = periodic.generate_due()
    except FontUnavailable as exc:
        # A machine without the PDF font (make run without root): the demo loads; the periodic
        # reports are filed by the scheduler once the font is installed.
        reports = f"not yet ({exc})"
    stdout.write(f"Demo urgent reports: {made}; periodic reports: {reports}")


def walk_tasks() -> int:
    """Every demo task in feedback gets its feedback report from the lead officer; the assigning
    leader acknowledges one in two, and those planned to the end, which are then archived."""
    walked = 0
    for task in tracking_demo.demo_tasks(Stage.FEEDBACK):
        archive = tracking_demo.planned_stage(task) == Stage.ARCHIVED
        report = task.feedback_reports.first() or services.feedback_submit(
            actor=task.lead,
            task=task,
            summary="经走访核实和综合研判，对象近期情况总体稳定。",
            findings="近一个月走访两次，本人在家，情绪平稳；未发现与重点人员异常往来。",
            recommendations="维持现有管控等级，按周期走访，发现异常立即报告。",
            departments="治安大队",
            assessments=task.assessments.all(),
        )
        if (archive or task.pk % 2 == 0) and report.status != "acknowledged":
            services.feedback_acknowledge(
                actor=task.assigner, report=report, instruction="同意，按建议落实，定期报告。"
            )
        if archive:
            tracking_demo.advance(task)
        walked += 1
    return walked
