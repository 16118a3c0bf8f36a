"""Supervised background tasks: a task that dies is noticed at once, logged, reported and restarted.

Every long-lived task of scoreterm (the engine's pollers, a server's fan-out pump, the backplane's
loops) is started through a :class:`Supervisor`. When one ends unexpectedly — an exception, or a
return from a task that should run forever — the supervisor logs it with its traceback right
away, records the reason (``/health`` and the status bar read :meth:`Supervisor.problems`), and
starts it again after a backoff with full jitter. A task that keeps dying past ``max_restarts`` in
a row is given up on and ``on_give_up`` is called (the CLI exits non-zero from there): never a
process that looks alive and does nothing.

A task that ends with a ``CancelledError`` nobody asked for (it awaited something that was cancelled
under it) has died too, and is treated as such: only a cancellation of the task itself (``stop``,
``close``, the loop shutting down) is a normal end.
"""

from __future__ import annotations

import asyncio
import logging
import random
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from scoreterm.backoff import TASK_RESTART
from scoreterm.engine.clock import Clock, SystemClock

log = logging.getLogger(__name__)

# A restarted task that has run this long without dying again counts as recovered.
RECOVERED_AFTER_S = 60.0
DEFAULT_MAX_RESTARTS = 20
# How long stop()/close() wait for a cancelled task before leaving it behind (logged), and how often
# they cancel it again meanwhile.
CANCEL_PATIENCE_S = 10.0
RECANCEL_EVERY_S = 0.25

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
        if self._closing:
            # A late start during shutdown (a callback racing close()): nothing left to supervise it.
            log.debug("not starting %s: the supervisor is closed", name)
            return
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

    def task(self, name: str) -> asyncio.Task[None] | None:
        """The current asyncio task of ``name`` (it ends when the task does; None if never started)."""
        record = self._records.get(name)
        return record.task if record is not None else None

    def stop(self, name: str) -> asyncio.Future[None]:
        """Cancel the task ``name`` (and any pending restart) now; await the result to wait until it is over.

        The task is forgotten at once, so ``start(name, ...)`` may follow right away, even before the
        old run has finished unwinding.
        """
        record = self._records.pop(name, None)
        if record is None:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        return asyncio.ensure_future(_cancel(_cancelled(record)))

    async def close(self) -> None:
        """Cancel every task and wait until all are over."""
        self._closing = True
        records = list(self._records.values())
        self._records.clear()
        await _cancel([task for record in records for task in _cancelled(record)])

    def _launch(self, record: TaskRecord) -> None:
        record.waiting = None
        record.started_at = self._clock.monotonic()
        record.task = asyncio.get_running_loop().create_task(self._guard(record), name=record.name)

    async def _guard(self, record: TaskRecord) -> None:
        try:
            await record.factory()
        except asyncio.CancelledError as exc:
            current = asyncio.current_task()
            if current is None or current.cancelling() or not self._supervising(record):
                raise  # we (or the loop) asked for it: a normal end
            detail = "".join(traceback.format_exception(exc))
            log.error("background task %s was cancelled by something else\n%s", record.name, detail)
            self._failed(record, "cancelled unexpectedly")
            return
        except Exception as exc:
            if not self._supervising(record):
                log.debug("stopped task %s ended with %s", record.name, _describe(exc))
                return
            detail = "".join(traceback.format_exception(exc))
            log.error("background task %s died: %s\n%s", record.name, _describe(exc), detail)
            self._failed(record, _describe(exc))
            return
        if record.restart and self._supervising(record):
            log.error("background task %s ended although it should run until stopped", record.name)
            self._failed(record, "ended unexpectedly")
            return
        record.done = True

    def _supervising(self, record: TaskRecord) -> bool:
        """False once ``record`` was stopped (or the supervisor closed): its end is not a failure."""
        return not self._closing and self._records.get(record.name) is record

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
                try:
                    self._on_give_up(record.name, reason)
                except Exception:  # the hook must not die silently in the task that called it
                    log.exception("the give-up hook of %s failed", record.name)
            return
        if self._closing:
            return
        delay = TASK_RESTART.delay(record.failures_in_a_row, self._rng)
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


def _cancelled(record: TaskRecord) -> list[asyncio.Task[None]]:
    """Cancel what runs for ``record`` (its pending restart, its task); the tasks to wait for."""
    current = asyncio.current_task()
    tasks = [t for t in (record.waiting, record.task) if t is not None and not t.done() and t is not current]
    for task in tasks:
        task.cancel()
    return tasks


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Wait (bounded) until ``tasks`` are over, cancelling them again while they are not.

    Again and again (but not so often that a task's own cleanup is cut short): on Python 3.11
    ``asyncio.wait_for`` (redis-py sends with it) loses a cancellation that comes just as its reply
    does. ``asyncio.wait``, not awaiting each task under ``suppress(CancelledError)``: a cancellation
    of the caller must reach the caller, not be swallowed as if it were the task's.
    """
    pending = [task for task in tasks if not task.done()]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CANCEL_PATIENCE_S
    while pending and loop.time() < deadline:
        for task in pending:
            task.cancel()
        _, still = await asyncio.wait(pending, timeout=RECANCEL_EVERY_S)
        pending = list(still)
    for task in pending:
        log.error("background task %s did not stop within %.0fs", task.get_name(), CANCEL_PATIENCE_S)
