"""Daylio (CSV and .daylio backup) and Bearable CSV files built here: every line accounted for."""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core.catalogue import load_catalogue
from kindstep.importers import bearable, daylio
from kindstep.importers.rows import DailyRow, ImportRefused, MoodRow, NoteRow, SessionRow, Skipped

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
"""The caller's clock: importers are given the time, never read it."""

HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"
DAYLIO = HEADER + (
    '2024-05-02,2 May,Thursday,6:50 pm,rad,"friends | walk | Yoga","Title","A ""quoted"" note<br>line two"\n'
    "2024-05-02,2 May,Thursday,08:05,meh,,,\n"
    "2024-05-01,1 May,Wednesday,10:04 AM,awful,work | nature / walk | walk,,\n"
)


def primary(found):
    """The rows that stand for source items (derived sessions are extra)."""
    return [r for r in found if not (isinstance(r, SessionRow) and r.derived_from)]


def test_each_daylio_line_becomes_a_mood_on_the_0_to_10_scale():
    found = list(daylio.csv_rows(DAYLIO.encode(), now=NOW))
    moods = [r for r in found if isinstance(r, MoodRow)]
    assert [m.mood for m in moods] == [10, 5, 0]
    first = moods[0]
    assert first.at == datetime(2024, 5, 2, 18, 50, tzinfo=UTC) and first.day == date(2024, 5, 2)
    assert first.activities == ("friends", "walk", "Yoga")
    assert first.note == 'Title\n\nA "quoted" note\nline two'
    assert first.key == "2024-05-02T18:50" and first.source == "daylio"
    assert len(primary(found)) == 3


def test_movement_activities_also_become_sessions_with_the_catalogues_usual_minutes():
    found = list(daylio.csv_rows(DAYLIO.encode(), now=NOW))
    sessions = [r for r in found if isinstance(r, SessionRow)]
    assert [(s.activity, s.origin) for s in sessions] == [
        ("walk", "walk"), ("yoga_gentle", "Yoga"), ("walk", "nature / walk")]
    assert sessions[0].minutes == load_catalogue()["walk"].default_minutes
    assert sessions[0].derived_from == "2024-05-02T18:50"
    assert "does not record how long" in sessions[0].note
    assert len({s.key for s in sessions}) == 3


def test_the_older_export_without_note_title_and_crlf_lines_reads():
    text = ("full_date,date,weekday,time,mood,activities,note\r\n"
            '2020-05-30,30 May,Saturday,1:08 pm,good,shopping | walk,"Life is beautiful"\r\n')
    [mood, walk] = daylio.csv_rows(text.encode(), now=NOW)
    assert mood.mood == 8 and mood.note == "Life is beautiful" and walk.activity == "walk"


def test_the_scales_column_is_kept_in_the_note():
    text = ("full_date,date,weekday,time,mood,activities,scales,note_title,note\n"
            '2026-04-12,April 12,Sunday,12:00,good,"","Sleep Quality: 8/10","","Rested."\n')
    [mood] = daylio.csv_rows(text.encode(), now=NOW)
    assert mood.note == "Rested.\n\nScales: Sleep Quality: 8/10"


def test_a_line_with_an_extra_field_keeps_all_its_text():
    text = HEADER + '2022-10-26,October 26,Wednesday,10:00 PM,good,board game,,"Sed ut","Maecenas"\n'
    [mood] = daylio.csv_rows(text.encode(), now=NOW)
    assert mood.note == "Sed ut\n\nMaecenas"


def test_a_custom_mood_is_kept_by_its_name_until_it_is_placed():
    text = HEADER + "2021-05-12,12 May,Wednesday,18:52,Anxious,walk,,\n"
    waiting, walk = daylio.csv_rows(text.encode(), now=NOW)
    assert isinstance(waiting, MoodRow)
    assert (waiting.mood, waiting.mood_name, waiting.activities) == (None, "anxious", ("walk",))
    assert isinstance(walk, SessionRow)  # the walk still happened
    mood, _ = daylio.csv_rows(text.encode(), moods={"Anxious": 3}, now=NOW)
    assert (mood.mood, mood.mood_name) == (3, "anxious")


def test_an_entry_with_no_mood_at_all_is_skipped_with_its_reason():
    text = HEADER + "2021-05-12,12 May,Wednesday,18:52,  ,walk,,\n"
    [skipped] = daylio.csv_rows(text.encode(), now=NOW)
    assert isinstance(skipped, Skipped) and "no mood" in skipped.reason and skipped.where == "line 2"


