"""Encrypt the existing plaintext of public tips' "what" and "where" (made encrypted fields by
0006) with each tip's data key and the column's context, as ``EncryptedTextField`` does; tokens
are left alone. Reversing decrypts them back (raw SQL: the field refuses plaintext)."""

from django.db import migrations

from casebook.crypto.exceptions import KeyDestroyed
from casebook.crypto.services import decrypt_value, encrypt_value, is_token

FIELDS = ["what", "where"]


def _convert(apps, schema_editor, encrypting: bool):
    Tip = apps.get_model("intel", "Tip")
    DataKey = apps.get_model("crypto", "DataKey")
    quote = schema_editor.connection.ops.quote_name
    for pk, key_id, *values in list(
        Tip.objects.order_by("pk").values_list("pk", "data_key_id", *FIELDS)
    ):
        dk = DataKey.objects.get(pk=key_id)
        changes = {}
        for field, value in zip(FIELDS, values, strict=True):
            value = str(value) if value else ""
            if not value or is_token(value) == encrypting:
                continue
            context = f"intel.Tip.{field}"
            try:
                changes[field] = (
                    encrypt_value(dk, value, context=context)
                    if encrypting
                    else decrypt_value(dk, value, context=context)
                )
            except KeyDestroyed:
                changes[field] = ""
        if changes:
            columns = ", ".join(f"{quote(Tip._meta.get_field(f).column)} = %s" for f in changes)
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(Tip._meta.db_table)} SET {columns} WHERE id = %s",  # noqa: S608
                    [*changes.values(), pk],
                )


def forward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=True)


def backward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=False)


class Migration(migrations.Migration):
    dependencies = [("intel", "0006_tip_text_encrypted"), ("crypto", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
