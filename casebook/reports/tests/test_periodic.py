"""Weekly and monthly station reports: made once per period by the job, kept as sealed PDFs,
listed to those who oversee the station, and holding the period's figures."""

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from casebook.audit.models import AuditEvent
from casebook.reports import periodic, services
from casebook.reports.choices import Period
from casebook.reports.documents.seal import verify
from casebook.reports.models import PeriodicReport
from conftest import login


def test_period_bounds():
    sunday = date(2026, 11, 29)  # a Sunday
    assert periodic.period_bounds(Period.WEEKLY, sunday) == (date(2026, 11, 16), date(2026, 11, 22))
    assert periodic.period_bounds(Period.WEEKLY, date(2026, 11, 30)) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert periodic.period_bounds(Period.MONTHLY, sunday) == (date(2026, 10, 1), date(2026, 10, 31))
    assert periodic.period_bounds(Period.MONTHLY, date(2026, 1, 5)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )


@pytest.mark.django_db
class TestGeneration:
    def test_job_makes_each_report_once_with_the_figures(self, org, crew, person):
        monday = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
        with time_machine.travel(monday + timedelta(days=1), tick=False):
            services.urgent_report_create(actor=crew["officer"], text="紧急情况一", subject=person)
        with time_machine.travel(monday + timedelta(days=8), tick=False):
            made = periodic.generate_due()
            assert periodic.generate_due() == 0  # idempotent
        stations = 3  # a, b and c of the fixture
        assert made == 2 * stations
        weekly = PeriodicReport.objects.get(station=org["a"], period=Period.WEEKLY)
        assert (weekly.starts_on, weekly.ends_on) == (date(2026, 11, 23), date(2026, 11, 29))
        assert weekly.figures["current"]["urgent"] == 1
        assert weekly.figures["previous"]["urgent"] == 0
        data = periodic.report_file(weekly)
        seal = verify(data)
        assert seal.digest == weekly.digest
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert org["a"].name in text and "紧急情况一" in text
        assert str(periodic.FIGURES["urgent"]) in text
        assert AuditEvent.objects.filter(action="report.generate").count() == made

    def test_listed_to_leaders_of_the_station_only(self, org, crew, person):
        periodic.generate_due(date(2026, 11, 30))
        own = PeriodicReport.objects.get(station=org["a"], period=Period.WEEKLY)
        theirs = PeriodicReport.objects.get(station=org["b"], period=Period.WEEKLY)
        leader = login(Client(), crew["leader"])
        page = leader.get("/reports/periodic/").content.decode()
        assert own.reference in page and theirs.reference not in page
        response = leader.get(f"/reports/periodic/{own.pk}/download/")
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="report.download", object_id=str(own.pk))
        assert leader.get(f"/reports/periodic/{theirs.pk}/download/").status_code == 404
        officer = login(Client(), crew["officer"])
        assert officer.get("/reports/periodic/").status_code == 403
        with pytest.raises(PermissionDenied):
            periodic.periodic_download(actor=crew["officer"], report=own)
        bureau = login(Client(), crew["bureau"])
        page = bureau.get("/reports/periodic/").content.decode()
        assert own.reference in page and theirs.reference in page
