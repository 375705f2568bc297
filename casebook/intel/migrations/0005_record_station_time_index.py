"""The records list of a station, newest first, read from an index (issue #13; the plans before
and after are in docs/performance.md, "Records list")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0004_partner_links"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="informationrecord",
            index=models.Index(
                fields=["station", "-occurred_at", "-id"], name="record_station_time_idx"
            ),
        ),
    ]
