"""What journal apps (Daylio, Bearable) hold, kept as the person wrote it.

A journal mood is not a kindstep check-in: Daylio records mood alone, while a
check-in always has energy and anxiety too. Rather than invent the missing
numbers, imported moods live here (``JournalEntry``), with energy and anxiety
only when the source gave them. Everything else a journal holds (Bearable's
energy ratings, symptoms, factors, gratitudes) is a ``JournalNote``: kept,
never dropped. Both carry the importer's natural key (``source``,
``external_id``), unique per person, so importing a file again adds nothing.
"""

from django.db import models


class JournalEntry(models.Model):
    """One mood entry from a journal app, on kindstep's 0-10 scales."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=32)
    """The app it came from (``daylio``, ``bearable``)."""
    external_id = models.CharField(max_length=200)
    """The importer's natural key within ``source``."""
    day = models.DateField()
    """The day the journal gave (the person chose it there), not re-derived."""
    at = models.DateTimeField()
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    """0-10; each importer documents how its source's scale maps onto it. Empty while the
    mood is only a name the person has not placed yet (``mood_name``): such an entry is
    kept and shown by its name, and not counted in insights until it is placed."""
    mood_name = models.CharField(max_length=64, blank=True, default="")
    """The app's own name for the mood (Daylio: "tired", "rad"), lower case; empty when the
    app gave a number only."""
    energy = models.PositiveSmallIntegerField(null=True, blank=True)
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    activities = models.JSONField(default=list, blank=True)
    """The entry's activity labels exactly as the app wrote them (movement or not)."""
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    """When the person removed it. The row stays, unseen, so that importing the same file
    again finds its natural key and does not bring it back."""

    class Meta:
        db_table = "kindstep_journal_entry"
        indexes = [models.Index(fields=["person", "day"], name="journal_entry_day")]
        constraints = [
            models.UniqueConstraint(fields=["person", "source", "external_id"],
                                    name="journal_entry_natural_key"),
            models.CheckConstraint(condition=models.Q(mood__lte=10), name="journal_mood_range"),
            models.CheckConstraint(condition=models.Q(energy__lte=10), name="journal_energy_range"),
            models.CheckConstraint(condition=models.Q(anxiety__lte=10), name="journal_anxiety_range"),
        ]


class JournalNote(models.Model):
    """Any other journal item: an energy rating, a symptom, factors, a gratitude."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=32)
    external_id = models.CharField(max_length=200)
    day = models.DateField()
    at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=64)
    """The source's own category, lower case (``energy``, ``anxiety``, ``factors``)."""
    text = models.TextField(blank=True, default="")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    """A 0-10 rating when the item carries one (energy, anxiety)."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_journal_note"
        indexes = [models.Index(fields=["person", "day"], name="journal_note_day")]
        constraints = [
            models.UniqueConstraint(fields=["person", "source", "external_id"],
                                    name="journal_note_natural_key"),
            models.CheckConstraint(condition=models.Q(value__lte=10), name="journal_note_value_range"),
        ]
