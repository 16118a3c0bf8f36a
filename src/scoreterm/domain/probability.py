"""Live win probability for any match: the market's price, ESPN's number, or scoreterm's model. Pure.

Three sources, in this order of preference:

- **market**: a bookmaker's in-play price with the margin removed (Shin's method,
  :mod:`prob_market`); soccer's 1X2 from ESPN's ``odds[0].moneyline.*.current``.
- **espn**: ESPN's own win probability (US scoreboards' ``situation.lastPlay.probability``,
  normalised by :mod:`scoreterm.providers.espn_winprob`), passed in by the caller.
- **model**: soccer and hockey as independent Poisson goals for the time left (Maher 1982; Dixon &
  Coles 1997; red cards after Vecer, Kopriva & Ichiba 2009), extra time and shoot-outs included
  (:mod:`prob_soccer`); basketball, American football and baseball as Stern's (1994) Brownian
  motion of the margin (:mod:`prob_margin`).

In a knock-out (``knockout=True``) the numbers are the chances of going through (``advance``), so a
match's line keeps one meaning from kick-off to the shoot-out: a 1X2 price's draw share is split by
the model's extra time and penalties. See docs/probability.md for the assumptions and figures.
"""

from __future__ import annotations

import math

from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import EventKind, Match, Odds, PhaseState, Side, Sport, WinProbability
from scoreterm.domain.prob_clock import (
    REGULATION_MINUTES,
    SoccerTime,
    clamp_fraction,
    game_progress,
    soccer_time,
    us_remaining,
)
from scoreterm.domain.prob_margin import drift, margin_probability
from scoreterm.domain.prob_market import demargin, market_probability, market_probability_two_way
from scoreterm.domain.prob_series import (
    ProbabilityPoint,
    Swing,
    append_if_moved,
    describe_swing,
    percent,
    swing,
)
from scoreterm.domain.prob_soccer import (
    advance_from_regulation,
    hockey_in_play,
    soccer_probability,
    soccer_strengths,
)

__all__ = [
    "ProbabilityPoint",
    "Swing",
    "append_if_moved",
    "beyond_regulation",
    "demargin",
    "describe_swing",
    "final_probability",
    "game_progress",
    "in_play_probability",
    "market_probability",
    "market_probability_two_way",
    "percent",
    "probability_for_match",
    "red_cards_of",
    "swing",
]

_MAX_LEAD = 50
_NOT_STARTED = SoccerTime(regular=REGULATION_MINUTES)


def in_play_probability(
    sport: Sport,
    *,
    home_score: int,
    away_score: int,
    clock: str = "",
    period: int = 0,
    label: str = "",
    state: PhaseState = PhaseState.LIVE,
    red_cards: tuple[int, int] = (0, 0),
    shootout: tuple[int, int] | None = None,
    shootout_kicks: tuple[int, int] | None = None,
    prematch: WinProbability | None = None,
    spread: float | None = None,
    knockout: bool = False,
    remaining: float | None = None,
) -> WinProbability:
    """The model's probability for a match in the state described by plain values.

    Never raises: values that do not parse count as unknown (a clock that does not parse is the
    start of the phase its label names). A match not yet under way (scheduled, postponed...) is
    priced as at kick-off; a final one gets its certain outcome.

    Args:
        sport: the league's sport (``get_league(slug).sport``).
        home_score: home goals/points now.
        away_score: away goals/points now.
        clock: the clock text (``67'``, ``45'+2'``, ``5:32``).
        period: the period number (soccer 1-2, 3-4 extra time, 5 penalties).
        label: the phase label (``1H``, ``HT``, ``ET``, ``PEN``, ``Q3``, ``OT``, ``Top 5th``).
        state: the phase state.
        red_cards: red cards shown to home and away (soccer).
        shootout: the shoot-out score, once there is one.
        shootout_kicks: kicks taken by each side in the shoot-out, when known.
        prematch: the pre-match probability (a de-margined price) that sets the teams' strengths.
        spread: the home side's pre-match points line (US sports; negative when favoured).
        knockout: the tie cannot end drawn (the result is the chance to advance); implied for
            soccer in extra time, at penalties or with a shoot-out score.
        remaining: share of regulation left (0-1), overriding ``clock`` for US sports.
    """
    lead = max(min(_int(home_score) - _int(away_score), _MAX_LEAD), -_MAX_LEAD)
    cards = _pair(red_cards) or (0, 0)
    so = _pair(shootout)
    kicks = _pair(shootout_kicks)
    prematch = prematch if prematch is not None and _finite(prematch) else None
    started = state in (PhaseState.LIVE, PhaseState.BREAK)
    knockout = knockout or (sport is Sport.SOCCER and beyond_regulation(_str(label), _int(period), so))
    if state is PhaseState.FINAL:
        return final_probability(sport, lead, shootout=so, knockout=knockout) or WinProbability(
            home=0.0, away=0.0, draw=1.0, source="model"
        )
    if sport is Sport.SOCCER:
        time = soccer_time(_str(clock), _str(label), _int(period)) if started else _NOT_STARTED
        return soccer_probability(
            soccer_strengths(prematch),
            lead,
            time,
            red_cards=cards,
            knockout=knockout,
            shootout=so,
            shootout_kicks=kicks,
        )
    share, _ = us_remaining(sport, _int(period), _str(clock), _str(label)) if started else (1.0, True)
    override = clamp_fraction(remaining)
    share = override if override is not None else share
    if sport is Sport.HOCKEY:
        return hockey_in_play(prematch, lead, share, _int(period), _str(label), so, knockout)
    return margin_probability(sport, lead, share, drift(sport, prematch=prematch, spread=spread))


