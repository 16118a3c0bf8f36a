"""ESPN's own win probability (US sports) -> WinProbability(source="espn"). Pure normalizers.

Two shapes, both seen in the fixtures:

- a **summary** (``/summary?event=``) carries ``winprobability[]``: ``{homeWinPercentage: 0.57,
  tiePercentage: 0.0, playId}``, fractions despite the name, one per play, joined to ``plays[].id``
  (NBA, MLB) or ``drives.previous[].plays[].id`` (NFL) for the period, clock, score and text. NHL
  summaries have an empty ``winProbability``; soccer has none;
- a live **scoreboard** event carries ``competitions[0].situation.lastPlay.probability``:
  ``{homeWinPercentage, awayWinPercentage, tiePercentage}`` (seen on one live MLB game of seven).

Everything comes straight from the network: a point whose numbers are missing, not numbers, out
of [0, 1] or far from summing to 1 is skipped, and nothing here raises.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from scoreterm.domain.model import Score, Sport, WinProbability
from scoreterm.domain.prob_series import ProbabilityPoint
from scoreterm.providers.values import as_dict, as_list, text

SOURCE = "espn"
_SUM_TOLERANCE = 0.02
_HALVES = {"top": "Top", "bot": "Bot", "mid": "Mid", "end": "End"}
_PERIOD_PREFIX = {Sport.BASKETBALL: ("Q", 4), Sport.FOOTBALL: ("Q", 4), Sport.HOCKEY: ("P", 3)}


class WinProbabilityPlay(msgspec.Struct, frozen=True, kw_only=True):
    """One of ESPN's win-probability points with what its play says (empty when not joined).

    ``period_type`` is baseball's ``Top``/``Bottom``; ``clock`` the game clock (counting down).
    """

    play_id: str
    prob: WinProbability
    period: int = 0
    period_type: str = ""
    clock: str = ""
    score: Score | None = None
    text: str = ""
    scoring: bool = False

    def label(self, sport: Sport | None = None) -> str:
        """The phase label the model reads: ``Q3``, ``OT``, ``P2``, ``Top 5th``/``Bot 5th``."""
        if self.period <= 0:
            return ""
        if self.period_type or sport is Sport.BASEBALL:
            half = _HALVES.get(self.period_type.lower()[:3], "Top")
            return f"{half} {self.period}{_ordinal(self.period)}"
        prefix, regulation = _PERIOD_PREFIX.get(sport or Sport.BASKETBALL, ("Q", 4))
        if self.period <= regulation:
            return f"{prefix}{self.period}"
        extra = self.period - regulation
        return "OT" if extra == 1 else f"{extra}OT"

    def minute(self, sport: Sport | None = None) -> str:
        """``"Q3 5:32"``, ``"Top 5th"``: the point's moment as text."""
        return " ".join(part for part in (self.label(sport), self.clock) if part)

    def point(self, sport: Sport | None = None, seq: int = 0) -> ProbabilityPoint:
        """This play as a point of a match's probability line."""
        return ProbabilityPoint(prob=self.prob, minute=self.minute(sport), score=self.score, seq=seq)


def probability(raw: Any, *, draw: bool | None = None) -> WinProbability | None:
    """``{homeWinPercentage, awayWinPercentage?, tiePercentage?}`` -> WinProbability, or None.

    ``awayWinPercentage`` defaults to what the others leave. ``draw`` True keeps a draw of 0.0,
    False drops it, None keeps it only when ESPN gives a tie a chance.
    """
    if not isinstance(raw, Mapping):
        return None
    home = _fraction(raw.get("homeWinPercentage"))
    tie = _fraction(raw.get("tiePercentage")) if raw.get("tiePercentage") is not None else 0.0
    if home is None or tie is None:
        return None
    away = _fraction(raw.get("awayWinPercentage")) if raw.get("awayWinPercentage") is not None else None
    if away is None:
        if raw.get("awayWinPercentage") is not None:
            return None
        away = 1.0 - home - tie
    total = home + away + tie
    if away < -1e-9 or abs(total - 1.0) > _SUM_TOLERANCE or total <= 0.0:
        return None
    away = max(away, 0.0)
    total = home + away + tie
    keep_draw = tie > 0.0 if draw is None else draw
    return WinProbability(
        home=home / total,
        away=away / total,
        draw=tie / total if keep_draw else None,
        source=SOURCE,
    )


def scoreboard_probability(event: Any) -> WinProbability | None:
    """ESPN's live probability on a scoreboard event (``situation.lastPlay.probability``), or None."""
    competitions = as_dict(event).get("competitions")
    if not isinstance(competitions, list) or not competitions:
        return None
    situation = as_dict(as_dict(competitions[0]).get("situation"))
    return probability(as_dict(situation.get("lastPlay")).get("probability"))


def summary_plays(summary: Any) -> list[WinProbabilityPlay]:
    """ESPN's win-probability line from a US summary, in ESPN's order, joined to the plays.

    A point whose play is not in the summary keeps its probability with empty play details. When
    any point gives a tie a chance, every point carries a draw (0.0 where ESPN says none).
    """
    raw = as_dict(summary).get("winprobability")
    if not isinstance(raw, list):
        raw = as_dict(summary).get("winProbability")
    if not isinstance(raw, list):
        return []
    plays = {pid: play for play in _plays(summary) if (pid := _id(play.get("id")))}
    with_draw = any((_fraction(as_dict(item).get("tiePercentage")) or 0.0) > 0.0 for item in raw)
    points: list[WinProbabilityPlay] = []
    for item in raw:
        entry = as_dict(item)
        prob = probability(entry, draw=with_draw)
        play_id = _id(entry.get("playId"))
        if prob is None or not play_id:
            continue
        points.append(_joined(play_id, prob, plays.get(play_id)))
    return points


def _joined(play_id: str, prob: WinProbability, play: Mapping[str, Any] | None) -> WinProbabilityPlay:
    if play is None:
        return WinProbabilityPlay(play_id=play_id, prob=prob)
    period = as_dict(play.get("period"))
    home, away = _score(play.get("homeScore")), _score(play.get("awayScore"))
    return WinProbabilityPlay(
        play_id=play_id,
        prob=prob,
        period=_score(period.get("number")) or 0,
        period_type=text(period.get("type")),
        clock=text(as_dict(play.get("clock")).get("displayValue")),
        score=Score(home, away) if home is not None and away is not None else None,
        text=text(play.get("text")),
        scoring=play.get("scoringPlay") is True,
    )


def _plays(summary: Any) -> Iterator[Mapping[str, Any]]:
    body = as_dict(summary)
    yield from (p for p in as_list(body.get("plays")) if isinstance(p, Mapping))
    drives = as_dict(body.get("drives"))
    for drive in [*as_list(drives.get("previous")), drives.get("current")]:
        yield from (p for p in as_list(as_dict(drive).get("plays")) if isinstance(p, Mapping))


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    if not math.isfinite(number) or number < 0.0 or number > 1.0:
        return None
    return number


def _score(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        return None
    number = int(value)
    return number if 0 <= number <= 100_000 else None


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _id(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    return ""
