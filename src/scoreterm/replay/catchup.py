"""Start a replay part-way as if it had been watched from the start.

The engine builds a match's history poll by poll: its win-probability line, the swing each goal or
red card made, the events only a detail fetch brings. A replay started at the 20th minute
(``--from``, or a seek back, which plays the tape again on a fresh engine) would otherwise see its
first scoreboard at 1-0 with nothing before it. So before its first poll, a :class:`TapeEngine`
that starts part-way lets a twin engine play the tape from its start up to where the replay stands,
at max speed on a clock of its own (pausing the replay must not hold it up), and takes over what
the twin learnt. Nothing the twin publishes is seen: the replay's first update is the snapshot of
the state it reached.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from datetime import datetime

import httpx

from scoreterm.bus.memory import MemoryBus
from scoreterm.engine.clock import Clock, ScaledClock
from scoreterm.engine.engine import Engine, EngineOptions, PollSchedule
from scoreterm.providers.base import Provider
from scoreterm.replay.player import ReplayTransport

WarmUp = Callable[[], Awaitable[Engine[MemoryBus]]]
"""Plays the tape up to where the replay starts; returns the engine that did."""
TwinFactory = Callable[[ScaledClock], tuple[Engine[MemoryBus], httpx.AsyncClient]]
"""Builds the twin engine (and the client to close after it) on the catch-up clock."""


class TapeEngine(Engine[MemoryBus]):
    """An engine playing a tape; given a ``warm_up``, it first catches up with the tape's past.

    Args:
        providers: as for :class:`~scoreterm.engine.engine.Engine`.
        bus: where updates go.
        clock: the replay's clock.
        options: as for :class:`~scoreterm.engine.engine.Engine`.
        warm_up: run once before the first poll (None: the replay starts at the tape's start).
        rng: as for :class:`~scoreterm.engine.engine.Engine`.
    """

    def __init__(
        self,
        providers: list[Provider],
        bus: MemoryBus,
        clock: Clock,
        options: EngineOptions,
        *,
        warm_up: WarmUp | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(providers, bus, clock, options, rng)
        self._warm_up = warm_up

    async def run(self) -> None:
        """Catch up (once, even when restarted after a crash), then poll as any engine does."""
        if self._warm_up is not None:
            twin = await self._warm_up()
            # The match states, seqs and events already stamped, the probability line: the store is
            # the history. Sources, timers and tables start afresh, as on any first poll.
            self.store, self.identity = twin.store, twin.identity
            self._warm_up = None
        await super().run()


async def catch_up(
    build: TwinFactory, started_at: datetime, *, then: Callable[[], None] | None = None
) -> Engine[MemoryBus]:
    """Play a tape from its start on a twin engine at max speed, until its schedule says stop.

    Args:
        build: makes the twin on the clock given (its schedule decides where it stops:
            see :func:`tape_schedule`).
        started_at: the tape's ``started_at``, where the twin's clock starts.
        then: called when the catch-up ends, however it ends (the replay's clock is released).

    Returns:
        The twin, its store holding the tape's history up to there.
    """
    try:
        twin, client = build(ScaledClock(started_at, math.inf))
        try:
            await twin.run()
        finally:
            twin.cancel_detail_fetches()
            await client.aclose()
    finally:
        if then is not None:
            then()
    return twin


def tape_schedule(transport: ReplayTransport, until: Callable[[], float] | None = None) -> PollSchedule:
    """When an engine playing ``transport``'s tape polls next: at the tape's next frame.

    Args:
        transport: the tape's transport on the engine's clock.
        until: where to stop, in tape seconds, asked anew each time (None: at the end of the
            tape). A frame at exactly that time is still played.
    """

    def schedule() -> float | None:
        # The next frame after where the last poll began, not after now: frames the clock passed
        # while the poll ran (at max speed, on a busy machine) are still to be seen.
        position = transport.position()
        polled = transport.take_first_request()
        upcoming = transport.next_frame_time(position if polled is None else min(polled, position))
        if upcoming is None or (until is not None and upcoming > until()):
            return None
        return max(0.0, upcoming - position)

    return schedule
