"""Demo subjects: about 200 per station across every category, with category records,
associations and incidents. Written through the services, so the audit log tells the story.
Called by ``manage.py load_demo``; a station that already has subjects is left alone."""

import contextlib
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from faker import Faker
from stdnum.cn import ric

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit

from . import services
from .category_services import install_shipped
from .choices import (
    AssociationType,
    Confidence,
    DataSubjectCategory,
    IncidentStatus,
    Kind,
    RehabType,
    SupervisionStatus,
    TestResult,
)
from .models import Category, Subject

# per station: category code → how many
PLAN = {
    "prior_offender": 50,
    "drug_involved": 40,
    "threat_of_violence": 25,
    "entertainment_venue": 25,
    "internet_cafe": 25,
    "hazchem_unit": 15,
    "mass_incident": 10,
    "disaster": 10,
}
CENTRES = {"JZ01": (30.2741, 120.1551), "JZ02": (30.2085, 120.2110), "JZ03": (30.2800, 120.1050)}
OFFENCES = [
    ("盗窃", "有期徒刑一年六个月"),
    ("诈骗", "有期徒刑三年"),
    ("故意伤害", "有期徒刑二年"),
    ("抢夺", "有期徒刑一年"),
    ("寻衅滋事", "拘役六个月"),
    ("非法拘禁", "有期徒刑一年"),
]
VENUE_NAMES = [
    "金色年华KTV",
    "星光娱乐会所",
    "天籁歌城",
    "夜上海娱乐城",
    "欢唱量贩KTV",
    "皇冠娱乐中心",
]
CAFE_NAMES = ["极速网咖", "网鱼网咖", "星际网吧", "蓝海网络会所", "飞扬网吧", "电竞之家"]
CHEM_NAMES = ["化工有限公司", "化学试剂经营部", "气体有限公司", "涂料有限公司", "油品储运站"]
MASS = [
    ("劳资纠纷聚集", "某建筑工地农民工讨要工资"),
    ("业主维权聚集", "小区业主对物业收费不满"),
    ("征地拆迁纠纷", "拆迁补偿标准争议"),
    ("交通事故围观聚集", "交通事故后家属聚集"),
]
DISASTERS = [
    ("暴雨内涝", "连续强降雨导致低洼地段积水"),
    ("火灾", "沿街商铺电气线路起火"),
    ("燃气泄漏", "老旧小区燃气管道泄漏"),
    ("山体滑坡", "强降雨诱发山体滑坡"),
]
THREATS = [
    "扬言要“让所有人付出代价”",
    "多次在网上发布报复社会言论",
    "因纠纷扬言要炸掉某单位",
    "酒后扬言要持刀伤人",
]


def load(stdout) -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(20261129)
    rng = random.Random(20261129)
    total = 0
    for station in Unit.objects.filter(kind=UnitKind.STATION, code__in=CENTRES).order_by("code"):
        if Subject.objects.filter(station=station).exists():
            continue
        install_shipped(station.parent)  # the demo bureau's own categories, if it has none
        categories = {c.code: c for c in Category.objects.filter(bureau=station.parent_id)}
        leader = User.objects.filter(unit=station, roles__role=Role.STATION_LEADER).first()
        officers = list(
            User.objects.filter(
                unit__in=[station, *station.children.all()],
                roles__role__in=[Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER],
            ).distinct()
        )
        if leader is None or not officers:
            continue
        total += _station(station, leader, officers, categories, fake, rng)
    if total:
        stdout.write(f"Demo subjects created: {total}")


def _station(station, leader, officers, categories, fake, rng) -> int:
    areas = list(station.children.filter(kind=UnitKind.AREA))
    lat0, lng0 = CENTRES[station.code]
    today = timezone.localdate()
    made: dict[str, list[Subject]] = {}

    def common(code, name, classification=Classification.INTERNAL):
        officer = rng.choice(officers)
        return {
            "actor": leader,
            "kind": categories[code].kind,
            "category": categories[code],
            "name": name,
            "station": station,
            "area": rng.choice(areas),
            "officers": [officer],
            "classification": classification,
            "legal_basis_ref": f"{station.name[:2]}公(治)字〔{today.year}〕{rng.randint(1, 300)}号",
            "approved_by": leader,
            "approved_on": today - timedelta(days=rng.randint(10, 400)),
        }

    def position():
        return {
            "latitude": Decimal(f"{lat0 + rng.uniform(-0.03, 0.03):.6f}"),
            "longitude": Decimal(f"{lng0 + rng.uniform(-0.04, 0.04):.6f}"),
        }

    for code, count in PLAN.items():
        made[code] = []
        for n in range(count):
            kind = categories[code].kind
            if kind == Kind.PERSON:
                subject = _person(code, common, fake, rng)
            elif kind == Kind.PLACE:
                subject = _place(code, n, common, position, fake, rng)
            else:
                subject = _incident(code, common, position, fake, rng)
            made[code].append(subject)
    _associations(leader, made, rng)
    return sum(len(v) for v in made.values())


