"""The API is throttled (issue #12 item 4): per user, per anonymous address, and raising an
urgent report has its own tighter rate; a throttled call answers 429 problem details with
Retry-After and writes nothing.

DRF reads the rates into ``SimpleRateThrottle.THROTTLE_RATES`` when it is imported, so a test
that wants tiny rates sets them there (``override_settings`` alone would not reach them); the
test settings raise the real rates so that no other test is throttled by accident.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from casebook.reports.models import UrgentReport


@pytest.fixture
def tiny_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min", "urgent": "1/min"}
    )
    cache.clear()
    yield
    cache.clear()


def test_throttles_are_configured():
    config = settings.REST_FRAMEWORK
    assert "rest_framework.throttling.UserRateThrottle" in config["DEFAULT_THROTTLE_CLASSES"]
    assert "rest_framework.throttling.AnonRateThrottle" in config["DEFAULT_THROTTLE_CLASSES"]
    assert set(config["DEFAULT_THROTTLE_RATES"]) == {"anon", "user", "urgent"}


@pytest.mark.django_db
def test_user_over_the_rate_gets_429_problem_details(client_for, tiny_rates):
    client, _user = client_for()
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    problem = response.json()
    assert problem["status"] == 429 and problem["title"] and problem["detail"]
    assert "Traceback" not in response.content.decode()
    # the budget is per user: a colleague is not affected
    other, _ = client_for()
    assert other.get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
def test_raising_urgent_reports_has_its_own_rate(client_for, tiny_rates):
    client, _user = client_for()
    first = client.post(
        "/api/v1/urgent-reports/", {"text": "发现可疑人员持刀"}, content_type="application/json"
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/urgent-reports/", {"text": "第二条紧急情况"}, content_type="application/json"
    )
    assert second.status_code == 429
    assert second["Content-Type"] == "application/problem+json" and second["Retry-After"]
    assert UrgentReport.objects.count() == 1  # the throttled one was not written
    # reading is not held back by the raising rate
    assert client.get("/api/v1/urgent-reports/").status_code == 200
