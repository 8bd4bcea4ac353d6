# Daylio mood names: a journal mood may wait, by its name, for the person to place it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("kindstep", "0013_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name='journalentry',
            name='mood_name',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='person',
            name='daylio_moods',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='mood',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
    ]
