"""The clinician report: a real PDF, read back with pdftotext, every figure checked against the rows.

The expected figures are worked out here from the stored rows with the ORM
and plain arithmetic, not through ``core.report``, so a slip in the report's
own sums shows up as a difference.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from statistics import mean

import pytest

from kindstep.core import scales
from kindstep.core.checks import InvalidInput
from kindstep.core.readiness import load_questions
from kindstep.reports.pdf import FOOTER_NOTE, ReportOptions, evidence_line, render_pdf
from kindstep.store import models, queries
from tests.conftest import NOW
from tests.reports.record import seed
from tests.words import unkind

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # NOW in Europe/London
START = date(2026, 9, 7)  # the Monday eleven weeks before this week's


def pdf_text(data: bytes, tmp_path, *, layout: bool = True) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def flat(text: str) -> str:
    """The text with every run of white space as one space (lines wrap where the page says)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def record(alice):
    seed(alice)
    return alice


@pytest.fixture
def report(record, tmp_path):
    data = render_pdf(record, weeks=12, now=NOW,
                      options=ReportOptions(name="Sam Rivers", notes=True))
    return data, pdf_text(data, tmp_path)


def latest_checkins(person, since: date) -> dict[date, models.CheckIn]:
    rows = models.CheckIn.objects.filter(person=person, day__gte=since, day__lte=TODAY,
                                         removed_at__isnull=True).order_by("at", "id")
    return {row.day: row for row in rows}  # later rows replace earlier ones of the same day


def one(x: float) -> str:
    return f"{x:.1f}"


def test_the_pdf_is_a_real_pdf_with_the_name_and_the_period(report):
    data, text = report
    assert data.startswith(b"%PDF-")
    assert "A record of movement and mood: Sam Rivers" in text
    assert "12 weeks, 7 Sep 2026 to 25 Nov 2026" in text


def test_each_weeks_row_matches_the_stored_sessions_rest_days_and_check_ins(record, report):
    _, text = report
    daily = latest_checkins(record, START)
    sessions = list(models.MovementSession.objects.filter(person=record, removed_at__isnull=True))
    rests = {r.day for r in models.RestDay.objects.filter(person=record, removed_at__isnull=True)}
    for week in range(12):
        first = START + timedelta(days=7 * week)
        days = [first + timedelta(days=i) for i in range(7)]
        own = [s for s in sessions if s.day in days]
        active = len({s.day for s in own})
        rest = len((rests & set(days)) - {s.day for s in own})
        minutes = sum(s.minutes for s in own)
        met_minutes = round(sum(s.met * s.minutes for s in own))
        checks = [daily[d] for d in days if d in daily]
        expected = [
            f"{first.day} {first:%b %Y}", f"{active} of 3", *(["✓"] if active >= 3 else []),
            str(rest), str(minutes), str(met_minutes), str(len(checks)),
            one(mean(c.mood for c in checks)), one(mean(c.anxiety for c in checks)),
        ]
        line = next(line for line in text.splitlines()
                    if line.strip().startswith(expected[0] + " "))
        found = re.split(r"\s{2,}|(?<=\d) (?=✓)", line.strip())
        assert found == expected, (first, found)


def test_the_headline_totals_add_up_from_the_rows(record, report):
    _, text = report
    sessions = models.MovementSession.objects.filter(person=record, day__gte=START,
                                                     removed_at__isnull=True)
    active = len({s.day for s in sessions})
    weeks_met = sum(
        len({s.day for s in sessions if 0 <= (s.day - START).days - 7 * w < 7}) >= 3
        for w in range(12))
    minutes = sum(s.minutes for s in sessions)
    met_minutes = round(sum(s.met * s.minutes for s in sessions))
    body = flat(text)
    assert (f"Active on {active} days over 12 weeks (personal target: 3 days a week). "
            f"Weeks reaching the target: {weeks_met} of 12.") in body
    assert f"{minutes} minutes in all, {met_minutes} MET-minutes." in body


def test_mood_anxiety_and_before_after_figures_match_the_rows(record, report):
    _, text = report
    body = flat(text)
    daily = latest_checkins(record, START)
    moods = [c.mood for c in daily.values()]
    anxieties = [c.anxiety for c in daily.values()]
    assert (f"Check-ins on {len(daily)} days: mood from {min(moods)} to {max(moods)} out of 10 "
            f"(average {one(mean(moods))}), anxiety from {min(anxieties)} to {max(anxieties)} "
            f"(average {one(mean(anxieties))}).") in body
    pairs = [(s.mood_before, s.mood_after) for s in models.MovementSession.objects.filter(
        person=record, day__gte=START, mood_before__isnull=False, mood_after__isnull=False)]
    higher = sum(a > b for b, a in pairs)
    lower = sum(a < b for b, a in pairs)
    assert (f"{len(pairs)} sessions with a mood noted before and after: on average "
            f"{one(mean(b for b, _ in pairs))} before and {one(mean(a for _, a in pairs))} after "
            f"(out of 10); the mood after was higher in {higher}, the same in "
            f"{len(pairs) - higher - lower} and lower in {lower}.") in body
    assert "it does not show that moving caused the change" in body


