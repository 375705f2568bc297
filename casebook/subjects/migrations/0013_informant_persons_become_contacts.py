"""The data-subject category "informant" is gone (SECURITY.md D4: an informant exists only in
the protected informant register). Persons registered with it become "contact": the register of
informants (intel.Informant) is where an informant belongs, and the station leader re-registers
one there if needed. Not reversible to the old value (which persons had it is not kept)."""

from django.db import migrations


def forward(apps, schema_editor):
    PersonDetail = apps.get_model("subjects", "PersonDetail")
    PersonDetail.objects.filter(data_subject_category="informant").update(
        data_subject_category="contact"
    )


class Migration(migrations.Migration):
    dependencies = [("subjects", "0012_restricted_status_no_informant_category")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
