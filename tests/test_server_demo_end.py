"""A served demo played to its end, as a new user meets it: what ``/health``, the probability endpoint
and ``watch --json``'s printer say once the tape is over."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from scoreterm.commands.headless import LinePrinter
from scoreterm.domain.model import TableUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.net import protocol as p
from tests.servers import DEMO_LEAGUE, DEMO_MATCH, RunningServer, running_server, until, ws_client

LEAGUE = f"league:{DEMO_LEAGUE}"
TABLE = f"table:{DEMO_LEAGUE}"
Json = dict[str, Any]


async def play_to_the_end(rs: RunningServer) -> None:
    """Resume the tape at max speed and wait until its engine ended and the server sent it all."""
    rs.clock.resume()
    await asyncio.wait_for(asyncio.shield(rs.engine_task), 30)
    engine = rs.session.engine
    await until(
        lambda: all(rs.history.latest_seq(m.id) in (0, m.seq) for m in engine.store.matches(DEMO_LEAGUE))
    )


async def test_after_full_time_the_probability_is_the_result_and_health_counts_real_seconds() -> None:
    real = FakeClock(datetime(2026, 6, 11, 21, tzinfo=UTC))
    async with running_server(real_clock=real) as rs, httpx.AsyncClient(timeout=5) as http:
        playing = (await http.get(f"{rs.http}/health")).json()
        assert playing["tape"] == "playing"
        await play_to_the_end(rs)
        rs.clock.jump(7000.0)  # a served tape's clock runs on past its last frame
        await real.advance(120.0)  # two real minutes later

        health = (await http.get(f"{rs.http}/health")).json()
        assert health["status"] == "ok" and health["problems"] == {}
        assert health["tape"] == "ended"
        assert health["leagues"][DEMO_LEAGUE]["last_ok_age_s"] == 120.0

        body = (await http.get(f"{rs.http}/v1/matches/{DEMO_MATCH}/probability")).json()
        assert body["prob"] == {"home": 1.0, "away": 0.0, "draw": 0.0, "source": "result", "advance": False}
        assert body["series"][-1]["prob"] == body["prob"]
        assert body["series"][-1]["score"] == {"home": 2, "away": 0}


async def recv_all(client: Any) -> list[Json]:
    """Every frame up to the answer to a ping sent now (sent after all that was queued before it)."""
    await client.send_json({"op": "ping", "v": 1, "id": "end"})
    frames = await client.recv_until(lambda f: f["type"] == "pong", timeout=10)
    return frames[:-1]


async def test_watch_json_prints_a_table_once_when_it_comes_again_unchanged() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        first = await client.subscribe(TABLE)
        await play_to_the_end(rs)
        frames = [first, *await recv_all(client)]
    updates = [p.to_update(p.decode_server(json.dumps(f))) for f in frames if f["type"] == "table"]
    tables = [u for u in updates if isinstance(u, TableUpdate)]
    printer = LinePrinter()
    lines = [printer.line(u) for u in tables]
    # The official table is asked for again every hour of the tape: the same standings, a new stamp.
    restamped = [
        later
        for earlier, later in itertools.pairwise(tables)
        if later.table.official_updated_at != earlier.table.official_updated_at
        and later.table.groups == earlier.table.groups
    ]
    assert restamped, "the demo refetches its official table unchanged"
    printed = [json.dumps(line) for line in lines if line is not None]
    assert len(printed) == len(tables) - len(restamped)
    assert all(a != b for a, b in itertools.pairwise(printed))
