"""Before kick-off the engine fetches each match's detail (the pre-match line, the team sheets, the
preview) in the hour before, every ten minutes; further off it does not. On the demo tape this puts
the market's chances on the match before the first whistle, so the chart starts at the price, not
at a neutral guess that jumps when the first summary lands."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx

from scoreterm.domain.model import DeltaUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.engine import PREMATCH_DETAIL_EVERY_S
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from tests import payloads as pl
from tests.test_engine import ESPN_ENG1, ESPN_ENG1_SUMMARY, Script, engine_task, make_engine

NOW = datetime(2026, 3, 22, 13, 0, tzinfo=UTC)


def scheduled_in(minutes: float) -> Script:
    event = pl.with_kickoff(
        pl.scheduled(pl.fixture_event(pl.ENG1_FILE, "740903")), NOW + timedelta(minutes=minutes)
    )
    script = Script()
    script.route(ESPN_ENG1, httpx.Response(200, content=pl.encode(pl.scoreboard(event))))
    script.route(ESPN_ENG1_SUMMARY, httpx.Response(200, content=pl.encode(pl.summary_stub(event))))
    return script


def summaries(script: Script) -> int:
    return script.paths().count(ESPN_ENG1_SUMMARY)


async def test_a_match_within_the_hour_has_its_detail_fetched_every_ten_minutes() -> None:
    clock = FakeClock(NOW)
    script = scheduled_in(30)
    task = engine_task(make_engine(script, clock))
    try:
        await clock.advance(1)
        assert summaries(script) == 1
        await clock.advance(PREMATCH_DETAIL_EVERY_S - 10)
        assert summaries(script) == 1  # polled many times meanwhile, detail not asked again
        await clock.advance(150)  # the first poll past ten minutes (polls come every ~2 min)
        assert summaries(script) == 2
    finally:
        task.cancel()


async def test_a_match_hours_away_has_no_detail_fetched() -> None:
    clock = FakeClock(NOW)
    script = scheduled_in(180)
    task = engine_task(make_engine(script, clock))
    try:
        await clock.advance(1200)
        assert script.paths().count(ESPN_ENG1) >= 2 and summaries(script) == 0
    finally:
        task.cancel()


async def test_the_demo_has_the_market_price_before_kick_off() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    sub = session.engine.bus.subscribe(["league:fifa.world"])
    await session.feed.start()
    try:
        while True:
            update = await sub.get()
            if not isinstance(update, DeltaUpdate):
                continue
            match = update.match
            if match.id == "espn-760415" and match.prob is not None:
                break
        assert match.phase.state.value == "scheduled"  # known before the first whistle
        assert match.prob.source == "market"
    finally:
        await session.aclose()
