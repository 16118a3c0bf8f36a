"""The in-play goals model for soccer and hockey: remaining goals are Poisson. Pure.

Pre-match expected goals come from a pre-match price (inverted by :mod:`prob_goals`) or, without
one, from a neutral prior with home advantage. The rest of the match is Poisson at those rates,
scaled by the time left (:mod:`prob_clock`) and by red cards; the result is the current score plus
the remaining goals.

Numbers and where they come from (all documented in docs/probability.md):

- Soccer prior 1.45 home / 1.15 away goals per match: the long-run top-flight averages (about 2.6
  goals a game, home sides scoring ~55% of them; e.g. Premier League 2000-2020).
- Red cards: a sent-off side's scoring rate x0.67 and its opponent's x1.25 per card, the effect
  Vecer, Kopriva & Ichiba (2009, "Estimating the effect of the red card in soccer", Journal of
  Quantitative Analysis in Sports 5(1)) read off in-play betting prices; Ridder, Cramer & Hopstaken
  (1994, "Down to ten", JASA 89:1124-1127) found an effect of the same size from results.
- Goals come faster as a match goes on (Dixon & Robinson 1998, "A birth process model for
  association football matches", The Statistician 47:523-538): the rate ramps linearly from
  (1 - RAMP) to (1 + RAMP) times the average over regulation, RAMP = 0.2, which gives the usual
  shares of goals by quarter-hour (about 13% in the first 15 minutes, about 20% in the last, added
  time included). Over a share ``r`` of regulation still to play the expected goals are then
  ``lambda r (1 + RAMP (1 - r))``: all of ``lambda`` at kick-off, so a 0-0 at 0' gives back the
  pre-match price.
- Extra time scores at 0.8x the regulation rate per minute (tired legs, caution): an assumption,
  not a fitted number. A level tie then goes to a shoot-out (:mod:`prob_shootout`).
- Hockey prior 3.15 home / 2.95 away goals per 60 minutes (NHL 2022-24, about 6.1 a game). A tie
  after regulation goes to overtime: in the regular season 5 minutes of 3-on-3 at 1.8x the
  regulation rate (about 60% of NHL overtimes end before the shoot-out), then a shoot-out; in the
  playoffs (``knockout``) sudden death until a goal, so the side with the higher rate is favoured.
"""

from __future__ import annotations

import math

from scoreterm.domain.model import WinProbability
from scoreterm.domain.prob_clock import EXTRA_MINUTES, REGULATION_MINUTES, SoccerTime
from scoreterm.domain.prob_goals import fit_expected_goals, fit_supremacy, outcome_probabilities
from scoreterm.domain.prob_shootout import (
    FOOTBALL_CONVERSION,
    HOCKEY_CONVERSION,
    HOCKEY_ROUNDS,
    shootout_win_probability,
)

SOCCER_PRIOR = (1.45, 1.15)
HOCKEY_PRIOR = (3.15, 2.95)
RED_CARD_OWN = 0.67
RED_CARD_OPPONENT = 1.25
EXTRA_TIME_RATE = 0.8
RAMP = 0.2
HOCKEY_OT_MINUTES = 5.0
HOCKEY_OT_RATE = 1.8
HOCKEY_MINUTES = 60.0
_MAX_CARDS = 4


def soccer_strengths(prematch: WinProbability | None) -> tuple[float, float]:
    """Expected home/away goals over a whole match from a pre-match price, else the prior.

    A price without a draw (a two-way or "to advance" price) keeps the prior's total and fits the
    split only.
    """
    if prematch is None or not _valid(prematch):
        return SOCCER_PRIOR
    if prematch.draw is None or prematch.advance:
        return fit_supremacy(sum(SOCCER_PRIOR), prematch.home - prematch.away)
    return fit_expected_goals(prematch.home, prematch.draw, prematch.away)


def card_factors(red_cards: tuple[int, int]) -> tuple[float, float]:
    """Multipliers of the home and away scoring rates for ``(home, away)`` red cards."""
    home_cards, away_cards = (min(max(c, 0), _MAX_CARDS) for c in red_cards)
    home = RED_CARD_OWN**home_cards * RED_CARD_OPPONENT**away_cards
    away = RED_CARD_OWN**away_cards * RED_CARD_OPPONENT**home_cards
    return home, away


