"""The Import page's background side: a queued upload's page, its progress card (htmx and a
plain refresh link), its outcome, and nobody else's job.

Django's own DummyBackend keeps the task queued without running it, as a server's queue
does before ``kindstep worker`` takes it; the worker's writes are made as it makes them.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kindstep.store import import_jobs, models
from tests.conftest import NOW
from tests.store.test_importing import GPX_RUN
from tests.web.helpers import page
from tests.words import unkind

pytestmark = pytest.mark.django_db
State = models.ImportJob.State


@pytest.fixture
def queued_only(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.UPLOAD_DIR = None


def upload(client, name="Ana's run.gpx", data=GPX_RUN):
    return client.post("/import/", {"export": SimpleUploadedFile(name, data.encode())})


def test_an_upload_that_waits_for_the_worker_goes_to_its_own_page(client, queued_only):
    response = upload(client)
    job = models.ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    assert "Ana" not in response["Location"]
    assert job.state == State.QUEUED and models.UploadChunk.objects.filter(job=job).exists()
    assert not models.MovementSession.objects.exists()

    html = page(client.get(f"/import/{job.pk}/"))
    assert "<h2 id=\"progress-title\">Importing Ana&#39;s run.gpx</h2>" in html
    assert "waits its turn" in html
    assert f'hx-get="/import/{job.pk}/status/" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert f'<a href="/import/{job.pk}/">Refresh to see how it is going</a>' in html
    assert 'type="file"' not in html and not unkind(html)


def test_the_progress_card_shows_the_share_read_and_the_items(client, queued_only):
    upload(client)
    job = models.ImportJob.objects.get()
    models.ImportJob.objects.filter(pk=job.pk).update(state=State.RUNNING, bytes_read=3 * 2**20,
                                                      total_bytes=12 * 2**20, items=45_678)
    card = page(client.get(f"/import/{job.pk}/status/", HTTP_HX_REQUEST="true"))
    assert card.startswith('<section class="card" id="import-progress"')
    assert '<progress max="12582912" value="3145728" aria-labelledby="progress-title">25%' in card
    assert "Read 3.0 MB of 12.0 MB (25%), 45,678 items so far." in card
    assert "<html" not in card

    models.ImportJob.objects.filter(pk=job.pk).update(total_bytes=0)  # SQLite: no figures yet
    assert "Reading your file now." in page(client.get(f"/import/{job.pk}/status/"))


def test_once_over_htmx_is_sent_to_the_whole_page_which_shows_the_outcome(client, queued_only):
    upload(client)
    job = models.ImportJob.objects.get()
    assert import_jobs.run_job(job.pk, clock=lambda: NOW) == State.DONE
    status = client.get(f"/import/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert status.status_code == 204 and status["HX-Redirect"] == f"/import/{job.pk}/"
    html = page(client.get(f"/import/{job.pk}/"))
    assert "From a GPX file (Ana&#39;s run.gpx)" in html and "<strong>1</strong> added" in html
    assert 'hx-trigger="every 2s"' not in html and 'type="file"' in html


def test_a_refused_file_shows_its_kind_message_on_the_jobs_page(client, queued_only):
    upload(client, "cut.gpx", GPX_RUN[:200])
    job = models.ImportJob.objects.get()
    assert import_jobs.run_job(job.pk, clock=lambda: NOW) == State.REFUSED
    html = page(client.get(f"/import/{job.pk}/"))
    assert "line 4" in html and "Nothing was changed." in html and 'aria-invalid="true"' in html
    assert not models.MovementSession.objects.exists()


def test_a_job_stopped_on_kindsteps_side_says_so_without_blame(client, queued_only):
    upload(client)
    job = models.ImportJob.objects.get()
    models.ImportJob.objects.filter(pk=job.pk).update(state=State.STOPPED,
                                                      message=import_jobs.STOPPED_MESSAGE)
    html = page(client.get(f"/import/{job.pk}/"))
    assert "not your file&#39;s. Nothing was changed; trying again in a little while may help." in html
    assert not unkind(import_jobs.STOPPED_MESSAGE)


def test_someone_elses_job_is_not_found_exactly_like_none(client, queued_only, charlie):
    theirs = import_jobs.start_import(charlie, [b"<gpx/>"], filename="c.gpx", dry_run=False,
                                      now=NOW)
    for path in (f"/import/{theirs.pk}/", f"/import/{theirs.pk}/status/", "/import/999999/"):
        assert client.get(path).status_code == 404


def test_in_local_mode_the_import_runs_at_once_and_keeps_no_job(client, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    response = upload(client)
    assert response.status_code == 200 and "<strong>1</strong> added" in page(response)
    assert not models.ImportJob.objects.exists() and list((tmp_path / "uploads").iterdir()) == []
