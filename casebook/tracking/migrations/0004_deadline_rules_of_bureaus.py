"""Data: deadline rules set before bureaus owned them go to the first bureau; every other
bureau gets a copy. Without a bureau (a fresh installation) they wait for the first one."""

from django.db import migrations


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    DeadlineRule = apps.get_model("tracking", "DeadlineRule")
    bureaus = list(Unit.objects.filter(kind="bureau").order_by("pk"))
    if not bureaus:
        return
    for rule in DeadlineRule.objects.filter(bureau__isnull=True).order_by("pk"):
        for bureau in bureaus[1:]:
            DeadlineRule.objects.create(
                bureau=bureau, priority=rule.priority, stage=rule.stage, hours=rule.hours
            )
        rule.bureau = bureaus[0]
        rule.save(update_fields=["bureau"])


def backwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    first = Unit.objects.filter(kind="bureau").order_by("pk").first()
    DeadlineRule = apps.get_model("tracking", "DeadlineRule")
    DeadlineRule.objects.exclude(bureau=first).exclude(bureau__isnull=True).delete()
    DeadlineRule.objects.filter(bureau=first).update(bureau=None)


class Migration(migrations.Migration):
    dependencies = [("tracking", "0003_deadline_rule_bureau")]

    operations = [migrations.RunPython(forwards, backwards)]
