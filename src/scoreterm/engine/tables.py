"""The engine's live tables: the official standings of each league with every match in play applied.

:class:`TableKeeper` decides when a league's official table is due (at start, hourly, and shortly
after each full time, when the provider's standings catch up), keeps the last official table
through failures, and recomputes the live table (the pure
:func:`scoreterm.domain.live_table.live_table`) from the store's matches after every poll. A new
live table is published only when it changed, so a goal moves the table without any extra request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import msgspec

from scoreterm.domain.leagues import get_league
from scoreterm.domain.live_table import live_table
from scoreterm.domain.model import League, Match
from scoreterm.domain.table import LiveTable, Table
from scoreterm.domain.tiebreak import rules_for
from scoreterm.engine.clock import Clock
from scoreterm.providers.base import Provider
from scoreterm.providers.registry import NoProviderAnswered, first_table, standings_sources

log = logging.getLogger(__name__)

TABLE_EVERY_S = 3600.0
# The provider's standings lag a full time: ask again a little after it, then once more.
AFTER_FINAL_S = (120.0, 900.0)
RETRY_S = 600.0


@dataclass
class _League:
    official: Table | None = None
    live: LiveTable | None = None
    due_at: float = 0.0
    refetch_at: list[float] = field(default_factory=list)
    unsupported: bool = False
    after_detail: bool = False


class TableKeeper:
    """Official and live tables per league, and when to ask for the official one again."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._leagues: dict[str, _League] = {}

    def _state(self, slug: str) -> _League:
        return self._leagues.setdefault(slug, _League())

    def due(self, slug: str) -> bool:
        """True when the official table of ``slug`` should be asked for now."""
        state = self._state(slug)
        if state.unsupported:
            return False
        now = self._clock.monotonic()
        return now >= state.due_at or any(now >= at for at in state.refetch_at)

    def fetched(self, slug: str, table: Table | None) -> None:
        """Record an answer: a table (None: the provider has none now; try again later)."""
        state = self._state(slug)
        now = self._clock.monotonic()
        state.refetch_at = [at for at in state.refetch_at if at > now]
        if table is None:
            state.due_at, state.after_detail = now + RETRY_S, True
            return
        state.official, state.due_at, state.after_detail = table, now + TABLE_EVERY_S, False

    def detail_arrived(self, slug: str) -> bool:
        """A match detail of ``slug`` was fetched. True (once after each failed ask) when the table is
        worth asking again at once: a summary can carry the group table the standings lacked."""
        state = self._state(slug)
        if not state.after_detail or state.unsupported:
            return False
        state.after_detail, state.due_at = False, self._clock.monotonic()
        return True

    def unsupported(self, slug: str) -> None:
        """No provider of ``slug`` has standings: stop asking."""
        self._state(slug).unsupported = True

    def full_time(self, slug: str) -> None:
        """A match of ``slug`` ended: ask for the official table again shortly."""
        now = self._clock.monotonic()
        self._state(slug).refetch_at.extend(now + delay for delay in AFTER_FINAL_S)

    def official(self, slug: str) -> Table | None:
        """The last official table of ``slug``."""
        return self._state(slug).official

    def live(self, slug: str) -> LiveTable | None:
        """The last live table of ``slug``."""
        return self._state(slug).live

    async def fetch(self, league: League, providers: list[Provider]) -> None:
        """The official table from the first of ``providers`` (the active one first) that has
        standings; none having any stops the asking. Failures are an optional endpoint's: they
        say nothing of the scoreboard's health."""
        sources = standings_sources(providers, league)
        if not sources:
            self.unsupported(league.slug)
            return
        try:
            table = await first_table(sources, league, self._clock.now())
        except NoProviderAnswered as exc:
            log.info("%s", exc)
            self.fetched(league.slug, None)
            return
        self.fetched(league.slug, table)

    def recompute(self, slug: str, matches: list[Match]) -> LiveTable | None:
        """The live table of ``slug`` from its matches now; None unless it changed.

        A match clock ticking on is not a change of the table (readers take the minute from the
        match itself): the table goes out when a score, a phase, a place or the official table
        moves, not with every poll of a match in play.
        """
        state = self._state(slug)
        if state.official is None:
            return None
        try:
            sport = get_league(slug).sport
            table = live_table(state.official, matches, rules_for(slug, sport), previous=state.live)
        except Exception as exc:  # a table that cannot be computed must not stop the poller
            log.warning("live table of %s not computed: %s", slug, exc)
            return None
        previous, state.live = state.live, table
        if previous is not None and without_clocks(previous) == without_clocks(table):
            return None
        return table


def without_clocks(table: LiveTable) -> LiveTable:
    """``table`` with the clocks of its matches in play blanked: what a change is judged on."""
    groups = tuple(
        msgspec.structs.replace(
            group,
            entries=tuple(
                msgspec.structs.replace(row, live=msgspec.structs.replace(row.live, clock=""))
                if row.live is not None and row.live.clock
                else row
                for row in group.entries
            ),
        )
        for group in table.groups
    )
    return msgspec.structs.replace(table, groups=groups)
