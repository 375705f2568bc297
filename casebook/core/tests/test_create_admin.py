"""manage.py create_admin: the first administrator of a new installation, scriptable."""

import io

import pytest
from django.core.management import CommandError, call_command

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.core.models import Unit


@pytest.mark.django_db
def test_create_admin_reads_the_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    call_command(
        "create_admin",
        "000001",
        "孙丽",
        "--bureau-name",
        "江州市公安局",
        "--bureau-code",
        "JZ",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="000001")
    assert user.check_password("a long enough passphrase")
    assert set(user.roles.values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}
    assert not user.is_demo
    assert AuditEvent.objects.filter(action="account.create", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_create_admin_refuses_a_weak_password_and_writes_nothing(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command(
            "create_admin",
            "000001",
            "孙丽",
            "--bureau-name",
            "江州市公安局",
            "--bureau-code",
            "JZ",
            "--password-stdin",
            stdout=io.StringIO(),
        )
    assert not User.objects.filter(username="000001").exists()
    assert not Unit.objects.filter(code="JZ").exists()
