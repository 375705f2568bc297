"""Encrypt the existing plaintext of urgent reports' text and place (made encrypted fields by
0003): with the subject's data key, or the system key "urgent-reports" for a report about no
subject — as ``UrgentReport.get_data_key`` does. Tokens are left alone; reversing decrypts."""

from django.db import migrations

from casebook.crypto.exceptions import KeyDestroyed
from casebook.crypto.services import decrypt_value, encrypt_value, is_token, system_data_key

FIELDS = ["text", "place"]


def _convert(apps, schema_editor, encrypting: bool):
    UrgentReport = apps.get_model("reports", "UrgentReport")
    Subject = apps.get_model("subjects", "Subject")
    DataKey = apps.get_model("crypto", "DataKey")
    quote = schema_editor.connection.ops.quote_name
    rows = list(UrgentReport.objects.order_by("pk").values_list("pk", "subject_id", *FIELDS))
    if not rows:
        return
    for pk, subject_id, *values in rows:
        if subject_id:
            dk = DataKey.objects.get(pk=Subject.objects.get(pk=subject_id).data_key_id)
        else:
            dk = system_data_key("urgent-reports")
        changes = {}
        for field, value in zip(FIELDS, values, strict=True):
            value = str(value) if value else ""
            if not value or is_token(value) == encrypting:
                continue
            context = f"reports.UrgentReport.{field}"
            try:
                changes[field] = (
                    encrypt_value(dk, value, context=context)
                    if encrypting
                    else decrypt_value(dk, value, context=context)
                )
            except KeyDestroyed:
                changes[field] = ""
        if changes:
            table = quote(UrgentReport._meta.db_table)
            columns = ", ".join(f"{quote(f)} = %s" for f in changes)
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608
                    [*changes.values(), pk],
                )


def forward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=True)


def backward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_urgent_text_encrypted"),
        ("subjects", "0016_sensitive_categories_encrypted"),
        ("crypto", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, backward)]
