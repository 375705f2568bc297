"""Every shipped category gets an impact statement (a category without one cannot be activated,
issue #14 item 9): the statements of 0002's IMPACT fill those still blank."""

from importlib import import_module

from django.db import migrations


def forward(apps, schema_editor):
    shipped = import_module("casebook.subjects.migrations.0002_default_categories")
    Category = apps.get_model("subjects", "Category")
    for code, text in shipped.IMPACT.items():
        Category.objects.filter(code=code, impact_assessment="").update(impact_assessment=text)


class Migration(migrations.Migration):
    dependencies = [("subjects", "0014_category_change")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
