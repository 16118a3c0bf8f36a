"""The engine's win probability: computed once per change, kept as a bounded line per match.

:class:`ProbabilityTracker` turns each new state of a match into its ``prob`` (through the pure
:func:`scoreterm.domain.probability.probability_for_match`) and adds a point to its
``trend.prob`` when the number moved by half a point or more. It remembers, per match, the price
at kick-off (the model's prior in play) and whether the live price is older than the last goal: a
book's ``current`` line often lags a goal by a poll or two, and in that gap the model, not the
stale price, says who is winning. Once a match is over (phase ``final``) the line is its result:
1/0/0 (a draw 0/1/0, a knock-out who went through) with the source ``result``, never the model's
last estimate; a final score that is flagged suspect or unconfirmed says nothing certain, and the
last number stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from scoreterm.domain.bracket import is_knockout_round
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.minutes import is_minute
from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    MoneyLine,
    PhaseState,
    ProbabilityPoint,
    Sport,
    Trend,
    WinProbability,
)
from scoreterm.domain.prob_clock import US_PERIODS, game_progress
from scoreterm.domain.prob_market import market_probability, market_probability_two_way
from scoreterm.domain.prob_series import append_if_moved, moved
from scoreterm.domain.probability import probability_for_match

SWING_KINDS = frozenset(
    {
        EventKind.GOAL,
        EventKind.OWN_GOAL,
        EventKind.PENALTY_GOAL,
        EventKind.RED_CARD,
        EventKind.GOAL_DISALLOWED,
    }
)
POINTS = 240
RESULT = "result"
"""The source of a finished match's probability: its result, not an estimate."""
_SOCCER_SECONDS = 90 * 60.0


@dataclass
class _Priors:
    prematch: WinProbability | None = None
    market_stale: bool = False
    consensus_stale: bool = True


class ProbabilityTracker:
    """Per match: the pre-match price and whether the live price still describes the score."""

    def __init__(self) -> None:
        self._priors: dict[str, _Priors] = {}

    def update(self, prev: Match | None, merged: Match, espn: WinProbability | None) -> Match:
        """``merged`` with its ``prob`` (held unless it moved by half a point; a finished match's
        result) and line."""
        priors = self._priors.setdefault(merged.id, _Priors())
        odds = merged.odds
        if odds is not None and not odds.in_play and merged.phase.state is PhaseState.SCHEDULED:
            priors.prematch = _price(odds.moneyline) or priors.prematch
        if odds is not None and odds.close is not None:
            # The book's own line at kick-off beats whatever pre-match price we happened to see.
            priors.prematch = _price(odds.close) or priors.prematch
        if prev is not None and prev.odds != merged.odds:
            priors.market_stale = False
        if prev is not None and prev.score != merged.score and prev.odds == merged.odds:
            priors.market_stale = True
        consensus = merged.consensus
        if consensus is not None and (prev is None or prev.consensus != consensus):
            priors.consensus_stale = False
            if merged.phase.state is PhaseState.SCHEDULED:
                priors.prematch = consensus.prob
        if prev is not None and prev.score != merged.score:
            priors.consensus_stale = True
        live = odds if odds is not None and odds.in_play and not priors.market_stale else None
        if live is not None and live.moneyline == MoneyLine():
            live = None  # in play with no live price: only the kick-off line, the model's prior
        knockout = is_knockout_round(merged.stage)
        prob = probability_for_match(
            merged, prematch=priors.prematch, knockout=knockout, live_odds=live, espn=espn
        )
        if (
            live is None
            and consensus is not None
            and not priors.consensus_stale
            and merged.phase.is_active
            and not knockout
        ):
            # No live price from the scoreboard's book: the books' consensus since the last goal is.
            prob = consensus.prob
        held = prev.prob if prev is not None else None
        if merged.phase.state is PhaseState.FINAL:
            prob = _result(merged, prob, held)
        elif prob is not None and held is not None and not moved(held, prob):
            prob = held
        if prob == merged.prob:
            return merged
        return msgspec.structs.replace(merged, prob=prob)

    def line(self, match: Match) -> Match:
        """``match`` with a point for its ``prob`` added to ``trend.prob`` if it is a new value."""
        if match.prob is None:
            return match
        trend = match.trend or Trend()
        if trend.prob and trend.prob[-1].prob == match.prob:
            return match
        point = ProbabilityPoint(
            prob=match.prob,
            minute=match.clock if is_minute(match.clock) else match.phase.label,
            elapsed_s=_elapsed(match, trend.prob[-1].elapsed_s if trend.prob else None),
            score=match.score,
            seq=match.seq,
        )
        series = append_if_moved(trend.prob, point, limit=POINTS)
        return msgspec.structs.replace(match, trend=msgspec.structs.replace(trend, prob=series))


def _result(
    match: Match, outcome: WinProbability | None, held: WinProbability | None
) -> WinProbability | None:
    """A finished match's certain outcome (``outcome``, from the model's final branch) as its result.

    None when the winner is not known (a knock-out level without a shoot-out score); the last number
    when the final score cannot be trusted (flagged suspect or unconfirmed).
    """
    if outcome is None:
        return None
    if match.unconfirmed or "score" in match.suspect:
        return held
    return msgspec.structs.replace(outcome, source=RESULT)


def _price(line: MoneyLine) -> WinProbability | None:
    return market_probability(line) if line.draw is not None else market_probability_two_way(line)


def with_swing(event: MatchEvent, before: WinProbability | None, after: WinProbability | None) -> MatchEvent:
    """``event`` carrying the win probability before and after it, for the kinds that swing it."""
    if event.kind not in SWING_KINDS or event.enriches or event.revises or after is None:
        return event
    return msgspec.structs.replace(event, prob_before=before, prob_after=after)


def _elapsed(match: Match, last: float | None) -> float | None:
    """Seconds of regulation played, for a chart's x axis (the last known one at a break)."""
    try:
        sport = get_league(match.league).sport
    except UnknownLeague:
        return last
    if match.phase.state is PhaseState.SCHEDULED:
        return 0.0
    progress = game_progress(sport, match.clock, match.phase.label, match.phase.period)
    if progress is None:
        return last
    if sport is Sport.SOCCER:
        return round(progress * _SOCCER_SECONDS, 1)
    length, periods, _ = US_PERIODS.get(sport, (15.0, 4, 10.0))
    return round(progress * length * periods * 60.0, 1)