def test_mood_names_lists_each_name_once_in_file_order():
    text = HEADER + ("2021-05-12,,,18:52,Tired,,,\n2021-05-11,,,18:52,rad,,,\n"
                     "2021-05-10,,,18:52,tired ,,,\n2021-05-09,,,18:52,Vaguely  OK,,,\n")
    assert daylio.mood_names(text.encode()) == ["tired", "rad", "vaguely ok"]


def test_two_entries_in_the_same_minute_get_distinct_keys():
    text = HEADER + "2024-05-02,,,08:05,meh,,,\n2024-05-02,,,08:05,good,,,\n"
    assert [r.key for r in daylio.csv_rows(text.encode(), now=NOW)] == ["2024-05-02T08:05", "2024-05-02T08:05#2"]


def test_times_are_read_in_the_persons_time_zone():
    [_, mood, _] = [r for r in daylio.csv_rows(DAYLIO.encode(), tz="Europe/London", now=NOW)
                    if isinstance(r, MoodRow)]
    assert mood.at == datetime(2024, 5, 2, 8, 5, tzinfo=ZoneInfo("Europe/London"))


def test_impossible_dates_and_times_and_short_lines_are_skipped_with_their_line():
    text = HEADER + "2024-02-30,,,08:05,meh,,,\n2024-02-01,,,25:99,meh,,,\n2024-02-01,x\n"
    found = list(daylio.csv_rows(text.encode(), now=NOW))
    assert all(isinstance(r, Skipped) for r in found)
    assert [r.where for r in found] == ["line 2", "line 3", "line 4"]


def test_a_bom_is_fine_but_invalid_utf8_is_refused_with_its_line():
    assert len(list(daylio.csv_rows(b"\xef\xbb\xbf" + DAYLIO.encode(), now=NOW))) == 6
    with pytest.raises(ImportRefused) as caught:
        list(daylio.csv_rows(DAYLIO.encode() + b"2024-05-01,,,08:00,meh,\xff\xfe,,\n", now=NOW))
    assert caught.value.where.startswith("line")


def test_a_file_that_is_not_a_daylio_export_is_refused_naming_the_columns():
    with pytest.raises(ImportRefused) as caught:
        list(daylio.csv_rows(b"name,age\nann,3\n", now=NOW))
    assert caught.value.where == "line 1" and "full_date" in caught.value.message
    with pytest.raises(ImportRefused):
        list(daylio.csv_rows(b"", now=NOW))


def test_an_oversized_field_is_refused_not_read_into_memory():
    with pytest.raises(ImportRefused):
        huge = HEADER + '2024-05-01,,,08:00,meh,"' + "x" * 200_000 + '",,\n'
        list(daylio.csv_rows(huge.encode(), now=NOW))


def test_a_daylio_entry_after_today_or_before_1990_is_skipped_with_its_reason():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    text = HEADER + ("2024-05-02,2 May,Thursday,08:00,good,walk,,\n"
                     "2024-05-01,1 May,Wednesday,23:50,meh,,,\n"
                     "1989-12-31,31 Dec,Sunday,08:00,rad,,,\n")
    tomorrow, today, old = daylio.csv_rows(text.encode(), now=now)
    assert tomorrow == Skipped("The date 2024-05-02 is outside 1990 to today.", "line 2")
    assert isinstance(today, MoodRow) and today.day == date(2024, 5, 1)
    assert old == Skipped("The date 1989-12-31 is outside 1990 to today.", "line 4")


def test_the_persons_today_is_their_own_calendar_day():
    # 23:30 UTC on 1 May is already 2 May in Auckland: an entry of 2 May is not in the future there.
    now = datetime(2024, 5, 1, 23, 30, tzinfo=UTC)
    text = HEADER + "2024-05-02,2 May,Thursday,09:00,good,,,\n"
    [kept] = daylio.csv_rows(text.encode(), tz="Pacific/Auckland", now=now)
    assert isinstance(kept, MoodRow)
    [skipped] = daylio.csv_rows(text.encode(), tz="America/New_York", now=now)
    assert isinstance(skipped, Skipped) and "outside 1990 to today" in skipped.reason


def test_the_caller_says_what_today_is_and_the_clock_is_never_read():
    ahead = NOW.date() + timedelta(days=1)
    text = HEADER + f"{ahead.isoformat()},,,08:00,good,walk,,\n2024-05-01,,,08:00,meh,,,\n"
    future, past = daylio.csv_rows(text.encode(), tz="UTC", now=NOW)
    assert isinstance(future, Skipped) and isinstance(past, MoodRow)
    # A day later by the caller's clock, the same line is today.
    later = next(daylio.csv_rows(text.encode(), tz="UTC", now=NOW + timedelta(days=1)))
    assert isinstance(later, MoodRow) and later.day == ahead
    for reader in (daylio.csv_rows, bearable.rows):
        with pytest.raises(TypeError, match="now"):
            reader(text.encode())


