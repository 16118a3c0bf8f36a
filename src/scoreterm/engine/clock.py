"""Time for the engine: the Clock protocol, the system clock, a fake clock and a scaled clock.

The engine never reads the wall clock or sleeps on its own; it takes a :class:`Clock`. Tests drive a
:class:`FakeClock` by hand (no real sleeps), and replay runs on a :class:`ScaledClock` whose virtual
time runs at any speed, pauses and jumps.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Float rounding in speed conversions must not leave a sleeper a hair short of its deadline,
# waiting for a tick that never comes.
_EPSILON_S = 1e-9


class Clock(Protocol):
    """Where the engine gets time from."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards (for intervals and deadlines)."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; zero or negative returns at once."""


class SystemClock:
    """The real clock: ``datetime.now(UTC)``, ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await asyncio.sleep(max(0.0, seconds))


def _as_utc(start: datetime) -> datetime:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"clock start must be timezone-aware, got {start!r}")
    return start.astimezone(UTC)


class _Sleepers:
    """Futures waiting for a deadline, in deadline order (ties: first come, first woken)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def add(self, deadline: float) -> asyncio.Future[None]:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (deadline, next(self._order), waiter))
        return waiter

    def next_deadline(self) -> float | None:
        while self._heap and self._heap[0][2].done():  # cancelled sleepers
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def wake_due(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now + _EPSILON_S:
            waiter = heapq.heappop(self._heap)[2]
            if not waiter.done():
                waiter.set_result(None)

    def __len__(self) -> int:
        return sum(1 for _, _, waiter in self._heap if not waiter.done())


class _VirtualClock:
    """What the fake and scaled clocks share: a start, seconds elapsed since, and sleepers."""

    def __init__(self, start: datetime) -> None:
        self._start = _as_utc(start)
        self._sleepers = _Sleepers()

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        raise NotImplementedError

    def now(self) -> datetime:
        """Return the start plus the seconds elapsed."""
        return self._start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        """Return the seconds elapsed since the start."""
        return self.elapsed

    @property
    def pending_sleepers(self) -> int:
        """How many tasks are asleep on this clock."""
        return len(self._sleepers)


class FakeClock(_VirtualClock):
    """A clock for tests: time stands still until :meth:`advance` moves it.

    ``monotonic()`` starts at 0. Sleepers wake in deadline order, each seeing ``now()`` equal to its
    own deadline, and get to run before the next one wakes.

    Args:
        start: the aware datetime ``now()`` returns before any advance.
        settle_rounds: how many times :meth:`run_until_idle` yields to the event loop.
    """

    def __init__(self, start: datetime, *, settle_rounds: int = 20) -> None:
        super().__init__(start)
        self._elapsed = 0.0
        self._settle_rounds = settle_rounds

    @property
    def elapsed(self) -> float:
        """Seconds advanced so far."""
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced by ``seconds``."""
        if seconds <= 0:
            # Still yield: a loop that sleeps 0 must not starve the others.
            await asyncio.sleep(0)
            return
        await self._sleepers.add(self._elapsed + seconds)

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose deadline passes, in deadline order.

        A woken task that sleeps again within the advanced span wakes again before this returns.
        """
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        target = self._elapsed + seconds
        # Let tasks that are ready reach their sleep first, so `create_task(...); advance(n)` works.
        await self.run_until_idle()
        while (deadline := self._sleepers.next_deadline()) is not None and deadline <= target + _EPSILON_S:
            self._elapsed = max(self._elapsed, deadline)
            self._sleepers.wake_due(self._elapsed)
            await self.run_until_idle()
        self._elapsed = max(self._elapsed, target)
        await self.run_until_idle()

    async def run_until_idle(self) -> None:
        """Yield to the event loop a few times so woken tasks run until they block again."""
        for _ in range(self._settle_rounds):
            await asyncio.sleep(0)


def _checked_speed(speed: float) -> float:
    if math.isnan(speed) or speed <= 0:
        raise ValueError(f"speed must be positive (or math.inf), got {speed}")
    return float(speed)


class ScaledClock(_VirtualClock):
    """Virtual time for replay, running ``speed`` times as fast as an underlying ``real`` clock.

    ``speed`` may be ``math.inf`` ("max"): virtual time then moves only by sleeping, every sleep
    returning at once and advancing virtual time to its deadline. The clock can change speed,
    pause (sleepers wait, virtual time stands still) and jump forward, waking whoever is due —
    also while paused, so seeking a paused replay shows the new position. A :meth:`hold` stops
    time as a pause does but is not the user's: a replay is held while it catches up with the
    tape's past, and pausing or resuming meanwhile only says what happens once it is released.

    Args:
        base_start: the aware datetime virtual time starts at.
        speed: virtual seconds per real second, or ``math.inf``.
        real: the clock real time comes from (a :class:`FakeClock` in tests).
    """

    def __init__(self, base_start: datetime, speed: float = 1.0, real: Clock | None = None) -> None:
        super().__init__(base_start)
        self._speed = _checked_speed(speed)
        self._real: Clock = real if real is not None else SystemClock()
        self._anchor_virtual = 0.0
        self._anchor_real = self._real.monotonic()
        self._paused = False
        self._held = False
        self._driver: asyncio.Task[None] | None = None
        self._driver_target = -math.inf

    @property
    def elapsed(self) -> float:
        """Virtual seconds since ``base_start``."""
        if self._stopped or math.isinf(self._speed):
            return self._anchor_virtual
        return self._anchor_virtual + (self._real.monotonic() - self._anchor_real) * self._speed

    @property
    def real(self) -> Clock:
        """The clock real time comes from (what a replay's ages in real seconds are counted on)."""
        return self._real

    @property
    def speed(self) -> float:
        """Virtual seconds per real second (``math.inf`` at max speed)."""
        return self._speed

    @property
    def paused(self) -> bool:
        """True while the user has paused (see :meth:`pause`; a :meth:`hold` is not a pause)."""
        return self._paused

    @property
    def held(self) -> bool:
        """True between :meth:`hold` and :meth:`release`."""
        return self._held

    @property
    def _stopped(self) -> bool:
        return self._paused or self._held

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on; sleepers re-time what is left of their wait."""
        speed = _checked_speed(speed)
        self._reanchor()
        self._speed = speed
        self._restart_driver()

    def pause(self) -> None:
        """Freeze virtual time; sleepers wait until :meth:`resume`."""
        if not self._paused:
            self._reanchor()
            self._paused = True
            self._restart_driver()

    def resume(self) -> None:
        """Let virtual time run again from where it stood (once released, if held)."""
        if self._paused:
            self._anchor_real = self._real.monotonic()
            self._paused = False
            self._restart_driver()

    def hold(self) -> None:
        """Stop virtual time until :meth:`release`, whatever pause and resume say meanwhile."""
        if not self._held:
            self._reanchor()
            self._held = True
            self._restart_driver()

    def release(self) -> None:
        """End a :meth:`hold`: time runs again from where it stood, unless the user paused."""
        if self._held:
            self._anchor_real = self._real.monotonic()
            self._held = False
            self._restart_driver()

    def jump(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds`` and wake the sleepers now due."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._reanchor()
        self._anchor_virtual += seconds
        self._sleepers.wake_due(self._anchor_virtual)
        self._restart_driver()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        deadline = self.elapsed + seconds
        waiter = self._sleepers.add(deadline)
        driver_idle = self._driver is None or self._driver.done()
        if driver_idle or deadline < self._driver_target:
            self._restart_driver()
        try:
            await waiter
        finally:
            if not self._sleepers:
                self._stop_driver()

    def _reanchor(self) -> None:
        self._anchor_virtual = self.elapsed
        self._anchor_real = self._real.monotonic()

    def _stop_driver(self) -> None:
        if self._driver is not None and not self._driver.done():
            self._driver.cancel()
        self._driver = None
        self._driver_target = -math.inf

    def _restart_driver(self) -> None:
        # One driver task waits (on the real clock) for the earliest deadline; any change of
        # speed, pause or position simply replaces it, which keeps sleepers plain futures.
        self._stop_driver()
        if not self._stopped and self._sleepers:
            self._driver = asyncio.get_running_loop().create_task(self._drive())

    async def _drive(self) -> None:
        while not self._stopped and (deadline := self._sleepers.next_deadline()) is not None:
            if math.isinf(self._speed):
                # Yield first, so tasks about to sleep register and concurrent sleepers wake in order.
                await asyncio.sleep(0)
                deadline = self._sleepers.next_deadline()
                if deadline is None:
                    break
                self._anchor_virtual = max(self._anchor_virtual, deadline)
            else:
                remaining = deadline - self.elapsed
                if remaining > _EPSILON_S:
                    self._driver_target = deadline
                    await self._real.sleep(remaining / self._speed)
                    self._driver_target = -math.inf
            self._sleepers.wake_due(self.elapsed)
        self._driver = None
