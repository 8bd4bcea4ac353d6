"""Apple Health data kept whole, and what kindstep derives from it.

Raw tables keep every Record, Workout, ActivitySummary and Correlation a
person exported (``HealthRecord``), normalised with two dictionaries
(``HealthType``, ``HealthSource``). Derived tables hold what kindstep uses:
``HealthWorkout`` (a workout's totals and route, linked to its
``MovementSession``) and ``DailyMeasure`` (steps, mindful minutes and sleep
hours per day). Loading is done in bulk by ``kindstep.store.health_import``.

No foreign key points *at* ``HealthRecord``, so deleting a person removes
millions of its rows with one DELETE (Django's fast delete) instead of
loading them into Python first.
"""

from django.db import models


class HealthType(models.Model):
    """A HealthKit type name (``HKQuantityTypeIdentifierStepCount``), stored once."""

    name = models.CharField(max_length=512, unique=True)

    class Meta:
        db_table = "kindstep_health_type"

    def __str__(self) -> str:
        return self.name


class HealthSource(models.Model):
    """An app or device that wrote samples, per person (its name can be personal: "Alex’s Watch")."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=512)
    version = models.CharField(max_length=512, blank=True, default="")
    device = models.TextField(blank=True, default="")
    """The device description without its per-sample memory address."""

    class Meta:
        db_table = "kindstep_health_source"
        constraints = [
            models.UniqueConstraint(fields=["person", "name", "version", "device"],
                                    name="health_source_unique"),
        ]


class HealthRecord(models.Model):
    """One exported element kept as Apple wrote it (dates stay the export's local text)."""

    class Kind(models.TextChoices):
        RECORD = "R", "Record"
        WORKOUT = "W", "Workout"
        ACTIVITY_SUMMARY = "A", "ActivitySummary"
        CORRELATION = "C", "Correlation"

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    key = models.BinaryField(max_length=16)
    """Natural key: BLAKE2b-128 of kind, type, source, unit, start, end and value.

    Unique per person, kind, type and start (the key already fixes the last
    three, so this is the same rule as unique per person, kind and key): an
    export lists each type in time order, so its rows arrive in this index's
    order and inserting a million of them stays sequential instead of
    scattering over a random-key index."""
    kind = models.CharField(max_length=1, choices=Kind.choices)
    type = models.ForeignKey(HealthType, on_delete=models.PROTECT, related_name="+", db_index=False)
    source = models.ForeignKey(HealthSource, on_delete=models.CASCADE, related_name="+",
                               null=True, blank=True, db_index=False)
    unit = models.TextField(null=True, blank=True)
    creation_date = models.TextField(null=True, blank=True)
    start_date = models.TextField()
    """``2024-01-02 07:08:09 +0100``: local time of the sample; the first 10 characters are its day."""
    end_date = models.TextField()
    value = models.TextField(null=True, blank=True)
    metadata = models.TextField(null=True, blank=True)
    """JSON object of MetadataEntry keys, extra attributes (``@name``), HRV beats, workout parts."""

    class Meta:
        db_table = "kindstep_health_record"
        constraints = [
            # Also the index daily steps, sleep and mindful minutes read one type of one
            # person in time order with.
            models.UniqueConstraint(fields=["person", "type", "start_date", "kind", "key"],
                                    name="health_record_type_start_key"),
        ]


class HealthWorkout(models.Model):
    """A workout's totals and route, and the movement session made from it."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    record_key = models.BinaryField(max_length=16)
    """The workout's ``HealthRecord.key`` (a key, not a foreign key: see the module docstring)."""
    session = models.ForeignKey("kindstep.MovementSession", on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    activity_type = models.CharField(max_length=512)
    """Apple's ``HKWorkoutActivityType…`` name, kept whatever catalogue code it mapped to."""
    source_name = models.CharField(max_length=512, blank=True, default="")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    minutes = models.FloatField()
    distance_m = models.FloatField(null=True, blank=True)
    energy_kcal = models.FloatField(null=True, blank=True)
    """Active energy; basal energy stays in the raw record."""
    route_path = models.TextField(blank=True, default="")
    """The route file inside the export (``/workout-routes/route_….gpx``), if any."""
    route_points = models.PositiveIntegerField(null=True, blank=True)
    route_distance_m = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "kindstep_health_workout"
        constraints = [
            models.UniqueConstraint(fields=["person", "record_key"], name="health_workout_unique"),
        ]


class DailyMeasure(models.Model):
    """A per-day figure from an import: steps, mindful minutes or hours asleep."""

    class Kind(models.TextChoices):
        STEPS = "steps", "Steps"
        MINDFUL_MINUTES = "mindful_minutes", "Mindful minutes"
        SLEEP_HOURS = "sleep_hours", "Hours asleep"

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    day = models.DateField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    value = models.FloatField()
    source = models.CharField(max_length=32)
    """Which import made it (``apple_health``); each source keeps its own figure."""
    removed_at = models.DateTimeField(null=True, blank=True)
    """When the person removed it (a night's sleep they know was wrong). The row stays,
    unseen, so a later import recomputes its figure but does not show it again."""

    class Meta:
        db_table = "kindstep_daily_measure"
        constraints = [
            models.UniqueConstraint(fields=["person", "source", "kind", "day"],
                                    name="daily_measure_unique"),
        ]
        indexes = [models.Index(fields=["person", "kind", "day"], name="daily_measure_kind_day")]
