"""FakeClock, SystemClock and ScaledClock: ordering, advancing, speed, pause, jump — no real sleeps."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scoreterm.engine.clock import Clock, FakeClock, ScaledClock, SystemClock

T0 = datetime(2026, 6, 14, 19, 0, tzinfo=UTC)


async def _sleep_and_log(clock: Clock, seconds: float, log: list[tuple[float, datetime]]) -> None:
    await clock.sleep(seconds)
    log.append((seconds, clock.now()))


def test_clocks_reject_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 6, 14, 19, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        ScaledClock(datetime(2026, 6, 14, 19, 0), 1.0, FakeClock(T0))


def test_fake_clock_normalises_start_to_utc() -> None:
    clock = FakeClock(datetime(2026, 6, 14, 21, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == T0
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.monotonic() == 0.0


async def test_system_clock_is_aware_utc_and_monotonic() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is UTC
    first = clock.monotonic()
    await clock.sleep(0)
    await clock.sleep(-5)  # returns at once
    assert clock.monotonic() >= first


async def test_fake_clock_time_stands_still_until_advanced() -> None:
    clock = FakeClock(T0)
    task = asyncio.create_task(clock.sleep(5))
    await clock.run_until_idle()
    assert not task.done()
    assert clock.pending_sleepers == 1
    assert clock.now() == T0
    await clock.advance(4.999)
    assert not task.done()
    await clock.advance(0.001)
    assert task.done()
    assert clock.pending_sleepers == 0
    assert clock.now() == T0 + timedelta(seconds=5)


async def test_fake_clock_wakes_in_deadline_order_each_at_its_deadline() -> None:
    clock = FakeClock(T0)
    log: list[tuple[float, datetime]] = []
    tasks = [asyncio.create_task(_sleep_and_log(clock, s, log)) for s in (5, 1, 3, 3)]
    await clock.advance(2)
    assert log == [(1, T0 + timedelta(seconds=1))]
    await clock.advance(8)
    assert [s for s, _ in log] == [1, 3, 3, 5]
    assert [at for _, at in log] == [T0 + timedelta(seconds=s) for s in (1, 3, 3, 5)]
    assert clock.monotonic() == 10
    await asyncio.gather(*tasks)


async def test_fake_clock_advance_wakes_a_task_that_sleeps_again_within_the_span() -> None:
    clock = FakeClock(T0)
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            await clock.sleep(1)
            ticks.append(clock.monotonic())

    task = asyncio.create_task(ticker())
    await clock.advance(5.5)
    assert ticks == [1, 2, 3, 4, 5]
    assert clock.pending_sleepers == 1
    task.cancel()
    await clock.run_until_idle()
    assert clock.pending_sleepers == 0


async def test_fake_clock_zero_and_negative_sleep_return_at_once() -> None:
    clock = FakeClock(T0)
    await asyncio.wait_for(clock.sleep(0), timeout=1)
    await asyncio.wait_for(clock.sleep(-3), timeout=1)
    assert clock.monotonic() == 0


async def test_fake_clock_skips_cancelled_sleepers_and_refuses_to_go_back() -> None:
    clock = FakeClock(T0)
    doomed = asyncio.create_task(clock.sleep(2))
    kept = asyncio.create_task(clock.sleep(4))
    await clock.run_until_idle()
    doomed.cancel()
    await clock.run_until_idle()
    assert clock.pending_sleepers == 1
    await clock.advance(4)
    assert kept.done() and doomed.cancelled()
    with pytest.raises(ValueError, match="backwards"):
        await clock.advance(-1)


# -- ScaledClock ------------------------------------------------------------------------------------


async def test_scaled_clock_runs_ten_times_faster() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 10, real)
    task = asyncio.create_task(virtual.sleep(30))
    await real.advance(2.9)
    assert not task.done()
    assert virtual.elapsed == pytest.approx(29)
    await real.advance(0.1)
    assert task.done()
    assert virtual.now() == T0 + timedelta(seconds=30)


async def test_scaled_clock_max_speed_returns_at_once_and_advances_virtual_time() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, math.inf, real)
    await asyncio.wait_for(virtual.sleep(3600), timeout=1)
    assert virtual.now() == T0 + timedelta(hours=1)
    assert real.monotonic() == 0  # no real time passed


async def test_scaled_clock_max_speed_wakes_concurrent_sleepers_in_deadline_order() -> None:
    virtual = ScaledClock(T0, math.inf, FakeClock(T0))
    log: list[tuple[float, datetime]] = []
    await asyncio.wait_for(asyncio.gather(*(_sleep_and_log(virtual, s, log) for s in (10, 5, 7))), timeout=1)
    assert log == [(s, T0 + timedelta(seconds=s)) for s in (5, 7, 10)]
    assert virtual.elapsed == 10


async def test_scaled_clock_pause_holds_sleepers_and_time() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    task = asyncio.create_task(virtual.sleep(10))
    await real.advance(4)
    virtual.pause()
    assert virtual.paused
    await real.advance(100)
    assert not task.done()
    assert virtual.elapsed == pytest.approx(4)
    virtual.resume()
    assert not virtual.paused
    await real.advance(5.9)
    assert not task.done()
    await real.advance(0.1)
    assert task.done()
    assert virtual.elapsed == pytest.approx(10)


async def test_scaled_clock_hold_stops_time_whatever_pause_and_resume_say_meanwhile() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 10, real)
    task = asyncio.create_task(virtual.sleep(50))
    virtual.hold()
    assert virtual.held and not virtual.paused
    await real.advance(100)
    assert virtual.elapsed == 0 and not task.done()
    virtual.pause()
    virtual.resume()  # the user's pause and resume do not end a hold
    await real.advance(100)
    assert virtual.elapsed == 0 and not task.done()
    virtual.pause()
    virtual.release()  # released while the user has paused: still standing
    assert not virtual.held and virtual.paused
    await real.advance(100)
    assert virtual.elapsed == 0 and not task.done()
    virtual.resume()
    await real.advance(4.9)
    assert not task.done()
    await real.advance(0.1)
    assert task.done() and virtual.elapsed == pytest.approx(50)


async def test_scaled_clock_sleep_started_while_paused_waits_for_resume() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 2, real)
    virtual.pause()
    task = asyncio.create_task(virtual.sleep(2))
    await real.advance(60)
    assert not task.done()
    assert virtual.pending_sleepers == 1
    virtual.resume()
    await real.advance(1)
    assert task.done()


async def test_scaled_clock_set_speed_mid_sleep_retimes_the_rest() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    task = asyncio.create_task(virtual.sleep(10))
    await real.advance(4)
    virtual.set_speed(2)  # 6 virtual seconds left = 3 real seconds
    assert virtual.speed == 2
    await real.advance(2.9)
    assert not task.done()
    await real.advance(0.1)
    assert task.done()
    assert virtual.elapsed == pytest.approx(10)


async def test_scaled_clock_switch_to_max_speed_mid_sleep_wakes_at_once() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    task = asyncio.create_task(virtual.sleep(100))
    await real.advance(1)
    virtual.set_speed(math.inf)
    await real.run_until_idle()
    assert task.done()
    assert virtual.elapsed == pytest.approx(100)
    assert real.monotonic() == 1


async def test_scaled_clock_rejects_bad_speeds() -> None:
    virtual = ScaledClock(T0, 1, FakeClock(T0))
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(ValueError, match="speed"):
            virtual.set_speed(bad)
    assert virtual.speed == 1


async def test_scaled_clock_jump_moves_time_and_wakes_due_sleepers() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    near = asyncio.create_task(virtual.sleep(30))
    far = asyncio.create_task(virtual.sleep(60))
    await real.advance(10)
    virtual.jump(45)  # virtual 55: the 30 s sleeper is due, the 60 s one has 5 s left
    await real.run_until_idle()
    assert near.done() and not far.done()
    assert virtual.now() == T0 + timedelta(seconds=55)
    await real.advance(4.9)
    assert not far.done()
    await real.advance(0.1)
    assert far.done()
    with pytest.raises(ValueError, match="backwards"):
        virtual.jump(-1)


async def test_scaled_clock_jump_while_paused_wakes_due_sleepers_but_time_stays_frozen() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    task = asyncio.create_task(virtual.sleep(30))
    await real.run_until_idle()
    virtual.pause()
    virtual.jump(30)
    await real.run_until_idle()
    assert task.done()
    await real.advance(50)
    assert virtual.elapsed == pytest.approx(30)


async def test_scaled_clock_cancelled_sleeper_stops_waiting_on_the_real_clock() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 1, real)
    task = asyncio.create_task(virtual.sleep(30))
    await real.run_until_idle()
    assert real.pending_sleepers == 1  # the driver waits on the real clock
    task.cancel()
    await real.run_until_idle()
    assert virtual.pending_sleepers == 0
    assert real.pending_sleepers == 0


async def test_scaled_clock_earlier_sleeper_arriving_later_still_wakes_first() -> None:
    real = FakeClock(T0)
    virtual = ScaledClock(T0, 2, real)
    log: list[tuple[float, datetime]] = []
    late = asyncio.create_task(_sleep_and_log(virtual, 60, log))
    await real.advance(1)  # virtual 2
    early = asyncio.create_task(_sleep_and_log(virtual, 10, log))  # due at virtual 12
    await real.advance(4.9)
    assert log == []
    await real.advance(0.1)
    assert log == [(10, T0 + timedelta(seconds=12))]
    await real.advance(25)
    assert [s for s, _ in log] == [10, 60]
    await asyncio.gather(late, early)
