"""Check-ins, sessions and rest days keep the id a phone gave an entry it kept offline.

Unique per person (where there is one), so the same entry sent twice is stored once.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("kindstep", "0015_plans"),
    ]

    operations = [
        migrations.AddField(
            model_name='checkin',
            name='device_id',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='movementsession',
            name='device_id',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='restday',
            name='device_id',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(condition=models.Q(('device_id__isnull', False)), fields=('person', 'device_id'), name='checkin_device_id'),
        ),
        migrations.AddConstraint(
            model_name='movementsession',
            constraint=models.UniqueConstraint(condition=models.Q(('device_id__isnull', False)), fields=('person', 'device_id'), name='session_device_id'),
        ),
        migrations.AddConstraint(
            model_name='restday',
            constraint=models.UniqueConstraint(condition=models.Q(('device_id__isnull', False)), fields=('person', 'device_id'), name='rest_day_device_id'),
        ),
    ]
