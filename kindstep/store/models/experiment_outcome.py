from django.db import models
from django.db.models import Q


class ExperimentOutcome(models.Model):
    """One day's 0-10 rating in a self-experiment, and whether the B activity was done.

    One rating per day: giving it again replaces it, so the latest word counts.
    """

    experiment = models.ForeignKey(
        "kindstep.Experiment", on_delete=models.CASCADE, related_name="outcomes"
    )
    day = models.DateField()
    """The person's local day the rating belongs to."""
    value = models.PositiveSmallIntegerField()
    """The outcome rating, a whole number from 0 to 10, like every kindstep scale."""
    done = models.BooleanField(null=True, blank=True)
    """True when the intervention was done that day, False when not, None when not said.
    Used for adherence only: the comparison always follows the schedule."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_experiment_outcome"
        constraints = [
            models.UniqueConstraint(fields=["experiment", "day"], name="experiment_outcome_day"),
            models.CheckConstraint(condition=Q(value__lte=10), name="experiment_outcome_range"),
        ]

    def __str__(self) -> str:
        return f"{self.value} on {self.day}"
