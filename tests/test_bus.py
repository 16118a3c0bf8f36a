"""The in-process bus and the local feed: routing, order, lag detection and resync."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from scoreterm.bus.memory import MemoryBus, SubscriptionLagged
from scoreterm.domain.model import DeltaUpdate, Match, Phase, PhaseState, Team

AT = datetime(2026, 6, 11, tzinfo=UTC)


def update(channel: str, match_id: str, seq: int) -> DeltaUpdate:
    match = Match(
        id=match_id,
        league=channel.removeprefix("league:"),
        kickoff=AT,
        home=Team(name="Newcastle United"),
        away=Team(name="Sunderland"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        seq=seq,
    )
    return DeltaUpdate(channel=channel, at=AT, match_id=match_id, seq=seq, match=match)


async def test_routing_by_league_match_and_all() -> None:
    bus = MemoryBus()
    league = bus.subscribe(["league:eng.1"])
    one_match = bus.subscribe(["match:espn-1"])
    everything = bus.subscribe(["*"])
    both = bus.subscribe(["league:eng.1", "match:espn-1"])
    await bus.publish(update("league:eng.1", "espn-1", 1))
    await bus.publish(update("league:esp.1", "espn-2", 1))
    assert league.pending() == 1 and one_match.pending() == 1 and everything.pending() == 2
    assert both.pending() == 1  # delivered once even when two of its channels match


async def test_order_is_kept() -> None:
    bus = MemoryBus()
    sub = bus.subscribe(["*"])
    for seq in range(1, 6):
        await bus.publish(update("league:eng.1", "espn-1", seq))
    assert [(await sub.get()).seq for _ in range(5)] == [1, 2, 3, 4, 5]


async def test_lagging_subscriber_is_told_not_silently_dropped() -> None:
    bus = MemoryBus()
    slow = bus.subscribe(["*"], maxsize=3)
    fast = bus.subscribe(["*"])
    for seq in range(1, 6):
        await bus.publish(update("league:eng.1", "espn-1", seq))
    with pytest.raises(SubscriptionLagged):
        await slow.get()
    assert fast.pending() == 5
    assert bus.subscriber_count == 1


async def test_close_ends_iteration_after_queued_updates() -> None:
    bus = MemoryBus()
    sub = bus.subscribe(["*"])
    await bus.publish(update("league:eng.1", "espn-1", 1))
    sub.close()
    received = [u.seq async for u in sub]
    assert received == [1]


async def test_iteration_waits_for_updates() -> None:
    bus = MemoryBus()
    sub = bus.subscribe(["*"])
    waiter = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    assert not waiter.done()
    await bus.publish(update("league:eng.1", "espn-1", 4))
    assert (await asyncio.wait_for(waiter, timeout=5)).seq == 4
