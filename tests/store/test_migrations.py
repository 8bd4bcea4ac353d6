from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "kindstep", check=True, dry_run=True, stdout=out)


@pytest.mark.django_db(transaction=True)
def test_sessions_made_from_workouts_before_0008_get_their_distance_and_energy():
    from datetime import UTC, date, datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("kindstep", "0007_apple_health_speed")], [("kindstep", "0008_session_distance_energy")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        person = old.get_model("kindstep", "Person").objects.create()
        Session = old.get_model("kindstep", "MovementSession")
        walk, odd = (Session.objects.create(person=person, day=date(2024, 5, 1), activity="walk",
                                            minutes=30, source="apple_health", external_id=k)
                     for k in ("a", "b"))
        at = datetime(2024, 5, 1, 7, tzinfo=UTC)
        for key, session, distance, energy in ((b"a" * 16, walk, 2412.345, 101.26),
                                               (b"b" * 16, odd, float("inf"), None)):
            old.get_model("kindstep", "HealthWorkout").objects.create(
                person=person, record_key=key, session=session, activity_type="HKWorkoutActivityTypeWalking",
                source_name="Watch", started_at=at, ended_at=at, minutes=30, distance_m=distance,
                energy_kcal=energy)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("kindstep", "MovementSession")
        assert new.objects.filter(pk=walk.pk).values_list("distance_m", "energy_kcal").get() == (2412.3, 101.3)
        assert new.objects.filter(pk=odd.pk).values_list("distance_m", "energy_kcal").get() == (None, None)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
