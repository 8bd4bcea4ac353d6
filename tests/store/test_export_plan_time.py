"""A plan with a time of day goes into the export and comes back from it (regression: the
export's JSON writer knew dates and datetimes but not a plain time, so `kindstep export` of a
record with `plan ... --time 10:00` stopped with a traceback)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kindstep.store import actions, models, restore

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_a_planned_time_of_day_is_exported_and_restored(alice, charlie, tmp_path):
    actions.plan_activity(alice, activity="walk", duration="10", date="2026-11-30",
                          time="10:00", now=NOW)
    data = json.loads("".join(actions.export_all(alice, now=NOW)))
    assert [(p["day"], p["at"]) for p in data["plans"]] == [("2026-11-30", "10:00:00")]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), "utf-8")
    restore.restore_export(charlie, path, now=NOW)
    plan = models.Plan.objects.get(person=charlie)
    assert (plan.day.isoformat(), plan.at.isoformat()) == ("2026-11-30", "10:00:00")
