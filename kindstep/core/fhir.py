"""A person's questionnaires and movement as a FHIR R4 Bundle (type ``collection``).

:func:`bundle` takes plain values and returns the Bundle as a JSON-ready dict:

- each PHQ-9 and GAD-7 as a ``QuestionnaireResponse`` whose items are the
  LOINC item codes, each answer a LOINC answer code with its score (0-3) as
  the ``ordinalValue`` extension, and the PHQ-9's difficulty question when it
  was answered;
- each total as an ``Observation`` (category ``survey``) coded with the
  LOINC total-score code, ``derivedFrom`` its response;
- each movement session as an ``Observation`` (category ``activity``) of
  exercise duration (LOINC 55411-3) in minutes, with the activity as a
  component (LOINC 73985-4, exercise activity);
- one ``Patient`` the others refer to, named only when the person asks.

The codes and their sources are in docs/fhir.md. The short screeners (PHQ-2,
GAD-2) are left out: the GAD-2 has no verified total-score code. Resource ids
are UUIDs derived from the record's own ids, so exporting again gives the
same ids. Pure: no Django, no clock (``now`` is the Bundle's timestamp).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kindstep.core import scales

__all__ = ["Answered", "Moved", "bundle", "LOINC", "UCUM"]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
"""The R4 extension that carries an answer's score on its coding."""

_NAMESPACE = uuid.UUID("6f1d3c52-8a61-4d0e-9a0b-6b2f3f0c9e41")
"""kindstep's own namespace for the resource ids (uuid5): stable across exports."""


@dataclass(frozen=True)
class Instrument:
    """A questionnaire's LOINC codes: the panel, the total score, and each item in order."""

    panel: str
    total: str
    total_display: str
    items: tuple[str, ...]


