"""Several ``scoreterm serve`` instances over one real ``redis-server``: one poller, shared seqs, no gaps.

Every test starts its own empty ``redis-server`` on a free port (``redis_server`` fixture; skipped with
the reason when the binary is missing — CI installs it). Instances run in-process on port 0, each
with its own replay of the demo tape on a paused clock: only the leader's engine polls, and the test
moves the leader's tape (jumps, or a resume at full speed). Nothing sleeps to let time pass; every
wait is a bounded poll of a condition or a bounded receive, and no assertion is on a duration (how
fast a follower takes over is measured by ``bench/takeover.py``).

- Unit level: the lease (acquire, renew, expiry, release), the fence against a stale leader (the
  stream id refuses an old seq, the script refuses a non-holder), gap filling from the stream when
  pub/sub loses a message, catch-up after a dropped connection, a hole reported as lost.
- Instances: two serve the same updates in the same order; the leader dies and the follower takes
  over once its lease runs out, with no gap and no duplicate; a client resumes on another instance; Redis
  restarts mid-tape; a hole in the shared history becomes a ``recovered: false`` snapshot; a leader
  cut off from Redis while another took over starts over (split brain); an instance started before
  Redis serves once Redis is up; /health and /metrics; the ``serve --redis`` command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import redis as sync_redis
import redis.asyncio as aioredis

from scoreterm.bus.redis import RedisBackplane
from scoreterm.bus.redis_lease import Lease
from scoreterm.bus.redis_outbox import Outbox
from scoreterm.bus.redis_wire import (
    PUBLISH,
    Envelope,
    Keys,
    decode_envelope,
    encode_envelope,
    encode_match,
    stream_id,
)
from scoreterm.domain.model import DeltaUpdate, EventUpdate, Match, Phase, PhaseState, SeqUpdate, Team, Update
from tests.instances import Collector, Instance, leader_of, running_instance
from tests.redisserver import RedisServer, find_redis_server, free_port
from tests.servers import DEMO_LEAGUE, DEMO_MATCH, FIRST_GOAL_T, SECOND_GOAL_T, Json, until, ws_client
from tests.test_server import Lines, cli_env, scoreterm, stopped

pytestmark = pytest.mark.slow  # a real redis-server per test; out of the fast loop
LEAGUE = f"league:{DEMO_LEAGUE}"
NS = "test"
KEYS = Keys(NS)
# A bound on waits that end as soon as their condition holds: generous, so a loaded machine is slow
# to pass, never failed.
WAIT_S = 30.0
# Leases. An instance whose leadership the test relies on holds a long one: no stall of the event loop
# on a busy machine can cost it (renewed every 20 s). One that has to take over holds a shorter one,
# so it looks for a free lease every 2 s (and the test frees the lease, as if it ran out, when the
# time comes); so do both where the test needs the lease loop's 2 s rhythm (client counts).
STEADY_MS = 60_000
SHORT_MS = 6_000


# -- helpers ------------------------------------------------------------------------------------


class Recorder:
    """A backplane listener that keeps what it is told."""

    def __init__(self) -> None:
        self.delivered: list[Update] = []
        self.lost_calls: list[tuple[str, int | None]] = []
        self.changes = 0

    def deliver(self, update: Update) -> None:
        self.delivered.append(update)

    def lost(self, match_id: str, state: Match | None) -> None:
        self.lost_calls.append((match_id, None if state is None else state.seq))

    def reset(self) -> None:
        self.delivered.clear()

    def resynced(self) -> None:
        pass

    def changed(self) -> None:
        self.changes += 1

    def seqs(self, match_id: str = "m1") -> list[int]:
        return [
            u.seq
            for u in self.delivered
            if isinstance(u, DeltaUpdate | EventUpdate) and u.match_id == match_id
        ]


def state(seq: int, match_id: str = "m1") -> Match:
    return Match(
        id=match_id,
        league=DEMO_LEAGUE,
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico"),
        away=Team(name="South Africa"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        clock=f"{seq}'",
        seq=seq,
    )


def delta(seq: int, match_id: str = "m1") -> DeltaUpdate:
    return DeltaUpdate(
        channel=LEAGUE,
        at=datetime(2026, 6, 11, 19, tzinfo=UTC),
        match_id=match_id,
        seq=seq,
        match=state(seq, match_id),
    )


def envelope(update: Update, src: str = "tester") -> bytes:
    return encode_envelope(Envelope(src=src, t=time.time() * 1000, u=update))


async def write(
    client: aioredis.Redis, update: DeltaUpdate, *, publish: bool = True, src: str = "tester"
) -> bytes:
    """Put ``update`` in its stream (and the matches hash), and on pub/sub unless told not to."""
    raw = envelope(update, src)
    await client.xadd(KEYS.stream(update.match_id), {"e": raw}, id=stream_id(update.seq))
    await client.hset(KEYS.matches, update.match_id, encode_match(update.match))
    if publish:
        await client.publish(KEYS.updates, raw)
    return raw


async def stream(client: aioredis.Redis, match_id: str) -> list[SeqUpdate]:
    """Every update in a match's stream (each a delta or an event), oldest first."""
    found: list[SeqUpdate] = []
    for _, fields in await client.xrange(KEYS.stream(match_id), "-", "+"):
        update = decode_envelope(fields[b"e"]).u
        assert isinstance(update, DeltaUpdate | EventUpdate), update
        found.append(update)
    return found