def soccer_probability(
    strengths: tuple[float, float],
    lead: int,
    time: SoccerTime,
    *,
    red_cards: tuple[int, int] = (0, 0),
    knockout: bool = False,
    shootout: tuple[int, int] | None = None,
    shootout_kicks: tuple[int, int] | None = None,
) -> WinProbability:
    """P(home win, draw, away win) in regulation, or P(home/away advances) in a knock-out.

    Args:
        strengths: expected home and away goals over a whole match (regulation, added time too).
        lead: home goals minus away goals now.
        time: the time left (:func:`prob_clock.soccer_time`).
        red_cards: red cards shown to the home and away sides so far.
        knockout: the tie cannot end drawn (extra time, then penalties).
        shootout: the shoot-out score, once the shoot-out is under way.
        shootout_kicks: kicks taken by each side in the shoot-out, when known.
    """
    home_f, away_f = card_factors(red_cards)
    home_rate = strengths[0] * home_f / REGULATION_MINUTES
    away_rate = strengths[1] * away_f / REGULATION_MINUTES
    ramp = regulation_share(time.regular)
    home_left, away_left = strengths[0] * home_f * ramp, strengths[1] * away_f * ramp
    if not knockout:
        win, level, loss = outcome_probabilities(home_left, away_left, lead)
        return WinProbability(home=win, draw=level, away=loss, source="model")
    if time.shootout:
        if lead != 0:  # a shoot-out label with an unequal score: the score decides.
            return _certain(lead > 0)
        home = _shootout(shootout, shootout_kicks)
        return WinProbability(home=home, away=1.0 - home, source="model", advance=True)
    et_home, et_away = home_rate * EXTRA_TIME_RATE, away_rate * EXTRA_TIME_RATE
    if time.extra is not None:
        home = _extra_time(et_home * time.extra, et_away * time.extra, lead)
        return WinProbability(home=home, away=1.0 - home, source="model", advance=True)
    win, level, _ = outcome_probabilities(home_left, away_left, lead)
    from_level = _extra_time(et_home * EXTRA_MINUTES, et_away * EXTRA_MINUTES, 0)
    home = min(max(win + level * from_level, 0.0), 1.0)
    return WinProbability(home=home, away=1.0 - home, source="model", advance=True)


def regulation_share(minutes_left: float) -> float:
    """The share of a match's expected goals still to come with ``minutes_left`` of regulation.

    ``r (1 + RAMP (1 - r))`` with ``r`` the share of regulation time left: the scoring rate ramps
    up through the match, so the last minutes hold more goals than the first.
    """
    r = min(max(minutes_left / REGULATION_MINUTES, 0.0), 1.0) if math.isfinite(minutes_left) else 1.0
    return r * (1.0 + RAMP * (1.0 - r))


def hockey_strengths(prematch: WinProbability | None) -> tuple[float, float]:
    """Expected home/away goals per 60 minutes from a pre-match price, else the prior."""
    if prematch is None or not _valid(prematch):
        return HOCKEY_PRIOR
    if prematch.draw is not None and not prematch.advance:
        return fit_expected_goals(prematch.home, prematch.draw, prematch.away)
    # A two-way price includes overtime: fit the split of regulation goals whose win-or-OT-share
    # matches, by bisection on the supremacy at the prior's total.
    target = prematch.home / (prematch.home + prematch.away)
    total = sum(HOCKEY_PRIOR)
    low, high = -total, total
    for _ in range(40):
        mid = (low + high) / 2.0
        home, away = (total + mid) / 2.0, (total - mid) / 2.0
        if _hockey_home(home / HOCKEY_MINUTES, away / HOCKEY_MINUTES, 0, HOCKEY_MINUTES) < target:
            low = mid
        else:
            high = mid
    mid = (low + high) / 2.0
    return (total + mid) / 2.0, (total - mid) / 2.0


