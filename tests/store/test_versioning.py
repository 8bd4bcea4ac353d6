"""Every write moves the person's data version on, so a kept web page is never stale."""

from __future__ import annotations

import pytest

from kindstep.store import actions, models
from kindstep.store.importing import import_file

pytestmark = pytest.mark.django_db


def version(person) -> int:
    return models.Person.objects.get(pk=person.pk).data_version


def moves(person, write) -> bool:
    before = version(person)
    write()
    return version(person) > before


def test_every_action_moves_the_version_on(alice, now, tmp_path):
    session = actions.log_session(alice, activity="walk", duration=10, now=now)
    label = f"s{session.pk}"
    writes = {
        "checkin": lambda: actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now),
        "log": lambda: actions.log_session(alice, activity="walk", duration=5, now=now),
        "rest": lambda: actions.log_rest(alice, day="2026-11-20", now=now),
        "edit": lambda: actions.edit_entry(alice, label, now=now, duration=20),
        "settings": lambda: actions.update_settings(alice, target_days=4),
        "country asked": lambda: actions.update_settings(alice, country_asked=True),
        "phq9": lambda: actions.answer_questionnaire(alice, "phq9", "0,0,0,0,0,0,0,0,1", now=now),
        "acknowledge": lambda: actions.acknowledge_safety_events(alice, now=now),
        "readiness": lambda: actions.record_readiness(alice, "yes,no,no,no,no,no,no", now=now),
        "clearance": lambda: actions.record_clearance(alice, now=now),
        "symptoms": lambda: actions.record_movement_symptoms(alice, "faintness", now=now),
        "postpone": lambda: actions.postpone_questionnaires(alice, 7, now=now),
        "reminders": lambda: actions.set_checkin_reminders(alice, False),
        "experiment": lambda: actions.start_experiment(alice, template=1, now=now),
        "outcome": lambda: actions.log_experiment_outcome(alice, 6, now=now),
        "stop": lambda: actions.stop_experiment(alice, now=now),
    }
    still = [name for name, write in writes.items() if not moves(alice, write)]
    assert not still
    assert moves(alice, lambda: actions.delete_entry(alice, label, now=now))
    assert moves(alice, lambda: actions.restore_entry(alice, label, now=now))


def test_an_import_moves_the_version_on_but_a_dry_run_does_not(alice, tmp_path, now):
    gpx = tmp_path / "walk.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><type>walking</type><trkseg>"
        '<trkpt lat="51.5" lon="-0.1"><time>2026-11-20T10:00:00Z</time></trkpt>'
        '<trkpt lat="51.501" lon="-0.1"><time>2026-11-20T10:20:00Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    )
    assert not moves(alice, lambda: import_file(alice, gpx, dry_run=True, now=now))
    assert moves(alice, lambda: import_file(alice, gpx, now=now))
    assert not moves(alice, lambda: import_file(alice, gpx, now=now))  # nothing new, nothing changed


def test_one_persons_writes_leave_anothers_version_alone(alice, charlie, now):
    before = version(charlie)
    actions.log_session(alice, activity="walk", duration=10, now=now)
    assert version(charlie) == before
