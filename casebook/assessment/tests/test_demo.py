"""The demo quarter loads through the services and is idempotent."""

import pytest
from django.core.management import call_command

from casebook.assessment.models import Assessment, Opinion, SpotCheck


@pytest.mark.django_db
def test_demo_quarter(settings):
    pytest.importorskip("faker")
    call_command("load_demo", verbosity=0)
    assert SpotCheck.objects.count() == 1
    check = SpotCheck.objects.get()
    officers = {officer for _item, officer in check.population}
    assert set(check.items.values_list("officer_id", flat=True)) == officers
    assert Opinion.objects.count() == 3
    assert Assessment.objects.filter(status="confirmed").count() == 1
    assert Assessment.objects.filter(status="objected").count() == 1
    call_command("load_demo", verbosity=0)  # idempotent
    assert SpotCheck.objects.count() == 1 and Opinion.objects.count() == 3
