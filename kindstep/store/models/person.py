from django.db import models


class Person(models.Model):
    """One person and what they have told kindstep about their rhythm.

    Local mode has exactly one, with no account. Server mode links login
    accounts to people in an app of its own, so local mode never loads
    Django's auth machinery (it would cost every command ~50 ms at start).
    """

    created_at = models.DateTimeField(auto_now_add=True)
    timezone = models.CharField(max_length=64, default="UTC")
    """An IANA time zone name; a person's day is a local date in this zone."""
    country = models.CharField(max_length=2, blank=True, default="")
    """ISO 3166 alpha-2 code; chooses the crisis lines and emergency number."""
    target_days = models.PositiveSmallIntegerField(default=3)
    """Active days a week the person aims for; 3 by default, 1 to 7."""
    day_start_hour = models.PositiveSmallIntegerField(default=4)
    """A day starts at this local hour, so a late night belongs to the day before."""
    week_start = models.PositiveSmallIntegerField(default=0)
    """First day of the week, 0 = Monday (ISO) to 6 = Sunday."""
    liked = models.JSONField(default=list, blank=True)
    avoided = models.JSONField(default=list, blank=True)
    readiness = models.JSONField(default=dict, blank=True)
    """The readiness answers ({code: bool}), or {"skipped": true}; empty until offered."""
    light_only = models.BooleanField(default=False)
    """Keep suggestions at light intensity until the person says they have clearance."""
    cleared_at = models.DateTimeField(null=True, blank=True)
    """When the person last said a doctor has seen them and more is fine (``--clearance``):
    chest pain, faintness or severe breathlessness named while moving before then no longer
    keep the choices at their gentlest."""
    country_asked = models.BooleanField(default=False)
    """Whether kindstep has asked for the country once (answered or skipped), so it never
    asks again on its own."""
    checkin_reminders = models.BooleanField(default=True)
    """Whether kindstep gently offers a PHQ-9/GAD-7 check-in every two weeks."""
    questionnaire_postponed_until = models.DateField(null=True, blank=True)
    data_version = models.PositiveBigIntegerField(default=0)
    """Goes up by one with every write to this person's record (``store/versioning.py``):
    a page rendered for one version stays right until the next write."""
    daylio_moods = models.JSONField(default=dict, blank=True)
    """Where the person placed their own Daylio mood names: {name: level}, the name as
    ``core.moods.mood_key`` keeps it, the level 1 (awful) to 5 (rad). Asked once per
    name, so the next export imports without questions."""

    class Meta:
        db_table = "kindstep_person"

    def __str__(self) -> str:
        return f"person {self.pk}"
    matters = models.JSONField(default=list, blank=True)
    """What the person said matters to them (``core.matters``): value codes such as
    ``outdoors``, and any in their own words. Empty when they skipped it or never looked."""
    welcome = models.CharField(max_length=8, blank=True, default="")
    """How far the calm first run has gone: "" not begun, "about" past its first step,
    "done" finished or skipped (never shown again)."""
