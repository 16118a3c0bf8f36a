"""Feeds: what the TUI and the headless printers consume, ``async for update in feed``.

A feed first yields a snapshot per channel, then every update in order. :class:`Feed` is all a
consumer may use: the in-process engine (``scoreterm.bus.local_feed.LocalFeed``, live or playing a
tape), the WebSocket client (``scoreterm.net.client.RemoteFeed``) and :class:`QueueFeed` present it
alike, so consumers cannot tell them apart. A feed playing a tape also offers its
:class:`ReplayControl`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from scoreterm.domain.model import Update
from scoreterm.engine.clock import ScaledClock


class ReplayControl(Protocol):
    """What the UI can do with a replay: its clock (pause, speed, jump) and where it stands."""

    name: str

    @property
    def clock(self) -> ScaledClock:
        """The tape's clock: pause, resume, speed, jump forward."""
        ...

    @property
    def position(self) -> float:
        """Seconds into the tape, never past its end."""
        ...

    @property
    def duration(self) -> float:
        """Length of the tape in seconds."""
        ...

    def restart_at(self, offset: float) -> Feed:
        """A fresh feed on the same tape, at the same speed, from ``offset`` seconds (it plays the
        tape from its start up to there first: an engine's state cannot run backwards, and one
        that skipped ahead would miss what the skipped frames held)."""
        ...


class Feed(Protocol):
    """A source of updates; start it, iterate it, close it."""

    replay: ReplayControl | None
    """The tape being played, when the feed plays one (pause, speed, jump)."""

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

    def describe(self) -> str | None:
        """What the feed is connected to and how, for the status bar (None: the statuses say it)."""
        ...


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
        self.replay: ReplayControl | None = None

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

    def describe(self) -> str | None:
        """Nothing to say: the updates pushed carry their own statuses."""
        return None
