from django.db import models


class SafetyEvent(models.Model):
    """A moment when kindstep met a sign of risk and showed where to find help.

    Recorded so the next check-in can ask kindly how things are; it is then
    marked acknowledged. Never used to judge or to score.
    """

    class Kind(models.TextChoices):
        PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9 answered above 0"
        MOVEMENT_SYMPTOM = "movement_symptom", "A worrying symptom while moving"

    person = models.ForeignKey(
        "kindstep.Person", on_delete=models.CASCADE, related_name="safety_events"
    )
    at = models.DateTimeField()
    """When it happened (UTC)."""
    kind = models.CharField(max_length=32, choices=Kind.choices)
    detail = models.JSONField(default=dict, blank=True)
    """What was said: the item-9 answer and response id, or the symptom codes and session id."""
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    """When a later check-in asked how things are; None until then."""

    class Meta:
        db_table = "kindstep_safety_event"
        indexes = [models.Index(fields=["person", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
