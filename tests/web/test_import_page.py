"""The import page: upload an export, see the summary; a refused file changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kindstep.store import models
from tests.importers.test_journals import DAYLIO
from tests.store.test_importing import GPX_RUN, tables
from tests.web.helpers import csrf_token, field_error, page

pytestmark = pytest.mark.django_db


def upload(client, name: str, data: str | bytes, **fields):
    content = data.encode() if isinstance(data, str) else data
    return client.post("/import/", {"export": SimpleUploadedFile(name, content), **fields})


def test_the_page_offers_a_file_field_in_a_csrf_protected_multipart_form(client):
    response = client.get("/import/")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page(response)
    assert 'type="file"' in page(response) and csrf_token(response)
    assert 'href="/import/" aria-current="page"' in page(response)


def test_the_page_says_where_the_data_goes_in_each_mode(client, settings):
    text = page(client.get("/import/"))
    if settings.MODE == "server":
        assert "your own record on this kindstep server, which nobody else can see" in text
        assert "stays on this computer" not in text
    else:
        assert "Everything stays on this computer." in text


def test_a_good_gpx_upload_imports_and_shows_the_summary(client, person):
    response = upload(client, "run.gpx", GPX_RUN)
    assert response.status_code == 200
    assert "From a GPX file (run.gpx)" in page(response)
    assert "<strong>1</strong> added" in page(response)
    session = models.MovementSession.objects.get(person=person)
    assert session.source == "gpx" and session.activity == "jog"


def test_uploading_the_same_file_again_adds_nothing(client, person):
    upload(client, "daylio.csv", DAYLIO)
    before = tables()
    response = upload(client, "daylio.csv", DAYLIO)
    assert "<strong>0</strong> added" in page(response)
    assert "<strong>3</strong> already here" in page(response)
    assert tables() == before


def test_a_look_first_upload_counts_and_writes_nothing(client):
    response = upload(client, "daylio.csv", DAYLIO, dry_run="on")
    assert response.status_code == 200
    assert "<strong>3</strong> would be added" in page(response) and "nothing was written" in page(response)
    assert tables()["JournalEntry"] == 0


def test_a_damaged_file_is_shown_again_with_a_kind_message_and_nothing_written(client, snapshot):
    before, rows = snapshot(), tables()
    response = upload(client, "cut.gpx", GPX_RUN[:200])
    assert response.status_code == 422
    message = field_error(response, "export")
    assert "line 4" in message and "exporting it again may help" in message
    assert "Nothing was changed" in message and "/tmp" not in message
    assert snapshot() == before and tables() == rows


def test_a_file_kindstep_does_not_read_is_refused_naming_what_it_reads(client):
    response = upload(client, "notes.txt", "just some words\n")
    assert response.status_code == 422
    assert "Daylio" in field_error(response, "export") and "/tmp" not in field_error(response, "export")


def test_sending_no_file_asks_for_one(client):
    response = client.post("/import/", {})
    assert response.status_code == 422 and "choose a file" in field_error(response, "export")


def test_a_file_over_the_size_limit_is_not_read(client, settings):
    settings.MAX_UPLOAD_MB = 1
    response = upload(client, "big.gpx", b"<gpx>" + b" " * (2 * 1024 * 1024) + b"</gpx>")
    assert response.status_code == 413
    assert "larger than 1 MB" in field_error(response, "export")
    assert "`" not in field_error(response, "export")  # words for a page, not Markdown
    assert tables()["MovementSession"] == 0


def test_an_upload_without_the_csrf_token_is_refused_and_writes_nothing(make_client):
    client = make_client(enforce_csrf_checks=True)
    response = upload(client, "run.gpx", GPX_RUN)
    assert response.status_code == 403
    assert tables()["MovementSession"] == 0


def test_an_upload_with_the_csrf_token_is_accepted(make_client):
    client = make_client(enforce_csrf_checks=True)
    token = csrf_token(client.get("/import/"))
    response = upload(client, "run.gpx", GPX_RUN, csrfmiddlewaretoken=token)
    assert response.status_code == 200 and tables()["MovementSession"] == 1


def test_the_upload_is_bounded_by_the_web_apps_own_clock(client, person):
    # A walk three days after the clock is left out as "outside 1990 to today"; once the
    # clock has passed it, the same file imports: the view passes its clock in.
    from datetime import UTC, datetime, timedelta

    import time_machine

    from tests.store.test_importing import run_at

    clock = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    start = clock + timedelta(days=3)
    walk = run_at(f"{start:%Y-%m-%dT%H:%M:%SZ}", f"{start + timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}")
    with time_machine.travel(clock, tick=False):
        assert "outside 1990 to today" in page(upload(client, "ahead.gpx", walk))
    assert not models.MovementSession.objects.filter(person=person).exists()
    with time_machine.travel(clock + timedelta(days=7), tick=False):
        assert "<strong>1</strong> added" in page(upload(client, "ahead.gpx", walk))


def test_a_kindstep_export_brings_a_record_back_and_a_newer_one_is_refused(client, person):
    import json
    from datetime import UTC, datetime

    from kindstep.store import actions

    other = models.Person.objects.create(timezone="Europe/London")
    actions.log_session(other, activity="walk", duration="25", note="by the sea",
                        now=datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    document = "".join(actions.export_all(other, now=datetime(2026, 11, 25, 15, 0, tzinfo=UTC)))
    response = upload(client, "kindstep-export-2026-11-25.json", document)
    assert response.status_code == 200
    assert "From a kindstep export (kindstep-export-2026-11-25.json)" in page(response)
    assert "<strong>1</strong> added" in page(response)
    assert models.MovementSession.objects.get(person=person).note == "by the sea"

    before = tables()
    newer = json.loads(document) | {"version": 3}
    response = upload(client, "kindstep-export-2031-01-01.json", json.dumps(newer))
    assert response.status_code == 422
    assert "made by a newer kindstep (format version 3)" in field_error(response, "export")
    assert tables() == before
