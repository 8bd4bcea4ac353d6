"""Sending the reminders people set: each due slot at most once, on its channel.

``send_due_reminders(now)`` is what a worker runs every minute or so (until
``kindstep worker`` calls it, ``kindstep reminders send-due`` runs it once).
For each person with reminders on by push or email it asks
``core.reminders.due_slots`` which slots are due, then for each one:

1. inserts a ``ReminderSent`` row, unique per person, local day and slot,
   in its own transaction; if another worker inserted it first the insert
   fails and this one moves on, so two workers never both send;
2. only then sends it: to every push subscription, or by email.

Inserting first makes a reminder go at most once, never twice: if sending
fails after the insert, that slot stays unsent (a reminder is an offer, and a
late or doubled one would be the opposite).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from kindstep.core import reminders as rules
from kindstep.store import models, queries

CHANNELS_SENT = ("push", "email")
"""The channels kindstep delivers itself; the calendar channel is the person's calendar."""


def send_due_reminders(now: datetime) -> list[tuple[int, str, str]]:
    """Send every reminder due at ``now``; returns (person id, day, slot) for each sent here."""
    sent = []
    rows = (models.ReminderSettings.objects.select_related("person")
            .filter(channel__in=CHANNELS_SENT).exclude(days=[]).order_by("pk"))
    for row in rows:
        person = row.person
        for slot in _due(person, row, now):
            if not _claim(person, slot, row.channel, now):
                continue  # another worker has it
            delivered = _deliver(person, row, rules.message(slot))
            models.ReminderSent.objects.filter(person=person, day=slot.day,
                                               slot=slot.key).update(delivered=delivered)
            sent.append((person.pk, slot.day.isoformat(), slot.key))
    return sent


def _due(person: models.Person, row: models.ReminderSettings, now: datetime):
    plan = queries.plan_of(row)
    today = queries.today(person, now)
    first, last = today - timedelta(days=2), today + timedelta(days=1)
    return rules.due_slots(
        plan, timezone=person.timezone, day_start_hour=person.day_start_hour,
        logged_days=queries.logged_days(person, first=first, last=last),
        paused_days=queries.paused_days(person, first=first, last=last), now=now)


def _claim(person: models.Person, slot: rules.Slot, channel: str, now: datetime) -> bool:
    """Insert the slot's row; False when it is already there (sent, or being sent)."""
    try:
        with transaction.atomic():
            models.ReminderSent.objects.create(person=person, day=slot.day, slot=slot.key,
                                               channel=channel, sent_at=now)
    except IntegrityError:
        return False
    return True


def _deliver(person: models.Person, row: models.ReminderSettings, text: str) -> int:
    """Send ``text`` on the person's channel; how many devices or addresses took it."""
    if row.channel == "push":
        from kindstep.store import push

        return sum(push.send(sub, text, url="/") for sub in
                   list(models.PushSubscription.objects.filter(person=person)))
    if row.channel == "email" and row.email:
        from django.conf import settings
        from django.core.mail import send_mail

        link = f"{settings.ORIGIN}/" if getattr(settings, "ORIGIN", "") else ""
        body = text + (f"\n\nToday in kindstep: {link}" if link else "") + (
            "\n\nYou set this reminder; change or stop it on kindstep's Settings page.")
        try:
            return send_mail("A gentle reminder from kindstep", body, None, [row.email])
        except OSError:
            return 0
    return 0


def send_test(person: models.Person) -> tuple[str, int]:
    """Send a test reminder now on the person's channel; (channel, how many took it).

    Not recorded as a slot and not held back by quiet hours or a pause: the person
    asked for it this minute.
    """
    plan, row = queries.reminder_plan(person)
    if row is None:
        row = models.ReminderSettings(person=person)
    return row.channel, _deliver(person, row, rules.TEST_MESSAGE)