def backplane_at(url: str, instance_id: str = "follower", **kwargs: Any) -> RedisBackplane:
    """A backplane for unit tests: short timeouts and backoff."""
    return RedisBackplane(
        url, namespace=NS, instance_id=instance_id, timeout_s=1.0, backoff_cap_s=0.2, **kwargs
    )


def kept(collector: Collector) -> list[Json]:
    """The snapshots, deltas and events a client that follows docs/protocol.md acts on, in order.

    A delta or event at or below the seq the client holds for its match is a duplicate: the protocol
    allows them (around a reconnect, or when a leader's snapshot is ahead of what Redis confirmed) and
    the client drops them, so they are left out. A snapshot replaces what the client holds.
    """
    held: dict[str, int] = {}
    out: list[Json] = []
    for frame in collector.frames:
        if frame["type"] == "snapshot":
            held.update({m["id"]: m["seq"] for m in frame["matches"]})
            out.append(frame)
        elif frame["type"] in ("delta", "event") and frame["seq"] > held.get(frame["match_id"], 0):
            held[frame["match_id"]] = frame["seq"]
            out.append(frame)
    return out


def held_seqs(collector: Collector, match_id: str) -> list[tuple[str, int]]:
    """What a client held for a match, frame after frame; asserts it never skipped a seq unannounced.

    Each entry is ``(kind, seq)``: ``snapshot`` (the first), ``not recovered`` (a ``recovered: false``
    snapshot: the client is told to start over from it), or the ``delta``/``event`` that moved it on,
    which must be exactly one above the seq held before (duplicates are dropped, see :func:`kept`).
    """
    trail: list[tuple[str, int]] = []
    for frame in kept(collector):
        if frame["type"] == "snapshot":
            seqs = [m["seq"] for m in frame["matches"] if m["id"] == match_id]
            if seqs:
                trail.append(("not recovered" if frame.get("recovered") is False else "snapshot", seqs[0]))
        elif frame["match_id"] == match_id:
            assert trail, f"{frame['type']} seq {frame['seq']} before any snapshot"
            held = trail[-1][1]
            assert frame["seq"] == held + 1, f"{frame['type']} seq {frame['seq']} after {held}: a silent gap"
            trail.append((frame["type"], frame["seq"]))
    return trail


def contiguous(collector: Collector, match_id: str) -> list[int]:
    """The seqs of the deltas and events a client kept for a match; asserts no gap (see :func:`held_seqs`)."""
    return [seq for kind, seq in held_seqs(collector, match_id) if kind in ("delta", "event")]


def kept_events(collector: Collector) -> list[tuple[str, int, str]]:
    """(match_id, seq, key) of every event a client kept, in order."""
    return [(f["match_id"], f["seq"], f["event"]["key"]) for f in kept(collector) if f["type"] == "event"]


def kept_updates(collector: Collector) -> list[tuple[str, str, int]]:
    """(type, match_id, seq) of every delta and event a client kept, in order."""
    return [(f["type"], f["match_id"], f["seq"]) for f in kept(collector) if f["type"] != "snapshot"]


@contextlib.asynccontextmanager
async def pair(
    url_a: str, url_b: str | None = None, *, lease_a: int = STEADY_MS, lease_b: int = STEADY_MS
) -> AsyncIterator[tuple[Instance, Instance]]:
    """Instance ``a``, leading, then instance ``b``, following. ``b`` starts once ``a`` leads: started
    together, either could win the lease."""
    async with running_instance(url_a, "a", lease_ms=lease_a) as a:
        await leader_of(a, timeout=WAIT_S)
        # Its first poll is in Redis: what b starts with is known.
        await until(lambda: bool(a.seqs()) and a.backplane.last_seqs() == a.seqs(), WAIT_S)
        async with running_instance(url_b or url_a, "b", lease_ms=lease_b) as b:
            assert not b.backplane.is_leader
            yield a, b


async def subscribed(instance: Instance, exits: contextlib.AsyncExitStack) -> Collector:
    """A raw client of ``instance`` subscribed to the demo league, its frames collected until the
    test ends (``exits`` closes it)."""
    client = await exits.enter_async_context(ws_client(instance.url))
    snapshot = await client.subscribe(LEAGUE)
    assert snapshot["type"] == "snapshot"
    collector = Collector(client, [snapshot]).start()
    exits.push_async_callback(collector.stop)
    return collector


