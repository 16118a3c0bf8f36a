"""Bookmaker prices -> probabilities with the margin removed (Shin's method). Pure.

A book's implied probabilities (``1 / decimal price``) sum to more than 1: the excess is its margin
(the overround). Removing it proportionally (``pi / sum(pi)``) is the simplest method, but books do
not spread their margin evenly: they load it on the longshots (the favourite-longshot bias), so
proportional normalisation overrates outsiders. Shin's model (Shin 1993, "Measuring the incidence
of insider trading in a market for state-contingent claims", Economic Journal 103:1141-1153)
explains the margin as the book's protection against a share ``z`` of insiders and recovers
probabilities that take more margin off longshots; Štrumbelj (2014, "On determining probability
forecasts from betting odds", International Journal of Forecasting 30:934-943) found them more
accurate than proportional ones on football and tennis. We use Shin, and fall back to proportional
when there is no margin to explain (a sum of best prices across books can fall below 1).

For Shin's ``z`` we solve ``sum p_i(z) = 1`` by bisection, with
``p_i(z) = (sqrt(z^2 + 4 (1 - z) pi_i^2 / S) - z) / (2 (1 - z))`` and ``S = sum pi_i``; the sum
falls from ``sqrt(S) > 1`` at ``z = 0`` to below 1, so the root is unique.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scoreterm.domain.model import MoneyLine, WinProbability

_BISECTIONS = 60


def decimal_from_american(odds: int | float) -> float | None:
    """Turn American odds into a decimal price: ``+150`` -> 2.5, ``-200`` -> 1.5.

    Returns None for values that are not a price (``|odds| < 100``, NaN, infinite, bool).
    """
    if isinstance(odds, bool) or not isinstance(odds, int | float):
        return None
    try:
        value = float(odds)
    except OverflowError:
        return None
    if not math.isfinite(value) or abs(value) < 100:
        return None
    return 1.0 + value / 100.0 if value > 0 else 1.0 + 100.0 / -value


def american_from_decimal(price: float) -> int | None:
    """Turn a decimal price into American odds: 2.5 -> ``+150``, 1.5 -> ``-200``; None below 1.01."""
    if not isinstance(price, int | float) or not math.isfinite(price) or price < 1.01:
        return None
    if price >= 2.0:
        return round((price - 1.0) * 100.0)
    return round(-100.0 / (price - 1.0))


def overround(prices: Sequence[float]) -> float | None:
    """The book's margin on decimal ``prices`` (``0.05`` for 5%); None for an invalid price."""
    implied = _implied(prices)
    return None if implied is None else sum(implied) - 1.0


def demargin(prices: Sequence[float]) -> list[float] | None:
    """Decimal prices of every outcome of one market -> probabilities that sum to 1 (Shin).

    Returns None when there are fewer than two prices or one is not a price (<= 1.0, NaN).
    """
    implied = _implied(prices)
    if implied is None:
        return None
    total = sum(implied)
    if total <= 1.0:
        return [p / total for p in implied]
    z = _shin_z(implied, total)
    probs = [_shin_p(p, total, z) for p in implied]
    norm = sum(probs)
    return [p / norm for p in probs]


def demargin_proportional(prices: Sequence[float]) -> list[float] | None:
    """The simpler method, kept for comparison: ``(1/price) / sum(1/price)``."""
    implied = _implied(prices)
    if implied is None:
        return None
    total = sum(implied)
    return [p / total for p in implied]


def market_probability(moneyline: MoneyLine) -> WinProbability | None:
    """A 1X2 moneyline (American odds) -> home/draw/away probabilities without the margin.

    Returns None unless all three prices are there and valid.
    """
    prices = [decimal_from_american(v) if v is not None else None for v in _sides(moneyline, draw=True)]
    if any(p is None for p in prices):
        return None
    probs = demargin([p for p in prices if p is not None])
    if probs is None:
        return None
    home, draw, away = probs
    return WinProbability(home=home, draw=draw, away=away, source="market")


def market_probability_two_way(moneyline: MoneyLine) -> WinProbability | None:
    """A home/away moneyline (sports without a draw) -> probabilities without the margin.

    The draw price, if any, is ignored. Returns None unless both prices are there and valid.
    """
    prices = [decimal_from_american(v) if v is not None else None for v in _sides(moneyline, draw=False)]
    if any(p is None for p in prices):
        return None
    probs = demargin([p for p in prices if p is not None])
    if probs is None:
        return None
    return WinProbability(home=probs[0], away=probs[1], source="market")


def _sides(moneyline: MoneyLine, *, draw: bool) -> list[int | None]:
    if draw:
        return [moneyline.home, moneyline.draw, moneyline.away]
    return [moneyline.home, moneyline.away]


def _implied(prices: Sequence[float]) -> list[float] | None:
    if len(prices) < 2:
        return None
    implied: list[float] = []
    for price in prices:
        if isinstance(price, bool) or not isinstance(price, int | float):
            return None
        try:
            value = float(price)
        except OverflowError:
            return None
        if not math.isfinite(value) or value <= 1.0:
            return None
        implied.append(1.0 / value)
    return implied


def _shin_p(implied: float, total: float, z: float) -> float:
    return (math.sqrt(z * z + 4.0 * (1.0 - z) * implied * implied / total) - z) / (2.0 * (1.0 - z))


def _shin_z(implied: Sequence[float], total: float) -> float:
    low, high = 0.0, 0.999
    for _ in range(_BISECTIONS):
        mid = (low + high) / 2.0
        if sum(_shin_p(p, total, mid) for p in implied) > 1.0:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0
