from django.db import models


class ImportJob(models.Model):
    """One upload on the Import page and how its import is going, for the page to show.

    The import itself runs as a background task (``kindstep.work.tasks``) whose only
    argument is this row's id, so no file name or other word of the person's reaches a
    task queue or a log line. The worker updates ``bytes_read``/``items`` as it goes (on
    PostgreSQL, from a connection of its own, so the figures show while the import's own
    transaction is still open) and, at the end, ``state`` with the summary or a kind
    message. Finished jobs are let go of after a day (``kindstep.work.periodic``).
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        REFUSED = "refused"
        """The file could not be imported: ``message`` says why, and nothing was written."""
        STOPPED = "stopped"
        """Something on kindstep's side went wrong: nothing was written; try again later."""

    person = models.ForeignKey("kindstep.Person", on_delete=models.CASCADE, related_name="import_jobs")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    filename = models.CharField(max_length=255, blank=True, default="")
    """The uploaded file's own name, shown back to its owner on the page (never logged)."""
    dry_run = models.BooleanField(default=False)
    upload_path = models.CharField(max_length=500, blank=True, default="")
    """Where the upload waits in ``KINDSTEP_UPLOAD_DIR``; "" when it waits in ``UploadChunk``
    rows. Cleared once the import is over."""
    upload_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    items = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    """``ImportSummary.as_dict()`` once done."""
    message = models.TextField(blank=True, default="")
    """Why the file was refused (``ImportRefused``'s words), for the page."""

    class Meta:
        db_table = "kindstep_import_job"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.REFUSED, self.State.STOPPED}


class UploadChunk(models.Model):
    """A piece of an uploaded file waiting for the worker, when uploads live in the database.

    In server mode the app servers keep no files (any of them may take the upload and any
    worker machine may run the import), so the upload is kept here in pieces of a few MB:
    written and read one piece at a time, so no process holds a whole export in memory.
    The pieces are deleted when the import is over, whatever its outcome.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        db_table = "kindstep_upload_chunk"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="one_chunk_per_seq")]
