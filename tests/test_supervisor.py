"""The Supervisor: a dead task is logged with its traceback at once, reported, restarted with backoff,
given up on after too many failures in a row; stopping is clean and never swallows the caller's cancel.

Time is a FakeClock (the backoff and the "recovered after a minute" rule are driven by ``advance``),
the jitter a seeded ``random.Random`` whose draws the test repeats to know each delay.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime

import pytest

from scoreterm.backoff import TASK_RESTART
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.supervisor import RECOVERED_AFTER_S, Supervisor

START = datetime(2026, 6, 11, 19, tzinfo=UTC)
SEED = 11


def delays(count: int) -> list[float]:
    """The backoffs a Supervisor seeded with SEED draws for failures 1..count in a row."""
    rng = random.Random(SEED)
    return [TASK_RESTART.delay(n, rng) for n in range(1, count + 1)]


class Flaky:
    """A task body that fails its first ``failures`` runs, then runs until cancelled."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0
        self.running = asyncio.Event()

    async def __call__(self) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise RuntimeError(f"boom {self.runs}")
        self.running.set()
        await asyncio.Event().wait()


async def test_a_dead_task_is_logged_reported_and_restarted_after_its_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock, rng=random.Random(SEED))
    body = Flaky(failures=1)
    with caplog.at_level(logging.WARNING, logger="scoreterm.engine.supervisor"):
        supervisor.start("pump", body)
        await clock.run_until_idle()
    died = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(died) == 1 and "pump" in died[0].getMessage()
    assert "Traceback" in died[0].getMessage() and "RuntimeError: boom 1" in died[0].getMessage()
    assert supervisor.problems() == {"pump": "restarting after: RuntimeError: boom 1"}
    assert not supervisor.running("pump")

    (delay,) = delays(1)
    await clock.advance(delay * 0.99)
    assert body.runs == 1  # not before its backoff
    await clock.advance(delay * 0.02)
    assert body.runs == 2 and body.running.is_set() and supervisor.running("pump")
    assert supervisor.problems() == {"pump": "restarted 1x, last: RuntimeError: boom 1"}
    assert supervisor.stats() == {"pump": 1}

    await clock.advance(RECOVERED_AFTER_S)
    assert supervisor.problems() == {}
    await supervisor.close()


async def test_backoff_grows_with_failures_in_a_row() -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock, rng=random.Random(SEED))
    body = Flaky(failures=4)
    supervisor.start("pump", body)
    await clock.run_until_idle()
    for run, delay in enumerate(delays(4), start=2):
        await clock.advance(delay)
        assert body.runs == run
    assert body.running.is_set()
    assert delays(4)[3] <= 8.0  # full jitter under base * 2**3
    await supervisor.close()


async def test_a_task_that_returns_when_it_should_run_for_ever_is_restarted() -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock, rng=random.Random(SEED))
    runs = 0

    async def returns() -> None:
        nonlocal runs
        runs += 1

    supervisor.start("keeper", returns)
    await clock.run_until_idle()
    assert supervisor.problems() == {"keeper": "restarting after: ended unexpectedly"}
    await clock.advance(delays(1)[0])
    assert runs == 2
    await supervisor.close()


async def test_a_one_shot_task_may_end_but_its_failure_is_reported() -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock)

    async def done() -> None:
        return

    async def fails() -> None:
        raise ValueError("bad tape")

    supervisor.start("ok", done, restart=False)
    supervisor.start("bad", fails, restart=False)
    await clock.advance(3600)
    assert supervisor.problems() == {"bad": "failed: ValueError: bad tape"}
    assert supervisor.stats() == {"ok": 0, "bad": 0}
    await supervisor.close()


async def test_too_many_failures_in_a_row_give_up_and_call_the_hook() -> None:
    clock = FakeClock(START)
    given_up: list[tuple[str, str]] = []
    supervisor = Supervisor(
        clock, rng=random.Random(SEED), max_restarts=2, on_give_up=lambda n, r: given_up.append((n, r))
    )
    body = Flaky(failures=100)
    supervisor.start("engine", body)
    await clock.advance(TASK_RESTART.cap_s * 4)
    assert body.runs == 3 and given_up == [("engine", "RuntimeError: boom 3")]
    assert supervisor.problems() == {"engine": "stopped after 2 restarts: RuntimeError: boom 3"}
    await clock.advance(TASK_RESTART.cap_s * 4)
    assert body.runs == 3  # no more restarts
    await supervisor.close()


