"""Independent Poisson goals: outcome probabilities, and expected goals fitted to a 1X2 price. Pure.

The goals each side scores in the time left are independent Poisson variables (Maher 1982,
"Modelling association football scores", Statistica Neerlandica 36:109-118; Dixon & Coles 1997,
"Modelling association football scores and inefficiencies in the football betting market", JRSS C
46:265-280, whose low-score correction we leave out). The final margin is the current lead plus
the difference of two Poisson variables, a Skellam variable, summed here term by term.

Pre-match expectations are found by inverting a price: the home/away expected goals whose Poisson
1X2 probabilities match the de-margined price. For a fixed total ``T``, ``P(home) - P(away)`` grows
with the supremacy ``s`` (``home = (T + s) / 2``); for a fixed difference, the draw gets less likely
as ``T`` grows. Two nested bisections find ``(T, s)``. An independent Poisson model draws a little
less often than football does, so a price with a very high draw share is met as closely as the
model allows (the smallest total tried).
"""

from __future__ import annotations

import math
from functools import lru_cache

_TAIL = 1e-12
_MAX_GOALS = 80
_BISECTIONS = 40
MIN_TOTAL = 0.2
MAX_TOTAL = 12.0


def poisson_pmf(mean: float) -> list[float]:
    """P(N = k) for k = 0.. until the tail is negligible (at most 80 terms), summing to 1."""
    mean = max(0.0, min(mean, 40.0)) if math.isfinite(mean) else 0.0
    term = math.exp(-mean)
    pmf = [term]
    total = term
    k = 0
    while total < 1.0 - _TAIL and k < _MAX_GOALS:
        k += 1
        term *= mean / k
        pmf.append(term)
        total += term
    return [p / total for p in pmf]


def outcome_probabilities(home_mean: float, away_mean: float, lead: int = 0) -> tuple[float, float, float]:
    """P(home ahead), P(level), P(away ahead) at the end, given the home ``lead`` now.

    ``home_mean``/``away_mean`` are the goals each side is expected to add from now on.
    """
    home = poisson_pmf(home_mean)
    away = poisson_pmf(away_mean)
    below = [0.0]  # below[j] = P(away goals < j)
    for p in away:
        below.append(below[-1] + p)
    n_away = len(away)
    p_level = 0.0
    p_home = 0.0
    for i, p in enumerate(home):
        j = i + lead  # away goals that would level it
        if 0 <= j < n_away:
            p_level += p * away[j]
        p_home += p * below[min(max(j, 0), n_away)]
    p_home = min(max(p_home, 0.0), 1.0)
    p_level = min(max(p_level, 0.0), 1.0 - p_home)
    return p_home, p_level, max(0.0, 1.0 - p_home - p_level)


def fit_supremacy(total: float, target: float) -> tuple[float, float]:
    """Home and away means summing to ``total`` with ``P(home) - P(away)`` closest to ``target``."""
    low, high = -total, total
    for _ in range(_BISECTIONS):
        mid = (low + high) / 2.0
        home, _, away = outcome_probabilities((total + mid) / 2.0, (total - mid) / 2.0)
        if home - away < target:
            low = mid
        else:
            high = mid
    s = (low + high) / 2.0
    return (total + s) / 2.0, (total - s) / 2.0


@lru_cache(maxsize=512)
def _fit(home: float, draw: float, away: float) -> tuple[float, float]:
    target = home - away
    low, high = MIN_TOTAL, MAX_TOTAL
    for _ in range(_BISECTIONS):
        mid = (low + high) / 2.0
        h, a = fit_supremacy(mid, target)
        _, level, _ = outcome_probabilities(h, a)
        if level > draw:
            low = mid
        else:
            high = mid
    return fit_supremacy((low + high) / 2.0, target)


def fit_expected_goals(home: float, draw: float, away: float) -> tuple[float, float]:
    """Expected home and away goals whose Poisson 1X2 matches ``(home, draw, away)``.

    The probabilities are renormalised and rounded to 4 places (fits are cached on them).
    """
    total = home + draw + away
    if not all(math.isfinite(v) and v >= 0.0 for v in (home, draw, away)) or total <= 0.0:
        raise ValueError("probabilities must be finite, non-negative and not all zero")
    return _fit(round(home / total, 4), round(draw / total, 4), round(away / total, 4))
