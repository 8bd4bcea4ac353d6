"""A twelve-week record for the report and FHIR tests (and the README's picture of the report).

Built through the store's actions, as a person would make it, ending at
``tests.conftest.NOW``: walks and stretches most weeks with a mood before and
after, daily check-ins, a rest day a week, three PHQ-9 and two GAD-7 (one a
reliable change), the readiness answers, one item-9 answer above 0 and one
worrying symptom while moving, and a few notes.
"""

from __future__ import annotations

from datetime import timedelta

from kindstep.store import actions
from tests.conftest import NOW

PHQ9 = ((2, 2, 2, 2, 1, 2, 1, 1, 0), (1, 2, 1, 2, 1, 1, 1, 0, 1), (1, 1, 1, 1, 0, 1, 0, 0, 0))
"""Totals 13, 10 and 5 (5 from 10: a reliable improvement); the second answers item 9 with 1."""
GAD7 = ((2, 2, 2, 1, 1, 2, 1), (1, 1, 0, 1, 0, 1, 1))
"""Totals 11 and 5 (6 points lower: a reliable improvement)."""


def seed(person, *, now=NOW, days: int = 84) -> None:
    """``days`` days of a gentle record up to ``now`` for ``person``."""
    for i in range(days, 0, -1):
        at = now - timedelta(days=i - 1)
        week, weekday = divmod(days - i, 7)
        mood = 3 + (days - i) * 4 // days + (1 if weekday in (1, 3) else 0)
        note = "slept badly" if i == 20 else ""
        actions.record_checkin(person, energy=4, mood=mood, anxiety=max(1, 7 - mood), note=note,
                               now=at)
        if weekday in (1, 3) or (weekday == 5 and week % 2):
            activity = "walk" if weekday != 3 else "stretch_standing"
            actions.log_session(person, activity=activity, duration=10 + week * 2,
                                before=mood, after=min(10, mood + (1 if weekday != 5 else 0)),
                                note="by the river" if i == 6 else "", now=at)
        if weekday == 6:
            actions.log_rest(person, note="tired, stayed in" if i == 8 else "", now=at)
    for n, answers in enumerate(PHQ9):
        actions.answer_questionnaire(person, "phq9", list(answers), difficulty=1,
                                     now=now - timedelta(days=70 - 28 * n))
    for n, answers in enumerate(GAD7):
        actions.answer_questionnaire(person, "gad7", list(answers),
                                     now=now - timedelta(days=56 - 42 * n))
    actions.record_readiness(person, "no,no,no,no,no,yes,no", now=now - timedelta(days=80))
    actions.acknowledge_safety_events(person, now=now - timedelta(days=41))  # the item-9 answer
    actions.record_movement_symptoms(person, ["faintness"], now=now - timedelta(days=30))
