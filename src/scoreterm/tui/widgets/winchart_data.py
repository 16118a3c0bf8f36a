"""What the win-probability chart draws, as plain numbers: no Textual, no plotting, tested directly.

The engine gives the line (``trend.prob``: a point each time the numbers moved by half a point) and
each goal's and red card's swing; this module only places them. The y value is
``100 * (P(home) - P(away))``: home above the middle line, away below, the draw the gap between.
The x axis is game time from each point's ``elapsed_s`` (minutes in soccer, NBA, NFL and NHL; innings
in baseball). A point holds until the next one (the engine adds one only when the number moved), so
the line is drawn as steps, and it runs on to the current minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import EventKind, Match, MatchEvent, PhaseState, ProbabilityPoint, Sport
from scoreterm.domain.prob_clock import game_progress
from scoreterm.domain.prob_series import percent

MARKED = frozenset({EventKind.GOAL, EventKind.OWN_GOAL, EventKind.PENALTY_GOAL, EventKind.RED_CARD})
Points = list[tuple[float, float]]


@dataclass(frozen=True)
class Axis:
    """The x axis of one sport: seconds per unit, regulation length in units, ticks and labels."""

    unit_s: float
    length: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    regulation: float | None = None
    """Units of regulation when the axis runs beyond it (soccer's 90 on the 120' axis)."""


_SOCCER = Axis(60.0, 90.0, (0, 15, 30, 45, 60, 75, 90), ("0'", "15'", "30'", "HT", "60'", "75'", "90'"))
_SOCCER_ET = Axis(
    60.0,
    120.0,
    (0, 15, 30, 45, 60, 75, 90, 105, 120),
    ("0'", "15'", "30'", "HT", "60'", "75'", "90'", "", "120'"),
    regulation=90.0,
)
_AXES = {
    Sport.BASKETBALL: Axis(60.0, 48.0, (0, 12, 24, 36, 48), ("Q1", "Q2", "Q3", "Q4", "end")),
    Sport.FOOTBALL: Axis(60.0, 60.0, (0, 15, 30, 45, 60), ("Q1", "Q2", "Q3", "Q4", "end")),
    Sport.HOCKEY: Axis(60.0, 60.0, (0, 20, 40, 60), ("P1", "P2", "P3", "end")),
    # The engine spreads nine innings over an hour of "regulation" (prob_clock's default period).
    Sport.BASEBALL: Axis(400.0, 9.0, tuple(range(10)), (*(f"{i}" for i in range(1, 10)), "end")),
}


def sport_of(match: Match) -> Sport:
    """The match's sport (soccer for a league outside the catalog)."""
    try:
        return get_league(match.league).sport
    except UnknownLeague:
        return Sport.SOCCER


def axis_for(match: Match) -> Axis:
    """The x axis for ``match`` (soccer's runs to 120' once a point or the phase is in extra time)."""
    sport = sport_of(match)
    if sport is not Sport.SOCCER:
        return _AXES.get(sport, _AXES[Sport.FOOTBALL])
    points = match.trend.prob if match.trend else ()
    extra = match.phase.label in ("ET", "ET-HT", "AET", "PEN") or any(
        p.elapsed_s is not None and p.elapsed_s > 90 * 60 for p in points
    )
    return _SOCCER_ET if extra else _SOCCER


def lead(point: ProbabilityPoint) -> float:
    """The y value of a point: ``100 * (P(home) - P(away))``."""
    return 100.0 * (point.prob.home - point.prob.away)


def now_x(match: Match, axis: Axis, last: float) -> float:
    """How far the line runs: the current minute while live, the end of regulation once over."""
    if match.phase.state is PhaseState.FINAL:
        return max(axis.length, last)
    if not match.phase.is_active:
        return last
    progress = game_progress(sport_of(match), match.clock, match.phase.label, match.phase.period)
    if progress is None:
        return last
    # Progress is a share of regulation (past 1 in extra time), whatever length the axis shows.
    return max(last, progress * (axis.regulation or axis.length))


def steps(match: Match, axis: Axis) -> Points:
    """The line as step vertices ``(x, y)``: each value held until the next, on to :func:`now_x`."""
    points = [
        p
        for p in (match.trend.prob if match.trend else ())
        if p.elapsed_s is not None and math.isfinite(p.elapsed_s) and math.isfinite(lead(p))
    ]
    line: Points = []
    for point in points:
        x = (point.elapsed_s or 0.0) / axis.unit_s
        y = lead(point)
        if line:
            x = max(x, line[-1][0])
            line.append((x, line[-1][1]))
        line.append((x, y))
    if line:
        end = now_x(match, axis, line[-1][0])
        if end > line[-1][0]:
            line.append((end, line[-1][1]))
    return line


def split(line: Points) -> tuple[list[Points], list[Points]]:
    """The runs of ``line`` above and below the middle, each closed at 0, for filling.

    A step line crosses 0 only on a vertical step; each crossing gets a vertex at 0.
    """
    above: list[Points] = []
    below: list[Points] = []
    run: Points = []
    sign = 0
    for x, y in line:
        side = (y > 0) - (y < 0)
        if side != sign and run:
            run.append((x, 0.0))
            (above if sign > 0 else below).append(run)
            run = []
        if side != 0 and not run:
            run = [(x, 0.0)]
        if side != 0:
            run.append((x, y))
        sign = side
    if run:
        run.append((run[-1][0], 0.0))
        (above if sign > 0 else below).append(run)
    return above, below


@dataclass(frozen=True)
class Marker:
    """A goal or a red card on the chart, at its minute and the lead after it."""

    x: float
    y: float
    kind: EventKind


def markers(events: tuple[MatchEvent, ...], axis: Axis) -> list[Marker]:
    """Goals and red cards that carry their swing, placed at their minute (added time on the
    half's last minute, as the axis counts it)."""
    found = []
    for event in events:
        after = event.prob_after
        number = exact_minute(event.minute)
        if event.kind not in MARKED or after is None or number is None or axis.unit_s != 60.0:
            continue
        found.append(Marker(float(number[0]), 100.0 * (after.home - after.away), event.kind))
    return found


def headline(match: Match) -> str:
    """The current numbers and their source: ``MEX 68% · draw 22% · RSA 10% · market``."""
    prob = match.prob
    if prob is None:
        return ""
    home, away = match.home.abbrev or match.home.name, match.away.abbrev or match.away.name
    verb = " to advance" if prob.advance else ""
    parts = [f"{home}{verb} {percent(prob.home)}"]
    if prob.draw is not None:
        parts.append(f"draw {percent(prob.draw)}")
    parts.append(f"{away} {percent(prob.away)}")
    parts.append(prob.source)
    return " · ".join(parts)
