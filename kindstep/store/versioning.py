"""A person's ``data_version`` goes up with every write to their record.

Pages rendered for one version of a person's data stay right until the next
write, so the web app can keep them (``kindstep/web/pagecache.py``). Rows
saved or deleted one at a time move the version through Django's signals;
writes that bypass them (``QuerySet.update``, ``bulk_create``, raw SQL in the
importers) call :func:`touch` themselves, inside their own transaction.

The large imported tables (Apple Health records) are left out of the signals
on purpose: a signal receiver would stop Django from deleting them in bulk.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save

WATCHED = (
    "CheckIn", "MovementSession", "RestDay", "QuestionnaireResponse", "SafetyEvent",
    "Experiment", "ExperimentOutcome", "JournalEntry", "JournalNote", "DailyMeasure",
    "Plan", "Prediction",
)
"""Models written row by row by the actions; each carries its person or an experiment."""


def touch(person) -> None:
    """Move the person's data version on by one (a person or a primary key)."""
    from kindstep.store.models import Person

    pk = getattr(person, "pk", person)
    Person.objects.filter(pk=pk).update(data_version=F("data_version") + 1)


def _owner(instance) -> int | None:
    person_id = getattr(instance, "person_id", None)
    if person_id is None and getattr(instance, "experiment_id", None) is not None:
        person_id = instance.experiment.person_id
    return person_id


def _row_changed(sender, instance, **kwargs) -> None:
    owner = _owner(instance)
    if owner is not None:
        touch(owner)


def _person_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        touch(instance.pk)


def connect() -> None:
    """Connect the receivers (called once from the app's ``ready``)."""
    from django.apps import apps

    config = apps.get_app_config("kindstep")
    for name in WATCHED:
        model = config.get_model(name)
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"kindstep-version-save-{name}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"kindstep-version-del-{name}")
    post_save.connect(_person_changed, sender=config.get_model("Person"),
                      dispatch_uid="kindstep-version-person")