def _person(code, common, fake, rng):
    sex = rng.choice("12")
    name = fake.name_male() if sex == "1" else fake.name_female()
    id_number = _id_number(rng, sex)
    classification = (
        Classification.CONFIDENTIAL
        if code == "threat_of_violence" and rng.random() < 0.3
        else Classification.INTERNAL
    )
    args = common(code, name, classification)
    category_of_subject = {
        "prior_offender": DataSubjectCategory.CONVICTED,
        "drug_involved": DataSubjectCategory.SUSPECT,
        "threat_of_violence": DataSubjectCategory.SUSPECT,
    }[code]
    detail = {
        "aliases": rng.choice(["", "", f"{name[0]}哥", f"阿{name[-1]}"]),
        "id_number": id_number,
        "phones": fake.phone_number(),
        "household_address": fake.address(),
        "current_address": fake.address(),
        "occupation": rng.choice(["无业", "个体经营", "外卖配送员", "建筑工人", "司机", "保安"]),
        "employer": rng.choice(["", fake.company()]),
        "economic_situation": rng.choice(["收入不稳定", "依靠家人接济", "有固定收入", "负债较多"]),
        "data_subject_category": category_of_subject,
        "supervision_status": rng.choice(
            [
                SupervisionStatus.NONE,
                SupervisionStatus.COMMUNITY_CORRECTION,
                SupervisionStatus.RELEASED,
            ]
        )
        if code == "prior_offender"
        else SupervisionStatus.NONE,
    }
    subject = services.subject_create(detail=detail, **args)
    today = timezone.localdate()
    if code == "prior_offender":
        offence, judgment = rng.choice(OFFENCES)
        when = today - timedelta(days=rng.randint(900, 4000))
        services.person_record_add(
            actor=args["actor"],
            subject=subject,
            record="offence",
            data={
                "offence_type": offence,
                "offence_date": when,
                "judgment": judgment,
                "release_date": when + timedelta(days=rng.randint(200, 800)),
            },
        )
    elif code == "drug_involved":
        start = today - timedelta(days=rng.randint(200, 900))
        services.person_record_add(
            actor=args["actor"],
            subject=subject,
            record="rehab",
            data={
                "rehab_type": rng.choice(RehabType.values),
                "start": start,
                "end": start + timedelta(days=rng.choice([180, 365, 730])),
                "place": "江州市强制隔离戒毒所" if rng.random() < 0.3 else "社区戒毒康复工作站",
            },
        )
        for k in range(rng.randint(1, 3)):
            services.person_record_add(
                actor=args["actor"],
                subject=subject,
                record="drug_test",
                data={
                    "tested_on": today - timedelta(days=30 * k + 3),
                    "result": TestResult.POSITIVE if rng.random() < 0.1 else TestResult.NEGATIVE,
                    "substance": "",
                    "method": "尿检",
                },
            )
    else:
        services.person_record_add(
            actor=args["actor"],
            subject=subject,
            record="threat",
            data={
                "what": rng.choice(THREATS),
                "said_on": today - timedelta(days=rng.randint(3, 120)),
                "where": rng.choice(["微信群", "派出所接待室", "社区居委会", "短视频平台"]),
                "against": rng.choice(["原工作单位", "社会公众", "前妻家属", "物业公司"]),
                "measures": "社区民警每周走访，落实家属稳控，联系心理疏导",
            },
        )
    return subject


REGIONS = [
    "330102",
    "330105",
    "330106",
    "330108",
    "330109",
    "330110",
    "330122",
    "330127",
    "330182",
    "330183",
    "341124",
    "362329",
    "411526",
    "512021",
]


#: Numbers and licences the demo has issued: an ID number or a licence identifies one subject
#: (a unique constraint), so the generators never hand out one twice.
_ISSUED: set[str] = set()


def _unique(make, taken: set[str] | None = None) -> str:
    """``make()`` until it gives a value not yet in ``taken`` (the demo's issued values)."""
    taken = _ISSUED if taken is None else taken
    value = make()
    while value in taken:
        value = make()
    taken.add(value)
    return value


