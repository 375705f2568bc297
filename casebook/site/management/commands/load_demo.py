"""manage.py load_demo: the demo bureau — three stations, their areas, an account for every role.

Idempotent: run it again and it adds only what is missing. Refused in production. Then each
module adds its own demo data, in the order of the layers (see ``demo_steps``): a module's step
may build on what the modules below it created (tracking's tasks are walked on through the
stages by intel, analysis and reports, whose work each stage needs: see ``casebook.tracking.demo``).

This command sits in ``casebook.site``, the composition root above every app, because it drives
all of them.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from casebook.accounts.demo import DEMO_PASSWORD
from casebook.accounts.models import Compartment, RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create, user_create
from casebook.audit.services import record_event
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.staff import supervision_demo

BUREAU = ("江州市公安局", "JZ", "江州市人民路100号", "0571-110")
STATIONS = [
    (
        "城关派出所",
        "JZ01",
        "江州市城关区解放路18号",
        "0571-85001110",
        ["东门社区", "西街社区", "南湖社区", "北苑社区"],
    ),
    (
        "滨江派出所",
        "JZ02",
        "江州市滨江区江滨大道66号",
        "0571-85002110",
        ["江滨社区", "长河社区", "浦沿社区"],
    ),
    (
        "高新区派出所",
        "JZ03",
        "江州市高新区科技路9号",
        "0571-85003110",
        ["科创社区", "文苑社区", "丰收湖社区"],
    ),
]
# (police number, name, unit code, roles, clearance, compartments, title)
ACCOUNTS = [
    ("010001", "张伟", "JZ01", [Role.TRACKING_OFFICER], Classification.CONFIDENTIAL, [], "民警"),
    ("010002", "李娜", "JZ01-1", [Role.COMMUNITY_OFFICER], Classification.INTERNAL, [], "社区民警"),
    ("010003", "王强", "JZ01", [Role.ANALYST], Classification.CONFIDENTIAL, [], "研判员"),
    (
        "010004",
        "刘洋",
        "JZ01",
        [Role.STATION_LEADER],
        Classification.SECRET,
        ["informants", "classified-incidents"],
        "所长",
    ),
    (
        "000001",
        "陈静",
        "JZ",
        [Role.BUREAU_LEADER],
        Classification.SECRET,
        ["classified-incidents"],
        "副局长",
    ),
    ("000002", "赵磊", "JZ", [Role.SUPERVISOR], Classification.CONFIDENTIAL, [], "督察"),
    ("000003", "孙丽", "JZ", [Role.SYSTEM_ADMIN], Classification.PUBLIC, [], "系统管理员"),
    ("000004", "周杰", "JZ", [Role.SECURITY_ADMIN], Classification.PUBLIC, [], "安全管理员"),
    ("000005", "吴敏", "JZ", [Role.AUDIT_ADMIN], Classification.PUBLIC, [], "审计管理员"),
    ("020001", "黄磊", "JZ02", [Role.TRACKING_OFFICER], Classification.CONFIDENTIAL, [], "民警"),
    (
        "020002",
        "徐芳",
        "JZ02",
        [Role.STATION_LEADER],
        Classification.SECRET,
        ["informants"],
        "所长",
    ),
    ("030001", "马超", "JZ03", [Role.TRACKING_OFFICER], Classification.CONFIDENTIAL, [], "民警"),
    (
        "030002",
        "胡静",
        "JZ03",
        [Role.STATION_LEADER],
        Classification.SECRET,
        ["informants"],
        "所长",
    ),
]


def demo_steps() -> list:
    """The modules' demo data, each with ``load(stdout)``, in the order of the layers (a module
    builds on those below it). Imported when the command runs, after the check for Faker."""
    from casebook.analysis import demo as analysis  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.assessment import demo as assessment  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.intel import demo as intel  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.monitoring import demo as monitoring  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.partners import demo as partners  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.reports import demo as reports  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.staff import demo as staff  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.subjects import demo as subjects  # noqa: PLC0415 - needs Faker (the demo extra), checked first
    from casebook.tracking import demo as tracking  # noqa: PLC0415 - needs Faker (the demo extra), checked first

    return [
        subjects,
        partners,
        tracking,
        intel,
        monitoring,
        analysis,
        reports,
        staff,
        supervision_demo,
        assessment,
    ]


class Command(BaseCommand):
    help = "Load the demo bureau (idempotent). Refused when CASEBOOK_PRODUCTION=1."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="do not print the demo logins"
        )

    def handle(self, *args, quiet_logins=False, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        try:
            import faker  # noqa: F401, PLC0415 - the optional "demo" extra: production installs leave it out
        except ModuleNotFoundError as exc:
            raise CommandError(
                "Demo data needs Faker, which production installs leave out: "
                "pip install --require-hashes -r requirements/demo.txt (or make run)."
            ) from exc
        with transaction.atomic():
            created = self._organisation_and_accounts()
            record_event(
                actor=None,
                actor_name="manage.py load_demo",
                action="demo.load",
                details={"accounts_created": created},
            )
        for step in demo_steps():
            step.load(self.stdout)
        if not quiet_logins:
            self.print_logins()

    def _unit(self, kind, name, code, parent=None, address="", phone=""):
        unit = Unit.objects.filter(code=code).first()
        return unit or unit_create(
            actor=None, kind=kind, name=name, code=code, parent=parent, address=address, phone=phone
        )

    def _organisation_and_accounts(self) -> int:
        name, code, address, phone = BUREAU
        bureau = self._unit(UnitKind.BUREAU, name, code, address=address, phone=phone)
        for s_name, s_code, s_address, s_phone, areas in STATIONS:
            station = self._unit(UnitKind.STATION, s_name, s_code, bureau, s_address, s_phone)
            for i, area in enumerate(areas, start=1):
                self._unit(UnitKind.AREA, area, f"{s_code}-{i}", station)
        # The demo runs without enforced two factors so every printed login works at once;
        # a fresh installation keeps the safe default (see accounts migration 0002).
        RolePolicy.objects.update(mfa_required=False)
        compartments = {c.code: c for c in Compartment.objects.all()}
        created = 0
        for username, real_name, unit_code, roles, clearance, comps, title in ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            user_create(
                actor=None,
                username=username,
                real_name=real_name,
                unit=Unit.objects.get(code=unit_code),
                password=DEMO_PASSWORD,
                roles=set(roles),
                clearance=clearance,
                title=title,
                compartments=[compartments[c] for c in comps],
                is_demo=True,
                phone=f"1390571{username[-4:]}",
            )
            created += 1
        created += self._extra_officers()
        return created

    def _extra_officers(self) -> int:
        """A realistic strength: a few more officers per station, with Faker's Chinese names."""
        from faker import Faker  # noqa: PLC0415 - the demo extra, checked in handle()

        fake = Faker("zh_CN")
        fake.seed_instance(2026)
        created = 0
        for s_index, (_name, s_code, _addr, _phone, areas) in enumerate(STATIONS, start=1):
            for n in range(5, 11):
                username = f"0{s_index}{n:04d}"
                real_name = fake.name()
                if User.objects.filter(username=username).exists():
                    continue
                role = Role.COMMUNITY_OFFICER if n % 3 == 0 else Role.TRACKING_OFFICER
                unit_code = (
                    f"{s_code}-{(n % len(areas)) + 1}" if role == Role.COMMUNITY_OFFICER else s_code
                )
                user_create(
                    actor=None,
                    username=username,
                    real_name=real_name,
                    unit=Unit.objects.get(code=unit_code),
                    password=DEMO_PASSWORD,
                    roles={role},
                    clearance=Classification.INTERNAL,
                    is_demo=True,
                    title="社区民警" if role == Role.COMMUNITY_OFFICER else "民警",
                    phone=fake.phone_number(),
                )
                created += 1
        return created

    def print_logins(self) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号 Demo logins — 密码 password: {DEMO_PASSWORD}")
        self.stdout.write("  警号     姓名   角色          Role                    单位")
        for username, real_name, unit_code, roles, *_rest in ACCOUNTS[:9]:
            unit = Unit.objects.get(code=unit_code)
            label = "、".join(str(Role(r).label) for r in roles)
            with translation.override("en"):
                english = ", ".join(str(Role(r).label) for r in roles)
            self.stdout.write(
                f"  {username}   {real_name}   {label:<8}  {english:<22}  {unit.name}"
            )
