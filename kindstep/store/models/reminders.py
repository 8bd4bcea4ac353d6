from django.db import models


class ReminderSettings(models.Model):
    """The reminders a person chose (``core.reminders``); none until they set some.

    kindstep never sends more than this: the days and times here, on one channel,
    outside the quiet hours, and not on a day already moved or rested.
    """

    class Channel(models.TextChoices):
        PUSH = "push", "Web push"
        EMAIL = "email", "Email"
        CALENDAR = "calendar", "Calendar"

    person = models.OneToOneField("kindstep.Person", on_delete=models.CASCADE,
                                  related_name="reminder_settings")
    days = models.JSONField(default=list, blank=True)
    """Weekdays, 0 = Monday to 6 = Sunday; empty means no reminders."""
    times = models.JSONField(default=list, blank=True)
    """Local times as "HH:MM", in the person's time zone."""
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PUSH)
    quiet = models.CharField(max_length=11, blank=True, default="")
    """Quiet hours as "HH:MM-HH:MM" (may cross midnight), or "" for none."""
    email = models.EmailField(blank=True, default="")
    """Where the email channel writes (server mode); never shown in a URL or a log line."""
    feed_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    """The random part of the calendar feed's URL (server mode); rotated on request.
    It carries nothing about the person."""
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "kindstep_reminder_settings"


class PushSubscription(models.Model):
    """A browser's web push subscription (the Push API's endpoint and keys)."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE,
                               related_name="push_subscriptions")
    endpoint = models.TextField(unique=True)
    p256dh = models.CharField(max_length=128)
    auth = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_push_subscription"


class ReminderSent(models.Model):
    """One reminder slot that went out (or is going out): at most one per person, day, slot.

    ``store.reminders.send_due_reminders`` inserts this row first and sends only if the
    insert succeeded, so two workers running at once never both send.
    """

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE,
                               related_name="reminders_sent")
    day = models.DateField()
    """The local calendar date of the slot."""
    slot = models.CharField(max_length=5)
    """The chosen local time, "HH:MM"."""
    channel = models.CharField(max_length=8)
    sent_at = models.DateTimeField()
    delivered = models.PositiveSmallIntegerField(default=0)
    """How many devices or addresses took it."""

    class Meta:
        db_table = "kindstep_reminder_sent"
        constraints = [models.UniqueConstraint(fields=["person", "day", "slot"],
                                               name="one_reminder_per_slot")]


class VapidKey(models.Model):
    """Server mode's VAPID key pair for web push, made once and kept (local mode keeps it
    in the data folder instead; ``store.push.vapid_key``)."""

    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kindstep_vapid_key"
