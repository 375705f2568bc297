"""Feedback reports name the departments they are copied to from the bureau's partner register
(issue 18 item 9), not as free text."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from casebook.audit.models import AuditEvent
from casebook.partners import services as partners
from casebook.reports import services
from casebook.reports.models import FeedbackReport
from conftest import login


def submit(task, actor, **extra):
    return services.feedback_submit(
        actor=actor,
        task=task,
        summary="对象近期情况稳定",
        findings="走访两次，未见异常往来",
        recommendations="维持现有管控，按期走访",
        **extra,
    )


@pytest.mark.django_db
def test_feedback_is_copied_to_registered_departments(analysing_task, crew, make_user, org):
    street = partners.partner_create(actor=crew["leader"], name="城关街道办", kind="street_office")
    elsewhere = partners.partner_create(
        actor=make_user("station_leader", org["c"]), name="他市医院", kind="hospital"
    )
    with pytest.raises(ValidationError) as refused:
        submit(analysing_task, crew["officer"], partners=[elsewhere])
    assert "partners" in refused.value.message_dict
    assert not FeedbackReport.objects.exists()

    client = login(Client(), crew["officer"])
    form = client.get(reverse("reports:feedback_new", args=[analysing_task.pk])).content.decode()
    assert "城关街道办" in form and "他市医院" not in form
    report = submit(analysing_task, crew["officer"], partners=[street])
    assert list(report.partners.all()) == [street]
    event = AuditEvent.objects.get(action="feedback.submit", object_id=str(report.pk))
    assert event.details["partners"] == [street.pk]
    page = client.get(report.get_absolute_url()).content.decode()
    assert "城关街道办" in page
