"""Data: retention classes set before bureaus owned them go to the first bureau; every other
bureau gets a copy with the same code, name and period. What names a class (a category's
``retention_class``, a retention clock, a destruction proposal, a tombstone) names it by code,
resolved within its own bureau, so each bureau's rows now point at that bureau's copy without a
change. Without a bureau (a fresh installation) the classes wait for the first one."""

from django.db import migrations


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    RetentionClass = apps.get_model("retention", "RetentionClass")
    bureaus = list(Unit.objects.filter(kind="bureau").order_by("pk"))
    if not bureaus:
        return
    for klass in RetentionClass.objects.filter(bureau__isnull=True).order_by("pk"):
        for bureau in bureaus[1:]:
            if RetentionClass.objects.filter(bureau=bureau, code=klass.code).exists():
                continue
            RetentionClass.objects.create(
                bureau=bureau,
                code=klass.code,
                name=klass.name,
                name_en=klass.name_en,
                scope=klass.scope,
                days=klass.days,
            )
        klass.bureau = bureaus[0]
        klass.save(update_fields=["bureau"])


def backwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    first = Unit.objects.filter(kind="bureau").order_by("pk").first()
    RetentionClass = apps.get_model("retention", "RetentionClass")
    RetentionClass.objects.exclude(bureau=first).exclude(bureau__isnull=True).delete()
    RetentionClass.objects.filter(bureau=first).update(bureau=None)


class Migration(migrations.Migration):
    dependencies = [("retention", "0004_retention_class_bureau")]

    operations = [migrations.RunPython(forwards, backwards)]