# ---------------------------------------------------------------- the .daylio backup


def write_backup(path, document, member="backup.daylio"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, base64.b64encode(json.dumps(document).encode()))
    return path


BACKUP = {
    "version": 15,
    "customMoods": [
        {"id": 1, "custom_name": "", "mood_group_id": 1, "predefined_name_id": 1},
        {"id": 6, "custom_name": "love it", "mood_group_id": 1, "predefined_name_id": -1},
        {"id": 8, "custom_name": "tired", "mood_group_id": 4, "predefined_name_id": -1},
    ],
    "tags": [{"id": 14, "name": "famille"}, {"id": 17, "name": "exercice"}],
    "dayEntries": [
        {"id": 3, "minute": 59, "hour": 9, "day": 24, "month": 0, "year": 2023,
         "datetime": 1674550757766, "timeZoneOffset": 3600000, "mood": 8,
         "note": "Body", "note_title": "Title", "tags": [14, 17]},
        {"id": 4, "minute": 0, "hour": 20, "day": 31, "month": 1, "year": 2023, "mood": 1},
        {"id": 5, "minute": 0, "hour": 20, "day": 4, "month": 0, "year": 2023, "mood": 99},
    ],
}


def test_a_daylio_backup_maps_custom_moods_through_their_group(tmp_path):
    found = list(daylio.backup_rows(write_backup(tmp_path / "b.daylio", BACKUP), now=NOW))
    mood, session, bad_date, unknown = found
    assert mood.mood == 3 and mood.activities == ("famille", "exercice")
    assert mood.day == date(2023, 1, 24) and mood.key == "2023-01-24T09:59"
    assert mood.at == datetime(2023, 1, 24, 8, 59, 17, 766000, tzinfo=UTC)
    assert mood.note == "Title\n\nBody"
    assert session.activity == "walk" and session.origin == "exercice"
    assert isinstance(bad_date, Skipped) and bad_date.where == "dayEntries[1]"
    assert isinstance(unknown, Skipped) and "99" in unknown.reason
    assert daylio.moods_from_backup(tmp_path / "b.daylio")["love it"] == 10


def test_a_backup_entry_after_today_is_skipped_with_its_reason(tmp_path):
    entries = [{**BACKUP["dayEntries"][0], "datetime": None, "year": 2023, "month": 0, "day": 25},
               BACKUP["dayEntries"][0]]
    path = write_backup(tmp_path / "b.daylio", {**BACKUP, "dayEntries": entries})
    now = datetime(2023, 1, 24, 12, 0, tzinfo=UTC)
    future, mood, session = daylio.backup_rows(path, now=now)
    assert future == Skipped("The date 2023-01-25 is outside 1990 to today.", "dayEntries[0]")
    assert isinstance(mood, MoodRow) and isinstance(session, SessionRow)
    # In Auckland the 25th has begun by then.
    assert isinstance(next(daylio.backup_rows(path, tz="Pacific/Auckland", now=now)), MoodRow)


def test_a_damaged_or_foreign_backup_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.daylio", "w") as zf:
        zf.writestr("backup.daylio", b"not base64 !!")
    with pytest.raises(ImportRefused):
        list(daylio.backup_rows(tmp_path / "x.daylio", now=NOW))
    with pytest.raises(ImportRefused) as caught:
        list(daylio.backup_rows(write_backup(tmp_path / "y.daylio", BACKUP, member="other.txt"), now=NOW))
    assert "backup.daylio" in caught.value.message
    (tmp_path / "z.daylio").write_bytes(b"PK\x03\x04 cut")
    with pytest.raises(ImportRefused):
        list(daylio.backup_rows(tmp_path / "z.daylio", now=NOW))


# ---------------------------------------------------------------- Bearable

BEARABLE = (
    '"date","weekday","time of day","category","rating/amount","detail","notes"\n'
    '"22nd Sep 2020","Tue","3:04","Mood","6","Meh | Anxious","long day"\n'
    '"22nd Sep 2020","Tue","am","Energy","2","",""\n'
    '"22nd Sep 2020","Tue","pm","Symptom","","Stress (Mild) | Anxiety (Severe)",""\n'
    '"22nd Sep 2020","Tue","pre","Symptom","","Headache (Moderate)",""\n'
    '"22nd Sep 2020","Tue","","Sleep","9:45","Asleep 02:45 - 12:30. In bed 02:30 - 12:35",""\n'
    '"22nd Sep 2020","Tue","all day","Factors","","Walk | Social | Yoga",""\n'
    '"22nd Sep 2020","Tue","mid","Gratitudes","","The sun",""\n'
    '"31st Sep 2020","Tue","mid","Mood","5","",""\n'
    '"23rd Sep 2020","Wed","mid","Mood","eleven","",""\n'
)


