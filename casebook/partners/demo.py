"""Demo partner departments: for each bureau, the departments its stations work with and one
contact each (phones from the 139 0000 range, fictitious). Through the services; idempotent."""

from faker import Faker

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from . import services
from .models import PartnerUnit

DEPARTMENTS = [
    ("交警大队城区中队", "traffic_police", "中队长"),
    ("城区消防救援站", "fire", "站长"),
    ("城关街道办事处", "street_office", "综治办主任"),
    ("市第一人民医院", "hospital", "医务科科长"),
    ("区应急管理局", "emergency", "值班室主任"),
]


def load(stdout=None) -> None:
    fake = Faker("zh_CN")
    Faker.seed(18)
    made = 0
    for bureau in Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk"):
        keeper = (
            User.objects.filter(
                unit__parent=bureau, roles__role=Role.STATION_LEADER, is_active=True
            )
            .order_by("pk")
            .first()
        )
        if keeper is None:
            continue
        for n, (name, kind, title) in enumerate(DEPARTMENTS):
            if PartnerUnit.objects.filter(bureau=bureau, name=name).exists():
                continue
            partner = services.partner_create(actor=keeper, name=name, kind=kind)
            services.contact_add(
                actor=keeper,
                partner=partner,
                name=fake.name(),
                title=title,
                phone=f"1390000{bureau.pk % 10}{n:03d}",
            )
            made += 1
    if stdout is not None and made:
        stdout.write(f"Demo partner departments registered: {made}\n")
