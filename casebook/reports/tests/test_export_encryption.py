"""Exports encrypted for their recipient (issue #14 item 5): a one-time password shown once and
kept nowhere; a PDF transport copy (AES-256, R6) signed over the encrypted file; Word and Excel
encrypted with ECMA-376 Agile encryption; ``verify_export --password``; unencrypted exports as
before."""

import io
import logging
import re

import msoffcrypto
import openpyxl
import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document as DocxDocument

from casebook.audit.models import AuditEvent
from casebook.reports import services
from casebook.reports.documents import transport
from casebook.reports.documents.signature import verify_pdf_signature
from casebook.reports.models import Export
from conftest import login

PASSWORD = re.compile(r"^[34679ACDEFGHJKMNPQRTUVWXY]{5}(-[34679ACDEFGHJKMNPQRTUVWXY]{5}){3}$")


def export(actor, subject, fmt, capture, for_recipient=True):
    with capture(execute=True):
        request = services.export_request(
            actor=actor,
            fmt=fmt,
            purpose="移交检察院审查",
            subject=subject,
            for_recipient=for_recipient,
        )
    request.refresh_from_db()
    assert request.status == "done"
    return request


def verify(path, password=None):
    out, err = io.StringIO(), io.StringIO()
    args = [str(path)] + (["--password", password] if password is not None else [])
    try:
        with translation.override("en"):  # the messages are asserted in English
            call_command("verify_export", *args, stdout=out, stderr=err)
    except CommandError:
        return False, out.getvalue() + err.getvalue()
    return True, out.getvalue() + err.getvalue()


def test_passwords_are_strong_and_unambiguous():
    seen = {transport.make_password() for _ in range(200)}
    assert len(seen) == 200
    assert all(PASSWORD.match(p) for p in seen)