def _id_number(rng, sex: str, taken: set[str] | None = None) -> str:
    """A well-formed resident ID number (known region, real birth date, right check digit,
    sex digit matching), never one already in ``taken``."""

    def make():
        born = timezone.localdate() - timedelta(days=rng.randint(18 * 365, 70 * 365))
        seq = rng.randint(0, 99) * 10 + rng.choice(
            [1, 3, 5, 7, 9] if sex == "1" else [0, 2, 4, 6, 8]
        )
        body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
        return body + ric.calc_check_digit(body + "0")

    return _unique(make, taken)


def _place(code, n, common, position, fake, rng):
    street = fake.street_name()
    if code == "entertainment_venue":
        name = f"{rng.choice(VENUE_NAMES)}（{street}店）"
        licence = _unique(lambda: f"娱经许字{rng.randint(100000, 999999)}号")
    elif code == "internet_cafe":
        name = f"{rng.choice(CAFE_NAMES)}（{street}店）"
        licence = _unique(
            lambda: f"网文{rng.randint(2019, 2026)}{rng.randint(1000, 9999)}-{n:03d}号"
        )
    else:
        name = f"江州{fake.last_name()}{rng.choice(CHEM_NAMES)}"
        licence = _unique(
            lambda: f"危化经字〔{rng.randint(2020, 2026)}〕{rng.randint(100, 999)}{n:02d}号"
        )
    args = common(code, name)
    detail = {
        "address": f"江州市{fake.district()}区{street}{fake.building_number()}号",
        "licence_numbers": licence,
        "operator_name": fake.company() if code == "hazchem_unit" else fake.name(),
        "opening_hours": "08:00-24:00"
        if code == "internet_cafe"
        else ("20:00-02:00" if code == "entertainment_venue" else "08:30-17:30"),
        **position(),
    }
    return services.subject_create(detail=detail, **args)


def _incident(code, common, position, fake, rng):
    title, cause = rng.choice(MASS if code == "mass_incident" else DISASTERS)
    started = timezone.now() - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
    args = common(code, f"{fake.street_name()}{title}")
    status = rng.choice(IncidentStatus.values)
    detail = {
        "incident_type": title,
        "started_at": started,
        "location": f"江州市{fake.district()}区{fake.street_name()}",
        "incident_status": status,
        "cause": cause,
        "scale": rng.choice(["小规模", "中等规模", "较大规模"]),
        "people_involved": rng.randint(5, 120),
        "departments": rng.choice(
            [
                "街道办事处、城管",
                "应急管理局、消防救援大队",
                "住建局、街道办事处",
                "人社局、街道办事处",
            ]
        ),
        "rescue_notes": "" if code == "mass_incident" else "消防救援力量已到场处置",
        "resettlement_notes": "" if code == "mass_incident" else "受影响群众安置于社区服务中心",
        **position(),
    }
    subject = services.subject_create(detail=detail, **args)
    for k, text in enumerate(
        ["接报后民警到场，现场秩序基本稳定", "相关部门到场协调处置", "现场人员逐步疏散"][
            : rng.randint(1, 3)
        ]
    ):
        services.situation_add(
            actor=args["actor"],
            subject=subject,
            text=text,
            at=started + timedelta(minutes=20 * (k + 1)),
        )
    return subject


def _associations(leader, made, rng) -> None:
    persons = made["prior_offender"] + made["drug_involved"] + made["threat_of_violence"]
    places = made["entertainment_venue"] + made["internet_cafe"] + made["hazchem_unit"]
    incidents = made["mass_incident"] + made["disaster"]

    def link(a, b, kind, role="", source="社区走访"):
        with contextlib.suppress(services.ValidationError):  # the same pair drawn twice
            services.association_create(
                actor=leader,
                source=a,
                target=b,
                type=kind,
                role=role,
                source_text=source,
                confidence=rng.choice(Confidence.values),
            )

    for _ in range(60):
        a, b = rng.sample(persons, 2)
        link(
            a,
            b,
            rng.choice(
                [AssociationType.ASSOCIATE, AssociationType.FAMILY, AssociationType.CO_OFFENDER]
            ),
            source=rng.choice(["社区走访", "案件卷宗", "群众反映"]),
        )
    for place in rng.sample(places, 15):
        link(rng.choice(persons), place, AssociationType.OPERATOR_OF, source="工商登记信息")
    for _ in range(40):
        link(rng.choice(persons), rng.choice(places), AssociationType.FREQUENTS, source="视频巡查")
    for incident in incidents:
        for person in rng.sample(persons, rng.randint(1, 4)):
            link(
                person,
                incident,
                AssociationType.PARTICIPANT_IN,
                role=rng.choice(["组织者", "参与者", "受伤人员", "围观人员"]),
                source="现场处置记录",
            )
        link(rng.choice(places), incident, AssociationType.INVOLVED_IN, source="现场处置记录")
