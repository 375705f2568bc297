"""Protected transmission (issue #14 item 5): production refuses plain SMTP, an http:// SMS
gateway and, when asked, a database connection without TLS."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from casebook.retention.transmission_checks import (
    refuse_insecure_transmission,
    transmission_problems,
)

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_USE_TLS = True
    settings.EMAIL_USE_SSL = False
    settings.CASEBOOK_SMS_WEBHOOK_URL = "https://sms.example.cn/send"
    settings.CASEBOOK_DB_REQUIRE_TLS = False
    return settings


def _ids():
    return [p.id for p in transmission_problems()]


def test_production_refuses_to_start_with_plain_smtp(production, db):
    assert _ids() == []
    production.EMAIL_USE_TLS = False
    assert _ids() == ["retention.E101"]
    with pytest.raises(ImproperlyConfigured, match="retention.E101"):
        refuse_insecure_transmission()
    with pytest.raises(SystemCheckError, match="retention.E101"):
        call_command("check", "--deploy", tags=["security"])
    production.EMAIL_USE_SSL = True
    assert _ids() == []


def test_sms_gateway_must_be_https(production):
    production.CASEBOOK_SMS_WEBHOOK_URL = "http://sms.example.cn/send"
    assert _ids() == ["retention.E102"]
    production.CASEBOOK_SMS_WEBHOOK_URL = "https:///nohost"
    assert _ids() == ["retention.E102"]


def test_database_tls_only_when_asked(production, monkeypatch):
    from casebook.retention import transmission_checks

    database = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {}}
    monkeypatch.setattr(transmission_checks, "default_database", lambda: database)
    assert _ids() == []
    production.CASEBOOK_DB_REQUIRE_TLS = True
    assert _ids() == ["retention.E103"]
    database["OPTIONS"] = {"sslmode": "verify-full"}
    assert _ids() == []


def test_development_is_not_checked(settings):
    settings.PRODUCTION = False
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_USE_TLS = False
    assert _ids() == []
