"""Default risk factors score conduct, not circumstances (spec, scope decisions): isolation,
financial hardship or lack of income, and psychological treatment are no risk factors (health
data never is); heated words (conduct) takes their place. Existing installations: those shipped factors are taken out of use (kept, not
deleted, so that earlier assessments still show what they rated)."""

from django.db import migrations

CIRCUMSTANCES = ["Isolation", "Treatment engagement", "No stable income", "Financial hardship"]
NAMES = ["社会孤立", "接受疏导治疗", "无稳定收入", "经济困难"]


def forward(apps, schema_editor):
    RiskFactor = apps.get_model("analysis", "RiskFactor")
    RiskFactor.objects.filter(name__in=NAMES, name_en__in=CIRCUMSTANCES).update(is_active=False)
    # a conduct factor of the same weight takes isolation's place in the threat scheme
    Category = apps.get_model("subjects", "Category")
    for category in Category.objects.filter(code="threat_of_violence"):
        RiskFactor.objects.get_or_create(
            category=category,
            name="言语过激",
            defaults={
                "kind": "risk",
                "name_en": "Heated words",
                "description": "近期有辱骂或过激言语，但未作具体威胁",
                "weight": 2,
                "order": 5,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("analysis", "0006_configuration_of_bureaus")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
