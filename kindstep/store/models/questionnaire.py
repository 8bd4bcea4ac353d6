from django.db import models
from django.db.models import Q


class QuestionnaireResponse(models.Model):
    """One whole answered questionnaire (PHQ-9, GAD-7, PHQ-2 or GAD-2) and its score.

    The answers are kept as given, so every score can be recomputed from them;
    total and band are kept too, so a clinician's report or a plain SQL query
    needs no scoring code. A questionnaire is stored whole or not at all.
    """

    person = models.ForeignKey(
        "kindstep.Person", on_delete=models.CASCADE, related_name="questionnaires"
    )
    scale = models.CharField(max_length=16)
    """The scale's short stable code from ``core.scales`` (``phq9``, ``gad7``)."""
    taken_at = models.DateTimeField()
    """When it was answered (UTC)."""
    day = models.DateField()
    """The person's local day it belongs to; the two-week cadence counts days."""
    answers = models.JSONField()
    """Every item's answer, 0-3, in the official item order."""
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=64)
    """The severity band's label when it was scored, e.g. "Mild"."""
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    """PHQ-9's unscored difficulty question, 0-3, or None when not answered."""
    safety_flag = models.BooleanField(default=False)
    """True when PHQ-9 item 9 was answered above 0 (a SafetyEvent was recorded with it)."""

    class Meta:
        db_table = "kindstep_questionnaire"
        indexes = [models.Index(fields=["person", "scale", "taken_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__lte=27), name="questionnaire_total_range"),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__lte=3),
                name="questionnaire_difficulty_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scale} {self.total} on {self.day}"