def hockey_probability(
    strengths: tuple[float, float],
    lead: int,
    regulation_left: float,
    overtime_left: float | None = None,
    *,
    knockout: bool = False,
    shootout: tuple[int, int] | None = None,
) -> WinProbability:
    """P(home wins) in hockey (no draws): regulation Poisson, then overtime and a shoot-out.

    Args:
        strengths: expected home and away goals per 60 minutes.
        lead: home goals minus away goals now.
        regulation_left: minutes of regulation left (0 in overtime).
        overtime_left: minutes of the overtime period left, once overtime has begun.
        knockout: playoff overtime (sudden death until a goal, no shoot-out).
        shootout: the shoot-out score once the shoot-out is under way.
    """
    home_rate, away_rate = strengths[0] / HOCKEY_MINUTES, strengths[1] / HOCKEY_MINUTES
    if shootout is not None and not knockout:
        if lead != 0:
            return _certain(lead > 0, advance=False)
        home = shootout_win_probability(*shootout, conversion=HOCKEY_CONVERSION, rounds=HOCKEY_ROUNDS)
        return WinProbability(home=home, away=1.0 - home, source="model")
    if overtime_left is not None:
        if lead != 0:
            return _certain(lead > 0, advance=False)
        home = _hockey_overtime(home_rate, away_rate, overtime_left, knockout)
        return WinProbability(home=home, away=1.0 - home, source="model")
    home = _hockey_home(home_rate, away_rate, lead, max(regulation_left, 0.0), knockout)
    return WinProbability(home=home, away=1.0 - home, source="model")


def advance_from_regulation(
    price: WinProbability | None, prematch: WinProbability | None, cards: tuple[int, int]
) -> WinProbability | None:
    """A regulation 1X2 as chances to advance: the draw share goes through extra time and penalties.

    Extra time is played at the strengths fitted to ``prematch`` (the prior without one), with
    ``cards`` red cards. A price already about advancing, or without a draw, is returned as is.
    """
    if price is None or price.advance or price.draw is None:
        return price
    et = soccer_probability(
        soccer_strengths(prematch),
        0,
        SoccerTime(regular=0.0, extra=EXTRA_MINUTES),
        red_cards=cards,
        knockout=True,
    )
    home = price.home + price.draw * et.home
    return WinProbability(home=home, away=1.0 - home, source=price.source, advance=True)


def hockey_in_play(
    prematch: WinProbability | None,
    lead: int,
    share: float,
    period: int,
    label: str,
    shootout: tuple[int, int] | None,
    knockout: bool,
) -> WinProbability:
    """Hockey from plain values: regulation (``share`` of it left), overtime, or the shoot-out.

    Overtime is ``period > 3`` or an ``OT`` label (``share`` is then what is left of the overtime
    period, as a share of regulation); ``SO`` or a shoot-out score outside the playoffs is the
    shoot-out.
    """
    strengths = hockey_strengths(prematch)
    if label.upper() == "SO" or (shootout is not None and not knockout):
        return hockey_probability(strengths, lead, 0.0, 0.0, knockout=False, shootout=shootout or (0, 0))
    if period > 3 or label.upper().endswith("OT"):
        return hockey_probability(strengths, lead, 0.0, share * HOCKEY_MINUTES, knockout=knockout)
    return hockey_probability(strengths, lead, share * HOCKEY_MINUTES, knockout=knockout)


def _hockey_home(
    home_rate: float, away_rate: float, lead: int, minutes: float, knockout: bool = False
) -> float:
    win, level, _ = outcome_probabilities(home_rate * minutes, away_rate * minutes, lead)
    overtime = HOCKEY_OT_MINUTES if not knockout else math.inf
    return win + level * _hockey_overtime(home_rate, away_rate, overtime, knockout)


def _hockey_overtime(home_rate: float, away_rate: float, minutes: float, knockout: bool) -> float:
    total = home_rate + away_rate
    if total <= 0.0:
        return 0.5
    share = home_rate / total
    if knockout:
        return share
    scored = 1.0 - math.exp(-total * HOCKEY_OT_RATE * max(minutes, 0.0))
    return share * scored + 0.5 * (1.0 - scored)


def _extra_time(home_mean: float, away_mean: float, lead: int) -> float:
    win, level, _ = outcome_probabilities(home_mean, away_mean, lead)
    return win + level * 0.5


def _shootout(score: tuple[int, int] | None, kicks: tuple[int, int] | None) -> float:
    if score is None:
        return 0.5
    home_kicks, away_kicks = kicks if kicks is not None else (None, None)
    return shootout_win_probability(
        score[0], score[1], home_kicks, away_kicks, conversion=FOOTBALL_CONVERSION
    )


def _certain(home_wins: bool, *, advance: bool = True) -> WinProbability:
    return WinProbability(
        home=1.0 if home_wins else 0.0, away=0.0 if home_wins else 1.0, source="model", advance=advance
    )


def _valid(prob: WinProbability) -> bool:
    values = [prob.home, prob.away] + ([prob.draw] if prob.draw is not None else [])
    return all(isinstance(v, float | int) and math.isfinite(v) and v >= 0.0 for v in values) and (
        prob.home + prob.away > 0.0
    )