def test_a_bearable_line_after_today_is_skipped_with_its_reason():
    now = datetime(2020, 9, 22, 20, 0, tzinfo=UTC)
    found = primary(bearable.rows(BEARABLE.encode(), now=now))
    assert len(found) == 9
    # The 23rd is tomorrow: its line is left out for its date, before its rating is read.
    assert found[-1] == Skipped("The date 2020-09-23 is outside 1990 to today.", "line 10")
    assert not any(isinstance(r, Skipped) for r in found[:7])
    text = BEARABLE.splitlines()[0] + '\n"1st Jan 1989","Sun","am","Mood","6","",""\n'
    assert list(bearable.rows(text.encode(), now=now)) == [
        Skipped("The date 1989-01-01 is outside 1990 to today.", "line 2")]


def test_each_bearable_line_yields_one_row_of_the_right_kind():
    found = list(bearable.rows(BEARABLE.encode(), now=NOW))
    items = primary(found)
    assert len(items) == 9
    mood, energy, anxiety, symptom, sleep, factors, gratitude, bad_day, bad_mood = items
    assert isinstance(mood, MoodRow) and mood.mood == 6 and mood.activities == ("Meh", "Anxious")
    assert mood.at == datetime(2020, 9, 22, 3, 4, tzinfo=UTC) and mood.note == "long day"
    assert isinstance(energy, NoteRow) and energy.kind == "energy" and energy.value == 3
    assert energy.at == datetime(2020, 9, 22, 9, 0, tzinfo=UTC)
    assert anxiety.kind == "anxiety" and anxiety.value == 8
    assert symptom.kind == "symptom" and symptom.value is None
    assert isinstance(sleep, DailyRow) and sleep.kind == "sleep_hours" and sleep.value == 9.75
    assert factors.kind == "factors" and "Social" in factors.text
    assert gratitude.kind == "gratitudes" and gratitude.text == "The sun"
    assert isinstance(bad_day, Skipped) and bad_day.where == "line 9"
    assert isinstance(bad_mood, Skipped)


def test_movement_among_bearable_factors_becomes_derived_sessions():
    sessions = [r for r in bearable.rows(BEARABLE.encode(), now=NOW) if isinstance(r, SessionRow)]
    assert [s.activity for s in sessions] == ["walk", "yoga_gentle"]
    assert all(s.derived_from and s.source == "bearable" for s in sessions)


def test_bearable_keys_are_stable_and_distinct():
    first = [r.key for r in bearable.rows(BEARABLE.encode(), now=NOW) if not isinstance(r, Skipped)]
    assert first == [r.key for r in bearable.rows(BEARABLE.encode(), now=NOW) if not isinstance(r, Skipped)]
    assert len(set(first)) == len(first)


def test_a_file_that_is_not_a_bearable_export_is_refused():
    with pytest.raises(ImportRefused) as caught:
        list(bearable.rows(HEADER.encode(), now=NOW))
    assert "rating/amount" in caught.value.message


# ---------------------------------------------------------------- mutations never crash

mutation = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
READERS = {"daylio": (daylio.csv_rows, DAYLIO.encode()), "bearable": (bearable.rows, BEARABLE.encode())}


def _only_refusals(name: str, data: bytes) -> None:
    reader = READERS[name][0]
    try:
        for row in reader(data, now=NOW):
            assert isinstance(row, MoodRow | SessionRow | NoteRow | DailyRow | Skipped)
    except ImportRefused as refused:
        assert refused.message


@mutation
@given(name=st.sampled_from(sorted(READERS)), cut=st.integers(0, 1200))
def test_truncated_journals_give_rows_or_a_refusal(name, cut):
    _only_refusals(name, READERS[name][1][:cut])


@mutation
@given(name=st.sampled_from(sorted(READERS)), data=st.data())
def test_journals_with_flipped_bytes_give_rows_or_a_refusal(name, data):
    raw = bytearray(READERS[name][1])
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _only_refusals(name, bytes(raw))


@mutation
@given(data=st.data())
def test_backups_with_flipped_bytes_give_rows_or_a_refusal(tmp_path_factory, data):
    path = write_backup(tmp_path_factory.mktemp("b") / "b.daylio", BACKUP)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    try:
        list(daylio.backup_rows(path, now=NOW))
    except ImportRefused:
        pass
