"""Stern's Brownian-motion model of the score margin, for basketball, American football and baseball.

Stern (1994, "A Brownian motion model for the progress of sports scores", JASA 89:1128-1134)
treats the home margin over the game as Brownian motion with drift ``mu`` (the home edge over a
whole game) and variance ``sigma^2`` per game. With a share ``r`` of the game left and the home side
``lead`` points up, P(home wins) = Phi((lead + mu r) / (sigma sqrt(r))). At kick-off that is
Phi(mu / sigma), so a pre-match probability ``p`` gives the drift ``mu = sigma Phi^-1(p)``, and a
points spread gives ``mu = -spread`` directly.

Sigma per sport (the spread of final margins about the expectation): NBA 15.8 points (Stern 1994
fitted 15.82 on 1991-92 games; recent seasons are close to 13-14, see docs), NFL 13.9 points
(Stern 1991, "On the probability of winning a football game", The American Statistician 45:179-183,
13.86 about the point spread), MLB 4.0 runs (of the order Stern 1994 reports for baseball). Without
a price the drift is a modest home edge: NBA 2.5 points, NFL 1.5, MLB 0.15 runs.

What it ignores: possession, field position, outs and runners, who bats, the shot clock. It
exists so that every sport has a number and so that it can be measured against ESPN's own model.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from scoreterm.domain.model import Sport, WinProbability

_NORMAL = NormalDist()
# sigma per game, home drift without a price
SIGMA: dict[Sport, float] = {Sport.BASKETBALL: 15.8, Sport.FOOTBALL: 13.9, Sport.BASEBALL: 4.0}
HOME_EDGE: dict[Sport, float] = {Sport.BASKETBALL: 2.5, Sport.FOOTBALL: 1.5, Sport.BASEBALL: 0.15}
# A level game at the end goes on (overtime, extra innings): this much of a game is left then.
OVERTIME_SHARE: dict[Sport, float] = {
    Sport.BASKETBALL: 5 / 48,
    Sport.FOOTBALL: 10 / 60,
    Sport.BASEBALL: 1 / 9,
}
_EDGE = 1e-6


def drift(sport: Sport, *, prematch: WinProbability | None = None, spread: float | None = None) -> float:
    """The home drift per game: from ``spread`` (the home line, negative when home is favoured),
    else from a pre-match probability, else the sport's home edge."""
    sigma = SIGMA.get(sport, SIGMA[Sport.FOOTBALL])
    if spread is not None and isinstance(spread, int | float) and math.isfinite(spread):
        return float(-max(min(spread, 5 * sigma), -5 * sigma))
    if prematch is not None:
        total = prematch.home + prematch.away
        if math.isfinite(total) and total > 0.0:
            share = min(max(prematch.home / total, _EDGE), 1.0 - _EDGE)
            return sigma * _NORMAL.inv_cdf(share)
    return HOME_EDGE.get(sport, 0.0)


def margin_probability(sport: Sport, lead: float, remaining: float, mu: float) -> WinProbability:
    """P(home wins) with ``lead`` points and a share ``remaining`` (0..1) of regulation to play.

    A level game at the end plays on (overtime, extra innings) as that much more game.
    """
    sigma = SIGMA.get(sport, SIGMA[Sport.FOOTBALL])
    remaining = min(max(remaining, 0.0), 1.0) if math.isfinite(remaining) else 1.0
    if remaining <= 0.0:
        if lead != 0:
            home = 1.0 if lead > 0 else 0.0
            return WinProbability(home=home, away=1.0 - home, source="model")
        remaining = OVERTIME_SHARE.get(sport, 0.1)
    z = (lead + mu * remaining) / (sigma * math.sqrt(remaining))
    home = _NORMAL.cdf(max(min(z, 40.0), -40.0))
    return WinProbability(home=home, away=1.0 - home, source="model")
