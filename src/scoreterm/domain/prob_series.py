"""A match's win-probability line: bounded points, added only when the numbers moved. Pure.

The series keeps its first point (the chart starts at kick-off) and, when full, drops the oldest
of the others, so a long match keeps its recent shape at full detail. A new point is added when
some outcome moved by at least half a point, or when the meaning changed (another source, or a
knock-out switching to "to advance").
"""

from __future__ import annotations

import math

import msgspec

from scoreterm.domain.model import ProbabilityPoint, Side, WinProbability

__all__ = ["ProbabilityPoint", "Swing", "append_if_moved", "describe_swing", "moved", "percent", "swing"]

DEFAULT_THRESHOLD = 0.005
DEFAULT_LIMIT = 240


class Swing(msgspec.Struct, frozen=True, kw_only=True):
    """How far each outcome moved between two moments (after minus before)."""

    home: float
    away: float
    draw: float | None = None

    def for_side(self, side: Side) -> float:
        """The move of ``side``'s chance."""
        return self.home if side is Side.HOME else self.away

    @property
    def largest(self) -> float:
        """The largest absolute move of any outcome."""
        return max(abs(self.home), abs(self.away), abs(self.draw or 0.0))


def moved(before: WinProbability, after: WinProbability, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when some outcome moved by at least ``threshold`` or the numbers changed meaning."""
    if before.source != after.source or before.advance != after.advance:
        return True
    if (before.draw is None) != (after.draw is None):
        return True
    return swing(before, after).largest >= threshold


def append_if_moved(
    series: tuple[ProbabilityPoint, ...],
    point: ProbabilityPoint,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> tuple[ProbabilityPoint, ...]:
    """``series`` with ``point`` added when it moved from the last point, at most ``limit`` long.

    A point whose numbers are not finite is ignored (the series keeps its last good value).
    When the series is full, the oldest point after the first is dropped.
    """
    if not _finite(point.prob):
        return series
    if series and not moved(series[-1].prob, point.prob, threshold):
        return series
    grown = (*series, point)
    limit = max(limit, 2)
    if len(grown) <= limit:
        return grown
    return (grown[0], *grown[len(grown) - limit + 1 :])


def swing(before: WinProbability, after: WinProbability) -> Swing:
    """The move of each outcome from ``before`` to ``after`` (draw None unless both have one)."""
    draw = None
    if before.draw is not None and after.draw is not None:
        draw = after.draw - before.draw
    return Swing(home=after.home - before.home, away=after.away - before.away, draw=draw)


def describe_swing(before: WinProbability, after: WinProbability, side: Side, team: str) -> str:
    """``"Mexico win 49% → 71%"`` (``"Mexico to advance ..."`` in a knock-out) for ``side``."""
    verb = "to advance" if after.advance else "win"
    old = before.home if side is Side.HOME else before.away
    new = after.home if side is Side.HOME else after.away
    return f"{team} {verb} {percent(old)} → {percent(new)}"


def percent(value: float) -> str:
    """``0.493`` -> ``"49%"``; the ends show ``<1%`` and ``>99%`` rather than a false certainty."""
    if not math.isfinite(value):
        return "?"
    if 0.0 < value < 0.005:
        return "<1%"
    if 0.995 <= value < 1.0:
        return ">99%"
    return f"{round(value * 100):d}%"


def _finite(prob: WinProbability) -> bool:
    values = [prob.home, prob.away] + ([prob.draw] if prob.draw is not None else [])
    return all(math.isfinite(v) for v in values)
