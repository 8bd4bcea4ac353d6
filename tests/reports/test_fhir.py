"""`kindstep fhir`'s Bundle: valid FHIR (checked by fhir.resources), and every value back out again.

fhir.resources validates against FHIR R4B (4.3), the R4 line's
technical correction; Bundle, QuestionnaireResponse, Observation and Patient
are the same there as in R4 (4.0.1).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from kindstep.core import fhir
from kindstep.core.catalogue import load_catalogue
from kindstep.store import actions, models, queries
from tests.conftest import NOW
from tests.reports.record import seed

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fhir.md"


@pytest.fixture
def record(alice):
    seed(alice, days=28)
    return alice


def exported(person, name: str = "") -> dict:
    answered, moved = queries.fhir_record(person)
    data = fhir.bundle(answered, moved, now=NOW, person_key=person.pk, name=name)
    return json.loads(json.dumps(data))  # as a file holds it


def resources(bundle: Bundle, kind: type) -> list:
    return [e.resource for e in bundle.entry if isinstance(e.resource, kind)]


def test_the_bundle_is_valid_fhir_of_type_collection(record):
    data = exported(record)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == models.QuestionnaireResponse.objects.count()
    for entry in bundle.entry:
        assert entry.fullUrl == f"urn:uuid:{entry.resource.id}"


def test_every_answer_comes_back_as_it_was_stored(record):
    bundle = Bundle.model_validate(exported(record))
    responses = {r.id: r for r in resources(bundle, QuestionnaireResponse)}
    rows = list(models.QuestionnaireResponse.objects.filter(person=record).order_by("taken_at"))
    assert len(rows) == len(responses) == 5
    for row in rows:
        response = responses[fhir.resource_id("questionnaire", row.pk)]
        codes = fhir.INSTRUMENTS[row.scale]
        assert response.questionnaire == f"http://loinc.org/q/{codes.panel}"
        assert response.status == "completed"
        assert response.authored == row.taken_at
        scored = [i for i in response.item if i.linkId in codes.items]
        assert [i.linkId for i in scored] == list(codes.items)
        back = []
        for item in scored:
            coding = item.answer[0].valueCoding
            assert coding.system == "http://loinc.org"
            ordinal = [x for x in coding.extension if x.url == fhir.ORDINAL][0].valueDecimal
            assert fhir.ANSWERS[int(ordinal)][0] == coding.code  # the code and its score agree
            back.append(int(ordinal))
        assert back == row.answers
        difficulty = [i for i in response.item if i.linkId == fhir.DIFFICULTY]
        if row.scale == "phq9" and row.difficulty is not None:
            code = difficulty[0].answer[0].valueCoding.code
            assert [c for c, _ in fhir.DIFFICULTY_ANSWERS].index(code) == row.difficulty
        else:
            assert difficulty == []


def test_each_total_is_an_observation_coded_with_loinc_and_derived_from_its_answers(record):
    bundle = Bundle.model_validate(exported(record))
    observations = {o.id: o for o in resources(bundle, Observation)}
    patient = resources(bundle, Patient)[0]
    for row in models.QuestionnaireResponse.objects.filter(person=record):
        total = observations[fhir.resource_id("total", row.pk)]
        coding = total.code.coding[0]
        assert (coding.system, coding.code) == ("http://loinc.org",
                                                {"phq9": "44261-6", "gad7": "70274-6"}[row.scale])
        assert total.valueInteger == row.total == sum(row.answers)
        assert total.interpretation[0].text == row.band
        assert total.effectiveDateTime == row.taken_at
        assert total.category[0].coding[0].code == "survey"
        assert total.derivedFrom[0].reference == (
            f"urn:uuid:{fhir.resource_id('questionnaire', row.pk)}")
        assert total.subject.reference == f"urn:uuid:{patient.id}"


def test_each_session_is_an_exercise_duration_in_minutes(record):
    gone = models.MovementSession.objects.filter(person=record).order_by("id").first()
    actions.delete_entry(record, f"s{gone.pk}", now=NOW)
    bundle = Bundle.model_validate(exported(record))
    observations = {o.id: o for o in resources(bundle, Observation)
                    if o.code.coding[0].code == "55411-3"}
    kept = list(models.MovementSession.objects.filter(person=record, removed_at__isnull=True))
    assert len(kept) == len(observations) > 0
    assert fhir.resource_id("session", gone.pk) not in observations
    names = {a.code: a.name for a in load_catalogue()}
    for row in kept:
        o = observations[fhir.resource_id("session", row.pk)]
        assert o.valueQuantity.value == row.minutes
        assert (o.valueQuantity.system, o.valueQuantity.code) == ("http://unitsofmeasure.org",
                                                                  "min")
        when = o.effectiveDateTime
        assert (when.date() if row.started_at else date.fromisoformat(str(when))) == row.day
        activity = o.component[0]
        assert activity.code.coding[0].code == "73985-4"
        assert activity.valueCodeableConcept.text == names[row.activity]


def test_the_patient_carries_a_name_only_when_asked(record):
    anonymous = resources(Bundle.model_validate(exported(record)), Patient)[0]
    assert anonymous.name is None
    named = resources(Bundle.model_validate(exported(record, name="Sam Rivers")), Patient)[0]
    assert named.name[0].text == "Sam Rivers"
    assert named.id == anonymous.id  # the same person, the same id, export after export


def test_a_new_person_exports_a_valid_bundle_with_only_the_patient(alice):
    bundle = Bundle.model_validate(exported(alice))
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient"]


def test_every_loinc_code_used_is_in_docs_with_its_source():
    doc = DOCS.read_text("utf-8")
    used = {fhir.DIFFICULTY, fhir.EXERCISE_DURATION[0], fhir.EXERCISE_ACTIVITY[0]}
    for codes in fhir.INSTRUMENTS.values():
        used |= {codes.panel, codes.total, *codes.items}
    used |= {code for code, _ in fhir.ANSWERS + fhir.DIFFICULTY_ANSWERS}
    missing = sorted(code for code in used if not re.search(rf"\b{re.escape(code)}\b", doc))
    assert missing == []
    assert "https://loinc.org/" in doc
