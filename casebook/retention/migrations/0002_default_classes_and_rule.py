"""The default retention classes (the three of ``Category.retention_class`` and the shortest,
for monitoring events and location trails) and the warning rule "review overdue"."""

from django.db import migrations

CLASSES = [
    # code, name, name_en, scope, days
    ("monitoring", "监控事件和轨迹", "Monitoring events and trails", "monitoring", 180),
    ("short", "短期（结束后1年）", "Short (1 year after closing)", "subjects", 365),
    ("standard", "标准（结束后5年）", "Standard (5 years after closing)", "subjects", 1825),
    ("long", "长期（结束后10年）", "Long (10 years after closing)", "subjects", 3650),
]


def forward(apps, schema_editor):
    RetentionClass = apps.get_model("retention", "RetentionClass")
    for code, name, name_en, scope, days in CLASSES:
        RetentionClass.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "scope": scope, "days": days}
        )
    apps.get_model("analysis", "WarningRule").objects.get_or_create(
        code="review_overdue", defaults={"name": "审查逾期", "name_en": "Review overdue"}
    )


def reverse(apps, schema_editor):
    apps.get_model("analysis", "WarningRule").objects.filter(code="review_overdue").delete()
    apps.get_model("retention", "RetentionClass").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial"), ("analysis", "0004_default_rules")]
    operations = [migrations.RunPython(forward, reverse)]
