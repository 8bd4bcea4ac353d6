"""Deleting an entry marks it removed (``removed_at``) instead of deleting the row at once.

Undo clears the mark within the hour; after it the row is deleted for good
(``actions.purge_removed``). A small partial index on each table holds only
the removed rows, so looking for rows past their hour costs next to nothing.
One rest day a day now counts only rest days that are not removed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kindstep', '0010_removed_import'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='restday',
            name='one_rest_day_per_day',
        ),
        migrations.AddField(
            model_name='checkin',
            name='removed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='movementsession',
            name='removed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='restday',
            name='removed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='checkin',
            index=models.Index(condition=models.Q(('removed_at__isnull', False)), fields=['removed_at'], name='checkin_removed'),
        ),
        migrations.AddIndex(
            model_name='movementsession',
            index=models.Index(condition=models.Q(('removed_at__isnull', False)), fields=['removed_at'], name='session_removed'),
        ),
        migrations.AddIndex(
            model_name='restday',
            index=models.Index(condition=models.Q(('removed_at__isnull', False)), fields=['removed_at'], name='rest_day_removed'),
        ),
        migrations.AddConstraint(
            model_name='restday',
            constraint=models.UniqueConstraint(condition=models.Q(('removed_at__isnull', True)), fields=('person', 'day'), name='one_rest_day_per_day'),
        ),
    ]
