from django.db import models


class RestDay(models.Model):
    """A day the person chose rest. It counts as care, not as activity."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="rest_days")
    day = models.DateField()
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_rest_day"
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="one_rest_day_per_day")]