INSTRUMENTS = {
    "phq9": Instrument(
        panel="44249-1",
        total="44261-6",
        total_display="Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        items=("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
               "44253-3", "44260-8"),
    ),
    "gad7": Instrument(
        panel="69737-5",
        total="70274-6",
        total_display="Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
        items=("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    ),
}
"""LOINC codes of the PHQ-9 and GAD-7 (docs/fhir.md gives their sources)."""

ANSWERS = (("LA6568-5", "Not at all"), ("LA6569-3", "Several days"),
           ("LA6570-1", "More than half the days"), ("LA6571-9", "Nearly every day"))
"""LOINC answer list LL358-3, scored 0 to 3 (the GAD-7 items use it too)."""

DIFFICULTY = "69722-7"
DIFFICULTY_ANSWERS = (("LA6572-7", "Not difficult at all"), ("LA6573-5", "Somewhat difficult"),
                      ("LA6575-0", "Very difficult"), ("LA6574-3", "Extremely difficult"))
"""The PHQ-9's unscored difficulty question and its LOINC answers, in order."""

EXERCISE_DURATION = ("55411-3", "Exercise duration")
EXERCISE_ACTIVITY = ("73985-4", "Exercise activity")


@dataclass(frozen=True)
class Answered:
    """One answered questionnaire as stored."""

    id: int
    code: str
    taken_at: datetime
    day: date
    answers: tuple[int, ...]
    total: int
    difficulty: int | None = None


@dataclass(frozen=True)
class Moved:
    """One movement session as stored."""

    id: int
    day: date
    started_at: datetime | None
    activity: str
    name: str
    minutes: int


def resource_id(kind: str, key: object) -> str:
    """A stable UUID for one resource of the record.

    >>> resource_id("session", 7) == resource_id("session", 7) != resource_id("session", 8)
    True
    """
    return str(uuid.uuid5(_NAMESPACE, f"kindstep/{kind}/{key}"))


def _instant(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _coding(code: str, display: str, system: str = LOINC) -> dict:
    return {"system": system, "code": code, "display": display}


def _entry(resource: dict) -> dict:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _answer(choices: Sequence[tuple[str, str]], value: int, *, scored: bool = True) -> dict:
    code, display = choices[value]
    coding = _coding(code, display)
    if scored:
        coding = {"extension": [{"url": ORDINAL, "valueDecimal": value}], **coding}
    return {"valueCoding": coding}


def _response(a: Answered, patient: str) -> dict:
    scale = scales.get_scale(a.code)
    codes = INSTRUMENTS[a.code]
    items = [
        {"linkId": link, "text": text, "answer": [_answer(ANSWERS, value)]}
        for link, text, value in zip(codes.items, scale.items, a.answers, strict=True)
    ]
    if a.code == "phq9" and a.difficulty is not None:
        items.append({"linkId": DIFFICULTY, "text": scale.difficulty_question,
                      "answer": [_answer(DIFFICULTY_ANSWERS, a.difficulty, scored=False)]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id("questionnaire", a.id),
        "questionnaire": f"{LOINC}/q/{codes.panel}",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": _instant(a.taken_at),
        "item": items,
    }


def _total(a: Answered, patient: str, response: str) -> dict:
    codes = INSTRUMENTS[a.code]
    scale = scales.get_scale(a.code)
    return {
        "resourceType": "Observation",
        "id": resource_id("total", a.id),
        "status": "final",
        "category": [{"coding": [_coding("survey", "Survey", CATEGORY)]}],
        "code": {"coding": [_coding(codes.total, codes.total_display)],
                 "text": f"{scale.name} total score"},
        "subject": {"reference": patient},
        "effectiveDateTime": _instant(a.taken_at),
        "valueInteger": a.total,
        "interpretation": [{"text": scale.band_for(a.total).label}],
        "derivedFrom": [{"reference": response}],
        "note": [{"text": scales.SCORES_NOTE}],
    }


def _session(m: Moved, patient: str) -> dict:
    code, display = EXERCISE_DURATION
    kind, kind_display = EXERCISE_ACTIVITY
    return {
        "resourceType": "Observation",
        "id": resource_id("session", m.id),
        "status": "final",
        "category": [{"coding": [_coding("activity", "Activity", CATEGORY)]}],
        "code": {"coding": [_coding(code, display)], "text": display},
        "subject": {"reference": patient},
        "effectiveDateTime": _instant(m.started_at) if m.started_at else m.day.isoformat(),
        "valueQuantity": {"value": m.minutes, "unit": "min", "system": UCUM, "code": "min"},
        "component": [{"code": {"coding": [_coding(kind, kind_display)], "text": kind_display},
                       "valueCodeableConcept": {"text": m.name}}],
    }


def bundle(answered: Sequence[Answered], moved: Sequence[Moved], *, now: datetime,
           person_key: object, name: str = "") -> dict:
    """The Bundle (type ``collection``) of ``answered`` and ``moved``, stamped ``now``.

    Only PHQ-9 and GAD-7 responses are included. ``person_key`` makes the
    Patient's stable id; ``name`` (optional) is the only identifying detail
    it ever carries.

    >>> from datetime import UTC
    >>> b = bundle([], [Moved(1, date(2026, 3, 2), None, "walk", "Walk", 20)],
    ...            now=datetime(2026, 3, 3, tzinfo=UTC), person_key=1)
    >>> b["type"], [e["resource"]["resourceType"] for e in b["entry"]]
    ('collection', ['Patient', 'Observation'])
    >>> b["entry"][1]["resource"]["valueQuantity"]["value"]
    20
    """
    patient: dict = {"resourceType": "Patient", "id": resource_id("person", person_key)}
    if name.strip():
        patient["name"] = [{"text": name.strip()}]
    subject = f"urn:uuid:{patient['id']}"
    entries = [_entry(patient)]
    for a in answered:
        if a.code not in INSTRUMENTS:
            continue
        response = _response(a, subject)
        entries.append(_entry(response))
        entries.append(_entry(_total(a, subject, f"urn:uuid:{response['id']}")))
    entries += [_entry(_session(m, subject)) for m in moved]
    return {
        "resourceType": "Bundle",
        "id": resource_id("bundle", f"{person_key}/{_instant(now)}"),
        "type": "collection",
        "timestamp": _instant(now),
        "entry": entries,
    }
