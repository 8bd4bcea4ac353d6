from django.db import models
from django.db.models import Q


class CheckIn(models.Model):
    """How a person felt at one moment; several a day are fine, the latest counts."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField()
    """When it was recorded (UTC)."""
    day = models.DateField()
    """The person's local day it belongs to (after the day-start hour)."""
    energy = models.PositiveSmallIntegerField()
    mood = models.PositiveSmallIntegerField()
    anxiety = models.PositiveSmallIntegerField()
    minutes_available = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_hours = models.FloatField(null=True, blank=True)
    body_note = models.TextField(blank=True, default="")
    source = models.CharField(max_length=32, default="kindstep")
    external_id = models.CharField(max_length=200, null=True, blank=True)
    """Natural key of an imported row, so importing the same file twice adds nothing."""
    removed_at = models.DateTimeField(null=True, blank=True)
    """When the person deleted it; None while it is in their record (see ``MovementSession``)."""
    device_id = models.CharField(max_length=64, null=True, blank=True)
    """The id the person's device gave an entry kept offline, so a second send adds nothing."""

    class Meta:
        db_table = "kindstep_checkin"
        indexes = [models.Index(fields=["person", "day"]),
                   models.Index(fields=["removed_at"], condition=Q(removed_at__isnull=False),
                                name="checkin_removed")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source", "external_id"],
                condition=Q(external_id__isnull=False),
                name="checkin_natural_key",
            ),
            models.UniqueConstraint(fields=["person", "device_id"],
                                    condition=Q(device_id__isnull=False), name="checkin_device_id"),
            models.CheckConstraint(condition=Q(energy__lte=10), name="checkin_energy_range"),
            models.CheckConstraint(condition=Q(mood__lte=10), name="checkin_mood_range"),
            models.CheckConstraint(condition=Q(anxiety__lte=10), name="checkin_anxiety_range"),
        ]
