from django.db import models
from django.db.models import Q


class Experiment(models.Model):
    """One self-experiment (N-of-1 trial): its protocol, when it began, and how it ended.

    The protocol is stored whole (the fields of ``core.experiments.Protocol``,
    seed included), so the schedule can always be rebuilt exactly as it was.
    A person has at most one active experiment at a time.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "running"
        STOPPED = "stopped", "stopped early"
        FINISHED = "finished", "finished"

    person = models.ForeignKey(
        "kindstep.Person", on_delete=models.CASCADE, related_name="experiments"
    )
    protocol = models.JSONField()
    """``Protocol.as_dict()``: question, intervention, control, outcome, when, start, weeks,
    design and seed. ``mapping.protocol`` turns it back into the core value."""
    started_on = models.DateField()
    """The person's local day the experiment began (the protocol's start)."""
    stopped_on = models.DateField(null=True, blank=True)
    """The last day counted when the person stopped; None while it runs or when it ran its
    full length."""
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_experiment"
        indexes = [models.Index(fields=["person", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="experiment_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"experiment {self.pk} ({self.status}) from {self.started_on}"
