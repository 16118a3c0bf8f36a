"""A feed on an engine in this process: the engine publishes on a :class:`MemoryBus`, the feed
subscribes to its leagues' channels and yields what comes, resynchronising a consumer that falls
behind with fresh snapshots. The engine runs supervised: restarted with backoff when it dies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from scoreterm.bus.memory import DEFAULT_MAXSIZE, MemoryBus, SubscriptionLagged
from scoreterm.domain.channels import league_channel, table_channel
from scoreterm.domain.model import SourceStatus, StatusUpdate, TableUpdate, Update
from scoreterm.engine.engine import Engine
from scoreterm.engine.feed import ReplayControl
from scoreterm.engine.supervisor import Supervisor

ENGINE_TASK = "engine"


class LocalFeed:
    """Runs an :class:`Engine` in this process, supervised, and yields what it publishes.

    A consumer that falls too far behind is resynchronised with fresh snapshots instead of
    missing updates silently. An engine that dies is restarted with backoff (its store, and so
    its seqs, survive), and every league gets a ``degraded`` status saying so meanwhile; one
    that keeps dying ends the feed with :attr:`error` set, so the command exits non-zero.
    """

    def __init__(
        self,
        engine: Engine[MemoryBus],
        bus: MemoryBus,
        maxsize: int = DEFAULT_MAXSIZE,
        *,
        supervisor: Supervisor | None = None,
        replay: ReplayControl | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.replay = replay
        self._on_close = on_close
        self.leagues = [lg.slug for lg in engine.options.leagues]
        self.channels = [league_channel(s) for s in self.leagues] + [table_channel(s) for s in self.leagues]
        self._maxsize = maxsize
        self._subscription = bus.subscribe(self.channels, maxsize)
        self.supervisor = supervisor or Supervisor(engine.clock, on_give_up=self._gave_up)
        self._started = False
        self.error: BaseException | None = None

    async def start(self) -> None:
        """Start the engine in the background."""
        if not self._started:
            self._started = True
            self.supervisor.start(ENGINE_TASK, self._run_engine)

    async def _run_engine(self) -> None:
        try:
            await self.engine.run()
        except Exception as exc:
            await self._tell_failure(exc)
            raise
        # The engine is done (a tape played to its end, every match final): the feed ends, and
        # the task idles until closed, since the supervisor would take its return for a crash.
        self._subscription.close()
        await asyncio.Event().wait()

    async def _tell_failure(self, exc: Exception) -> None:
        message = f"engine restarting after {type(exc).__name__}: {str(exc)[:120]}"
        for channel in map(league_channel, self.leagues):
            status = SourceStatus(provider="engine", health=0.0, state="degraded", message=message)
            now = self.engine.clock.now()
            update = StatusUpdate(channel=channel, at=now, status=status)
            await self.bus.publish(update)

    def _gave_up(self, name: str, reason: str) -> None:
        self.error = RuntimeError(f"the {name} keeps failing ({reason})")
        self._subscription.close()

    def __aiter__(self) -> AsyncIterator[Update]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Update]:
        while True:
            try:
                async for update in self._subscription:
                    yield update
                return
            except SubscriptionLagged:
                self._subscription = self.bus.subscribe(self.channels, self._maxsize)
                for slug in self.leagues:
                    yield self.engine.snapshot(league_channel(slug))
                    table = self.engine.table(slug)
                    if table is not None:
                        now = self.engine.clock.now()
                        yield TableUpdate(channel=table_channel(slug), at=now, table=table)

    def focus(self, match_id: str | None) -> None:
        """Ask the engine to keep ``match_id``'s detail (timeline, odds, stats) fresh."""
        self.engine.focus(match_id)

    async def close(self) -> None:
        """Stop the engine, end iteration, and release what the feed was given to close."""
        self._subscription.close()
        await self.supervisor.close()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            await on_close()

    def describe(self) -> str | None:
        """Nothing to add: the engine's statuses say where the data comes from."""
        return None
