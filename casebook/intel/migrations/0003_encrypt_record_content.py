"""Data: encrypt every record's plaintext content with the record's own data key and write its
keyed search tokens, in batches. Reversible (decrypts back, drops the tokens). A record whose
data key was already destroyed keeps no content at all: it could not be read anyway."""

from django.db import migrations

CONTEXT = "intel.InformationRecord.content"
BATCH = 500


def encrypt_contents(apps, schema_editor):
    from casebook.crypto.services import encrypt_value, is_token
    from casebook.crypto.textindex import text_tokens

    Record = apps.get_model("intel", "InformationRecord")
    Tokens = apps.get_model("intel", "RecordTokens")
    DataKey = apps.get_model("crypto", "DataKey")
    last = 0
    while True:
        # values_list: the historical model has no get_data_key(), so its attribute cannot
        # decrypt; the raw column is what this migration needs anyway.
        batch = list(
            Record.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "content", "data_key_id")[:BATCH]
        )
        if not batch:
            return
        keys = DataKey.objects.in_bulk([row[2] for row in batch])
        for pk, content, data_key_id in batch:
            plaintext = str(content or "")
            if is_token(plaintext):
                continue  # already encrypted (a migration run again after a partial failure)
            dk = keys[data_key_id]
            if dk.destroyed_at is not None or not bytes(dk.wrapped or b""):
                token = ""
            else:
                token = encrypt_value(dk, plaintext, context=CONTEXT) if plaintext else ""
                Tokens.objects.update_or_create(
                    record_id=pk, defaults={"tokens": text_tokens(plaintext)}
                )
            Record.objects.filter(pk=pk).update(content=token)
        last = batch[-1][0]


def decrypt_contents(apps, schema_editor):
    from casebook.crypto.services import decrypt_value, is_token

    Record = apps.get_model("intel", "InformationRecord")
    Tokens = apps.get_model("intel", "RecordTokens")
    DataKey = apps.get_model("crypto", "DataKey")
    Tokens.objects.all().delete()
    rows = Record.objects.order_by("pk").values_list("pk", "content", "data_key_id")
    for pk, content, data_key_id in rows.iterator(BATCH):
        token = str(content or "")
        if not is_token(token):
            continue
        plaintext = decrypt_value(DataKey.objects.get(pk=data_key_id), token, context=CONTEXT)
        # The field refuses plaintext in an update(): raw SQL writes it back.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE intel_informationrecord SET content = %s WHERE id = %s", [plaintext, pk]
            )


class Migration(migrations.Migration):
    dependencies = [("intel", "0002_encrypted_content_search_tokens")]
    operations = [migrations.RunPython(encrypt_contents, decrypt_contents)]
