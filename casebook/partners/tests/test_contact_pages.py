"""The contact form of a partner department through core.actions.submit: a valid form adds the
contact; an invalid one is reported (it used to be dropped without a word) and writes nothing;
retiring keeps the row, inactive."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from casebook.partners import services
from casebook.partners.models import PartnerContact
from conftest import login


@pytest.fixture
def partner(crew):
    return services.partner_create(actor=crew["leader"], name="城关交警中队", kind="traffic_police")


@pytest.mark.django_db
def test_contact_added_refused_and_retired(crew, partner):
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["leader"])
    url = f"/partners/{partner.pk}/contacts/"
    response = client.post(url, {"name": "", "phone": "13900000009"})
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(t.startswith("Name:") for t in texts), texts
    assert not PartnerContact.objects.filter(partner=partner).exists()

    response = client.post(url, {"name": "赵联络", "title": "中队长", "phone": "13900000009"})
    assert response.status_code == 302
    contact = PartnerContact.objects.get(partner=partner)
    assert contact.name == "赵联络" and contact.is_active
    client.post(f"/partners/{partner.pk}/contacts/{contact.pk}/retire/")
    contact.refresh_from_db()
    assert not contact.is_active
