"""ESPN betting lines (scoreboard ``odds``, summary ``odds``/``pickcenter``) -> Odds. Pure.

ESPN sends several shapes, all seen in the fixtures: ``odds`` absent or ``[null]``; DraftKings
on scoreboards (``moneyline.home.close.odds: "+205"``, ``total.over.close.line: "o2.5"``);
ESPN BET for NFL/MLB (``spread``, ``overUnder``, ``current.over.american``, no moneyline);
Bet 365 with fractional prices only; and the summary's ``homeTeamOdds.moneyLine: -230``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

from scoreterm.domain.model import MoneyLine, Odds

T = TypeVar("T")

# The closing line first: it is what ESPN's own flat fields (``drawOdds.moneyLine``,
# ``overUnder``, ``details``) repeat, while ``current`` moves in play (+1800 at 2-3 down).
_MOMENTS = ("close", "current", "open")


def parse_american(value: Any) -> int | None:
    """Parse American odds: ``"+245"`` -> 245, ``"-120"``, ``-230``, ``330.0``, ``"EVEN"`` -> 100.

    Returns None for anything that is not a price (``"OFF"``, ``""``, None, ``|odds| < 100``).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip().upper()
        if text in ("EVEN", "EV", "EVS"):
            return 100
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    odds = round(value)
    return odds if abs(odds) >= 100 else None


def parse_line(value: Any) -> float | None:
    """Parse a points line: ``"o2.5"``/``"u2.5"`` -> 2.5, ``"-1.5"``, ``46.5``, ``"PK"`` -> 0.0."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower().lstrip("ou")
    if text in ("pk", "even", "ev"):
        return 0.0
    try:
        line = float(text)
    except ValueError:
        return None
    return line if math.isfinite(line) else None


def normalize_odds(raw: Any) -> Odds | None:
    """Pick one book's lines from an ESPN ``odds`` / ``pickcenter`` value; None when there is none.

    Accepts absence, ``[null]``, a bare object and a list of books. The first book quoting a
    moneyline wins (so the American book listed after a fractional-only Bet 365 entry is used);
    failing that, the first book (NFL/MLB books quote only spread and total).
    """
    entries = [raw] if isinstance(raw, Mapping) else [e for e in _list(raw) if isinstance(e, Mapping)]
    books = [_book(entry) for entry in entries]
    for odds in books:
        line = odds.moneyline
        if line.home is not None or line.draw is not None or line.away is not None:
            return odds
    return books[0] if books else None


def _book(entry: Mapping[str, Any]) -> Odds:
    book = _dict(entry.get("provider"))
    home, away, draw = (_dict(entry.get(k)) for k in ("homeTeamOdds", "awayTeamOdds", "drawOdds"))
    moneyline, spread, total = (_dict(entry.get(k)) for k in ("moneyline", "pointSpread", "total"))
    return Odds(
        provider=_str(book.get("name")) or _str(book.get("displayName")) or "unknown",
        moneyline=MoneyLine(
            home=_price(home.get("moneyLine"), moneyline.get("home")),
            draw=_price(draw.get("moneyLine"), moneyline.get("draw")),
            away=_price(away.get("moneyLine"), moneyline.get("away")),
        ),
        spread=_first(parse_line(entry.get("spread")), parse_line(_market(spread.get("home"), "line"))),
        spread_home_odds=_price(home.get("spreadOdds"), spread.get("home")),
        spread_away_odds=_price(away.get("spreadOdds"), spread.get("away")),
        over_under=_first(parse_line(entry.get("overUnder")), parse_line(_market(total.get("over"), "line"))),
        over_odds=_first(_price(entry.get("overOdds"), total.get("over")), _flat(entry, "over")),
        under_odds=_first(_price(entry.get("underOdds"), total.get("under")), _flat(entry, "under")),
        details=_str(entry.get("details")),
    )


def _price(flat: Any, market: Any) -> int | None:
    """A flat American price (summary shape) or else the market's close/current/open price."""
    return _first(parse_american(flat), parse_american(_market(market, "odds")))


def _market(market: Any, key: str) -> Any:
    """``key`` from the first of close/current/open that has it, in a ``{close: {...}}`` market."""
    for moment in _MOMENTS:
        value = _dict(_dict(market).get(moment)).get(key)
        if value not in (None, ""):
            return value
    return None


def _flat(entry: Mapping[str, Any], side: str) -> int | None:
    """ESPN BET's shape: ``{"current": {"over": {"american": "-110"}}}``."""
    prices = (parse_american(_dict(_dict(entry.get(m)).get(side)).get("american")) for m in _MOMENTS)
    return _first(*prices)


def _first(*values: T | None) -> T | None:
    return next((v for v in values if v is not None), None)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