@pytest.fixture
async def exits() -> AsyncIterator[contextlib.AsyncExitStack]:
    """Whatever a test opens along the way, closed when it ends (however it ends)."""
    async with contextlib.AsyncExitStack() as stack:
        yield stack


async def get(url: str) -> httpx.Response:
    """A GET on a server of this event loop (a blocking client would stall it)."""
    async with httpx.AsyncClient(timeout=5) as http:
        return await http.get(url)


def stream_events(updates: list[SeqUpdate]) -> list[tuple[str, int, str]]:
    return [(u.match_id, u.seq, u.event.key) for u in updates if isinstance(u, EventUpdate)]


async def play(instance: Instance, to: float, speed: float = 2000.0) -> None:
    """Play the tape at ``speed`` up to about ``to`` seconds (every frame on the way), then pause."""
    instance.clock.set_speed(speed)
    instance.clock.resume()
    await until(lambda: instance.position >= to, WAIT_S)
    instance.clock.pause()


def degraded(frame: Json) -> bool:
    return frame["type"] == "status" and frame["status"]["message"].startswith("backplane down")


def recovered(frame: Json) -> bool:
    return frame["type"] == "status" and frame["status"]["message"] == "backplane recovered"


def not_recovered(frame: Json) -> bool:
    return frame["type"] == "snapshot" and frame["recovered"] is False


@pytest.fixture
async def redis(redis_server: RedisServer) -> Any:
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


# -- the lease ----------------------------------------------------------------------------------


async def test_lease_acquire_renew_expire_release(redis: aioredis.Redis) -> None:
    # A long TTL, so no check below depends on how fast the machine is; expiry is brought on.
    one = Lease(redis, KEYS.leader, "one", ttl_ms=60_000)
    two = Lease(redis, KEYS.leader, "two", ttl_ms=60_000)
    assert await one.acquire()
    assert not await two.acquire() and await two.holder() == "one"
    # Renewing puts the full TTL back; only the holder can.
    await redis.pexpire(KEYS.leader, 5_000)
    assert await one.renew() and await one.remaining_ms() > 30_000
    assert not await two.renew() and not await two.release()
    # Not renewed, the lease runs out and the other takes it; the old holder cannot renew it back.
    await redis.pexpire(KEYS.leader, 20)
    async with asyncio.timeout(WAIT_S):
        while not await two.acquire():  # noqa: ASYNC110 - the expiry is Redis's, no event announces it
            await asyncio.sleep(0.02)
    assert await two.holder() == "two"
    assert not await one.renew()
    # Released, it is free at once.
    assert await two.release() and await two.holder() is None and await one.remaining_ms() == 0
    assert await one.acquire()


