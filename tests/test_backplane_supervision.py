"""The backplane's loops run under the server's supervisor (issue 10, item 1, server side).

Two instances on a real ``redis-server`` play the demo tape. A loop made to die once — the leader's
outbox flusher, its forwarder of engine updates — is restarted, and a follower's client still gets every
seq once, in order. An engine that dies while leading shows in ``/health`` (it used to be logged
and forgotten, with ``/health`` saying ok while nothing was polled). Restarts are made quick
(backoff base 10 ms); skipped with the reason when no ``redis-server`` can be had.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import pytest

import scoreterm.engine.supervisor as supervisor_module
from scoreterm.backoff import TASK_RESTART, Backoff
from scoreterm.bus.redis import RedisBackplane
from scoreterm.domain.model import DeltaUpdate, EventUpdate, Update
from scoreterm.engine.clock import SystemClock
from scoreterm.net.history import History
from scoreterm.net.server import ScoretermServer
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from tests.instances import LEASE_MS, Instance, leader_of, running_instance
from tests.redisserver import RedisServer
from tests.servers import DEMO_LEAGUE, DEMO_MATCH, FIRST_GOAL_T, Json, server_config, until, ws_client
from tests.test_server_supervision import contiguous_after, demo_seq

pytestmark = pytest.mark.slow  # a real redis-server; out of the fast loop
LEAGUE = f"league:{DEMO_LEAGUE}"
WAIT_S = 10.0


@pytest.fixture(autouse=True)
def quick_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor_module, "TASK_RESTART", Backoff(base_s=0.01, cap_s=TASK_RESTART.cap_s))


def is_score(home: int, away: int) -> Any:
    def check(frame: Json) -> bool:
        return bool(frame["type"] == "delta" and frame["data"]["score"] == {"home": home, "away": away})

    return check


async def follow_a_goal(leader: Instance, follower: Instance) -> list[Json]:
    """A follower's client from its first snapshot to the 1-0 delta; asserts every seq once, in order."""
    await until(lambda: DEMO_MATCH in follower.served(), WAIT_S)  # the leader's first poll reached it
    async with ws_client(follower.url) as client:
        first = await client.subscribe(LEAGUE)
        leader.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_score(1, 0), timeout=WAIT_S)
    kept = contiguous_after(demo_seq(first), frames)
    assert kept and kept[-1] == frames[-1]["seq"]
    return frames


async def test_a_dead_outbox_flusher_is_restarted_and_followers_miss_nothing(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_instance(redis_server.url, "a") as a, running_instance(redis_server.url, "b") as b:
        leader = await leader_of(a, b)
        follower = b if leader is a else a
        leading = leader.backplane.leading
        real_flush, calls = leading.flush, 0

        async def flush_dies_once(*args: Any) -> bool:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("flusher bug")
            return await real_flush(*args)

        monkeypatch.setattr(leading, "flush", flush_dies_once)
        await follow_a_goal(leader, follower)
        assert calls >= 2
        problems = leader.server.supervisor.problems()
        assert problems["backplane-flush"] == "restarted 1x, last: RuntimeError: flusher bug"
        assert leader.server.http.health()["status"] == "degraded"


async def test_a_dead_forwarder_publishes_its_update_again_after_the_restart(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_instance(redis_server.url, "a") as a, running_instance(redis_server.url, "b") as b:
        leader = await leader_of(a, b)
        follower = b if leader is a else a
        link = leader.link
        real_publish, lost = link._publish, []

        async def publish_dies_once(update: Update) -> None:
            if not lost:
                lost.append(update)
                raise RuntimeError("forwarder bug")
            await real_publish(update)

        monkeypatch.setattr(link, "_publish", publish_dies_once)
        frames = await follow_a_goal(leader, follower)
        (dropped,) = lost
        assert isinstance(dropped, DeltaUpdate | EventUpdate)
        # The update the dead forwarder held reached the follower's client all the same.
        assert any(f.get("match_id") == dropped.match_id and f["seq"] == dropped.seq for f in frames)
        assert leader.server.supervisor.problems()["backplane-forward"].startswith("restarted 1x")


@contextlib.asynccontextmanager
async def instance_whose_engine_dies(redis_url: str) -> AsyncIterator[ScoretermServer]:
    session = replay_session(demo_tape(), UTC, name="x", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    backplane = RedisBackplane(redis_url, namespace="dies", instance_id="x", lease_ms=LEASE_MS, timeout_s=1.0)
    engine = session.engine
    cfg = server_config()
    server = ScoretermServer(engine, ServerState(History(None)), cfg, SystemClock(), backplane=backplane)

    async def run_fails() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("engine bug")

    engine.run = run_fails  # type: ignore[method-assign]
    await server.start()
    try:
        yield server
    finally:
        async with asyncio.timeout(30):
            await server.close()
        await session.client.aclose()


async def test_an_engine_that_dies_while_leading_shows_in_health(redis_server: RedisServer) -> None:
    async with instance_whose_engine_dies(redis_server.url) as server:
        await until(lambda: "engine" in server.supervisor.problems(), WAIT_S)
        health = server.http.health()
        assert health["status"] == "degraded" and health["role"] == "leader"
        # A replay's engine may end on its own, so it is not restarted: its failure stays reported.
        assert health["problems"] == {"engine": "failed: RuntimeError: engine bug"}
        assert server.runner.task is not None and server.runner.task.done()
