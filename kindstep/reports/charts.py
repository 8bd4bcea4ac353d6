"""The evidence charts, drawn once for the web pages and the PDF report alike.

Each function takes core values and returns a :class:`Chart`: the picture
as an SVG string, a text alternative of one or two plain sentences, and a
table of the same numbers (a chart is never the only way to read them).
``draw=False`` skips the SVG (``svg`` is then empty) when only the words and
the table are wanted, as on a page that loads the image from its own URL;
``height`` (inches) draws a shorter chart, as the two-page PDF report does.

- :func:`active_days_chart`: active days per week against the person's target;
- :func:`minutes_chart`: minutes of movement per week;
- :func:`mood_chart`: mood over time (the latest check-in of each day), with
  the mood before and after each session;
- :func:`questionnaire_chart`: PHQ-9 and GAD-7 totals on their severity bands;
- :func:`predictions_chart`: how planned activities felt against how the person
  expected them to feel.

Drawn with matplotlib (imported lazily, Agg backend: no display needed).
The SVG is made safe to inline under kindstep's content security policy
(``style-src 'self'``): matplotlib's ``style="..."`` attributes become plain
SVG presentation attributes, its ``<style>`` element and metadata are
dropped, and it never holds a script. Colours are soft blues, greens and
lavenders; nothing is drawn in red, and nothing is framed as falling short.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kindstep.core import scales
from kindstep.core.insights import daily_mood
from kindstep.core.rhythm import Rhythm
from kindstep.core.values import History

__all__ = [
    "Chart",
    "QuestionnairePoint",
    "active_days_chart",
    "minutes_chart",
    "mood_chart",
    "predictions_chart",
    "questionnaire_chart",
    "svg_is_safe",
]

INK = "#34444f"
"""Text and axes: a soft slate, readable on the chart's pale background."""
PAPER = "#fbfaf7"
GRID = "#dfe3e6"
SKY = "#5b8fa8"
SAGE = "#6f9c7d"
LAVENDER = "#8c7fbf"
SAND = "#c9b27c"
BAND_TINTS = ("#eef4f1", "#e6eef3", "#e3e4f1", "#ddd8ec", "#d6cfe6")
"""Severity bands from lightest to deepest: soft green to soft lavender, never red."""


@dataclass(frozen=True)
class Chart:
    """One chart: the SVG, a text alternative, and its numbers as a table."""

    key: str
    title: str
    svg: str
    alt: str
    """One or two plain sentences saying what the chart shows."""
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "alt": self.alt,
                "columns": list(self.columns), "rows": [list(r) for r in self.rows]}


@dataclass(frozen=True)
class QuestionnairePoint:
    """One questionnaire total on the day it was taken."""

    day: date
    code: str
    total: int


# ---------------------------------------------------------------------------
# Drawing helpers


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


_STYLE = {
    "svg.fonttype": "none",  # text stays text: selectable, and smaller files
    "svg.hashsalt": "kindstep",  # the same data always gives the same ids
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": GRID,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(width: float = 7.0, height: float = 3.0, rows: int = 1, cols: int = 1):
    plt = _pyplot()
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False)
    fig.patch.set_facecolor(PAPER)
    for ax in axes.flat:
        ax.set_facecolor(PAPER)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
    return fig, axes


def _finish(fig, title: str, draw: bool = True) -> str:
    import matplotlib

    plt = _pyplot()
    if not draw:  # the page needs only the words and the table; the image comes separately
        plt.close(fig)
        return ""
    with matplotlib.rc_context(_STYLE):
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", facecolor=PAPER, metadata={"Date": None})
    plt.close(fig)
    return _clean_svg(buffer.getvalue(), title)


def _empty(fig, ax, words: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, words, ha="center", va="center", transform=ax.transAxes, color=INK)


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _attributes(match: re.Match) -> str:
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value:
            parts.append(f'{name}="{value.replace(chr(34), chr(39))}"')
    return (" " + " ".join(parts)) if parts else ""


