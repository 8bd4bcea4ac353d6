from django.db import models
from django.db.models import Q


class RestDay(models.Model):
    """A day the person chose rest. It counts as care, not as activity."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="rest_days")
    day = models.DateField()
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    """When the person deleted it; None while it is in their record (see ``MovementSession``).
    One rest day a day counts only rest days in the record, so a day can be rested again
    while a removed one waits out its hour."""
    device_id = models.CharField(max_length=64, null=True, blank=True)
    """The id the person's device gave an entry kept offline, so a second send adds nothing."""

    class Meta:
        db_table = "kindstep_rest_day"
        indexes = [models.Index(fields=["removed_at"], condition=Q(removed_at__isnull=False),
                                name="rest_day_removed")]
        constraints = [models.UniqueConstraint(fields=["person", "day"],
                                               condition=Q(removed_at__isnull=True),
                                               name="one_rest_day_per_day"),
                       models.UniqueConstraint(fields=["person", "device_id"],
                                               condition=Q(device_id__isnull=False),
                                               name="rest_day_device_id")]
