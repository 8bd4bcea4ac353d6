"""The Jinja2 pages' filters mean what Django's did: the same text for the same value."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.template import defaultfilters as django

from kindstep.web import jinja


def test_floatformat_matches_djangos():
    rng = random.Random(4)
    values = [0, 1, -1, 0.5, 1.5, 2.5, -0.5, -0.04, -0.05, 0.05, 0.15, 0.25, 2.675, 1e-7, 1e16,
              123456789.987654, -123.456, 3.0, 29.999, 180.5, 0.0, -0.0, 7, 10**20]
    values += [rng.uniform(-1000, 1000) for _ in range(300)]
    values += [round(rng.uniform(0, 500), rng.randint(0, 4)) for _ in range(300)]
    for value in values:
        for places in (0, 1, 2, 3):
            assert jinja.floatformat(value, places) == django.floatformat(value, places), value
    assert jinja.floatformat(2.5) == django.floatformat(2.5)  # the default goes to Django's own
    assert jinja.floatformat("x", 1) == django.floatformat("x", 1)


def test_date_matches_djangos_for_every_format_the_pages_use():
    day = date(2024, 1, 1)
    for _ in range(800):
        for fmt in ("Y-m-d", "j M Y", "j M", "j F Y", "l j F"):
            assert jinja.date_filter(day, fmt) == django.date(day, fmt), (day, fmt)
        day += timedelta(days=1)
    assert jinja.date_filter(None, "j M") == "" and jinja.date_filter("", "j M") == ""


@pytest.mark.parametrize("value", [0, 1, 2, 1.0, 1.5, "1", "2", [], [1], [1, 2], None])
def test_pluralize_matches_djangos(value):
    assert jinja.pluralize(value) == django.pluralize(value)


@pytest.mark.parametrize("value", ["", "evening mood", "Évening", "a", "1 walk", 5])
def test_capfirst_matches_djangos(value):
    assert jinja.capfirst(value) == django.capfirst(value)


@pytest.mark.parametrize(("value", "fmt"), [(3, "+d"), (-2, "+d"), (0, "+d"), (5, "d"), (7, "02d"),
                                            ("x", "d"), (None, "d")])
def test_stringformat_matches_djangos(value, fmt):
    assert jinja.stringformat(value, fmt) == django.stringformat(value, fmt)


def test_widthratio_rounds_as_djangos_tag_does():
    from django.template import Context
    from django.template.engine import Engine  # Django's own template language, for comparison

    template = Engine().from_string("{% widthratio value 1 100 %}")
    for value in (0, 0.5, 0.125, 0.335, 0.625, 2 / 3, 1, 0.994, 0.995, "x", None):
        assert jinja.widthratio(value, 1, 100) == template.render(Context({"value": value}))


def test_a_missing_value_prints_nothing_as_in_djangos_templates():
    from django.template import engines

    engine = engines.all()[0]
    assert engine.from_string("[{{ a }}|{{ a.b.c }}|{{ d.x }}|{{ d.items }}]").render(
        {"d": {"items": "kept"}}) == "[|||kept]"
    assert engine.from_string("{{ '<b>' }}").render({}) == "&lt;b&gt;"  # autoescaping is on


def test_kept_dates_and_numbers_follow_the_language_and_the_type():
    from django.utils import translation

    day = date(2026, 3, 4)
    assert jinja.date_filter(day, "j F Y") == "4 March 2026"
    with translation.override("de"):
        assert jinja.date_filter(day, "j F Y") == django.date(day, "j F Y")  # (kept per language)
    assert jinja.date_filter(day, "j F Y") == "4 March 2026"
    for value in (1, 1.0, True, -0.0, 0.0, 2.5, 10**20, 1e20):
        for places in (-1, 0, 1):
            assert jinja.floatformat(value, places) == django.floatformat(value, places), value
