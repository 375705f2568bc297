"""Demo tasks: the scheduled visits and inspections of the current period, and at every station
a few tasks assigned by the leader and worked through the stages. Through the services.

Tracking takes a task as far as its own stages go (assigned, accepted, collecting). The work that
the later steps need belongs to the modules above: ``manage.py load_demo`` runs their demo after
this one, and each walks on the tasks that :func:`tasks_to_walk` gives it: intel records and
verifies information (to organising, then analysis), analysis assesses (to feedback), reports
submit the feedback and archive. How far each task goes is :func:`planned_stage`, the same on
every run and every database."""

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.models import Unit

from . import services
from .access import may_see_task_subjects
from .choices import STAGES, Origin, Priority, Stage
from .models import Task

DEMO_STATIONS = ["JZ01", "JZ02", "JZ03"]
DEMO_ORIGINS = [Origin.SUPERIOR, Origin.STATION]
ASSIGNMENTS = [
    ("核查近期活动轨迹和交往人员", Priority.HIGH, Origin.SUPERIOR),
    ("了解经济来源及就业情况", Priority.NORMAL, Origin.STATION),
    ("开展安全检查", Priority.NORMAL, Origin.STATION),
    ("核实群众反映的相关情况", Priority.URGENT, Origin.SUPERIOR),
]


#: How far the demo takes its tasks, by task id in turn: every stage is shown, most tasks are
#: still being worked on, a few are archived.
PLAN = [
    Stage.ASSIGNED,
    Stage.COLLECTING,
    Stage.ORGANISING,
    Stage.ANALYSING,
    Stage.FEEDBACK,
    Stage.ARCHIVED,
    Stage.COLLECTING,
    Stage.ANALYSING,
    Stage.FEEDBACK,
    Stage.ASSIGNED,
    Stage.COLLECTING,
    Stage.ORGANISING,
]


def planned_stage(task: Task) -> str:
    """The stage the demo takes this task to, drawn from its id: the same on every run and in
    every module's demo step."""
    return PLAN[task.pk % len(PLAN)]


def demo_tasks(stage: str):
    """The demo's assigned tasks (not the scheduled ones) now at ``stage``, oldest first."""
    return (
        Task.objects.filter(origin__in=DEMO_ORIGINS, station__code__in=DEMO_STATIONS, stage=stage)
        .select_related("lead", "assigner", "station")
        .order_by("pk")
    )


def tasks_to_walk(stage: str) -> list[Task]:
    """The demo tasks at ``stage`` that go further (their planned stage lies beyond it)."""
    return [
        task
        for task in demo_tasks(stage)
        if STAGES.index(planned_stage(task)) > STAGES.index(stage)
    ]


def advance(task: Task) -> Task:
    """One stage on, by the lead officer, as the plan says."""
    return services.task_advance(
        actor=task.lead, task=task, to_stage=STAGES[task.stage_index + 1], note="按计划推进"
    )


def load(stdout) -> None:
    if Task.objects.filter(origin__in=DEMO_ORIGINS).exists():
        return
    created = services.run_schedules()
    for station in Unit.objects.filter(kind="station", code__in=DEMO_STATIONS):
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
            target = planned_stage(task)
            if target == Stage.ASSIGNED:
                continue  # left to accept: accepting (签收) starts the collection at once
            # accepted, so collecting; the modules above take it further
            services.task_accept(actor=lead, task=task)
    stdout.write(f"Demo tasks created: {created}")
