"""Feeds: what the TUI and the headless printers consume, ``async for update in feed``.

A feed first yields a snapshot per channel, then every update in order. ``LocalFeed`` runs an
engine in-process; the WebSocket client and replay present the same interface, so consumers cannot
tell them apart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol

from scoreterm.bus.memory import DEFAULT_MAXSIZE, SubscriptionLagged, league_channel
from scoreterm.domain.model import Update
from scoreterm.engine.engine import Engine


class Feed(Protocol):
    """A source of updates; start it, iterate it, close it."""

    async def start(self) -> None:
        """Begin producing updates."""
        ...

    def __aiter__(self) -> AsyncIterator[Update]:
        """Yield updates until the feed ends (tape over) or is closed."""
        ...

    def focus(self, match_id: str | None) -> None:
        """Someone opened ``match_id`` (None: closed it): keep its detail fresh."""
        ...

    async def close(self) -> None:
        """Stop producing and release resources."""
        ...


class LocalFeed:
    """Runs an :class:`Engine` in this process and yields what it publishes.

    A consumer that falls too far behind is resynchronised with fresh snapshots instead of
    missing updates silently.
    """

    def __init__(self, engine: Engine, maxsize: int = DEFAULT_MAXSIZE) -> None:
        self.engine = engine
        self.channels = [league_channel(lg.slug) for lg in engine.options.leagues]
        self._maxsize = maxsize
        self._subscription = engine.bus.subscribe(self.channels, maxsize)
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None

    async def start(self) -> None:
        """Start the engine in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run_engine())

    async def _run_engine(self) -> None:
        try:
            await self.engine.run()
        except Exception as exc:  # surfaced to the consumer via .error, not lost in a task
            self.error = exc
            raise
        finally:
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
                self._subscription = self.engine.bus.subscribe(self.channels, self._maxsize)
                for channel in self.channels:
                    yield self.engine.snapshot(channel)

    def focus(self, match_id: str | None) -> None:
        """Ask the engine to keep ``match_id``'s detail (timeline, odds, stats) fresh."""
        self.engine.focus(match_id)

    async def close(self) -> None:
        """Stop the engine and end iteration."""
        self._subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class QueueFeed:
    """A feed of whatever is pushed into it, in order, until closed.

    For embedding the dashboard in another program, and for tests and benchmarks that script
    exactly what the app sees. ``focused`` records what the app asked to keep fresh.
    """

    def __init__(self, updates: list[Update] | None = None) -> None:
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue()
        for update in updates or []:
            self._queue.put_nowait(update)
        self.focused: list[str | None] = []

    def push(self, update: Update) -> None:
        """Queue ``update`` for the consumer."""
        self._queue.put_nowait(update)

    async def start(self) -> None:
        """Nothing to start: updates come from :meth:`push`."""

    def focus(self, match_id: str | None) -> None:
        """Record the request."""
        self.focused.append(match_id)

    def __aiter__(self) -> AsyncIterator[Update]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Update]:
        while (update := await self._queue.get()) is not None:
            yield update

    async def close(self) -> None:
        """End iteration after what is already queued."""
        self._queue.put_nowait(None)
