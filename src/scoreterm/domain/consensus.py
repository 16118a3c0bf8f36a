"""Bookmakers' consensus on a match (The Odds API): the median chances, best prices, each book's
margin. Pure data; the provider builds it, the engine attaches it to the match it belongs to."""

from __future__ import annotations

from datetime import datetime

import msgspec


class BookLine(msgspec.Struct, frozen=True, kw_only=True):
    """One book's h2h prices (decimal), its margin and its de-margined probability."""

    book: str
    title: str
    home: float
    away: float
    draw: float | None
    margin: float
    prob: WinProbability
    last_update: datetime | None = None


class BestPrice(msgspec.Struct, frozen=True, kw_only=True):
    """The highest decimal price any book offers for one outcome, and which book."""

    price: float
    book: str


class OddsConsensus(msgspec.Struct, frozen=True, kw_only=True):
    """What the books agree on for one event: the median probability, best prices, each margin.

    ``in_play`` is True when some book updated after the scheduled start.
    """

    event_id: str
    sport_key: str
    kickoff: datetime
    home_team: str
    away_team: str
    prob: WinProbability
    best_home: BestPrice
    best_away: BestPrice
    best_draw: BestPrice | None
    books: tuple[BookLine, ...]
    dispersion: float
    in_play: bool = False

    @property
    def margins(self) -> dict[str, float]:
        """Each book's margin (``0.05`` for 5%), by book key."""
        return {line.book: line.margin for line in self.books}


# model.py imports this module at its end (a Match carries one); importing model at the end here
# too lets either module be imported first. msgspec resolves the annotations on first use.
from scoreterm.domain.model import WinProbability  # noqa: E402
