"""ESPN betting lines (scoreboard ``odds``, summary ``odds``/``pickcenter``) -> Odds. Pure.

ESPN sends several shapes, all seen in the fixtures: ``odds`` absent or ``[null]``; DraftKings
on scoreboards (``moneyline.home.close.odds: "+205"``, ``total.over.close.line: "o2.5"``);
ESPN BET for NFL/MLB (``spread``, ``overUnder``, ``current.over.american``, no moneyline);
Bet 365 with fractional prices only; and the summary's ``homeTeamOdds.moneyLine: -230``.

Which line: each market holds ``open``, ``close`` (the line at kick-off) and ``current`` (which
moves in play: France +1400 / England -700 at 0-3 while ``close`` still says France -145). ESPN's
flat fields (``drawOdds.moneyLine``, ``overUnder``, ``details``) repeat ``close``. So: in play
``current`` only (no price is better than the pre-match one shown as live); after the final
whistle ``close``; before kick-off ``current``, and for a book without one (ESPN BET's pre-match
shape) ``close``, its latest line, which ESPN's flat fields repeat, and only then ``open``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from scoreterm.domain.model import MoneyLine, Odds
from scoreterm.providers.values import as_dict, as_list, number, text

T = TypeVar("T")

When = Literal["pre", "live", "post"]
# The moments of a market to read, in order, and whether the flat (closing) fields may be used.
_ORDER: dict[str, tuple[tuple[str, ...], bool]] = {
    "pre": (("current", "close", "open"), True),
    "live": (("current",), False),
    "post": (("close", "current", "open"), True),
}
MAX_AMERICAN = 1_000_000
MAX_LINE = 1_000.0


def parse_american(value: Any) -> int | None:
    """Parse American odds: ``"+245"`` -> 245, ``"-120"``, ``-230``, ``330.0``, ``"EVEN"`` -> 100.

    Returns None for anything that is not a price (``"OFF"``, ``""``, None, ``|odds| < 100``,
    absurd prices beyond +/-1,000,000).
    """
    if isinstance(value, str) and value.strip().upper() in ("EVEN", "EV", "EVS"):
        return 100
    price = number(value)
    if price is None or abs(price) > MAX_AMERICAN:
        return None
    odds = round(price)
    return odds if abs(odds) >= 100 else None


def parse_line(value: Any) -> float | None:
    """Parse a points line: ``"o2.5"``/``"u2.5"`` -> 2.5, ``"-1.5"``, ``46.5``, ``"PK"`` -> 0.0."""
    if isinstance(value, str):
        text = value.strip().lower().lstrip("ou")
        if text in ("pk", "even", "ev"):
            return 0.0
        value = text
    line = number(value)
    return line if line is not None and abs(line) <= MAX_LINE else None


def normalize_odds(raw: Any, when: When = "pre") -> Odds | None:
    """Pick one book's lines from an ESPN ``odds`` / ``pickcenter`` value; None when there is none.

    Accepts absence, ``[null]``, a bare object and a list of books. The first book quoting a
    moneyline wins (so the American book listed after a fractional-only Bet 365 entry is used);
    failing that, the first book (NFL/MLB books quote only spread and total). ``when`` is where
    the match stands (``pre``, ``live``, ``post``) and decides which line is read (see above);
    the result says which in ``moment`` and ``in_play``.
    """
    entries = [raw] if isinstance(raw, Mapping) else [e for e in as_list(raw) if isinstance(e, Mapping)]
    books = [odds for entry in entries if (odds := _book(entry, when)) is not None]
    for odds in books:
        line = odds.moneyline
        if line.home is not None or line.draw is not None or line.away is not None:
            return odds
    return books[0] if books else None


def _book(entry: Mapping[str, Any], when: When) -> Odds | None:
    moments, flat_ok = _ORDER[when]
    book = as_dict(entry.get("provider"))
    home, away, draw = (as_dict(entry.get(k)) for k in ("homeTeamOdds", "awayTeamOdds", "drawOdds"))
    moneyline, spread, total = (as_dict(entry.get(k)) for k in ("moneyline", "pointSpread", "total"))
    # The line at kick-off, whenever the book still quotes it: in play it is no price to show, but
    # it is what the match was expected to be (the win-probability model's prior).
    closing = MoneyLine(
        home=_price(home.get("moneyLine"), moneyline.get("home"), ("close",)),
        draw=_price(draw.get("moneyLine"), moneyline.get("draw"), ("close",)),
        away=_price(away.get("moneyLine"), moneyline.get("away"), ("close",)),
    )
    flat = entry if flat_ok else {}
    if not flat_ok:
        home = away = draw = {}
    odds = Odds(
        provider=text(book.get("name")) or text(book.get("displayName")) or "unknown",
        moneyline=MoneyLine(
            home=_price(home.get("moneyLine"), moneyline.get("home"), moments),
            draw=_price(draw.get("moneyLine"), moneyline.get("draw"), moments),
            away=_price(away.get("moneyLine"), moneyline.get("away"), moments),
        ),
        spread=_first(
            parse_line(flat.get("spread")), parse_line(_market(spread.get("home"), "line", moments))
        ),
        spread_home_odds=_price(home.get("spreadOdds"), spread.get("home"), moments),
        spread_away_odds=_price(away.get("spreadOdds"), spread.get("away"), moments),
        over_under=_first(
            parse_line(flat.get("overUnder")), parse_line(_market(total.get("over"), "line", moments))
        ),
        over_odds=_first(
            _price(flat.get("overOdds"), total.get("over"), moments), _flat(entry, "over", moments)
        ),
        under_odds=_first(
            _price(flat.get("underOdds"), total.get("under"), moments), _flat(entry, "under", moments)
        ),
        details=text(flat.get("details")),
        moment=_moment(moneyline, moments) or ("close" if flat_ok else ""),
        in_play=when == "live",
        close=None if closing == MoneyLine() else closing,
    )
    empty = Odds(provider=odds.provider, moment=odds.moment, in_play=odds.in_play, close=odds.close)
    # In play without a current price there is no live line: never the pre-match one in its place.
    return None if odds == empty and when == "live" and odds.close is None else odds


def _price(flat: Any, market: Any, moments: tuple[str, ...]) -> int | None:
    """The market's price at the first moment given, else a flat American price (summary shape)."""
    return _first(parse_american(_market(market, "odds", moments)), parse_american(flat))


def _market(market: Any, key: str, moments: tuple[str, ...]) -> Any:
    """``key`` from the first of ``moments`` that has it, in a ``{close: {...}}`` market."""
    for moment in moments:
        value = as_dict(as_dict(market).get(moment)).get(key)
        if value not in (None, ""):
            return value
    return None


def _moment(moneyline: Mapping[str, Any], moments: tuple[str, ...]) -> str:
    """Which moment the moneyline was read from (``current``, ``open``, ``close``); "" if none."""
    for moment in moments:
        if any(
            as_dict(as_dict(moneyline.get(side)).get(moment)).get("odds") for side in ("home", "draw", "away")
        ):
            return moment
    return ""


def _flat(entry: Mapping[str, Any], side: str, moments: tuple[str, ...]) -> int | None:
    """ESPN BET's shape: ``{"current": {"over": {"american": "-110"}}}``."""
    prices = (parse_american(as_dict(as_dict(entry.get(m)).get(side)).get("american")) for m in moments)
    return _first(*prices)


def _first(*values: T | None) -> T | None:
    return next((v for v in values if v is not None), None)
