"""Demo information: graded records with verification, an informant per station, inspections
of places (one with a failed point and its rectification), and public tips waiting in triage;
and the demo tasks of ``casebook.tracking.demo`` taken from collecting to analysis (a verified
record each)."""

import random
from datetime import timedelta

from django.utils import timezone

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.models import Unit
from casebook.tracking import demo as tracking_demo
from casebook.tracking.choices import Stage

from . import services
from .models import InformationRecord, Tip

FACTS = [
    ("社区民警走访，其本人在家，称近期在外卖平台打零工。", "community_police", "A", "1"),
    ("邻居反映其近一周夜间常有陌生人来访。", "community_police", "B", "3"),
    ("视频监控显示其于晚上十一点进入极速网咖，凌晨两点离开。", "video", "A", "1"),
    ("电子围栏提示其手机在外市出现两天。", "geofence", "A", "2"),
    ("街道办反映其拖欠房租，与房东发生争执。", "department", "B", "2"),
    ("据反映其近期与涉毒前科人员有接触，尚未核实。", "community_police", "C", "4"),
]
TIPS = [
    "解放路夜市附近每晚有人聚集赌博，声音很大。",
    "科技路有家网吧经常让未成年人进去上网到深夜。",
    "小区地下车库有人经常在车里交易可疑物品。",
]


OBSERVATIONS = [
    "走访时本人在家，情绪稳定，近期无异常活动。",
    "经了解，近一周与外地人员有频繁联系。",
    "社区网格员反映其近期晚出早归。",
    "现场检查发现消防通道有杂物堆放。",
]


def load(stdout) -> None:
    walked = walk_tasks()
    stdout.write(f"Demo tasks taken to organising or analysis: {walked}")
    if InformationRecord.objects.filter(task__isnull=True).exists():
        return
    rng = random.Random(5)
    now = timezone.now()
    created = 0
    for station in Unit.objects.filter(kind="station", code__in=["JZ01", "JZ02", "JZ03"]):
        leader = User.objects.filter(unit=station, roles__role=Role.STATION_LEADER).first()
        officer = User.objects.filter(unit=station, roles__role=Role.TRACKING_OFFICER).first()
        if leader is None or officer is None:
            continue
        if "informants" in leader.compartment_codes:
            informant = services.informant_register(
                actor=leader,
                handler=officer,
                real_name="韩某某",
                phone="13700000000",
                notes="原为网吧网管，熟悉周边情况",
            )
        else:
            informant = None
        persons = list(station.subjects.filter(kind="person").order_by("pk")[:25])
        for i, subject in enumerate(persons):
            content, channel, source, info = FACTS[i % len(FACTS)]
            if channel == "community_police" and informant is not None and i % 5 == 0:
                channel = "informant"
            record = services.record_create(
                actor=officer,
                subjects=[subject],
                method="collection",
                channel=channel,
                informant=informant if channel == "informant" else None,
                occurred_at=now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23)),
                content=content,
                source_evaluation=source,
                info_assessment=info,
                handling="C" if i % 7 == 0 else "P",
                handling_conditions="仅限本所跟踪工作使用" if i % 7 == 0 else "",
                tags=[rng.choice(["夜间活动", "交往人员", "经济状况", "行踪轨迹"])],
            )
            if i % 3:
                services.record_verify(
                    actor=leader,
                    record=record,
                    status=rng.choice(["verified", "corroborated", "refuted"]),
                    note="经走访核实",
                )
            created += 1
        for j, place in enumerate(station.subjects.filter(kind="place").order_by("pk")[:3]):
            items = list(place.category.checklist.filter(is_active=True))
            results = {item.pk: ("pass", "") for item in items}
            if j == 0 and items:
                results[items[-1].pk] = ("fail", "现场检查发现该项不符合要求")
            services.field_visit(
                actor=officer,
                subject=place,
                occurred_at=now - timedelta(days=j + 1),
                findings="例行检查，经营者配合。",
                checklist=results,
            )
            created += 1
        known = {t.what for t in Tip.objects.filter(station=station)}  # encrypted: compare here
        for k, text in enumerate(TIPS):
            if text not in known:
                services.tip_submit(ip=f"demo-{station.code}-{k}", what=text, station=station)
    stdout.write(f"Demo information records created: {created}")


def walk_tasks() -> int:
    """The demo tasks planned beyond collecting get a verified record from their lead officer,
    then go on to organising and, if planned, to analysis (every record settled)."""
    rng = random.Random(7)
    walked = 0
    for stage in (Stage.COLLECTING, Stage.ORGANISING):
        for task in tracking_demo.tasks_to_walk(stage):
            if stage == Stage.COLLECTING and not task.records.exists():
                record = services.record_create(
                    actor=task.lead,
                    subjects=task.subjects.all(),
                    method="field_visit",
                    channel="own",
                    occurred_at=timezone.now(),
                    content=rng.choice(OBSERVATIONS),
                    source_evaluation="A",
                    info_assessment="1",
                    task=task,
                )
                services.record_verify(
                    actor=task.lead, record=record, status="verified", note="民警当面核实"
                )
            tracking_demo.advance(task)
            walked += 1
    return walked
