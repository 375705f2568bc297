"""An ID number or a licence identifies one subject: a unique constraint on its blind index.

Before the constraint, a check names the duplicates an older version could let through (two
registrations at the same moment), so that the operator merges them instead of facing a bare
database error."""

from django.db import migrations, models
from django.db.models import Count


def refuse_existing_duplicates(apps, schema_editor):
    Identifier = apps.get_model("subjects", "Identifier")
    twins = (
        Identifier.objects.filter(kind__in=["id_number", "licence"])
        .values("kind", "blind_index")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    found = [
        sorted(
            Identifier.objects.filter(kind=t["kind"], blind_index=t["blind_index"]).values_list(
                "subject_id", flat=True
            )
        )
        for t in twins
    ]
    if found:
        raise RuntimeError(
            "Subjects registered twice with the same ID number or licence must be merged or "
            f"destroyed before this migration (subject ids): {found}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subjects", "0006_subject_visit_cycle"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="identifier",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind__in", ["id_number", "licence"])),
                fields=("kind", "blind_index"),
                name="identifier_unique_kinds",
            ),
        ),
    ]
