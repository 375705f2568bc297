"""Default security policy: two factors for leaders, supervisors and administrators;
the informant compartment."""

from django.db import migrations

MFA_ROLES = {"station_leader", "bureau_leader", "supervisor", "system_admin", "security_admin",
             "audit_admin"}
ALL_ROLES = ["tracking_officer", "community_officer", "analyst", "station_leader",
             "bureau_leader", "supervisor", "system_admin", "security_admin", "audit_admin"]


def forward(apps, schema_editor):
    RolePolicy = apps.get_model("accounts", "RolePolicy")
    for role in ALL_ROLES:
        RolePolicy.objects.get_or_create(role=role, defaults={"mfa_required": role in MFA_ROLES})
    Compartment = apps.get_model("accounts", "Compartment")
    Compartment.objects.get_or_create(
        code="informants", defaults={"name": "治安耳目身份",
                                     "description": "Identities of informants (治安耳目)."})
    Compartment.objects.get_or_create(
        code="classified-incidents", defaults={"name": "涉密事件",
                                               "description": "Classified incidents."})


def reverse(apps, schema_editor):
    apps.get_model("accounts", "RolePolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
