from django.db import models
from django.db.models import Q


class Plan(models.Model):
    """An activity a person plans ahead: a guess, not a promise.

    A plan shows on Today on its day (or, repeating, on each of its weekdays from
    ``day`` on) until it is dropped; one not done simply fades, nothing is kept
    against it. Which days it shows on is ``core.plans.shows_on``.
    """

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="plans")
    activity = models.CharField(max_length=64)
    """A catalogue code (``walk``)."""
    minutes = models.PositiveIntegerField()
    day = models.DateField()
    """The calendar date it is planned for (the first one, when it repeats)."""
    at = models.TimeField(null=True, blank=True)
    """The local wall-clock time, if the person gave one. A time before the day-start hour
    belongs to the person's day before (``core.plans``)."""
    every = models.CharField(max_length=32, blank=True, default="")
    """Weekdays it repeats on, ``mon,thu`` (empty: once)."""
    expect = models.PositiveSmallIntegerField(null=True, blank=True)
    """How good the person expected it to feel, 0-10, or None when they skipped the question."""
    created_at = models.DateTimeField(auto_now_add=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    """When the person dropped it; a dropped plan shows nowhere."""

    class Meta:
        db_table = "kindstep_plan"
        indexes = [models.Index(fields=["person", "day"], name="plan_person_day")]
        constraints = [
            models.CheckConstraint(condition=Q(expect__lte=10), name="plan_expect_range"),
        ]


class Prediction(models.Model):
    """How good a person expected an activity to feel (0-10), and the session that answered it.

    Made when starting something from Today, or when a session is logged for a
    plan that carried an expectation. The pair is complete once the session has
    a mood after it (``queries.prediction_pairs``).
    """

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE,
                               related_name="predictions")
    day = models.DateField()
    """The person's day it was made for."""
    activity = models.CharField(max_length=64)
    expected = models.PositiveSmallIntegerField()
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="predictions")
    session = models.OneToOneField("kindstep.MovementSession", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="prediction")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_prediction"
        indexes = [models.Index(fields=["person", "day"], name="prediction_person_day")]
        constraints = [
            models.CheckConstraint(condition=Q(expected__lte=10), name="prediction_range"),
        ]
