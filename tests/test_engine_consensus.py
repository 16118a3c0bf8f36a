"""The second odds source in the engine: asked only around kick-off (and after a goal), never without
a key, its consensus attached to the match it belongs to and used as the pre-match prior.

The Odds API answer is the real captured EPL file (Newcastle United v West Ham United, 2024-03-30
12:30 UTC); the ESPN scoreboard is the real Newcastle v Sunderland event renamed and moved to that
kick-off, served with the credit headers over ``httpx.MockTransport`` on a fake clock.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from scoreterm.bus.memory import MemoryBus
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import DeltaUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.engine import Engine, EngineOptions
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.oddsapi import OddsApiProvider
from scoreterm.providers.oddsapi_budget import CreditBudget
from tests import payloads as pl

KICKOFF = datetime(2024, 3, 30, 12, 30, tzinfo=UTC)
ODDS = pl.FIXTURES / "the_odds_api/v4_sports_soccer_epl_odds_regions-eu_2024-03-27.json"
SCOREBOARD = "/apis/site/v2/sports/soccer/eng.1/scoreboard"


def newcastle_west_ham() -> bytes:
    event = pl.with_kickoff(pl.scheduled(pl.fixture_event(pl.ENG1_FILE, "740903")), KICKOFF)
    away = pl.competitor(event, "away")
    away["team"] = {
        **away["team"],
        "displayName": "West Ham United",
        "name": "West Ham",
        "abbreviation": "WHU",
    }
    return pl.encode(pl.scoreboard(copy.deepcopy(event)))


class Hosts:
    """ESPN and The Odds API on one mock transport; every odds request is counted."""

    def __init__(self) -> None:
        self.odds_requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "odds.test":
            self.odds_requests += 1
            headers = {
                "x-requests-used": str(self.odds_requests),
                "x-requests-remaining": "499",
                "x-requests-last": "1",
            }
            return httpx.Response(200, content=ODDS.read_bytes(), headers=headers)
        if request.url.path == SCOREBOARD:
            return httpx.Response(200, content=newcastle_west_ham())
        return httpx.Response(404, json={"error": "not here"})


def engine_with(hosts: Hosts, clock: FakeClock, key: str | None, budget_file: Path) -> Engine:
    client = httpx.AsyncClient(transport=httpx.MockTransport(hosts))
    odds = OddsApiProvider(
        client, api_key=key, budget=CreditBudget.load(budget_file), now=clock.now, base_url="http://odds.test"
    )
    options = EngineOptions(
        leagues=[get_league("eng.1")], zone=UTC, date_spec="2024-03-30", fixed_interval=30.0, consensus=odds
    )
    return Engine([EspnProvider(client, base_url="http://espn.test")], MemoryBus(), clock, options)


async def run_for(engine: Engine, clock: FakeClock, seconds: float) -> None:
    task = asyncio.create_task(engine.run())
    try:
        await clock.advance(seconds)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_consensus_is_asked_around_kick_off_and_attached_to_its_match(tmp_path: Path) -> None:
    hosts = Hosts()
    clock = FakeClock(KICKOFF - timedelta(minutes=10))
    engine = engine_with(hosts, clock, "key", tmp_path / "budget.json")
    updates = engine.bus.subscribe(["league:eng.1"])
    await run_for(engine, clock, 120)  # four polls inside the pre-kick-off window
    assert hosts.odds_requests == 1  # one credit: the policy spaces requests out
    (match,) = [m for m in engine.store.matches("eng.1") if m.away.name == "West Ham United"]
    assert match.consensus is not None and match.consensus.home_team == "Newcastle United"
    assert (
        len(match.consensus.books) > 3
        and abs(match.consensus.prob.home + match.consensus.prob.away + (match.consensus.prob.draw or 0) - 1)
        < 1e-9
    )
    assert match.prob is not None and match.prob == match.consensus.prob  # the pre-match chances
    deltas = [u for u in _drain(updates) if isinstance(u, DeltaUpdate) and u.match.consensus]
    assert deltas  # clients are told
    assert json.loads((tmp_path / "budget.json").read_text())["used"] == 1  # remembered across runs


async def test_far_from_kick_off_or_without_a_key_nothing_is_asked(tmp_path: Path) -> None:
    hosts = Hosts()
    clock = FakeClock(KICKOFF - timedelta(hours=6))
    await run_for(engine_with(hosts, clock, "key", tmp_path / "b1.json"), clock, 600)
    assert hosts.odds_requests == 0
    clock = FakeClock(KICKOFF - timedelta(minutes=10))
    await run_for(engine_with(hosts, clock, None, tmp_path / "b2.json"), clock, 600)
    assert hosts.odds_requests == 0


def _drain(subscription: object) -> list[object]:
    queue = subscription._queue  # type: ignore[attr-defined]  # test-only peek at what is queued
    return [item for item in list(queue._queue) if not isinstance(item, BaseException)]
