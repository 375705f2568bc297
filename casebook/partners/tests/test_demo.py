import pytest

from casebook.partners import demo
from casebook.partners.models import PartnerContact, PartnerUnit


@pytest.mark.django_db
def test_demo_departments_once_per_bureau(crew, org):
    demo.load()
    demo.load()  # idempotent
    assert PartnerUnit.objects.filter(bureau=org["bureau"]).count() == len(demo.DEPARTMENTS)
    contact = PartnerContact.objects.filter(partner__bureau=org["bureau"]).first()
    assert contact.phone.startswith("1390000")