@pytest.mark.django_db
class TestPdf:
    def test_encrypted_signed_and_verifiable_with_the_password(
        self, crew, person, tmp_path, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, "pdf", django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError):  # nothing to hand out before it is encrypted
            services.export_download(actor=crew["analyst"], export=done)
        password = services.export_transport_copy(actor=crew["analyst"], export=done)
        assert PASSWORD.match(password)
        data = services.export_download(actor=crew["analyst"], export=done)

        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(io.BytesIO(data))
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(io.BytesIO(data), password="WRONG-PASSW-ORD00-00000")
        with pikepdf.open(io.BytesIO(data), password=password) as pdf:
            assert pdf.is_encrypted and len(pdf.pages) >= 1
            assert pdf.encryption.R == 6 and pdf.encryption.bits == 256
            assert pdf.encryption.stream_method.name == "aesv3"

        report = verify_pdf_signature(data, password=password)  # pyHanko, opened with it
        assert report.signer

        path = tmp_path / done.filename
        path.write_bytes(data)
        ok, text = verify(path, password)
        done.refresh_from_db()
        assert ok and "OK" in text and done.transport_digest in text and done.reference in text
        assert "signature covers the whole file" in text
        ok, text = verify(path)
        assert not ok and "--password" in text
        ok, text = verify(path, "WRONG-PASSW-ORD00-00000")
        assert not ok and "password does not open" in text

        # the archive keeps the signed PDF/A original, unencrypted, with its own digest
        original = services.exports._original(done)
        with pikepdf.open(io.BytesIO(original)) as pdf:
            assert not pdf.is_encrypted
            assert pdf.open_metadata().pdfa_status == "2B"
        assert done.digest != done.transport_digest

    def test_tampered_transport_copy_fails(
        self, crew, person, tmp_path, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, "pdf", django_capture_on_commit_callbacks)
        password = services.export_transport_copy(actor=crew["analyst"], export=done)
        data = bytearray(services.export_download(actor=crew["analyst"], export=done))
        data[len(data) // 3] ^= 0x01
        path = tmp_path / done.filename
        path.write_bytes(bytes(data))
        ok, text = verify(path, password)
        assert not ok and "FAILED" in text


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_office_encrypted_and_verifiable(
    crew, person, tmp_path, fmt, django_capture_on_commit_callbacks
):
    done = export(crew["analyst"], person, fmt, django_capture_on_commit_callbacks)
    password = services.export_transport_copy(actor=crew["analyst"], export=done)
    data = services.export_download(actor=crew["analyst"], export=done)
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    assert office.is_encrypted()
    office.load_key(password=password)
    plain = io.BytesIO()
    office.decrypt(plain)
    assert plain.getvalue() == services.exports._original(done)  # the sealed original
    if fmt == "docx":
        assert "赵某某" in "\n".join(p.text for p in DocxDocument(plain).paragraphs)
    else:
        workbook = openpyxl.load_workbook(plain)
        assert workbook.sheetnames
    bad = msoffcrypto.OfficeFile(io.BytesIO(data))
    bad.load_key(password="WRONG-PASSW-ORD00-00000")
    with pytest.raises(Exception):  # noqa: B017, PT011 - msoffcrypto's own error classes
        bad.decrypt(io.BytesIO())

    path = tmp_path / done.filename
    path.write_bytes(data)
    ok, text = verify(path, password)
    assert ok and done.digest in text and done.reference in text
    ok, text = verify(path)
    assert not ok and "--password" in text
    ok, text = verify(path, "WRONG-PASSW-ORD00-00000")
    assert not ok and "password does not open" in text
    event = AuditEvent.objects.get(action="export.encrypt")
    assert event.details["encryption"] == "ecma376-agile-aes256"


@pytest.mark.django_db
def test_password_is_kept_nowhere(crew, person, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    done = export(crew["analyst"], person, "docx", django_capture_on_commit_callbacks)
    client = login(Client(), crew["analyst"])
    url = reverse("reports:export", args=[done.pk])
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = re.search(
        rb"[34679A-Y]{5}-[34679A-Y]{5}-[34679A-Y]{5}-[34679A-Y]{5}", response.content
    )
    password = password.group().decode()
    assert PASSWORD.match(password)
    assert password not in client.get(url).content.decode()  # shown once
    download = client.get(reverse("reports:export_download", args=[done.pk]))
    assert download.status_code == 200 and transport.is_office_encrypted(download.content)

    needles = {password, password.replace("-", "")}
    row = Export.objects.get(pk=done.pk)
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.BinaryField):
            text = bytes(value or b"").decode("latin-1")
        else:
            text = str(value)
        assert not any(n in text for n in needles), field.name
    for event in AuditEvent.objects.all():
        flat = f"{event.details} {event.purpose} {event.__dict__}"
        assert not any(n in flat for n in needles), event.action
    assert not any(n in caplog.text for n in needles)
    event = AuditEvent.objects.get(action="export.encrypt")
    assert (
        event.details["encryption"] == "ecma376-agile-aes256"
        and event.actor_id == crew["analyst"].pk
    )
    assert AuditEvent.objects.get(action="export.download").details["encrypted"] is True


@pytest.mark.django_db
class TestPages:
    def test_form_option_reaches_the_export(self, crew, person):
        client = login(Client(), crew["analyst"])
        response = client.post(
            reverse("reports:export_new"),
            {"subject": person.pk, "fmt": "xlsx", "purpose": "移交", "for_recipient": "1"},
        )
        made = Export.objects.get()
        assert response.status_code == 302 and made.for_recipient
        assert AuditEvent.objects.get(action="export.request").details["for_recipient"] is True

    def test_only_the_requester_encrypts(self, crew, person, django_capture_on_commit_callbacks):
        done = export(crew["analyst"], person, "xlsx", django_capture_on_commit_callbacks)
        url = reverse("reports:export", args=[done.pk])
        other = login(Client(), crew["officer"])
        assert other.post(url, {"confirm": "1"}).status_code == 404
        anonymous = Client().post(url, {"confirm": "1"})
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
        assert not AuditEvent.objects.filter(action="export.encrypt").exists()
        assert Export.objects.get(pk=done.pk).transport is None

    def test_unencrypted_exports_unchanged(self, crew, person, django_capture_on_commit_callbacks):
        done = export(
            crew["analyst"], person, "pdf", django_capture_on_commit_callbacks, for_recipient=False
        )
        data = services.export_download(actor=crew["analyst"], export=done)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert not pdf.is_encrypted
        with pytest.raises(ValidationError):
            services.export_transport_copy(actor=crew["analyst"], export=done)
        client = login(Client(), crew["analyst"])
        response = client.post(reverse("reports:export", args=[done.pk]), {"confirm": "1"})
        assert response.status_code == 302
        assert not AuditEvent.objects.filter(action="export.encrypt").exists()
        assert Export.objects.get(pk=done.pk).transport is None
        page = client.get(reverse("reports:export", args=[done.pk])).content.decode()
        assert "export-encrypt" not in page
