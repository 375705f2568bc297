"""Data: role policies set before bureaus owned them go to the first bureau; every other
bureau gets a copy. Without a bureau (a fresh installation) they wait for the first one."""

from django.db import migrations


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    RolePolicy = apps.get_model("accounts", "RolePolicy")
    bureaus = list(Unit.objects.filter(kind="bureau").order_by("pk"))
    if not bureaus:
        return
    for policy in RolePolicy.objects.filter(bureau__isnull=True).order_by("pk"):
        for bureau in bureaus[1:]:
            RolePolicy.objects.create(
                bureau=bureau, role=policy.role, mfa_required=policy.mfa_required
            )
        policy.bureau = bureaus[0]
        policy.save(update_fields=["bureau"])


def backwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    first = Unit.objects.filter(kind="bureau").order_by("pk").first()
    RolePolicy = apps.get_model("accounts", "RolePolicy")
    RolePolicy.objects.exclude(bureau=first).exclude(bureau__isnull=True).delete()
    RolePolicy.objects.filter(bureau=first).update(bureau=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_role_policy_bureau")]

    operations = [migrations.RunPython(forwards, backwards)]
