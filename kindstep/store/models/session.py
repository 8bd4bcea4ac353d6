from django.db import models
from django.db.models import Q


class MovementSession(models.Model):
    """A stretch of movement on one day."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField()
    """The person's local day."""
    started_at = models.DateTimeField(null=True, blank=True)
    activity = models.CharField(max_length=64)
    """A catalogue code (``walk``, ``yoga_gentle``)."""
    minutes = models.PositiveIntegerField()
    met = models.FloatField(default=0)
    """The activity's MET value when it was logged, kept so history never shifts."""
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    """How hard it felt, 0-10, with talk-test anchors (not a Borg scale)."""
    mood_before = models.PositiveSmallIntegerField(null=True, blank=True)
    mood_after = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    distance_m = models.FloatField(null=True, blank=True)
    """How far, in metres, when the session came from a watch, phone or activity file."""
    energy_kcal = models.FloatField(null=True, blank=True)
    """Active energy in kcal, as the device estimated it (information, never a goal)."""
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=32, default="kindstep")
    external_id = models.CharField(max_length=200, null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    """When the person deleted it; None while it is in their record. Every read leaves a
    removed row out, undo clears this within the hour, and ``actions.purge_removed`` deletes
    the row for good after it."""
    device_id = models.CharField(max_length=64, null=True, blank=True)
    """The id the person's device gave an entry kept offline, so a second send adds nothing."""

    class Meta:
        db_table = "kindstep_session"
        indexes = [models.Index(fields=["person", "day"]),
                   models.Index(fields=["removed_at"], condition=Q(removed_at__isnull=False),
                                name="session_removed")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source", "external_id"],
                condition=Q(external_id__isnull=False),
                name="session_natural_key",
            ),
            models.UniqueConstraint(fields=["person", "device_id"],
                                    condition=Q(device_id__isnull=False), name="session_device_id"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=1440), name="session_minutes_range"
            ),
        ]


class RemovedImport(models.Model):
    """A session from a file that the person removed, remembered by the file's natural key.

    Importing the same file again (or a folder holding it) then leaves it out
    instead of bringing it back; undoing the removal forgets the mark.
    """

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=32)
    external_id = models.CharField(max_length=200)
    removed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_removed_import"
        constraints = [
            models.UniqueConstraint(fields=["person", "source", "external_id"],
                                    name="removed_import_natural_key"),
        ]
