"""Default stage durations per priority (hours); the system administrator may change them."""

from django.db import migrations

HOURS = {
    #         assigned collecting organising analysing feedback
    "urgent": (2, 12, 6, 6, 4),
    "high": (8, 48, 24, 24, 12),
    "normal": (24, 120, 48, 48, 24),
    "low": (48, 240, 96, 96, 48),
}
STAGES = ["assigned", "collecting", "organising", "analysing", "feedback"]


def forward(apps, schema_editor):
    Rule = apps.get_model("tracking", "DeadlineRule")
    for priority, hours in HOURS.items():
        for stage, h in zip(STAGES, hours, strict=True):
            Rule.objects.get_or_create(priority=priority, stage=stage, defaults={"hours": h})


def reverse(apps, schema_editor):
    apps.get_model("tracking", "DeadlineRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tracking", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
