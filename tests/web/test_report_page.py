"""The report page under Settings: the PDF and the FHIR file, through the same functions as the CLI."""

from __future__ import annotations

import json
import subprocess

import pytest
from fhir.resources.R4B.bundle import Bundle

from kindstep.store import models
from tests.reports.record import seed
from tests.web.helpers import field_error, page
from tests.words import unkind

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(person):
    seed(person, days=21)


def pdf_text(response, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_settings_links_to_the_report_page(client):
    assert 'href="/settings/report/"' in page(client.get("/settings/"))


def test_the_page_offers_the_choices_in_a_posted_form(client):
    text = page(client.get("/settings/report/"))
    assert '<form method="post" action="/settings/report/"' in text
    for field in ('name="weeks"', 'name="name"', 'name="notes"', 'name="paper"'):
        assert field in text
    assert '<option value="12" selected>12 weeks</option>' in text
    assert '<option value="a4" selected>A4</option>' in text  # Alice lives in Great Britain
    assert 'href="/settings/fhir/" hx-boost="false" download' in text
    assert unkind(text) == []


def test_posting_the_choices_gives_the_pdf_to_save_never_kept_on_the_way(client, record,
                                                                         tmp_path):
    response = client.post("/settings/report/",
                           {"weeks": "4", "name": "Sam", "notes": "yes", "paper": "a4"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="kindstep-report-2026-11-25.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response, tmp_path)
    assert "A record of movement and mood: Sam" in text
    assert "4 weeks, 2 Nov 2026 to 25 Nov 2026" in text
    assert "by the river" in text


def test_notes_stay_out_unless_ticked(client, record, tmp_path):
    response = client.post("/settings/report/", {"weeks": "4", "paper": "letter"})
    text = pdf_text(response, tmp_path)
    assert "by the river" not in text and "Notes the person" not in text


@pytest.mark.parametrize(("form", "field"), [
    ({"weeks": "0"}, "weeks"),
    ({"weeks": "many"}, "weeks"),
    ({"weeks": "12", "name": "x" * 101}, "name"),
    ({"weeks": "12", "paper": "A5"}, "paper"),
])
def test_a_choice_it_cannot_use_shows_the_form_again_with_the_message(client, record, snapshot,
                                                                      form, field):
    before = snapshot()
    response = client.post("/settings/report/", form)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    message = field_error(response, field)
    assert message and unkind(message) == []
    assert snapshot() == before


def test_the_fhir_download_is_a_valid_bundle_of_the_record(client, record):
    response = client.get("/settings/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="kindstep-fhir-2026-11-25.json"')
    assert response["Cache-Control"] == "private, no-store"
    bundle = Bundle.model_validate(json.loads(response.content))
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("QuestionnaireResponse") == models.QuestionnaireResponse.objects.count()
