"""The person's doctor's go-ahead has a time, and kindstep remembers asking for the country."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kindstep', '0011_soft_delete'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='cleared_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='person',
            name='country_asked',
            field=models.BooleanField(default=False),
        ),
    ]