def _clean_svg(svg: str, title: str) -> str:
    """matplotlib's SVG made CSP-safe: presentation attributes, no style element, a title."""
    from xml.sax.saxutils import escape

    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<defs>\s*</defs>", "", svg)
    svg = _STYLE_ATTR.sub(_attributes, svg)
    svg = svg.replace(
        "<svg ",
        '<svg role="img" stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"\n <title>{escape(title)}</title>" + svg[head_end:]


def svg_is_safe(svg: str) -> bool:
    """True when ``svg`` has no script, no event handler, no style element or attribute."""
    lowered = svg.lower()
    return not (
        "<script" in lowered
        or re.search(r"\son[a-z]+\s*=", lowered)
        or "<style" in lowered
        or re.search(r"\sstyle\s*=", lowered)
        or "javascript:" in lowered
        or "<foreignobject" in lowered
    )


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _tick_every(n: int, most: int = 8) -> int:
    return max(1, -(-n // most))


# ---------------------------------------------------------------------------
# Weeks


def active_days_chart(r: Rhythm, *, weeks: int = 12, draw: bool = True,
                      height: float = 3.0) -> Chart:
    """Active days in each recent week (bars) against the person's target (a dashed line)."""
    shown = list(r.weeks[-weeks:])
    title = "Active days each week"
    columns = ("Week of", "Active days", "Target", "Rest days")
    rows = tuple(
        (_long(w.start), str(w.active_days), str(r.target_days), str(w.rest_days)) for w in shown
    )
    fig, axes = _figure(height=height)
    ax = axes[0][0]
    if not shown:
        _empty(fig, ax, "Nothing recorded yet: every week starts fresh.")
        alt = "No weeks recorded yet. Each week will appear here as a bar of active days."
        return Chart("active_days", title, _finish(fig, title, draw), alt, columns, rows)
    xs = range(len(shown))
    colours = [SAGE if w.met_target else SKY for w in shown]
    ax.bar(xs, [w.active_days for w in shown], color=colours, width=0.7)
    ax.axhline(r.target_days, color=LAVENDER, linestyle="--", linewidth=1.5)
    ax.text(len(shown) - 0.5, r.target_days + 0.15, f"your target: {r.target_days}",
            ha="right", va="bottom", color=INK, fontsize=9)
    step = _tick_every(len(shown))
    ax.set_xticks(list(xs)[::step], [_short(w.start) for w in shown][::step])
    ax.set_ylim(0, 7.5)
    ax.set_yticks(range(0, 8))
    ax.set_ylabel("active days")
    met = sum(w.met_target for w in shown)
    alt = (
        f"Active days in each of the last {_plural(len(shown), 'week')}, against your target of "
        f"{_plural(r.target_days, 'day')}: {met} of them reached it. "
        f"This week has {_plural(shown[-1].active_days, 'active day')} so far."
    )
    return Chart("active_days", title, _finish(fig, title, draw), alt, columns, rows)


def minutes_chart(r: Rhythm, *, weeks: int = 12, draw: bool = True,
                  height: float = 3.0) -> Chart:
    """Minutes of movement in each recent week (bars)."""
    shown = list(r.weeks[-weeks:])
    title = "Minutes of movement each week"
    columns = ("Week of", "Minutes", "MET-minutes")
    rows = tuple((_long(w.start), str(w.minutes), f"{w.met_minutes:.0f}") for w in shown)
    fig, axes = _figure(height=height)
    ax = axes[0][0]
    if not shown:
        _empty(fig, ax, "Nothing recorded yet: every week starts fresh.")
        alt = "No weeks recorded yet. Each week's minutes of movement will appear here."
        return Chart("minutes", title, _finish(fig, title, draw), alt, columns, rows)
    xs = range(len(shown))
    ax.bar(xs, [w.minutes for w in shown], color=SKY, width=0.7)
    step = _tick_every(len(shown))
    ax.set_xticks(list(xs)[::step], [_short(w.start) for w in shown][::step])
    ax.set_ylabel("minutes")
    ax.set_ylim(0, max(10, max(w.minutes for w in shown) * 1.15))
    total = sum(w.minutes for w in shown)
    alt = (
        f"Minutes of movement in each of the last {_plural(len(shown), 'week')}: "
        f"{_plural(total, 'minute')} in all, "
        f"{_plural(shown[-1].minutes, 'minute')} this week so far."
    )
    return Chart("minutes", title, _finish(fig, title, draw), alt, columns, rows)


# ---------------------------------------------------------------------------
# Mood


def mood_chart(
    history: History, *, today: date, days: int = 90, draw: bool = True, height: float = 3.2
) -> Chart:
    """Each day's mood (latest check-in) over the last ``days`` days, with sessions' before/after.

    A session with both ratings is drawn as a short upright stroke from the
    mood before (hollow dot) to the mood after (filled dot).
    """
    start = today - timedelta(days=days - 1)
    title = f"Mood over the last {days} days"
    moods = {d: m for d, m in daily_mood(history, today=today).items() if d >= start}
    pairs = [
        s for s in history.sessions
        if start <= s.day <= today and s.mood_before is not None and s.mood_after is not None
    ]
    columns = ("Day", "Mood (latest check-in)", "Mood before moving", "Mood after moving")
    by_day: dict[date, list[str]] = {}
    for d, m in moods.items():
        by_day.setdefault(d, ["", "", ""])[0] = str(m)
    for s in pairs:
        row = by_day.setdefault(s.day, ["", "", ""])
        row[1] = f"{row[1]}, {s.mood_before}" if row[1] else str(s.mood_before)
        row[2] = f"{row[2]}, {s.mood_after}" if row[2] else str(s.mood_after)
    rows = tuple((_long(d), *by_day[d]) for d in sorted(by_day))
    fig, axes = _figure(height=height)
    ax = axes[0][0]
    if not moods and not pairs:
        _empty(fig, ax, "No check-ins yet: a mood from 0 to 10 will appear here.")
        alt = f"No check-ins or rated sessions in the last {days} days yet."
        return Chart("mood", title, _finish(fig, title, draw), alt, columns, rows)
    if moods:
        xs = sorted(moods)
        ax.plot(xs, [moods[d] for d in xs], color=SKY, linewidth=1.5, marker="o", markersize=3,
                label="mood (latest check-in)")
    for s in pairs:
        ax.plot([s.day, s.day], [s.mood_before, s.mood_after], color=SAGE, linewidth=1.5)
    if pairs:
        ax.scatter([s.day for s in pairs], [s.mood_before for s in pairs], facecolors=PAPER,
                   edgecolors=SAGE, s=22, zorder=3, label="before moving")
        ax.scatter([s.day for s in pairs], [s.mood_after for s in pairs], color=SAGE, s=22,
                   zorder=3, label="after moving")
    ax.set_xlim(start - timedelta(days=1), today + timedelta(days=1))
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("mood, 0-10")
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8, ncol=3)
    parts = []
    if moods:
        mean = sum(moods.values()) / len(moods)
        parts.append(
            f"Your mood on {_plural(len(moods), 'day')} with a check-in in the last {days} days, "
            f"from {min(moods.values())} to {max(moods.values())} out of 10 (average {mean:.1f})."
        )
    if pairs:
        higher = sum(s.mood_after > s.mood_before for s in pairs)
        parts.append(
            f"{_plural(len(pairs), 'session')} with a mood before and after are marked; "
            f"the mood after was higher in {higher} of them."
        )
    return Chart("mood", title, _finish(fig, title, draw), " ".join(parts), columns, rows)


# ---------------------------------------------------------------------------
# Questionnaires


def questionnaire_chart(points: Sequence[QuestionnairePoint], *, draw: bool = True,
                        height: float = 3.2) -> Chart:
    """PHQ-9 and GAD-7 totals over time, each on its own panel shaded by severity band."""
    codes = ("phq9", "gad7")
    title = "PHQ-9 and GAD-7 totals"
    shown = sorted((p for p in points if p.code in codes), key=lambda p: p.day)
    columns = ("Day", "Questionnaire", "Total", "Band")
    rows = tuple(
        (_long(p.day), scales.get_scale(p.code).name, str(p.total), _band(p.code, p.total))
        for p in shown
    )
    fig, axes = _figure(height=height, cols=2)
    sentences = []
    for ax, code in zip(axes[0], codes, strict=True):
        scale = scales.get_scale(code)
        own = [p for p in shown if p.code == code]
        for tint, band in zip(BAND_TINTS, scale.bands, strict=False):
            ax.axhspan(band.low - 0.5, band.high + 0.5, color=tint, linewidth=0)
            ax.text(1.0, (band.low + band.high) / 2, f" {band.label}",
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7,
                    color=INK)
        ax.set_ylim(-0.5, scale.max_total + 0.5)
        ax.set_title(scale.name, fontsize=10, color=INK)
        ax.grid(False)
        if not own:
            ax.set_xticks([])
            ax.text(0.5, 0.5, f"No {scale.name} yet", ha="center", va="center",
                    transform=ax.transAxes, color=INK)
            continue
        xs = list(range(len(own)))
        ax.plot(xs, [p.total for p in own], color=LAVENDER if code == "phq9" else SKY,
                linewidth=1.5, marker="o", markersize=4)
        step = _tick_every(len(own), 5)
        ax.set_xticks(xs[::step], [_short(p.day) for p in own][::step])
        ax.set_xlim(-0.5, max(len(own) - 0.5, 1.5))
        latest = own[-1]
        words = f"{scale.name}: {_plural(len(own), 'result')}"
        if len(own) >= 2:
            words += f", from {own[0].total} to {latest.total}"
        else:
            words += f", a total of {latest.total}"
        sentences.append(words + f" (now in the {_band(code, latest.total)} band).")
    svg = _finish(fig, title, draw)
    alt = " ".join(sentences) if sentences else "No PHQ-9 or GAD-7 results yet."
    if sentences:
        alt += " Shaded bands show the questionnaires' usual severity ranges."
    return Chart("questionnaires", title, svg, alt, columns, rows)


def _band(code: str, total: int) -> str:
    for band in scales.get_scale(code).bands:
        if band.low <= total <= band.high:
            return band.label
    return ""


# ---------------------------------------------------------------------------
# Predicted and actual


def predictions_chart(pairs: Sequence[tuple], *, draw: bool = True) -> Chart:
    """Each (day, activity, expected, actual) pair as a stroke from the guess to the mood after.

    The guess is a hollow dot and how it felt a filled one, so "I expected 2, it
    was 5" reads as a short climb; nothing is coloured as a shortfall.
    """
    title = "How it felt, against what you expected"
    columns = ("Day", "Activity", "Expected (0-10)", "Mood after (0-10)")
    rows = tuple((_long(d), activity.replace("_", " "), str(e), str(a))
                 for d, activity, e, a in pairs)
    fig, axes = _figure(height=3.0)
    ax = axes[0][0]
    if not pairs:
        _empty(fig, ax, "Plan something with a guess of how it will feel; the pairs appear here.")
        alt = "No planned activities with both a guess and a mood after yet."
        return Chart("predictions", title, _finish(fig, title, draw), alt, columns, rows)
    xs = list(range(1, len(pairs) + 1))
    for x, (_, _, expected, actual) in zip(xs, pairs, strict=True):
        ax.plot([x, x], [expected, actual], color=SAGE, linewidth=1.5)
    ax.scatter(xs, [p[2] for p in pairs], facecolors=PAPER, edgecolors=LAVENDER, s=26, zorder=3,
               label="what you expected")
    ax.scatter(xs, [p[3] for p in pairs], color=SAGE, s=26, zorder=3, label="how it felt")
    ax.set_xlim(0.5, len(pairs) + 0.5)
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("0-10")
    ax.set_xlabel("planned activities, oldest first")
    step = _tick_every(len(pairs))
    ax.set_xticks(xs[::step])
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8, ncol=2)
    better = sum(a > e for _, _, e, a in pairs)
    same = sum(a == e for _, _, e, a in pairs)
    alt = (f"{_plural(len(pairs), 'planned activity')} with a guess and a mood after: it felt "
           f"better than expected in {better}, as expected in {same}, and less good in "
           f"{len(pairs) - better - same}.")
    alt = alt.replace("activitys", "activities")
    return Chart("predictions", title, _finish(fig, title, draw), alt, columns, rows)
