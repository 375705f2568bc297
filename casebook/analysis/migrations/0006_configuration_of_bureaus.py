"""Data: the configuration that existed before bureaus owned it goes to the bureau(s).

One bureau: it takes every category (with its checklist and risk factors) and warning rule.
Several: the first takes them, every other bureau gets its own copy, and what its stations
already point at (subjects, rated factors, checklist results, warnings) moves to its copy. No
bureau yet (a fresh installation): the rows stay unowned, and the first bureau created takes
them (``core.bureaus``).
"""

from django.db import migrations


def _copy(model, row, **changes):
    values = {
        f.attname: getattr(row, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key
    }
    values.update(changes)
    return model.objects.create(**values)


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    Category = apps.get_model("subjects", "Category")
    ChecklistItem = apps.get_model("subjects", "ChecklistItem")
    Subject = apps.get_model("subjects", "Subject")
    RiskFactor = apps.get_model("analysis", "RiskFactor")
    RatedFactor = apps.get_model("analysis", "RatedFactor")
    WarningRule = apps.get_model("analysis", "WarningRule")
    Warning = apps.get_model("analysis", "Warning")
    ChecklistResult = apps.get_model("intel", "ChecklistResult")

    bureaus = list(Unit.objects.filter(kind="bureau").order_by("pk"))
    if not bureaus:
        return
    first, others = bureaus[0], bureaus[1:]
    for category in Category.objects.filter(bureau__isnull=True).order_by("pk"):
        for bureau in others:
            copy = _copy(Category, category, bureau_id=bureau.pk)
            Subject.objects.filter(category=category, station__parent=bureau).update(category=copy)
            for item in ChecklistItem.objects.filter(category=category).order_by("pk"):
                item_copy = _copy(ChecklistItem, item, category_id=copy.pk)
                ChecklistResult.objects.filter(
                    item=item, record__station__parent=bureau
                ).update(item=item_copy)
            for factor in RiskFactor.objects.filter(category=category).order_by("pk"):
                factor_copy = _copy(RiskFactor, factor, category_id=copy.pk)
                RatedFactor.objects.filter(
                    factor=factor, assessment__subject__station__parent=bureau
                ).update(factor=factor_copy)
        category.bureau = first
        category.save(update_fields=["bureau"])
    for rule in WarningRule.objects.filter(bureau__isnull=True).order_by("pk"):
        for bureau in others:
            copy = _copy(WarningRule, rule, bureau_id=bureau.pk)
            Warning.objects.filter(rule=rule, station__parent=bureau).update(rule=copy)
        rule.bureau = first
        rule.save(update_fields=["bureau"])


def backwards(apps, schema_editor):
    """Only the first bureau's rows can become unowned again (codes are unique per bureau)."""
    Unit = apps.get_model("core", "Unit")
    first = Unit.objects.filter(kind="bureau").order_by("pk").first()
    if first is not None:
        apps.get_model("subjects", "Category").objects.filter(bureau=first).update(bureau=None)
        apps.get_model("analysis", "WarningRule").objects.filter(bureau=first).update(bureau=None)


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0005_warning_rule_bureau"),
        ("subjects", "0011_category_bureau"),
        ("intel", "0003_encrypt_record_content"),
        # the review-overdue rule the retention module ships is configuration too
        ("retention", "0002_default_classes_and_rule"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
