"""The Odds API (v4 ``/sports/{key}/odds``, h2h) -> per-event consensus of the books. Pure.

Each event lists bookmakers, each with markets; ``h2h`` outcomes are ``{name, price}`` with decimal
prices, **not** in home/away order: an outcome is the home side when its name is the event's
``home_team``, ``Draw`` for the draw (compared after the same name normalisation identity uses).
``h2h_lay`` (exchange lay prices) is ignored. A book with a missing or duplicated outcome, or a
price of 1.0 or less (a suspended or settled market), is left out of that event.

The consensus is the median over books of each outcome's de-margined probability (Shin, see
:mod:`scoreterm.domain.prob_market`), renormalised. The median, not the mean, because books are
often out of step in play: in the captured in-play file one book prices Flamengo at 1.32 while
five others say 3.2-4.2. ``dispersion`` (the widest spread of any outcome across books) says how
much they disagree.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from scoreterm.domain.consensus import BestPrice, BookLine, OddsConsensus
from scoreterm.domain.model import WinProbability
from scoreterm.domain.names import normalize_team
from scoreterm.domain.prob_market import demargin, overround
from scoreterm.providers.base import PayloadError, normalize_each, parse_kickoff
from scoreterm.providers.values import as_dict, as_list, text

__all__ = ["SPORT_KEYS", "BestPrice", "BookLine", "OddsConsensus", "normalize_event", "normalize_odds"]

PROVIDER = "the-odds-api"
DRAW = "draw"
MATCH_WINDOW = timedelta(hours=3)

# Our league slugs -> The Odds API sport keys.
SPORT_KEYS: dict[str, str] = {
    "eng.1": "soccer_epl",
    "eng.2": "soccer_efl_champ",
    "esp.1": "soccer_spain_la_liga",
    "ger.1": "soccer_germany_bundesliga",
    "ita.1": "soccer_italy_serie_a",
    "fra.1": "soccer_france_ligue_one",
    "ned.1": "soccer_netherlands_eredivisie",
    "por.1": "soccer_portugal_primeira_liga",
    "bra.1": "soccer_brazil_campeonato",
    "usa.1": "soccer_usa_mls",
    "mex.1": "soccer_mexico_ligamx",
    "uefa.champions": "soccer_uefa_champs_league",
    "uefa.europa": "soccer_uefa_europa_league",
    "uefa.euro": "soccer_uefa_european_championship",
    "fifa.world": "soccer_fifa_world_cup",
    "nba": "basketball_nba",
    "nfl": "americanfootball_nfl",
    "nhl": "icehockey_nhl",
    "mlb": "baseball_mlb",
}


def normalize_odds(payload: Any) -> list[OddsConsensus]:
    """Every event of an ``/odds`` answer with at least one usable book; malformed events skipped.

    Raises:
        PayloadError: the payload is not a list of events.
    """
    return normalize_each(PROVIDER, payload, normalize_event, what="event")


def normalize_event(raw: Any) -> OddsConsensus | None:
    """One event -> its consensus, or None when no book prices it usably."""
    if not isinstance(raw, Mapping):
        raise PayloadError(PROVIDER, "event is not an object")
    home_team, away_team = text(raw.get("home_team")), text(raw.get("away_team"))
    kickoff_text = text(raw.get("commence_time"))
    if not home_team or not away_team or not kickoff_text:
        raise PayloadError(PROVIDER, "event lacks home_team, away_team or commence_time")
    kickoff = parse_kickoff(PROVIDER, kickoff_text)
    books = [line for b in as_list(raw.get("bookmakers")) if (line := _book(b, home_team, away_team))]
    three_way = sum(1 for b in books if b.draw is not None) * 2 >= len(books)
    books = [b for b in books if (b.draw is not None) == three_way]
    if not books:
        return None
    return OddsConsensus(
        event_id=text(raw.get("id")),
        sport_key=text(raw.get("sport_key")),
        kickoff=kickoff,
        home_team=home_team,
        away_team=away_team,
        prob=_median(books, three_way),
        best_home=_best(books, lambda b: b.home),
        best_away=_best(books, lambda b: b.away),
        best_draw=_best(books, lambda b: b.draw or 0.0) if three_way else None,
        books=tuple(books),
        dispersion=_dispersion(books, three_way),
        in_play=any(b.last_update is not None and b.last_update > kickoff for b in books),
    )


def find_event(
    events: Sequence[OddsConsensus], home: str, away: str, kickoff: datetime, window: timedelta = MATCH_WINDOW
) -> OddsConsensus | None:
    """The event of ``home`` v ``away`` kicking off within ``window`` of ``kickoff``, if listed.

    Names compare after :func:`normalize_team`, one allowed to be a prefix of the other (4+
    letters: ``Newcastle`` and ``Newcastle United``), as the engine's identity map does.
    """
    want_home, want_away = normalize_team(home), normalize_team(away)
    for event in events:
        if abs(event.kickoff - kickoff) > window:
            continue
        if _same_team(normalize_team(event.home_team), want_home) and _same_team(
            normalize_team(event.away_team), want_away
        ):
            return event
    return None


def _same_team(a: str, b: str) -> bool:
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)))


def _book(raw: Any, home_team: str, away_team: str) -> BookLine | None:
    book = raw if isinstance(raw, Mapping) else {}
    market = next((m for m in as_list(book.get("markets")) if as_dict(m).get("key") == "h2h"), None)
    prices = _outcomes(as_dict(market).get("outcomes"), home_team, away_team)
    if prices is None or "home" not in prices or "away" not in prices:
        return None
    draw = prices.get(DRAW)
    ordered = [prices["home"], prices["away"]] + ([draw] if draw is not None else [])
    probs, margin = demargin(ordered), overround(ordered)
    if probs is None or margin is None:
        return None
    updated = text(as_dict(market).get("last_update")) or text(book.get("last_update"))
    try:
        last_update = parse_kickoff(PROVIDER, updated) if updated else None
    except PayloadError:
        last_update = None
    return BookLine(
        book=text(book.get("key")) or "unknown",
        title=text(book.get("title")),
        home=prices["home"],
        away=prices["away"],
        draw=draw,
        margin=margin,
        prob=WinProbability(
            home=probs[0], away=probs[1], draw=probs[2] if draw is not None else None, source="market"
        ),
        last_update=last_update,
    )


def _outcomes(raw: Any, home_team: str, away_team: str) -> dict[str, float] | None:
    names = {"home": (home_team, normalize_team(home_team)), "away": (away_team, normalize_team(away_team))}
    prices: dict[str, float] = {}
    for outcome in as_list(raw):
        name, price = text(as_dict(outcome).get("name")), _price(as_dict(outcome).get("price"))
        side = _side(name, names)
        if price is None or side is None or side in prices:
            return None
        prices[side] = price
    return prices


def _price(value: Any) -> float | None:
    """A decimal price: a finite number above 1.0 (1.0 is a suspended or settled market)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        price = float(value)
    except OverflowError:
        return None
    return price if math.isfinite(price) and price > 1.0 else None


def _side(name: str, names: Mapping[str, tuple[str, str]]) -> str | None:
    if name.strip().lower() == DRAW:
        return DRAW
    for side, (exact, _) in names.items():
        if name == exact:
            return side
    normal = normalize_team(name)
    return next((side for side, (_, norm) in names.items() if norm == normal), None)


def _median(books: Sequence[BookLine], three_way: bool) -> WinProbability:
    home = statistics.median(b.prob.home for b in books)
    away = statistics.median(b.prob.away for b in books)
    draw = statistics.median(b.prob.draw or 0.0 for b in books) if three_way else 0.0
    total = home + away + draw
    return WinProbability(
        home=home / total, away=away / total, draw=draw / total if three_way else None, source="market"
    )


def _best(books: Sequence[BookLine], price: Callable[[BookLine], float]) -> BestPrice:
    top = max(books, key=price)
    return BestPrice(price=price(top), book=top.book)


def _dispersion(books: Sequence[BookLine], three_way: bool) -> float:
    outcomes = [[b.prob.home for b in books], [b.prob.away for b in books]]
    if three_way:
        outcomes.append([b.prob.draw or 0.0 for b in books])
    return max(max(values) - min(values) for values in outcomes)