async def test_a_failing_give_up_hook_is_logged_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(START)

    def hook(name: str, reason: str) -> None:
        raise OSError("cannot signal")

    supervisor = Supervisor(clock, max_restarts=0, on_give_up=hook)
    with caplog.at_level(logging.ERROR, logger="scoreterm.engine.supervisor"):
        supervisor.start("pump", Flaky(failures=1))
        await clock.run_until_idle()
    assert any("give-up hook of pump failed" in r.getMessage() for r in caplog.records)
    await supervisor.close()


async def test_failures_far_apart_do_not_add_up_to_a_give_up() -> None:
    clock = FakeClock(START)
    given_up: list[str] = []
    supervisor = Supervisor(
        clock, rng=random.Random(SEED), max_restarts=1, on_give_up=lambda n, r: given_up.append(n)
    )
    crash = asyncio.Event()

    async def crashes_when_told() -> None:
        await crash.wait()
        crash.clear()
        raise RuntimeError("late")

    supervisor.start("pump", crashes_when_told)
    for _ in range(3):
        await clock.advance(RECOVERED_AFTER_S + TASK_RESTART.cap_s)  # each run lasted over a minute
        crash.set()
        await clock.run_until_idle()
    await clock.advance(TASK_RESTART.cap_s)
    assert given_up == [] and supervisor.running("pump") and supervisor.stats() == {"pump": 3}
    await supervisor.close()


async def test_a_cancellation_nobody_asked_for_is_a_death(caplog: pytest.LogCaptureFixture) -> None:
    """The task awaited something that was cancelled under it: it is over, and must not look stopped
    on purpose (the old guard re-raised every CancelledError, and the task vanished unnoticed)."""
    clock = FakeClock(START)
    supervisor = Supervisor(clock, rng=random.Random(SEED))
    inner: list[asyncio.Future[None]] = []

    async def waits_on_a_future() -> None:
        future = asyncio.get_running_loop().create_future()
        inner.append(future)
        await future

    with caplog.at_level(logging.ERROR, logger="scoreterm.engine.supervisor"):
        supervisor.start("pump", waits_on_a_future)
        await clock.run_until_idle()
        inner[0].cancel()
        await clock.run_until_idle()
    assert supervisor.problems() == {"pump": "restarting after: cancelled unexpectedly"}
    assert any("cancelled by something else" in r.getMessage() for r in caplog.records)
    await clock.advance(delays(1)[0])
    assert len(inner) == 2
    await supervisor.close()


async def test_stop_and_close_end_tasks_and_pending_restarts() -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock, rng=random.Random(SEED))
    body = Flaky(failures=1)
    steady = Flaky(failures=0)
    supervisor.start("flaky", body)
    supervisor.start("steady", steady)
    await clock.run_until_idle()
    with pytest.raises(ValueError, match="already supervised"):
        supervisor.start("steady", steady)
    await supervisor.stop("flaky")  # waiting to restart: the restart is called off
    await clock.advance(TASK_RESTART.cap_s)
    assert body.runs == 1 and "flaky" not in supervisor.problems()
    await supervisor.close()
    assert not supervisor.running("steady")
    supervisor.start("late", Flaky(failures=0))  # after close: ignored, not half-supervised
    assert not supervisor.running("late")


async def test_close_does_not_swallow_the_callers_cancellation() -> None:
    clock = FakeClock(START)
    supervisor = Supervisor(clock)
    started, release, over = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow_to_stop() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await release.wait()  # still cleaning up when the caller of close() is cancelled
            over.set()

    supervisor.start("slow", slow_to_stop)
    await started.wait()
    closer = asyncio.create_task(supervisor.close())
    await clock.run_until_idle()
    assert not closer.done()
    closer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closer
    release.set()
    await asyncio.wait_for(over.wait(), 5)


async def test_a_stopped_name_can_be_started_again_at_once() -> None:
    """``stop`` forgets the task before it has finished unwinding: a leader that loses and regains
    its lease in one breath starts its engine again without a "task already supervised"."""
    clock = FakeClock(START)
    supervisor = Supervisor(clock)
    first, second = Flaky(failures=0), Flaky(failures=0)
    supervisor.start("engine", first)
    await first.running.wait()
    old = supervisor.task("engine")
    stopping = supervisor.stop("engine")
    supervisor.start("engine", second)
    await second.running.wait()
    await stopping
    assert old is not None and old.done() and supervisor.task("engine") is not old
    assert supervisor.running("engine") and supervisor.problems() == {}
    await supervisor.close()
