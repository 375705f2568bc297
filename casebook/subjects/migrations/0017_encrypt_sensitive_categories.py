"""Encrypt the existing plaintext of the sensitive categories (PIPL art. 28) that 0016 made
encrypted fields: criminal records, rehabilitation places, drug-test substances and methods,
threats and their measures, economic situations, situation-log text. Each value is encrypted
with its subject's data key and the column's context, exactly as ``EncryptedTextField`` does;
values that are already tokens are left alone, so the migration can run again. A subject whose
data key was destroyed has its plaintext emptied (it should not have survived the shredding).

Reversing decrypts them back into plaintext."""

from django.db import migrations

from casebook.crypto.exceptions import KeyDestroyed
from casebook.crypto.services import decrypt_value, encrypt_value, is_token

#: model -> (path from the row to its subject id, encrypted fields)
COLUMNS = {
    "PersonDetail": ("subject_id", ["economic_situation"]),
    "Offence": ("person__subject_id", ["offence_type", "judgment"]),
    "RehabPeriod": ("person__subject_id", ["place"]),
    "DrugTest": ("person__subject_id", ["substance", "method"]),
    "Threat": ("person__subject_id", ["what", "where", "against", "measures"]),
    "SituationEntry": ("incident__subject_id", ["text"]),
}


def _convert(apps, schema_editor, encrypting: bool):
    Subject = apps.get_model("subjects", "Subject")
    DataKey = apps.get_model("crypto", "DataKey")
    quote = schema_editor.connection.ops.quote_name
    keys: dict[int, object] = {}

    def key_of(subject_id):
        if subject_id not in keys:
            key_id = Subject.objects.filter(pk=subject_id).values_list("data_key_id", flat=True)[0]
            keys[subject_id] = DataKey.objects.get(pk=key_id)
        return keys[subject_id]

    for model_name, (path, fields) in COLUMNS.items():
        model = apps.get_model("subjects", model_name)
        pk_field = model._meta.pk
        rows = model.objects.order_by(pk_field.attname).values_list(pk_field.attname, path, *fields)
        for pk, subject_id, *values in list(rows):
            changes = {}
            for field, value in zip(fields, values, strict=True):
                value = str(value) if value else ""
                if not value or is_token(value) == encrypting:
                    continue
                context = f"subjects.{model_name}.{field}"
                try:
                    if encrypting:
                        changes[field] = encrypt_value(key_of(subject_id), value, context=context)
                    else:
                        changes[field] = decrypt_value(key_of(subject_id), value, context=context)
                except KeyDestroyed:
                    changes[field] = ""
            if changes:  # raw SQL: the field's guard refuses plaintext on the way back
                columns = ", ".join(
                    f"{quote(model._meta.get_field(f).column)} = %s" for f in changes
                )
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {quote(model._meta.db_table)} SET {columns} "  # noqa: S608
                        f"WHERE {quote(pk_field.column)} = %s",
                        [*changes.values(), pk],
                    )


def forward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=True)


def backward(apps, schema_editor):
    _convert(apps, schema_editor, encrypting=False)


class Migration(migrations.Migration):
    dependencies = [
        ("subjects", "0016_sensitive_categories_encrypted"),
        ("crypto", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, backward)]
