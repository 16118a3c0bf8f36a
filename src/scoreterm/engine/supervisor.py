"""Supervised background tasks: a task that dies is noticed at once, logged, reported and restarted.

Every long-lived task of scoreterm (the engine's pollers, a server's fan-out pump, the backplane's
loops) is started through a :class:`Supervisor`. When one ends unexpectedly — an exception, or a
return from a task that should run forever — the supervisor logs it with its traceback right
away, records the reason (``/health`` and the status bar read :meth:`Supervisor.problems`), and
starts it again after a backoff with full jitter. A task that keeps dying past ``max_restarts`` in
a row is given up on and ``on_give_up`` is called (the CLI exits non-zero from there): never a
process that looks alive and does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from scoreterm.engine.clock import Clock, SystemClock
from scoreterm.engine.interval import full_jitter

log = logging.getLogger(__name__)

RESTART_BASE_S = 1.0
RESTART_CAP_S = 30.0
# A restarted task that has run this long without dying again counts as recovered.
RECOVERED_AFTER_S = 60.0
DEFAULT_MAX_RESTARTS = 20

TaskFactory = Callable[[], Awaitable[None]]


@dataclass
class TaskRecord:
    """What the supervisor knows of one named task."""

    name: str
    factory: TaskFactory
    restart: bool
    task: asyncio.Task[None] | None = None
    restarts: int = 0
    failures_in_a_row: int = 0
    last_error: str = ""
    failed_at: float | None = None
    started_at: float = 0.0
    gave_up: bool = False
    done: bool = False
    waiting: asyncio.Task[None] | None = field(default=None, repr=False)


class Supervisor:
    """Runs named tasks and restarts the ones that end when they should not.

    Args:
        clock: time for backoffs and for "recovered" (a fake clock in tests).
        rng: random source of the backoff jitter.
        max_restarts: failures in a row after which a task is given up on.
        on_give_up: called with the task's name and last error when it is given up on.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        rng: random.Random | None = None,
        max_restarts: int = DEFAULT_MAX_RESTARTS,
        on_give_up: Callable[[str, str], None] | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._max_restarts = max_restarts
        self._on_give_up = on_give_up
        self._records: dict[str, TaskRecord] = {}
        self._closing = False

    def start(self, name: str, factory: TaskFactory, *, restart: bool = True) -> None:
        """Run ``factory()`` as the task ``name``.

        Args:
            name: unique name, shown in logs and in :meth:`problems`.
            factory: builds a fresh coroutine each time the task (re)starts.
            restart: False for a task that may end on its own (a tape played to its end): only an
                exception is then a failure, and it is reported but not restarted.

        Raises:
            ValueError: a task of that name is already running.
        """
        known = self._records.get(name)
        if known is not None and not known.done and not known.gave_up:
            raise ValueError(f"task {name!r} is already supervised")
        record = TaskRecord(name, factory, restart)
        self._records[name] = record
        self._launch(record)

    def running(self, name: str) -> bool:
        """True while the task ``name`` is running (not waiting to restart, not over)."""
        record = self._records.get(name)
        return record is not None and record.task is not None and not record.task.done()

    def problems(self) -> dict[str, str]:
        """Tasks in trouble now, by name: dead and waiting to restart, given up on, or restarted
        less than a minute ago, each with the reason."""
        now = self._clock.monotonic()
        found: dict[str, str] = {}
        for record in self._records.values():
            if record.failed_at is None:
                continue
            if record.gave_up:
                found[record.name] = f"stopped after {record.restarts} restarts: {record.last_error}"
            elif record.waiting is not None:
                found[record.name] = f"restarting after: {record.last_error}"
            elif record.restart and now - record.started_at < RECOVERED_AFTER_S:
                found[record.name] = f"restarted {record.restarts}x, last: {record.last_error}"
            elif not record.restart and record.done:
                found[record.name] = f"failed: {record.last_error}"
        return found

    def stats(self) -> dict[str, int]:
        """Restarts per task (for ``/health`` and metrics)."""
        return {name: record.restarts for name, record in self._records.items()}

    async def stop(self, name: str) -> None:
        """Cancel the task ``name`` (and any pending restart) and wait until it is over."""
        record = self._records.pop(name, None)
        if record is not None:
            await _cancel(record)

    async def close(self) -> None:
        """Cancel every task and wait until all are over."""
        self._closing = True
        records = list(self._records.values())
        self._records.clear()
        for record in records:
            await _cancel(record)

    def _launch(self, record: TaskRecord) -> None:
        record.waiting = None
        record.started_at = self._clock.monotonic()
        record.task = asyncio.get_running_loop().create_task(self._guard(record), name=record.name)

    async def _guard(self, record: TaskRecord) -> None:
        try:
            await record.factory()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            detail = "".join(traceback.format_exception(exc))
            log.error("background task %s died: %s\n%s", record.name, _describe(exc), detail)
            self._failed(record, _describe(exc))
            return
        if record.restart and not self._closing:
            log.error("background task %s ended although it should run until stopped", record.name)
            self._failed(record, "ended unexpectedly")
            return
        record.done = True

    def _failed(self, record: TaskRecord, reason: str) -> None:
        now = self._clock.monotonic()
        if record.failed_at is not None and now - record.started_at >= RECOVERED_AFTER_S:
            record.failures_in_a_row = 0
        record.failures_in_a_row += 1
        record.failed_at, record.last_error = now, reason
        if not record.restart:
            record.done = True
            return
        if record.failures_in_a_row > self._max_restarts:
            record.gave_up = True
            log.critical("background task %s keeps failing; giving up: %s", record.name, reason)
            if self._on_give_up is not None:
                self._on_give_up(record.name, reason)
            return
        if self._closing:
            return
        delay = full_jitter(record.failures_in_a_row, base=RESTART_BASE_S, cap=RESTART_CAP_S, rng=self._rng)
        count = record.failures_in_a_row
        log.warning("restarting %s in %.1fs (failure %d in a row)", record.name, delay, count)
        record.waiting = asyncio.get_running_loop().create_task(self._restart_later(record, delay))

    async def _restart_later(self, record: TaskRecord, delay: float) -> None:
        await self._clock.sleep(delay)
        if self._closing or self._records.get(record.name) is not record:
            return
        record.restarts += 1
        self._launch(record)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _cancel(record: TaskRecord) -> None:
    for task in (record.waiting, record.task):
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