async def test_the_first_instance_leads_and_a_closed_leader_hands_over_at_once(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    first, second = (
        backplane_at(redis_server.url, instance_id="first"),
        backplane_at(redis_server.url, instance_id="second"),
    )
    await first.start()
    await until(lambda: first.is_leader, WAIT_S)
    await second.start()
    await until(lambda: second.connected, WAIT_S)
    assert not second.is_leader
    assert await redis.pttl(KEYS.leader) > 0  # held, with the lease's TTL still to run
    await first.close()
    # Released, not left to expire: the lease is free (or already the second's) as close returns.
    assert await redis.get(KEYS.leader) in (None, b"second")
    await until(lambda: second.is_leader, WAIT_S)
    assert await redis.get(KEYS.leader) == b"second"
    await second.close()


# -- the fence ----------------------------------------------------------------------------------


async def test_redis_refuses_a_stream_id_at_or_below_the_last(redis: aioredis.Redis) -> None:
    await write(redis, delta(5))
    for seq in (5, 4):
        with pytest.raises(aioredis.ResponseError, match="equal or smaller"):
            await redis.xadd(KEYS.stream("m1"), {"e": b"x"}, id=stream_id(seq))


async def test_the_publish_script_is_fenced_and_idempotent(redis: aioredis.Redis) -> None:
    script = redis.register_script(PUBLISH)
    await redis.set(KEYS.leader, "me")

    async def publish(update: DeltaUpdate, raw: bytes, instance: str = "me") -> bytes:
        keys = [KEYS.leader, KEYS.stream("m1"), KEYS.matches, KEYS.seqs, KEYS.league(DEMO_LEAGUE)]
        args = [instance, update.seq, raw, 100, "m1", encode_match(update.match), KEYS.updates]
        result = await script(keys=keys, args=args)
        assert isinstance(result, bytes)
        return result

    first = envelope(delta(1))
    assert await publish(delta(1), first) == b"ok"
    assert await publish(delta(1), first) == b"dup"  # a retried flush
    assert await publish(delta(1), envelope(delta(1))) == b"conflict"  # another leader's seq 1
    assert await publish(delta(2), envelope(delta(2)), instance="stale") == b"notleader"
    assert [u.seq for u in await stream(redis, "m1")] == [1]
    assert await redis.smembers(KEYS.league(DEMO_LEAGUE)) == {b"m1"}


async def test_a_stale_leader_is_refused_and_steps_down(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    recorder = Recorder()
    leader = backplane_at(redis_server.url, instance_id="old", lease_ms=60_000)
    await leader.start(recorder)
    await until(lambda: leader.is_leader, WAIT_S)
    await leader.publish(delta(1))
    await until(lambda: recorder.seqs() == [1], WAIT_S)
    # Its lease is gone and another instance holds it (as after a long pause): the write is refused.
    await redis.set(KEYS.leader, "new")
    await leader.publish(delta(2))
    await until(lambda: not leader.is_leader, WAIT_S)
    assert [u.seq for u in await stream(redis, "m1")] == [1]
    assert recorder.seqs() == [1]  # what Redis refused was never delivered
    await leader.publish(delta(3))  # a follower publishes nothing
    assert leader.buffered == 0
    await leader.close()
    assert await redis.get(KEYS.leader) == b"new"  # closing did not release someone else's lease


# -- following: gaps, reconnects, holes -----------------------------------------------------------


async def test_a_message_pub_sub_lost_is_read_from_the_stream(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    await redis.set(KEYS.leader, "tester", px=60_000)  # the follower never leads here
    recorder = Recorder()
    backplane = backplane_at(redis_server.url)
    await backplane.start(recorder)
    await until(lambda: backplane.connected, WAIT_S)
    for seq in (1, 2, 3):
        await write(redis, delta(seq))
    await until(lambda: recorder.seqs() == [1, 2, 3], WAIT_S)
    await write(redis, delta(4), publish=False)  # pub/sub never carries 4...
    await write(redis, delta(5))  # ...and 5 reveals the gap
    await until(lambda: recorder.seqs() == [1, 2, 3, 4, 5], WAIT_S)
    assert backplane.lag_ms is not None and backplane.lag_ms >= 0

    # While the subscriber's connection is down, nothing arrives by pub/sub: the stream has it all.
    await write(redis, delta(6), publish=False)
    await write(redis, delta(7), publish=False)
    await redis.client_kill_filter(_type="pubsub")
    await until(lambda: recorder.seqs() == [1, 2, 3, 4, 5, 6, 7], WAIT_S)

    # A hole no stream fills (trimmed, or lost with Redis): reported, from the newest state.
    await write(redis, delta(10))
    await until(lambda: recorder.lost_calls == [("m1", 10)], WAIT_S)
    await write(redis, delta(11))
    await until(lambda: recorder.seqs()[-1] == 11, WAIT_S)
    assert recorder.seqs() == [1, 2, 3, 4, 5, 6, 7, 11]
    await backplane.close()


async def test_a_new_instance_loads_the_recent_past_of_every_match(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    for seq in range(1, 8):
        await write(redis, delta(seq), publish=False)
    await write(redis, delta(3, "m2"), publish=False)
    recorder = Recorder()
    backplane = backplane_at(redis_server.url, backlog=5)
    await backplane.start(recorder)
    async with asyncio.timeout(WAIT_S):
        await backplane.ready.wait()
    assert recorder.seqs("m1") == [3, 4, 5, 6, 7] and recorder.seqs("m2") == [3]
    assert backplane.epoch is not None and backplane.epoch == (await redis.get(KEYS.epoch) or b"").decode()
    await backplane.close()


# -- instances ----------------------------------------------------------------------------------


async def test_two_instances_send_every_update_in_the_same_order(
    redis_server: RedisServer, exits: contextlib.AsyncExitStack
) -> None:
    async with pair(redis_server.url) as (a, b):
        # A new instance serves Redis's state at once, under the same epoch.
        assert b.seqs() == a.seqs() and b.server.epoch == a.server.epoch
        on_a, on_b = await subscribed(a, exits), await subscribed(b, exits)
        assert on_a.frames[0]["matches"] == on_b.frames[0]["matches"]
        a.clock.resume()  # the whole tape, as fast as the engine goes
        async with asyncio.timeout(WAIT_S * 2):
            await asyncio.shield(a.engine_task)  # type: ignore[arg-type]
        await until(lambda: on_a.last_seqs() == on_b.last_seqs() == a.seqs(), WAIT_S)
        assert kept_updates(on_a) == kept_updates(on_b)  # same updates, same order
        events_a = [f["event"] for f in kept(on_a) if f["type"] == "event"]
        assert events_a == [f["event"] for f in kept(on_b) if f["type"] == "event"]
        start = held_seqs(on_b, DEMO_MATCH)[0][1]
        in_redis = [u for u in await stream(b.backplane.client, DEMO_MATCH) if u.seq > start]
        assert contiguous(on_b, DEMO_MATCH) == [u.seq for u in in_redis]
        assert kept_events(on_b) == stream_events(in_redis)
        assert {"goal:home:1-0", "goal:home:2-0", "phase:FT"} <= {key for _, _, key in kept_events(on_b)}
        assert b.server.engine.polls == 0 and a.server.engine.polls > 0  # one poller


async def test_the_follower_takes_over_when_the_leader_dies(
    redis_server: RedisServer, redis: aioredis.Redis, exits: contextlib.AsyncExitStack
) -> None:
    async with pair(redis_server.url, lease_b=SHORT_MS) as (a, b):
        on_a, on_b = await subscribed(a, exits), await subscribed(b, exits)
        for instance in (a, b):
            instance.clock.set_speed(1500.0)  # the 7380 s tape in about 5 s
            instance.clock.resume()
        await until(lambda: a.position >= 3000 and on_b.last_seqs()[DEMO_MATCH] > 60, WAIT_S)
        # Once b leads, its tape plays as fast as its engine goes, not against the wall clock: how
        # the replay ends must not hang on the machine's speed.
        b.clock.pause()
        b.clock.set_speed(math.inf)
        await a.crash()  # killed: its lease is left behind...
        await redis.pexpire(KEYS.leader, 1)  # ...and runs out (bench/takeover.py times a real expiry)
        await until(lambda: b.backplane.is_leader, WAIT_S)
        assert await redis.get(KEYS.leader) == b"b"
        b.clock.resume()
        async with asyncio.timeout(WAIT_S * 2):
            await until(lambda: b.engine_task is not None, WAIT_S)
            await asyncio.shield(b.engine_task)  # type: ignore[arg-type]
        await until(lambda: on_b.last_seqs() == b.seqs(), WAIT_S)
        # The follower's client: every seq once, in order, across the change of leader.
        start = held_seqs(on_b, DEMO_MATCH)[0][1]
        in_redis = [u for u in await stream(b.backplane.client, DEMO_MATCH) if u.seq > start]
        assert contiguous(on_b, DEMO_MATCH) == [u.seq for u in in_redis]
        assert kept_events(on_b) == stream_events(in_redis)
        assert "phase:FT" in {key for _, _, key in kept_events(on_b)}
        # The dead leader's client comes back on the survivor and resumes where it was.
        assert on_a.closed is not None
        position = on_a.last_seqs()
        async with ws_client(b.url) as again:
            await again.send_json({"op": "hello", "epoch": on_a.client.welcome["epoch"], "resume": position})
            resumed = await again.subscribe(LEAGUE)
            assert resumed["type"] == "resumed" and resumed["recovered"] is True, resumed
            replayed = [await again.recv_json() for _ in range(resumed["replayed"])]
            seqs = [f["seq"] for f in replayed if f["match_id"] == DEMO_MATCH]
            assert seqs == list(range(position[DEMO_MATCH] + 1, b.seqs()[DEMO_MATCH] + 1))


def two_nil(instance: Instance) -> bool:
    """The instance serves the demo match at 2-0 (its engine may have polled the tape that far and
    not have handed it over yet: equal seqs alone do not say the tape was played)."""
    match = instance.server.state.store.get(DEMO_MATCH)
    return match is not None and (match.score.home, match.score.away) == (2, 0)


async def test_a_client_resumes_on_another_instance_without_a_gap(redis_server: RedisServer) -> None:
    async with pair(redis_server.url) as (a, b):
        async with ws_client(a.url) as client:
            first = await client.subscribe(LEAGUE)
            a.jump_to(FIRST_GOAL_T)
            goal = await client.recv_until(
                lambda f: f["type"] == "event" and f["event"]["kind"] == "goal", WAIT_S
            )
            epoch = client.welcome["epoch"]
        position = {m: seq for _, m, seq in kept_updates(Collector(client, [first, *goal]))}
        await play(a, SECOND_GOAL_T + 60)  # a lot happens while the client is away: the 2-0 too
        await until(lambda: two_nil(b) and b.seqs() == a.seqs(), WAIT_S)
        reached = a.seqs()[DEMO_MATCH]  # (a detail fetched late may still add to it: at least this)
        assert reached > position[DEMO_MATCH] + 20
        async with ws_client(b.url) as client:
            assert client.welcome["epoch"] == epoch  # one epoch for every instance
            await client.send_json({"op": "hello", "epoch": epoch, "resume": position})
            resumed = await client.subscribe(LEAGUE)
            assert (resumed["type"], resumed["recovered"]) == ("resumed", True), resumed
            replayed = [await client.recv_json() for _ in range(resumed["replayed"])]
            seqs = [f["seq"] for f in replayed if f["match_id"] == DEMO_MATCH]
            assert seqs[-1] >= reached
            assert seqs == list(range(position[DEMO_MATCH] + 1, seqs[-1] + 1))  # every one, once, in order
            in_redis = await stream(b.backplane.client, DEMO_MATCH)
            expected = [
                u.event.key
                for u in in_redis
                if isinstance(u, EventUpdate) and position[DEMO_MATCH] < u.seq <= seqs[-1]
            ]
            assert [f["event"]["key"] for f in replayed if f["type"] == "event"] == expected
            assert "goal:home:2-0" in expected


async def test_redis_restarted_mid_tape(redis_server: RedisServer, exits: contextlib.AsyncExitStack) -> None:
    async with pair(redis_server.url) as (a, b):
        on_a, on_b = await subscribed(a, exits), await subscribed(b, exits)
        a.jump_to(FIRST_GOAL_T - 120)
        await until(lambda: b.seqs() == a.seqs() and on_b.last_seqs() == a.seqs(), WAIT_S)
        # A client that leaves now comes back after Redis lost everything: its epoch is gone.
        async with ws_client(b.url) as leaving:
            await leaving.subscribe(LEAGUE)
            old_epoch, position = leaving.welcome["epoch"], b.seqs()

        redis_server.stop()
        await until(lambda: not a.backplane.connected and not b.backplane.connected, WAIT_S)
        await until(lambda: on_a.saw(degraded) and on_b.saw(degraded), WAIT_S)
        down = (await get(f"{a.http}/health")).json()
        assert (
            down["role"] == "leader" and down["redis"]["connected"] is False and down["redis"]["last_error"]
        )
        # The leader goes on polling and serving its own clients while Redis is away.
        a.jump_to(FIRST_GOAL_T + 60)
        await until(
            lambda: on_a.saw(lambda f: f["type"] == "event" and f["event"]["key"] == "goal:home:1-0"), WAIT_S
        )
        assert a.backplane.buffered > 0 and not on_b.saw(lambda f: f["type"] == "event" and f["seq"] > 10)

        redis_server.start()  # empty: no persistence
        await until(lambda: a.backplane.connected and b.backplane.connected, WAIT_S)
        await until(lambda: on_a.saw(recovered) and on_b.saw(recovered), WAIT_S)
        assert await leader_of(a, b, timeout=WAIT_S) is a  # the leader of before leads again
        await until(lambda: a.backplane.buffered == 0 and b.seqs() == a.seqs(), WAIT_S)
        assert a.server.epoch == b.server.epoch != old_epoch
        a.clock.resume()
        async with asyncio.timeout(WAIT_S * 2):
            await until(lambda: a.engine_task is not None, WAIT_S)
            await asyncio.shield(a.engine_task)  # type: ignore[arg-type]
        await until(lambda: on_a.last_seqs() == on_b.last_seqs() == a.seqs(), WAIT_S)

        # Nobody crashed, both clients are still connected, and each has every event — or was told
        # explicitly that it has not (a snapshot with recovered: false).
        in_redis = await stream(a.backplane.client, DEMO_MATCH)
        for collector in (on_a, on_b):
            assert collector.closed is None and not collector.client.ws.close_code
            if not collector.saw(not_recovered):
                start = held_seqs(collector, DEMO_MATCH)[0][1]
                assert kept_events(collector) == stream_events([u for u in in_redis if u.seq > start])
                contiguous(collector, DEMO_MATCH)
        assert "goal:home:1-0" in {key for _, _, key in kept_events(on_b)}
        for collector in (on_a, on_b):
            await collector.client.send_json({"op": "ping", "id": "alive"})
            await until(
                lambda c=collector: c.saw(lambda f: f["type"] == "pong" and f["id"] == "alive"), WAIT_S
            )
        async with ws_client(b.url) as back:
            await back.send_json({"op": "hello", "epoch": old_epoch, "resume": position})
            answer = await back.subscribe(LEAGUE)
            assert not_recovered(answer), answer


async def test_a_hole_in_the_stream_gives_clients_a_not_recovered_snapshot(
    redis_server: RedisServer, redis: aioredis.Redis, exits: contextlib.AsyncExitStack
) -> None:
    """The guarantee, whatever the interleaving: seqs no stream holds are never a silent gap.

    A writer b cannot replace puts seq last+3 and last+4 in the stream; last+1 and last+2 are in no
    stream. b's client then holds a ``recovered: false`` snapshot at last+3 or later (last+4 when b
    reads the matches hash after the second write: both are right), every delta or event it gets is
    one above what it held, and it ends at last+4. Which of the two the snapshot carries is a race
    between the writer and b, so the test does not pin it.
    """
    async with pair(redis_server.url) as (a, b):
        a.jump_to(FIRST_GOAL_T)
        await until(lambda: b.seqs() == a.seqs(), WAIT_S)
        on_b = await subscribed(b, exits)
        # A leader b cannot replace, in place before a dies: b never leads, every later seq is the ghost's.
        await redis.set(KEYS.leader, "ghost", px=60_000)
        await a.crash()
        last = b.seqs()[DEMO_MATCH]
        assert b.backplane.last_seqs()[DEMO_MATCH] == last and not b.backplane.is_leader
        await until(lambda: on_b.last_seqs().get(DEMO_MATCH) == last, WAIT_S)
        held = b.server.state.store.get(DEMO_MATCH)
        assert held is not None
        ghost = Outbox(redis, KEYS, "ghost", 100, 100)
        for seq in (last + 3, last + 4):
            update = DeltaUpdate(
                channel=LEAGUE,
                at=datetime.now(UTC),
                match_id=DEMO_MATCH,
                seq=seq,
                match=msgspec.structs.replace(held, seq=seq, clock=f"{seq}'"),
            )
            assert await ghost.send([(update, envelope(update, "ghost"))]) == [b"ok"]
        await until(lambda: on_b.last_seqs().get(DEMO_MATCH) == last + 4, WAIT_S)

        trail = held_seqs(on_b, DEMO_MATCH)  # asserts: no silent gap anywhere
        fresh = [seq for kind, seq in trail if kind == "not recovered"]
        assert len(fresh) == 1 and fresh[0] in (last + 3, last + 4), trail
        assert not {last + 1, last + 2} & {seq for _, seq in trail}, trail
        assert trail[-1][1] == last + 4 and b.seqs()[DEMO_MATCH] == last + 4
        # A client that held a position before the hole cannot be resumed across it.
        async with ws_client(b.url) as back:
            await back.send_json({"op": "hello", "epoch": b.server.epoch, "resume": {DEMO_MATCH: last}})
            assert not_recovered(await back.subscribe(LEAGUE))


async def test_a_cut_off_leader_replaced_meanwhile_starts_over_with_its_clients(
    redis_server: RedisServer, redis: aioredis.Redis, exits: contextlib.AsyncExitStack
) -> None:
    """Split brain: the leader loses Redis (not its clients), another instance takes over; the first
    served seqs Redis never got, so on its return it starts over from Redis and says so."""
    for user in ("a", "b"):
        await redis.execute_command("ACL", "SETUSER", user, "on", f">{user}pw", "~*", "&*", "+@all")
    url = {user: f"redis://{user}:{user}pw@127.0.0.1:{redis_server.port}/0" for user in ("a", "b")}
    async with pair(url["a"], url["b"], lease_b=SHORT_MS) as (a, b):
        on_a, on_b = await subscribed(a, exits), await subscribed(b, exits)
        a.jump_to(FIRST_GOAL_T - 120)
        await until(lambda: b.seqs() == a.seqs(), WAIT_S)
        old_epoch, before = a.server.epoch, a.seqs()[DEMO_MATCH]

        await redis.execute_command("ACL", "SETUSER", "a", "off")  # a cannot reconnect...
        await redis.client_kill_filter(user="a")  # ...once its connections are cut
        await until(lambda: not a.backplane.connected, WAIT_S)
        a.jump_to(FIRST_GOAL_T + 60)  # a still polls and serves its clients: the goal, seqs Redis never got
        await until(lambda: on_a.saw(lambda f: f["type"] == "event" and f["event"]["kind"] == "goal"), WAIT_S)
        await redis.pexpire(KEYS.leader, 1)  # a's lease runs out: cut off, it cannot renew it...
        await until(lambda: b.backplane.is_leader, WAIT_S)  # ...and b takes over
        b.jump_to(FIRST_GOAL_T + 300)  # and gives the same seqs to its own view of the match
        await until(lambda: b.seqs()[DEMO_MATCH] > before + 3, WAIT_S)

        await redis.execute_command("ACL", "SETUSER", "a", "on")
        await until(lambda: a.backplane.connected and on_a.saw(not_recovered), WAIT_S)
        assert not a.backplane.is_leader and a.server.epoch != old_epoch
        await until(lambda: b.server.epoch == a.server.epoch, WAIT_S)  # one epoch again
        await play(b, SECOND_GOAL_T + 60)
        # The clock has passed the second goal; the poll that sees it may still be under way.
        await until(lambda: any(key == "goal:home:2-0" for _, _, key in kept_events(on_b)), WAIT_S)
        await until(lambda: a.seqs() == b.seqs() and on_a.last_seqs() == on_b.last_seqs() == b.seqs(), WAIT_S)
        # After its fresh snapshot, a's client follows b's lineage with no gap.
        index = next(i for i, f in enumerate(on_a.frames) if not_recovered(f))
        restarted = Collector(on_a.client, on_a.frames[index:])
        assert (
            contiguous(restarted, DEMO_MATCH)
            == contiguous(on_b, DEMO_MATCH)[-len(contiguous(restarted, DEMO_MATCH)) :]
        )
        assert kept_events(restarted) == kept_events(on_b)[-len(kept_events(restarted)) :]
        assert "goal:home:2-0" in {key for _, _, key in kept_events(restarted)}


async def test_health_and_metrics_show_role_redis_and_lag(redis_server: RedisServer) -> None:
    async with pair(redis_server.url, lease_a=SHORT_MS, lease_b=SHORT_MS) as (a, b):
        a.jump_to(FIRST_GOAL_T)
        await until(lambda: b.seqs() == a.seqs() and b.backplane.lag_ms is not None, WAIT_S)
        health = {i.name: (await get(f"{i.http}/health")).json() for i in (a, b)}
        assert (health["a"]["role"], health["b"]["role"]) == ("leader", "follower")
        for body in health.values():
            assert body["redis"]["connected"] is True and body["epoch"] == a.server.epoch
        # The follower does not poll: it reports the source as the leader last did.
        assert b.server.engine.status(DEMO_LEAGUE).last_ok is None
        assert health["b"]["leagues"][DEMO_LEAGUE]["last_ok"] is not None
        lag = health["b"]["redis"]["lag_ms"]
        assert isinstance(lag, float) and lag >= 0  # measured, never negative; its size is no test's business
        # The leader polls for the clients of every instance.
        async with ws_client(b.url), ws_client(b.url):
            await until(lambda: a.server.engine.options.subscribers() == 2, WAIT_S)
            assert (await get(f"{a.http}/health")).json()["cluster_connections"] == 2
        for instance, leading in ((a, 1.0), (b, 0.0)):
            text = (await get(f"{instance.http}/metrics")).text
            assert re.search(rf"^scoreterm_leader {leading}$", text, re.M), text
            assert re.search(r"^scoreterm_redis_connected 1\.0$", text, re.M)
            assert re.search(r"^scoreterm_redis_lag_seconds [0-9.e-]+$", text, re.M)


async def test_an_instance_started_before_redis_serves_once_redis_is_up(tmp_path: Path) -> None:
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server not found on PATH or in /usr/sbin (apt-get install redis-server)")
    later = RedisServer(binary, tmp_path / "later")
    async with running_instance(later.url, "early") as early:
        assert not early.backplane.connected and not early.backplane.is_leader and early.seqs() == {}
        health = (await get(f"{early.http}/health")).json()
        assert health["role"] == "follower" and health["redis"]["connected"] is False
        try:
            later.start()
            await leader_of(early, timeout=WAIT_S)  # connected, elected, polling
            await until(lambda: DEMO_MATCH in early.served(), WAIT_S)
            async with ws_client(early.url) as client:
                snapshot = await client.subscribe(LEAGUE)
                assert DEMO_MATCH in {m["id"] for m in snapshot["matches"]}
        finally:
            later.stop()


# -- the command line ---------------------------------------------------------------------------


def test_cli_serve_with_a_bad_redis_url_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scoreterm", "serve", "--demo", "--port", "0", "--redis", "http://nope"],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scoreterm: error: bad Redis URL"), lines


def test_cli_serve_starts_without_redis_and_says_so(tmp_path: Path) -> None:
    env = {**cli_env(tmp_path), "SCORETERM_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    with stopped(scoreterm(["serve", "--demo", "--port", "0"], env)) as server:
        assert server.stderr is not None
        errors = Lines(server.stderr)
        banner = errors.until(lambda line: "ws://" in line)
        port = int(re.findall(r":(\d+)/v1/ws", banner)[0])
        errors.until(lambda line: "backplane" in line and "not reachable yet" in line)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        assert health["role"] == "follower" and health["redis"]["connected"] is False
        assert health["redis"]["last_error"]
        server.terminate()
        assert server.wait(timeout=15) == 0


def test_cli_serve_with_redis_leads_and_serves(tmp_path: Path, redis_server: RedisServer) -> None:
    env = cli_env(tmp_path)
    with stopped(scoreterm(["serve", "--demo", "--port", "0", "--redis", redis_server.url], env)) as server:
        assert server.stderr is not None
        errors = Lines(server.stderr)
        port = int(re.findall(r":(\d+)/v1/ws", errors.until(lambda line: "ws://" in line))[0])
        errors.until(lambda line: "backplane" in line and "(connected" in line)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        assert health["role"] in ("leader", "follower") and health["redis"]["connected"] is True
        with stopped(scoreterm(["watch", "--server", f"ws://127.0.0.1:{port}", "--json"], env)) as watch:
            assert watch.stdout is not None
            lines = Lines(watch.stdout)
            first = json.loads(lines.next(timeout=20))
            while first["type"] == "status":  # how the source is doing: not a change of a match
                first = json.loads(lines.next(timeout=20))
            assert first["type"] == "snapshot" and DEMO_MATCH in {m["id"] for m in first["matches"]}
        server.terminate()
        assert server.wait(timeout=15) == 0
    # It wrote under a namespace of its own (the demo, for its leagues) and gave the lease back.
    with sync_redis.Redis.from_url(redis_server.url) as plain:
        keys = {key.decode() for key in plain.keys("*")}
    assert "scoreterm:demo:fifa.world:matches" in keys and "scoreterm:demo:fifa.world:leader" not in keys