def test_each_questionnaire_row_matches_its_stored_answers(record, report):
    _, text = report
    rows = list(models.QuestionnaireResponse.objects.filter(person=record).order_by("taken_at"))
    assert len(rows) == 5
    previous: dict[str, int] = {}
    for row in rows:
        scale = scales.get_scale(row.scale)
        total = sum(row.answers)
        assert total == row.total
        change = total - previous[row.scale] if row.scale in previous else None
        marker = ""
        if change is not None and abs(change) >= scale.reliable_change:
            marker = "reliable improvement" if change < 0 else "reliable worsening"
        previous[row.scale] = total
        expected = [f"{row.day.day} {row.day:%b %Y}", scale.name, f"{total} of {scale.max_total}",
                    scale.band_for(total).label]
        expected += [f"{change:+d}"] if change is not None else []
        expected += [marker] if marker else []
        expected += [str(row.answers[8])] if row.scale == "phq9" else []
        line = next(line for line in text.splitlines()
                    if line.strip().startswith(expected[0]) and scale.name in line)
        assert re.split(r"\s{2,}", line.strip()) == expected
    assert "reliable improvement" in text  # the record holds two, so the check above ran on them


def test_readiness_safety_events_and_notes_are_there_with_their_dates(record, report):
    _, text = report
    body = flat(text)
    texts = {q.code: q.text for q in load_questions()}
    yes = [code for code, said in record.readiness.items() if said is True]
    assert yes == ["bones_joints"]
    assert flat(texts["bones_joints"]) in body
    events = list(models.SafetyEvent.objects.filter(person=record).order_by("at"))
    assert len(events) == 2
    for event in events:
        day = queries.today(record, event.at)
        assert f"{day.day} {day:%b %Y}" in text
    assert "answered 1 of 3" in body and "feeling faint, dizzy or light-headed" in body
    assert "15 Oct 2026" in text and "not yet" in text  # the first was asked after, not the second
    for note in ("slept badly", "tired, stayed in", "by the river"):
        assert note in text


def test_every_page_carries_the_evidence_line_and_not_a_diagnosis(report, tmp_path):
    data, _ = report
    text = flat(pdf_text(data, tmp_path, layout=False))
    count = pages(data, tmp_path)
    bare = re.sub(r"\s+", "", text)  # a line may wrap straight after "doi:"
    assert text.count(flat(FOOTER_NOTE)) == count
    assert bare.count(re.sub(r"\s+", "", evidence_line())) == count
    assert "Not a diagnosis." in text and "SMD −0.67" in evidence_line()


def test_without_notes_it_keeps_to_two_a4_pages_and_leaves_every_note_out(record, tmp_path):
    data = render_pdf(record, weeks=12, now=NOW)
    text = pdf_text(data, tmp_path)
    assert pages(data, tmp_path) <= 2
    assert "Sam Rivers" not in text and "A record of movement and mood\n" in text
    for note in ("slept badly", "tired, stayed in", "by the river", "Notes the person"):
        assert note not in text
    path = tmp_path / "size.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_letter_paper_is_the_default_where_letter_is_usual(record, tmp_path):
    record.country = "US"
    record.save()
    path = tmp_path / "letter.pdf"
    path.write_bytes(render_pdf(record, weeks=4, now=NOW))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info


def test_the_words_are_kind(report):
    _, text = report
    assert unkind(text) == []


def test_a_new_person_gets_a_calm_report_with_nothing_in_it_yet(alice, tmp_path):
    data = render_pdf(alice, weeks=4, now=NOW)
    text = flat(pdf_text(data, tmp_path))
    assert "No movement or rest recorded in this period yet." in text
    assert "No check-ins in this period" in text
    assert "No PHQ-9 or GAD-7 answered in this period." in text
    assert "The readiness questions have not been answered yet." in text
    assert "No safety events in this period." in text
    assert unkind(text) == []


def test_a_name_is_printed_as_text_never_as_markup(alice, tmp_path):
    data = render_pdf(alice, weeks=1, now=NOW, options=ReportOptions(name="<b>Jo</b> & co"))
    assert "A record of movement and mood: <b>Jo</b> & co" in pdf_text(data, tmp_path)


@pytest.mark.parametrize(("weeks", "options", "field"), [
    (0, ReportOptions(), "weeks"),
    (53, ReportOptions(), "weeks"),
    (12, ReportOptions(name="x" * 101), "name"),
    (12, ReportOptions(name="a\x1b[2Jb"), "name"),
    (12, ReportOptions(paper="A5"), "paper"),
])
def test_options_it_cannot_use_are_refused_with_the_field_named(alice, weeks, options, field):
    with pytest.raises(InvalidInput) as refused:
        render_pdf(alice, weeks=weeks, options=options, now=NOW)
    assert refused.value.field == field
    assert unkind(refused.value.message) == []


SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "report.png"


def test_page_one_as_a_picture_for_the_readme(record, tmp_path):
    """docs/screenshots/report.png: page 1 of the sample record's report, drawn by pdftoppm."""
    path = tmp_path / "sample.pdf"
    path.write_bytes(render_pdf(record, weeks=12, now=NOW,
                                options=ReportOptions(name="Sam Rivers")))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(SCREENSHOT.with_suffix(""))], check=True)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


def test_twenty_weeks_still_keep_to_two_pages(record, tmp_path):
    assert pages(render_pdf(record, weeks=20, now=NOW), tmp_path) <= 2
