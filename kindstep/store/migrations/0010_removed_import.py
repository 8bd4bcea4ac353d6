"""Sessions from a file that the person removed stay removed when the file comes in again."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kindstep', '0009_imported_rows_removed'),
    ]

    operations = [
        migrations.CreateModel(
            name='RemovedImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(max_length=32)),
                ('external_id', models.CharField(max_length=200)),
                ('removed_at', models.DateTimeField(auto_now_add=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kindstep.person')),
            ],
            options={
                'db_table': 'kindstep_removed_import',
                'constraints': [models.UniqueConstraint(fields=('person', 'source', 'external_id'), name='removed_import_natural_key')],
            },
        ),
    ]
