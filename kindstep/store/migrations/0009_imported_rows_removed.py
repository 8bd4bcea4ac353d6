"""Imported journal moods and nights of sleep can be removed (kept, unseen: see the models)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kindstep', '0008_session_distance_energy'),
    ]

    operations = [
        migrations.AddField(
            model_name='dailymeasure',
            name='removed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='journalentry',
            name='removed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
