from django.db import models


class Pause(models.Model):
    """A span the person paused kindstep: "I'm unwell" or "I'm away" (``core.pause``).

    Paused days with nothing logged neither count nor count against (``core.rhythm``),
    reminders stop, and Today offers rest and the gentlest choices. Ended pauses are
    kept, so past weeks stay judged as they were.
    """

    class Reason(models.TextChoices):
        UNWELL = "unwell", "I'm unwell"
        AWAY = "away", "I'm away"

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField()
    """The first paused day (the person's local day)."""
    until = models.DateField(null=True, blank=True)
    """The last paused day, inclusive; None while it runs until the person ends it."""
    reason = models.CharField(max_length=8, choices=Reason.choices, default=Reason.UNWELL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_pause"
        indexes = [models.Index(fields=["person", "start"], name="pause_person_start")]
