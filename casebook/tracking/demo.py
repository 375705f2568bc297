"""Demo tasks: the scheduled visits and inspections of the current period, and at every station
a few tasks assigned by the leader and worked through the stages. Through the services."""

import random

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.models import Unit

from . import services
from .access import may_see_task_subjects
from .choices import STAGES, Origin, Priority, Stage
from .models import Task

ASSIGNMENTS = [
    ("核查近期活动轨迹和交往人员", Priority.HIGH, Origin.SUPERIOR),
    ("了解经济来源及就业情况", Priority.NORMAL, Origin.STATION),
    ("开展安全检查", Priority.NORMAL, Origin.STATION),
    ("核实群众反映的相关情况", Priority.URGENT, Origin.SUPERIOR),
]


def load(stdout) -> None:
    if Task.objects.filter(origin__in=[Origin.SUPERIOR, Origin.STATION]).exists():
        return
    rng = random.Random(42)
    created = services.run_schedules()
    for station in Unit.objects.filter(kind="station", code__in=["JZ01", "JZ02", "JZ03"]):
        leader = User.objects.filter(unit=station, roles__role=Role.STATION_LEADER).first()
        if leader is None:
            continue
        for i, subject in enumerate(
            station.subjects.filter(kind__in=["person", "place"]).order_by("pk")[:12]
        ):
            title, priority, origin = ASSIGNMENTS[i % len(ASSIGNMENTS)]
            lead = subject.officers.first()
            if lead is None or lead.unit.station != station:
                continue
            if not may_see_task_subjects(lead, [subject]):
                continue
            task = services.task_create(
                actor=leader,
                title=title,
                station=station,
                lead=lead,
                subjects=[subject],
                origin=origin,
                priority=priority,
                instructions="按照跟踪工作流程开展，发现重大情况立即报告。",
            )
            created += 1
            target = rng.choice(STAGES[: 5 if i % 4 else 6])
            if target == Stage.ASSIGNED and i % 3 == 0:
                continue  # left unaccepted
            services.task_accept(actor=lead, task=task)
            while task.stage != target:
                if task.stage == Stage.COLLECTING:
                    _record(task, lead, rng)
                if task.stage == Stage.ANALYSING:
                    _assess(task, lead)
                if task.stage == Stage.FEEDBACK:
                    _feed_back(task, lead, leader, acknowledge=True)
                task = services.task_advance(
                    actor=lead, task=task, to_stage=STAGES[task.stage_index + 1], note="按计划推进"
                )
            if task.stage == Stage.FEEDBACK:
                _feed_back(task, lead, leader, acknowledge=i % 2 == 0)
    stdout.write(f"Demo tasks created: {created}")


OBSERVATIONS = [
    "走访时本人在家，情绪稳定，近期无异常活动。",
    "经了解，近一周与外地人员有频繁联系。",
    "社区网格员反映其近期晚出早归。",
    "现场检查发现消防通道有杂物堆放。",
]


def _record(task, lead, rng) -> None:
    from django.utils import timezone

    from casebook.intel.services import record_create, record_verify

    record = record_create(
        actor=lead,
        subjects=task.subjects.all(),
        method="field_visit",
        channel="own",
        occurred_at=timezone.now(),
        content=rng.choice(OBSERVATIONS),
        source_evaluation="A",
        info_assessment="1",
        task=task,
    )
    record_verify(actor=lead, record=record, status="verified", note="民警当面核实")


def _assess(task, lead) -> None:
    from casebook.analysis.services import Rating, assessment_create

    for subject in task.subjects.all():
        factors = list(subject.category.risk_factors.filter(is_active=True))
        if not factors:
            continue
        records = list(task.records.filter(subjects=subject))
        assessment_create(
            actor=lead,
            subject=subject,
            task=task,
            ratings=[Rating(factors[0], records)],
            summary="根据走访核实情况综合研判。",
            measures=["每月走访一次"],
        )


def _feed_back(task, lead, leader, *, acknowledge: bool) -> None:
    from casebook.reports.services import feedback_acknowledge, feedback_submit

    report = task.feedback_reports.first() or feedback_submit(
        actor=lead,
        task=task,
        summary="经走访核实和综合研判，对象近期情况总体稳定。",
        findings="近一个月走访两次，本人在家，情绪平稳；未发现与重点人员异常往来。",
        recommendations="维持现有管控等级，按周期走访，发现异常立即报告。",
        departments="治安大队",
        assessments=task.assessments.all(),
    )
    if acknowledge and report.status != "acknowledged":
        feedback_acknowledge(
            actor=leader, report=report, instruction="同意，按建议落实，定期报告。"
        )
