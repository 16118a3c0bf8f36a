"""The engine's live table: the official standings with the matches in play applied, published on
``table:<slug>``, moving with each goal without another request, asked for again after full time.

Real payloads: the Premier League's 2024-25 final standings and its final-day scoreboard (Forest v
Chelsea set to a moment of play), served by an ``httpx.MockTransport`` on a fake clock.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from scoreterm.bus.memory import MemoryBus
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import TableUpdate, Update
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.engine import Engine, EngineOptions
from scoreterm.providers.espn import EspnProvider
from tests import payloads as pl

FINAL_DAY = "espn_soccer/eng.1_scoreboard_20250525_final_day_all_full_time.json"
STANDINGS = "/apis/v2/sports/soccer/eng.1/standings"
SCOREBOARD = "/apis/site/v2/sports/soccer/eng.1/scoreboard"
FOREST_CHELSEA = "704655"


def board(event: dict[str, Any]) -> bytes:
    return pl.encode(pl.scoreboard(event, template=FINAL_DAY))


class Provider:
    """Serves the scripted scoreboards in turn (the last repeats) and the real standings."""

    def __init__(self, boards: list[bytes]) -> None:
        self.boards = boards
        self.paths: list[str] = []
        self.standings = (pl.FIXTURES / "espn_standings/eng.1_standings_2024-25_final.json").read_bytes()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path == STANDINGS:
            return httpx.Response(200, content=self.standings)
        if request.url.path == SCOREBOARD:
            served = sum(1 for p in self.paths if p == SCOREBOARD)
            return httpx.Response(200, content=self.boards[min(served, len(self.boards)) - 1])
        return httpx.Response(404, json={"error": "not here"})


def engine_on(provider: Provider, clock: FakeClock) -> Engine:
    client = httpx.AsyncClient(transport=httpx.MockTransport(provider))
    options = EngineOptions(
        leagues=[get_league("eng.1")], zone=UTC, date_spec="2025-05-25", fixed_interval=5.0
    )
    return Engine([EspnProvider(client, base_url="http://espn.test")], MemoryBus(), clock, options)


def rows(update: Update) -> dict[str, Any]:
    assert isinstance(update, TableUpdate)
    return {row.entry.team.abbrev: row for row in update.table.groups[0].entries}


async def test_the_live_table_moves_with_a_goal_and_is_asked_for_again_after_full_time() -> None:
    forest_chelsea = pl.fixture_event(FINAL_DAY, FOREST_CHELSEA)
    provider = Provider(
        [
            board(pl.with_score(pl.live(forest_chelsea, "30'"), 0, 0)),
            board(pl.with_score(pl.live(forest_chelsea, "60'"), 0, 1)),
            board(pl.with_score(pl.full_time(forest_chelsea), 0, 1)),
        ]
    )
    clock = FakeClock(datetime(2025, 5, 25, 16, 30, tzinfo=UTC))
    engine = engine_on(provider, clock)
    tables = engine.bus.subscribe(["table:eng.1"])
    task = asyncio.create_task(engine.run())
    try:
        await clock.advance(0)
        first = await asyncio.wait_for(tables.get(), 5)
        assert isinstance(first, TableUpdate) and first.channel == "table:eng.1"
        before = rows(first)
        assert before["CHE"].live is not None and (
            before["CHE"].live.goals_for,
            before["CHE"].live.goals_against,
        ) == (0, 0)
        assert provider.paths.count(STANDINGS) == 1

        await clock.advance(5)  # Chelsea score at Forest: three points in the table as it stands
        moved = rows(await asyncio.wait_for(tables.get(), 5))
        assert moved["CHE"].entry.points == before["CHE"].entry.points + 2  # a draw's point became a win
        assert moved["NFO"].entry.points == before["NFO"].entry.points - 1
        assert moved["CHE"].entry.rank < before["CHE"].entry.rank and moved["CHE"].move > 0
        assert provider.paths.count(STANDINGS) == 1  # the goal moved the table without a request

        await clock.advance(5)  # full time
        await clock.advance(121)  # ... and the standings are asked for again once ESPN has caught up
        assert provider.paths.count(STANDINGS) == 2
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_league_without_standings_is_asked_once_then_left_alone() -> None:
    forest_chelsea = pl.fixture_event(FINAL_DAY, FOREST_CHELSEA)
    provider = Provider([board(pl.with_score(pl.live(forest_chelsea, "30'"), 0, 0))])
    provider.standings = b'{"error": "nope"}'
    clock = FakeClock(datetime(2025, 5, 25, 16, 30, tzinfo=UTC))
    engine = engine_on(provider, clock)
    updates = engine.bus.subscribe(["*"])
    task = asyncio.create_task(engine.run())
    try:
        await clock.advance(60)
        seen: list[Update] = []
        while updates.pending():
            seen.append(await updates.get())
        assert not [u for u in seen if isinstance(u, TableUpdate)]  # nothing invented
        assert provider.paths.count(STANDINGS) == 1  # retried after ten minutes, not every poll
        assert json.dumps(engine.status("eng.1").state) == '"ok"'  # an optional endpoint failing
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_group_table_from_a_summary_is_used_at_once_when_the_standings_have_none() -> None:
    """A tape (or a tournament) whose standings endpoint has nothing: the first match summary
    carries the group table, and the table is asked for again right after it, once."""
    wc_board = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
    wc_summary = "/apis/site/v2/sports/soccer/fifa.world/summary"
    wc_standings = "/apis/v2/sports/soccer/fifa.world/standings"
    day_one = "espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json"
    summary = "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
    mexico = pl.live(pl.fixture_event(day_one, "760415"), "20'")
    paths: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == wc_board:
            return httpx.Response(200, content=pl.encode(pl.scoreboard(mexico, template=day_one)))
        if request.url.path == wc_summary:
            return httpx.Response(200, content=(pl.FIXTURES / summary).read_bytes())
        return httpx.Response(404, json={"error": "not here"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(serve))
    options = EngineOptions(
        leagues=[get_league("fifa.world")], zone=UTC, date_spec="2026-06-11", fixed_interval=5.0
    )
    clock = FakeClock(datetime(2026, 6, 11, 19, 20, tzinfo=UTC))
    engine = Engine([EspnProvider(client, base_url="http://espn.test")], MemoryBus(), clock, options)
    tables = engine.bus.subscribe(["table:fifa.world"])
    task = asyncio.create_task(engine.run())
    try:
        await clock.advance(0)
        update = await asyncio.wait_for(tables.get(), 5)
        assert isinstance(update, TableUpdate)
        assert {row.entry.team.name for row in update.table.groups[0].entries} >= {"Mexico", "South Africa"}
        assert paths.count(wc_standings) == 2  # the first ask, and one more after the summary
        await clock.advance(60)
        assert paths.count(wc_standings) == 2  # then the hourly rhythm
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_clock_ticking_on_does_not_send_the_table_again_a_goal_does() -> None:
    forest_chelsea = pl.fixture_event(FINAL_DAY, FOREST_CHELSEA)
    provider = Provider(
        [
            board(pl.with_score(pl.live(forest_chelsea, "30'"), 0, 0)),
            board(pl.with_score(pl.live(forest_chelsea, "31'"), 0, 0)),
            board(pl.with_score(pl.live(forest_chelsea, "32'"), 0, 1)),
        ]
    )
    clock = FakeClock(datetime(2025, 5, 25, 16, 30, tzinfo=UTC))
    engine = engine_on(provider, clock)
    tables = engine.bus.subscribe(["table:eng.1"])
    task = asyncio.create_task(engine.run())
    try:
        await clock.advance(0)
        await asyncio.wait_for(tables.get(), 5)
        await clock.advance(5)  # 31': the same table, one minute on
        assert not tables.pending()
        await clock.advance(5)  # 32': Chelsea score
        moved = rows(await asyncio.wait_for(tables.get(), 5))
        assert moved["CHE"].live is not None and moved["CHE"].live.goals_for == 1
        assert moved["CHE"].live.clock == "32'"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
