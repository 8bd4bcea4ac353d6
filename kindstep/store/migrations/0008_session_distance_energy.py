"""Sessions keep distance and energy in columns of their own (they were only in the note).

Sessions already made from Apple Health workouts get theirs from the
workout table, which has always kept them.
"""

from django.db import migrations, models


def from_workouts(apps, schema_editor):
    MovementSession = apps.get_model("kindstep", "MovementSession")
    HealthWorkout = apps.get_model("kindstep", "HealthWorkout")
    rows = HealthWorkout.objects.filter(session__isnull=False).values_list(
        "session_id", "distance_m", "energy_kcal")
    for session_id, distance_m, energy_kcal in rows.iterator(chunk_size=2000):
        MovementSession.objects.filter(pk=session_id).update(
            distance_m=_plausible(distance_m, 1_000_000.0),
            energy_kcal=_plausible(energy_kcal, 20_000.0))


def _plausible(value, most):
    # As kindstep.importers.rows.plausible at the time of writing (a migration keeps its own copy).
    if value is None or value != value or not 0 <= value <= most:
        return None
    return round(value, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("kindstep", "0007_apple_health_speed"),
    ]

    operations = [
        migrations.AddField(
            model_name="movementsession",
            name="distance_m",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="movementsession",
            name="energy_kcal",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(from_workouts, migrations.RunPython.noop),
    ]
