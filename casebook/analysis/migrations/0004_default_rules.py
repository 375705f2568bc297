"""The default warning rules; the system administrator may disable them or change parameters."""

from django.db import migrations

RULES = [
    ("no_visit", "超期未走访", "No visit within the cycle", {}),
    ("new_risk_info", "评估后出现新的风险信息", "New risk information since the assessment", {}),
    ("high_risk_link", "与高风险对象有关联", "Linked to a high-risk subject", {"min_level": 3}),
    ("repeated_alerts", "重点场所反复出现监控告警", "Repeated monitoring alerts at a place",
     {"count": 3, "days": 7}),
    ("rectification_overdue", "整改逾期", "Rectification past its deadline", {}),
    ("incident_escalates", "突发事件态势升级", "Incident escalates", {}),
]


def forward(apps, schema_editor):
    Rule = apps.get_model("analysis", "WarningRule")
    for code, name, name_en, params in RULES:
        Rule.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                        "params": params})


def reverse(apps, schema_editor):
    apps.get_model("analysis", "WarningRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("analysis", "0003_warnings")]
    operations = [migrations.RunPython(forward, reverse)]
