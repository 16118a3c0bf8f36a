"""The engine's second odds source: several bookmakers' consensus (The Odds API), opt-in and frugal.

The free plan has 500 credits a month, so :class:`ConsensusKeeper` asks only when
:func:`scoreterm.providers.oddsapi_budget.should_fetch` says it is worth a credit: around kick-off
and shortly after a goal or a red card, never more often than its policy allows, and never past
the monthly budget (the provider refuses before sending). Each event it gets is attached to the
match it belongs to (teams and kick-off), where the win probability and the odds panel read it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from scoreterm.domain.consensus import OddsConsensus
from scoreterm.domain.model import League, Match, PhaseState
from scoreterm.engine.clock import Clock
from scoreterm.providers.base import ProviderError
from scoreterm.providers.oddsapi import BudgetExhausted
from scoreterm.providers.oddsapi_budget import should_fetch
from scoreterm.providers.oddsapi_normalize import find_event
from scoreterm.providers.values import warn_once

log = logging.getLogger(__name__)

# A month's budget spent: ask again (the provider decides) no sooner than this.
EXHAUSTED_PAUSE = timedelta(hours=6)


class ConsensusSource(Protocol):
    """What the engine needs of an odds-consensus provider."""

    name: str

    @property
    def configured(self) -> bool:
        """False without a key: then nothing is ever asked."""
        ...

    def supports(self, league: str) -> bool:
        """True when the source carries ``league``."""
        ...

    async def odds(self, league: str) -> list[OddsConsensus]:
        """The consensus of every event the source lists for ``league``."""
        ...


Attach = Callable[[Match, OddsConsensus], Awaitable[None]]


@dataclass
class _League:
    last_fetch: datetime | None = None
    triggers: list[datetime] = field(default_factory=list)
    paused_until: datetime | None = None


class ConsensusKeeper:
    """When to ask the consensus source, per league, and where its answers go."""

    def __init__(self, source: ConsensusSource | None, clock: Clock) -> None:
        self.source = source
        self._clock = clock
        self._leagues: dict[str, _League] = {}
        self.requests = 0

    def active(self, league: League) -> bool:
        """True when there is a configured source that carries ``league``."""
        return self.source is not None and self.source.configured and self.source.supports(league.slug)

    def trigger(self, league: str) -> None:
        """A goal or a red card in ``league``: the market moved, a fresh consensus is worth a credit."""
        self._leagues.setdefault(league, _League()).triggers.append(self._clock.now())

    async def refresh(self, league: League, matches: list[Match], attach: Attach) -> None:
        """Ask the source if the policy says so, and attach each event to its match."""
        if self.source is None or not self.active(league):
            return
        state = self._leagues.setdefault(league.slug, _League())
        now = self._clock.now()
        if state.paused_until is not None and now < state.paused_until:
            return
        open_matches = [m for m in matches if m.phase.state in (PhaseState.SCHEDULED, PhaseState.LIVE)]
        kickoffs = [m.kickoff for m in open_matches]
        if not kickoffs or not should_fetch(
            now, kickoffs=kickoffs, triggers=state.triggers, last_fetch=state.last_fetch
        ):
            return
        state.last_fetch = now
        state.triggers = [t for t in state.triggers if t > now]
        self.requests += 1
        try:
            events = await self.source.odds(league.slug)
        except BudgetExhausted as exc:
            state.paused_until = now + EXHAUSTED_PAUSE
            warn_once(log, "%s", exc)
            return
        except ProviderError as exc:
            log.info("odds consensus for %s: %s", league.slug, exc)
            return
        for match in open_matches:
            found = find_event(events, match.home.name, match.away.name, match.kickoff)
            if found is not None and found != match.consensus:
                await attach(match, found)