def probability_for_match(
    match: Match,
    *,
    prematch: WinProbability | None = None,
    knockout: bool = False,
    live_odds: Odds | None = None,
    espn: WinProbability | None = None,
    spread: float | None = None,
    sport: Sport | None = None,
) -> WinProbability | None:
    """The probability to show for ``match`` now: market, else ESPN's, else the model.

    Returns None when there is nothing honest to say: before kick-off without any price, for a
    postponed, cancelled or suspended match, an unknown league, or a knock-out that ended level
    without a shoot-out score.

    Args:
        match: the match as the engine holds it.
        prematch: the pre-match probability (``market_probability`` of the line at kick-off).
        knockout: the tie cannot end drawn; results are chances to advance (implied for soccer
            in extra time, at penalties or with a shoot-out score).
        live_odds: the in-play price (ESPN's ``current`` moneyline); ignored in extra time,
            where a 1X2 price no longer describes the tie.
        espn: ESPN's own live probability (US sports), used when there is no price.
        spread: the home side's pre-match points line (US sports).
        sport: the sport, when the league is not in the catalog.
    """
    if sport is None:
        try:
            sport = get_league(match.league).sport
        except UnknownLeague:
            return None
    state = match.phase.state
    lead = match.score.home - match.score.away
    shootout = (match.shootout.home, match.shootout.away) if match.shootout is not None else None
    if sport is Sport.SOCCER and beyond_regulation(match.phase.label, match.phase.period, shootout):
        knockout = True
    if state is PhaseState.FINAL:
        return final_probability(sport, lead, shootout=shootout, knockout=knockout)
    if state not in (PhaseState.SCHEDULED, PhaseState.LIVE, PhaseState.BREAK):
        return None
    cards = red_cards_of(match)
    market = _market(sport, match, live_odds, prematch, knockout, cards)
    if market is not None:
        return market
    if state is PhaseState.SCHEDULED:
        if knockout and sport is Sport.SOCCER:
            return advance_from_regulation(prematch, prematch, cards)
        return prematch
    if espn is not None and _finite(espn) and not (knockout and sport is Sport.SOCCER):
        return espn
    return in_play_probability(
        sport,
        home_score=match.score.home,
        away_score=match.score.away,
        clock=match.clock,
        period=match.phase.period,
        label=match.phase.label,
        state=state,
        red_cards=cards,
        shootout=shootout,
        prematch=prematch,
        spread=spread,
        knockout=knockout,
    )


def final_probability(
    sport: Sport, lead: int, *, shootout: tuple[int, int] | None = None, knockout: bool = False
) -> WinProbability | None:
    """The certain outcome of a finished match; None for a knock-out that ended level without a
    shoot-out score (the winner is not known)."""
    if lead == 0 and knockout and shootout is not None and shootout[0] != shootout[1]:
        lead = 1 if shootout[0] > shootout[1] else -1
    if lead == 0:
        if knockout:
            return None
        return WinProbability(home=0.0, away=0.0, draw=1.0, source="model")
    home = 1.0 if lead > 0 else 0.0
    draw = 0.0 if sport is Sport.SOCCER and not knockout else None
    return WinProbability(home=home, away=1.0 - home, draw=draw, source="model", advance=knockout)


def beyond_regulation(label: str, period: int, shootout: tuple[int, int] | None = None) -> bool:
    """True when a soccer match shows it is a knock-out: extra time, penalties, or a shoot-out score.

    Callers may not know a cup tie from a league game; a match in extra time is a knock-out.
    """
    text = label.strip().upper()
    return shootout is not None or text in ("ET", "ET-HT", "PEN", "AET") or (period >= 3 and text != "FT")


def red_cards_of(match: Match) -> tuple[int, int]:
    """Red cards shown to the home and away sides, from the match's events."""
    home = sum(1 for e in match.events if e.kind is EventKind.RED_CARD and e.side is Side.HOME)
    away = sum(1 for e in match.events if e.kind is EventKind.RED_CARD and e.side is Side.AWAY)
    return home, away


def _market(
    sport: Sport,
    match: Match,
    odds: Odds | None,
    prematch: WinProbability | None,
    knockout: bool,
    cards: tuple[int, int],
) -> WinProbability | None:
    if odds is None:
        return None
    if sport is not Sport.SOCCER:
        return market_probability_two_way(odds.moneyline)
    label = match.phase.label.upper()
    if match.phase.period >= 3 or label in ("ET", "ET-HT", "PEN", "AET", "FT"):
        return None  # the 1X2 is settled at 90 minutes: it no longer prices extra time
    price = market_probability(odds.moneyline)
    if price is None or not knockout:
        return price
    return advance_from_regulation(price, prematch, cards)


def _int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return max(min(value, 10**6), -(10**6))
    if isinstance(value, float) and math.isfinite(value):
        return int(max(min(value, 1e6), -1e6))
    return 0


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _pair(value: object) -> tuple[int, int] | None:
    if isinstance(value, tuple | list) and len(value) == 2:
        return _int(value[0]), _int(value[1])
    return None


def _finite(prob: WinProbability) -> bool:
    values = [prob.home, prob.away] + ([prob.draw] if prob.draw is not None else [])
    return all(isinstance(v, int | float) and math.isfinite(v) and v >= 0.0 for v in values) and (
        sum(values) > 0.0
    )
