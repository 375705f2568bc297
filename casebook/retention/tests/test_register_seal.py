"""The processing register's sealed Excel copy is registered as issued, so ``verify_export``
recognises it, and refuses it once changed (issue #14)."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.retention.models import RegisterExport
from conftest import login


def _verify(path) -> str:
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_register_export_verifies_and_a_changed_copy_fails(make_user, org, tmp_path):
    secadmin = make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员")
    response = login(Client(), secadmin).get("/retention/register.xlsx")
    assert response.status_code == 200
    issued = RegisterExport.objects.get()
    assert (issued.issued_by, issued.bureau) == (secadmin, secadmin.unit.bureau)
    event = AuditEvent.objects.get(action="processing_register.export")
    assert event.object_id == str(issued.pk) and event.details["digest"] == issued.digest

    good = tmp_path / "register.xlsx"
    good.write_bytes(response.content)
    out = _verify(good)
    assert issued.digest in out and issued.reference in out and secadmin.username in out

    # a cell changed and the workbook re-zipped with the seal left as it was
    changed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(response.content)) as src,
        zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/sharedStrings") or item.filename.startswith(
                "xl/worksheets/sheet1"
            ):
                data = data.replace("前科".encode(), "无关".encode())
            dst.writestr(item, data)
    assert changed.getvalue() != response.content
    bad = tmp_path / "changed.xlsx"
    bad.write_bytes(changed.getvalue())
    with pytest.raises(CommandError):
        _verify(bad)

    # a sealed copy nobody registered is refused too
    RegisterExport.objects.all().delete()
    with pytest.raises(CommandError):
        _verify(good)
