"""Demo officer files, pledge and training for the demo bureau, through the services;
idempotent (it adds nothing once the bureau has a pledge).

The security administrator 周杰 has issued version 1 of the confidentiality pledge and every
demo officer has signed it except 010010 (an extra officer of 城关派出所), who must sign before
seeing any personal data: log in as 010010 to see the gate. The bureau leader 陈静 has set the
yearly quotas; 城关派出所 held two sessions: 010005 failed the information-security test, so
the station leader 刘洋 sees them flagged on the home page (blocking is off: 周杰 can turn it on
under 系统管理 → 保密承诺)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from casebook.accounts.demo import DEMO_PASSWORD
from casebook.accounts.models import User
from casebook.accounts.roles import CASE_ROLES, Role
from casebook.core.models import Unit

from . import services
from .models import PledgeVersion

UNSIGNED = "010010"
PLEDGE_TITLE = "江州市公安局跟踪工作保密承诺书"
PLEDGE_TEXT = (
    "本人自愿遵守《派出所跟踪工作制度》第五条第（二）款第2项和第七条的规定，郑重承诺：\n"
    "一、严守跟踪工作中知悉的国家秘密、工作秘密和个人信息，不向任何无关人员泄露；\n"
    "二、只在工作需要的范围内查询、使用跟踪对象的信息，每次查询说明用途；\n"
    "三、不私自复制、存储、传输跟踪信息，不在非涉密设备上处理跟踪信息；\n"
    "四、离岗、调岗时交回全部工作资料，保密义务不因离岗而终止。\n"
    "如有违反，愿承担相应的纪律和法律责任。"
)
POSTS = {
    "010001": "tracking_officer",
    "010002": "community_officer",
    "010004": "station_leader",
    "020001": "tracking_officer",
    "020002": "station_leader",
    "030001": "tracking_officer",
    "030002": "station_leader",
}
COURSES = [
    ("《个人信息保护法》与跟踪工作", "law", 4),
    ("实地走访与信息收集方法", "methods", 3),
    ("信息分析研判基础", "analysis", 3),
    ("涉密信息系统安全操作", "security", 2),
]


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def load(stdout=None) -> None:
    security, chief, leader = _user("000004"), _user("000001"), _user("010004")
    station = Unit.objects.filter(code="JZ01").first()
    if None in (security, chief, leader, station) or station.bureau is None:
        return
    if PledgeVersion.objects.filter(bureau=station.bureau).exists():
        return
    version = services.pledge_issue(actor=security, title=PLEDGE_TITLE, text=PLEDGE_TEXT)
    officers = (
        User.objects.filter(is_demo=True, is_active=True, roles__role__in=CASE_ROLES)
        .filter(
            Q(unit__parent__parent=station.bureau)
            | Q(unit__parent=station.bureau)
            | Q(unit=station.bureau)
        )
        .distinct()
        .order_by("username")
    )
    signed = 0
    for officer in officers:
        if officer.username != UNSIGNED:
            services.pledge_sign(actor=officer, version=version, password=DEMO_PASSWORD)
            signed += 1
    today = timezone.localdate()
    two_years = today - timedelta(days=730)
    leaders = {"01": leader, "02": _user("020002"), "03": _user("030002")}
    for username, post in POSTS.items():
        officer = _user(username)
        keeper = chief if post == "station_leader" else leaders.get(username[:2])
        if officer is not None and keeper is not None:
            services.profile_set(actor=keeper, officer=officer, post=post, post_since=two_years)
    for officer in User.objects.filter(unit__code__startswith="JZ01", is_demo=True).exclude(
        username__in=list(POSTS)
    ):
        roles = officer.role_set
        post = (
            "community_officer"
            if Role.COMMUNITY_OFFICER in roles
            else "tracking_officer"
            if Role.TRACKING_OFFICER in roles
            else None
        )
        if post is not None:
            services.profile_set(actor=leader, officer=officer, post=post, post_since=two_years)
    services.certificate_add(
        actor=leader,
        officer=_user("010001"),
        name="公安机关人民警察执法资格（基本级）",
        issuer="江州市公安局",
        number="JZ-ZF-2024-0187",
        issued_on=today - timedelta(days=500),
        expires_on=today + timedelta(days=900),
    )
    services.certificate_add(
        actor=leader,
        officer=_user("010002"),
        name="涉密人员保密培训合格证",
        issuer="江州市国家保密局",
        issued_on=today - timedelta(days=340),
        expires_on=today + timedelta(days=25),
    )
    services.conduct_add(
        actor=leader,
        officer=_user("010001"),
        kind="commendation",
        decided_on=today - timedelta(days=60),
        reason="跟踪工作中及时发现并上报重大情况，信息核实准确。",
        decided_by="城关派出所",
    )
    courses = [
        services.course_create(actor=chief, title=t, category=c, hours=h) for t, c, h in COURSES
    ]
    services.requirement_set(
        actor=chief, role=Role.TRACKING_OFFICER, category="law", unit="hours", quota=4
    )
    services.requirement_set(
        actor=chief, role=Role.TRACKING_OFFICER, category="security", unit="sessions", quota=1
    )
    services.requirement_set(
        actor=chief, role=Role.COMMUNITY_OFFICER, category="", unit="hours", quota=4
    )
    law = services.session_create(
        actor=leader,
        course=courses[0],
        unit=station,
        held_on=today - timedelta(days=45),
        place="城关派出所三楼会议室",
        trainer="市局法制支队 郑教官",
    )
    security_session = services.session_create(
        actor=leader,
        course=courses[3],
        unit=station,
        held_on=today - timedelta(days=12),
        place="城关派出所三楼会议室",
        trainer="市局网安支队 钱工程师",
        pass_mark=60,
    )
    services.session_create(
        actor=leader,
        course=courses[1],
        unit=station,
        held_on=today + timedelta(days=14),
        place="东门社区警务室",
        trainer="刘洋",
    )
    attended = 0
    for officer in User.objects.filter(
        Q(unit=station) | Q(unit__parent=station), is_demo=True, is_active=True
    ).exclude(pk=leader.pk):
        if not officer.role_set & {Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER}:
            continue
        services.attendance_record(actor=leader, session=law, officer=officer)
        score = 45 if officer.username == "010005" else 85
        services.attendance_record(
            actor=leader, session=security_session, officer=officer, score=score
        )
        attended += 1
    if stdout is not None:
        stdout.write(f"Demo pledge signed by {signed} officers; training for {attended} officers")
