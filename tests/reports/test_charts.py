"""The evidence charts: safe SVG, a text alternative and a table for each, calm colours."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

from kindstep.core.rhythm import rhythm
from kindstep.core.values import CheckIn, History, Profile, Session
from kindstep.reports import charts

TODAY = date(2026, 11, 25)


def history(days: int = 40) -> History:
    sessions, checkins = [], []
    for i in range(days):
        day = TODAY - timedelta(days=days - 1 - i)
        checkins.append(CheckIn(day, 5, 3 + i % 5, 4))
        if i % 3 == 0:
            sessions.append(Session(day, "walk", 10 + i, 2.8, mood_before=4, mood_after=6))
    return History(sessions=tuple(sessions), checkins=tuple(checkins))


def all_charts(h: History, points=()) -> list[charts.Chart]:
    r = rhythm(h, Profile(target_days=3), today=TODAY)
    return [charts.active_days_chart(r), charts.minutes_chart(r),
            charts.mood_chart(h, today=TODAY), charts.questionnaire_chart(points)]


POINTS = [charts.QuestionnairePoint(TODAY - timedelta(days=28), "phq9", 14),
          charts.QuestionnairePoint(TODAY, "phq9", 8),
          charts.QuestionnairePoint(TODAY, "gad7", 6)]


@pytest.mark.parametrize("h", [history(), History()], ids=["a record", "nothing yet"])
def test_every_chart_is_safe_svg_with_a_title_an_alternative_and_a_table(h):
    for chart in all_charts(h, POINTS if h.checkins else ()):
        assert chart.svg.startswith("<svg") and chart.svg.rstrip().endswith("</svg>")
        assert f"<title>{chart.title}</title>" in chart.svg
        assert charts.svg_is_safe(chart.svg), chart.key
        assert 0 < len(re.findall(r"[.!?](\s|$)", chart.alt)) <= 3, chart.alt
        assert all(len(row) == len(chart.columns) for row in chart.rows)


def test_the_tables_hold_the_charts_numbers():
    h = history()
    active, minutes, mood, questionnaires = all_charts(h, POINTS)
    r = rhythm(h, Profile(target_days=3), today=TODAY)
    assert [int(row[1]) for row in active.rows] == [w.active_days for w in r.weeks[-12:]]
    assert [int(row[1]) for row in minutes.rows] == [w.minutes for w in r.weeks[-12:]]
    assert len(mood.rows) == 40
    assert [row[2] for row in questionnaires.rows] == ["14", "8", "6"]
    assert questionnaires.rows[1][3] == "Mild"
    assert "from 14 to 8" in questionnaires.alt


def test_the_alternatives_describe_without_claiming_cause():
    text = " ".join(c.alt for c in all_charts(history(), POINTS))
    assert "target of 3 days" in text
    assert "the mood after was higher in" in text
    for word in ("because", "caused", "improves", "should"):
        assert word not in text.lower()


def test_no_chart_is_drawn_in_red_or_orange():
    reds = re.compile(r'#(?:d6272[0-9a-f]|ff7f0e|ff0000|e[0-9a-f]{2}0{4})', re.IGNORECASE)
    for chart in all_charts(history(), POINTS):
        assert not reds.search(chart.svg), chart.key
        assert "#1f77b4" not in chart.svg  # matplotlib's default blue: the palette was applied


def test_the_same_data_draws_the_same_svg():
    assert all_charts(history(), POINTS)[2].svg == all_charts(history(), POINTS)[2].svg


def test_the_charts_module_loads_no_django_and_matplotlib_only_when_drawing():
    code = ("import sys, kindstep.reports.charts; "
            "print('django' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_draw_false_gives_the_same_words_and_table_without_the_picture():
    h = history()
    r = rhythm(h, Profile(target_days=3), today=TODAY)
    for drawn, words in ((charts.active_days_chart(r), charts.active_days_chart(r, draw=False)),
                         (charts.mood_chart(h, today=TODAY),
                          charts.mood_chart(h, today=TODAY, draw=False)),
                         (charts.questionnaire_chart(POINTS),
                          charts.questionnaire_chart(POINTS, draw=False))):
        assert words.svg == ""
        assert (words.alt, words.rows) == (drawn.alt, drawn.rows)
