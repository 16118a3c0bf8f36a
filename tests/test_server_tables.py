"""Live tables on the wire: ``table:<league>`` carries the league's table, the server keeps the last one.

The demo tape holds the real World Cup group standings, so the engine publishes a live table from its
first poll, and a new one when Mexico score. The server keeps the last table sent on each table
channel: a new subscriber gets it first, ``GET /v1/leagues/<slug>/table`` answers with it, and an
unasked resync sends it again (a table channel has no matches to snapshot). Behind a Redis backplane a
table goes through Redis like a status and is kept there as the league's latest, so an instance that
starts after it was published serves it at once.
"""

from __future__ import annotations

import contextlib

import httpx
import msgspec
import pytest

from scoreterm.domain.table import LiveTable
from tests.instances import leader_of, running_instance
from tests.redisserver import RedisServer
from tests.servers import DEMO_LEAGUE, FIRST_GOAL_T, Json, OnTape, running_server, until, ws_client
from tests.test_redis_bus import WAIT_S, pair

TABLE = f"table:{DEMO_LEAGUE}"
LEAGUE = f"league:{DEMO_LEAGUE}"


def as_table(frame: Json) -> LiveTable:
    assert frame["type"] == "table" and frame["channel"] == TABLE, frame
    return msgspec.convert(frame["table"], LiveTable)


def mexico_scored(frame: Json) -> bool:
    """A table frame where Mexico's match is live at 1-0 for them."""
    if frame["type"] != "table":
        return False
    rows = [row for group in frame["table"]["groups"] for row in group["entries"]]
    return any(
        row["entry"]["team"]["name"] == "Mexico" and (row["live"] or {}).get("goals_for") == 1 for row in rows
    )


async def served_table(server: OnTape) -> LiveTable:
    """The table the server holds for the demo league, once it has one."""
    tables = server.server.state.tables
    await until(lambda: TABLE in tables, WAIT_S)
    return tables[TABLE]


async def table_endpoint(server: OnTape) -> LiveTable:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"{server.http}/v1/leagues/{DEMO_LEAGUE}/table")
    assert response.status_code == 200, response.text
    return msgspec.convert(response.json(), LiveTable)


async def test_a_new_subscriber_gets_the_table_first_and_a_goal_moves_it() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        table = await served_table(rs)
        assert table.league == DEMO_LEAGUE and table.groups
        assert as_table(await client.subscribe(TABLE)) == table
        assert await table_endpoint(rs) == table

        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(mexico_scored)
        assert {f["type"] for f in frames} == {"table"}  # the table channel carries tables only
        assert as_table(frames[-1]) == rs.server.state.tables[TABLE] != table


async def test_an_unasked_resync_sends_a_table_channel_its_table_again() -> None:
    async with running_server() as rs, ws_client(rs.url) as on_table, ws_client(rs.url) as on_league:
        table = await served_table(rs)
        assert as_table(await on_table.subscribe(TABLE)) == table
        await on_league.subscribe(LEAGUE)

        rs.server.output.resync(lambda channel: True, reason="test")
        assert as_table(await on_table.recv_json()) == table  # not an empty snapshot
        resync = await on_league.recv_until(lambda f: f["type"] == "snapshot")
        assert resync[-1]["recovered"] is False and resync[-1]["matches"]


@pytest.mark.slow  # a real redis-server
async def test_every_instance_serves_the_leaders_table_even_one_started_after_it(
    redis_server: RedisServer,
) -> None:
    async with pair(redis_server.url) as (a, b), contextlib.AsyncExitStack() as exits:
        # b started after a's first poll, and so after the table was published: Redis kept it.
        table = await served_table(a)
        assert await served_table(b) == table
        on_b = await exits.enter_async_context(ws_client(b.url))
        assert as_table(await on_b.subscribe(TABLE)) == table
        assert await table_endpoint(b) == table

        a.jump_to(FIRST_GOAL_T)  # the leader plays on
        frames = await on_b.recv_until(mexico_scored, timeout=WAIT_S)
        assert as_table(frames[-1]) == b.server.state.tables[TABLE] != table


@pytest.mark.slow  # a real redis-server, restarted
async def test_a_leader_puts_its_tables_back_when_redis_restarts_empty(redis_server: RedisServer) -> None:
    async with pair(redis_server.url) as (a, b):
        table = await served_table(a)
        redis_server.stop()
        await until(lambda: not a.backplane.connected, WAIT_S)
        redis_server.start()  # empty: no persistence
        await until(lambda: a.backplane.connected and b.backplane.connected, WAIT_S)
        assert await leader_of(a, b, timeout=WAIT_S) is a
        # Nothing changed in the table meanwhile, so nothing would publish it again: an instance
        # starting now must still find it in Redis and serve it at once.
        async with running_instance(redis_server.url, "c") as c:
            assert await served_table(c) == table
