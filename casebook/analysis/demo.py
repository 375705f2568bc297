"""Demo analysis: a few high-risk assessments (one approved by the leader, one awaiting
approval) per station, then a run of the warning rules so the dashboards have something to
show. Through the services."""

from importlib import import_module

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.models import Unit
from casebook.subjects.models import Category
from casebook.tracking import demo as tracking_demo
from casebook.tracking.choices import Stage

from . import rules, services
from .models import RiskAssessment, RiskFactor


def install_shipped_factors(bureau) -> None:
    """The shipped risk factors for the bureau's categories that have none (the demo bureau's
    when it was not the installation's first bureau, whose categories came without them)."""
    shipped = import_module("casebook.analysis.migrations.0002_default_factors")
    for category in Category.objects.filter(bureau=bureau, risk_factors__isnull=True):
        for order, (kind, name, name_en, description, weight) in enumerate(
            shipped.FACTORS.get(category.code, []), 1
        ):
            RiskFactor.objects.create(
                category=category,
                kind=kind,
                name=name,
                name_en=name_en,
                description=description,
                weight=weight,
                order=order,
            )


def load(stdout) -> None:
    for bureau in Unit.objects.filter(kind="bureau", children__code__in=["JZ01"]):
        install_shipped_factors(bureau)
    walked = walk_tasks()
    stdout.write(f"Demo tasks taken to feedback: {walked}")
    if RiskAssessment.objects.filter(task__isnull=True).exists():
        return
    for station in Unit.objects.filter(kind="station", code__in=["JZ01", "JZ02", "JZ03"]):
        leader = User.objects.filter(unit=station, roles__role=Role.STATION_LEADER).first()
        analyst = User.objects.filter(unit=station, roles__role=Role.ANALYST).first() or leader
        persons = list(
            station.subjects.filter(kind="person", records__isnull=False)
            .distinct()
            .order_by("pk")[:2]
        )
        for i, subject in enumerate(persons):
            factors = list(
                subject.category.risk_factors.filter(kind="risk").order_by("-weight")[:2]
            )
            records = list(subject.records.all()[:2])
            if len(factors) < 2 or not records:
                continue
            assessment = services.assessment_create(
                actor=analyst,
                subject=subject,
                ratings=[services.Rating(f, records) for f in factors],
                summary="近期多条信息显示其风险上升，建议加强管控。",
                measures=["每周走访一次", "落实家属稳控", "发现异常立即报告"],
            )
            if i == 0:
                services.assessment_decide(
                    actor=leader, assessment=assessment, approve=True, note="同意，按高风险管控"
                )
    created = rules.evaluate()
    stdout.write(f"Demo warnings raised: {sum(created.values())}")


def walk_tasks() -> int:
    """The demo tasks in analysis that are planned further get an assessment of each subject by
    their lead officer (citing the task's records), then go on to feedback."""
    walked = 0
    for task in tracking_demo.tasks_to_walk(Stage.ANALYSING):
        if not task.assessments.exists():
            for subject in task.subjects.all():
                factors = list(subject.category.risk_factors.filter(is_active=True))
                if not factors:
                    continue
                services.assessment_create(
                    actor=task.lead,
                    subject=subject,
                    task=task,
                    ratings=[
                        services.Rating(factors[0], list(task.records.filter(subjects=subject)))
                    ],
                    summary="根据走访核实情况综合研判。",
                    measures=["每月走访一次"],
                )
        tracking_demo.advance(task)
        walked += 1
    return walked
