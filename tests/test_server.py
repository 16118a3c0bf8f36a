"""``scoreterm serve`` over real sockets: the v1 protocol, limits, auth, heartbeats, HTTP, shutdown, CLI.

Every server here listens on 127.0.0.1, port 0, and plays the demo tape on a paused replay clock: a
test makes things happen by jumping the clock (the first goal is at tape t=820 s) and waits for them
with bounded receives. Nothing sleeps to let time pass; the heartbeat tests, whose subject *is* time
(a 0.5 s heartbeat), poll a condition under a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import httpx
import msgspec
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from scoreterm.domain.model import DeltaUpdate, Update
from scoreterm.net.history import History
from scoreterm.net.protocol import CLOSE_REASONS, CloseCode
from scoreterm.net.server import ServerConfig
from tests.servers import (
    DEMO_LEAGUE,
    DEMO_MATCH,
    FIRST_GOAL_T,
    OTHER_MATCH,
    SECOND_GOAL_T,
    Json,
    RawWebSocket,
    RunningServer,
    closed_with,
    metric,
    running_server,
    server_config,
    until,
    ws_client,
)
from tests.test_cli_live import scoreterm as launch_command

LEAGUE = f"league:{DEMO_LEAGUE}"
TOKEN = "s3cret-token"


# -- helpers ------------------------------------------------------------------------------------


def is_goal(frame: Json) -> bool:
    return bool(frame["type"] == "event" and frame["event"]["kind"] == "goal")


def is_pong(ident: str) -> Callable[[Json], bool]:
    def check(frame: Json) -> bool:
        return bool(frame["type"] == "pong" and frame["id"] == ident)

    return check


def is_delta_with_score(home: int, away: int) -> Callable[[Json], bool]:
    def check(frame: Json) -> bool:
        return bool(frame["type"] == "delta" and frame["data"]["score"] == {"home": home, "away": away})

    return check


def demo_seq(rs: RunningServer) -> int:
    """The demo match's latest seq in the engine's store."""
    match = rs.server.engine.store.get(DEMO_MATCH)
    assert match is not None
    return match.seq


def synthetic_delta(rs: RunningServer, seq: int, padding: int = 0) -> Update:
    """A delta of the demo match with ``seq``, its venue padded by ``padding`` characters."""
    base = rs.server.engine.store.get(DEMO_MATCH)
    assert base is not None
    match = msgspec.structs.replace(base, seq=seq, venue="x" * padding)
    return DeltaUpdate(
        channel=LEAGUE,
        at=rs.server.clock.now(),
        match_id=DEMO_MATCH,
        seq=seq,
        match=match,
    )


# -- connecting, subscribing, streaming ---------------------------------------------------------


def test_binds_loopback_by_default() -> None:
    assert ServerConfig().host == "127.0.0.1"
    assert server_config().host == "127.0.0.1"


async def test_the_socket_is_bound_to_loopback() -> None:
    async with running_server() as rs:
        assert rs.server._server is not None
        assert {s.getsockname()[0] for s in rs.server._server.sockets} == {"127.0.0.1"}


async def test_welcome_comes_first_with_the_server_facts() -> None:
    config = server_config(heartbeat_s=7.5, max_subscriptions=3, max_messages_per_s=4.0)
    async with running_server(config) as rs, ws_client(rs.url) as one, ws_client(rs.url) as two:
        welcome = one.welcome
        assert welcome["v"] == 1
        assert re.fullmatch(r"[0-9a-f]{16}", welcome["connection_id"])
        assert welcome["connection_id"] != two.welcome["connection_id"]
        assert set(rs.server.clients) == {welcome["connection_id"], two.welcome["connection_id"]}
        server_time = datetime.fromisoformat(welcome["server_time"])
        assert abs(server_time - datetime.now(UTC)) < timedelta(seconds=60)
        assert welcome["heartbeat_s"] == 7.5
        assert welcome["epoch"] == rs.history.epoch == two.welcome["epoch"]
        assert re.fullmatch(r"[0-9a-f]{32}", welcome["epoch"])
        assert welcome["limits"] == {
            "max_subscriptions": 3,
            "max_message_bytes": 64 * 1024,
            "max_messages_per_s": 4.0,
            "history_per_match": 300,
        }
        assert welcome["leagues"] == [DEMO_LEAGUE]
        assert welcome["server"].startswith("scoreterm/")


async def test_league_snapshot_then_events_and_deltas_in_seq_order() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        snapshot = await client.subscribe(LEAGUE)
        assert snapshot["type"] == "snapshot" and snapshot["channel"] == LEAGUE
        assert snapshot["recovered"] is None
        by_id = {m["id"]: m for m in snapshot["matches"]}
        assert set(by_id) == {DEMO_MATCH, OTHER_MATCH}
        assert all(m["seq"] >= 1 for m in by_id.values())
        assert by_id[DEMO_MATCH]["score"] == {"home": 0, "away": 0}
        assert by_id[DEMO_MATCH]["phase"]["state"] == "scheduled"

        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(1, 0))
        stream = [f for f in frames if f["type"] in ("event", "delta")]
        assert all(f["channel"] == LEAGUE and f["match_id"] == DEMO_MATCH for f in stream)
        seqs = [f["seq"] for f in stream]
        assert seqs == sorted(set(seqs)), seqs  # strictly increasing
        assert seqs[0] > by_id[DEMO_MATCH]["seq"]
        kinds = [f["event"]["kind"] for f in stream if f["type"] == "event"]
        assert kinds.count("goal") == 1 and kinds.index("phase_change") < kinds.index(
            "goal"
        )  # kick-off first
        goal = next(f for f in stream if is_goal(f))
        assert goal["event"]["seq"] == goal["seq"] and goal["event"]["side"] == "home"
        assert stream[-1]["data"]["seq"] == stream[-1]["seq"] > goal["seq"]  # events first, then the state
        assert stream[-1]["data"]["phase"]["state"] == "live"


async def test_unsubscribe_stops_the_channel() -> None:
    async with running_server() as rs, ws_client(rs.url) as client, ws_client(rs.url) as observer:
        await client.subscribe(LEAGUE)
        await observer.subscribe(LEAGUE)
        await client.send_json({"op": "unsubscribe", "v": 1, "channel": LEAGUE})
        await client.assert_alive()  # no answer to unsubscribe, nothing queued: the pong is next

        rs.jump_to(FIRST_GOAL_T)
        await observer.recv_until(is_goal)  # the server has broadcast the goal...
        await client.assert_alive()  # ...but not to the unsubscribed client

        await client.subscribe(LEAGUE)  # and subscribing again works
        rs.jump_to(SECOND_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(2, 0))
        assert any(is_goal(f) for f in frames)


async def test_unsubscribe_after_a_live_stream_leaves_nothing_behind() -> None:
    async with running_server() as rs, ws_client(rs.url) as client, ws_client(rs.url) as observer:
        await client.subscribe(LEAGUE)
        await observer.subscribe(LEAGUE)
        rs.jump_to(FIRST_GOAL_T)
        await client.recv_until(is_goal)
        await client.send_json({"op": "unsubscribe", "v": 1, "channel": LEAGUE})
        # Frames sent before the server read the unsubscribe may still be on the way: read up to the pong.
        await client.send_json({"op": "ping", "v": 1, "id": "drain"})
        await client.recv_until(is_pong("drain"))

        rs.jump_to(SECOND_GOAL_T)
        await observer.recv_until(is_delta_with_score(2, 0))
        await client.assert_alive()


async def test_match_channel_gets_only_that_match_labelled_with_its_channel() -> None:
    channel = f"match:{DEMO_MATCH}"
    async with running_server() as rs, ws_client(rs.url) as client:
        snapshot = await client.subscribe(channel)
        assert snapshot["type"] == "snapshot" and snapshot["channel"] == channel
        assert [m["id"] for m in snapshot["matches"]] == [DEMO_MATCH]

        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(1, 0))
        assert any(is_goal(f) for f in frames)
        assert {f["match_id"] for f in frames} == {DEMO_MATCH}
        # The frames name the channel the client subscribed to, as resumed frames do.
        assert {f["channel"] for f in frames} == {channel}


async def test_overlapping_subscriptions_get_each_update_once_with_every_tier_asked_for() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        await client.subscribe(LEAGUE, tiers=["events"])
        await client.subscribe(f"match:{DEMO_MATCH}", tiers=["scoreboard"])
        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(1, 0))
        stream = [f for f in frames if f["type"] in ("event", "delta")]
        seqs = [f["seq"] for f in stream]
        assert seqs == sorted(set(seqs)), seqs  # once each, in order
        assert any(is_goal(f) for f in stream)  # the league's tier
        assert all(f["data"]["odds"] is None for f in stream if f["type"] == "delta")  # nobody asked for odds
        # Labelled with the match's channel, which carries the whole match (a league channel goes light).
        assert {f["channel"] for f in stream} == {f"match:{DEMO_MATCH}"}


async def test_tiers_pick_what_a_subscription_receives() -> None:
    async with (
        running_server() as rs,
        ws_client(rs.url) as everything,
        ws_client(rs.url) as events_only,
        ws_client(rs.url) as scoreboard_only,
    ):
        await everything.subscribe(LEAGUE)
        first = await events_only.subscribe(LEAGUE, tiers=["events"])
        assert first["type"] == "snapshot"  # the base state goes out whatever the tiers
        await scoreboard_only.subscribe(LEAGUE, tiers=["scoreboard"])

        rs.jump_to(FIRST_GOAL_T)
        # The detail fetched after the goal brings the stats: once the full subscriber has that delta,
        # the server has written every frame of the change to every subscriber.
        reference = await everything.recv_until(lambda f: f["type"] == "delta" and bool(f["data"]["stats"]))
        got: dict[str, list[Json]] = {}
        for name, client in (("events", events_only), ("scoreboard", scoreboard_only)):
            await client.send_json({"op": "ping", "v": 1, "id": name})
            got[name] = await client.recv_until(is_pong(name))

        ref_events = [f["seq"] for f in reference if f["type"] == "event"]
        ref_deltas = {f["seq"]: f for f in reference if f["type"] == "delta"}
        assert ref_events and ref_deltas
        last = reference[-1][
            "seq"
        ]  # (the engine is quiet by now; should it not be, later frames are ignored)
        assert [f["seq"] for f in got["events"] if f["type"] == "event" and f["seq"] <= last] == ref_events
        assert not [f for f in got["events"] if f["type"] == "delta"]

        deltas = [f for f in got["scoreboard"] if f["type"] == "delta" and f["seq"] <= last]
        assert [f["seq"] for f in deltas] == list(ref_deltas)
        assert not [f for f in got["scoreboard"] if f["type"] == "event"]
        # Without the odds tier the same states go out with "odds": null (the demo has no live price
        # at its first goal; test_protocol strips a delta that has one).
        assert all(f["data"]["odds"] is None for f in deltas)
        for frame in deltas:
            assert frame["data"] == {**ref_deltas[frame["seq"]]["data"], "odds": None}


async def test_ping_is_answered_with_its_id() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        for ident in (7, "abc", None):
            await client.send_json({"op": "ping", "v": 1, "id": ident})
            pong = await client.recv_json()
            assert pong["type"] == "pong" and pong["v"] == 1 and pong["id"] == ident
            assert abs(datetime.fromisoformat(pong["server_time"]) - datetime.now(UTC)) < timedelta(
                seconds=60
            )
        await client.send_json({"op": "ping"})  # v and id may be left out
        bare = await client.recv_json()
        assert (bare["type"], bare["id"]) == ("pong", None)
        assert metric(rs, "scoreterm_messages_in_total") == 4


# -- errors: an error frame, and the connection stays up -----------------------------------------


ERROR_CASES: list[tuple[str | bytes, str, str | None]] = [
    ("{not json", "bad_json", None),
    (b"\xff\xfe\x00", "bad_json", None),
    ("[1, 2]", "bad_message", None),
    ('{"v": 1}', "bad_message", None),
    ('{"op": 5}', "bad_message", None),
    ('{"op": "subscribe", "v": 1}', "bad_message", "subscribe"),
    ('{"op": "subscribe", "channel": "league:fifa.world", "tiers": ["gold"]}', "bad_message", "subscribe"),
    ('{"op": "dance", "v": 1}', "unknown_op", "dance"),
    ('{"op": "ping", "v": 2}', "unsupported_version", "ping"),
    ('{"op": "subscribe", "channel": "league:nope"}', "unknown_channel", "subscribe"),
    ('{"op": "subscribe", "channel": "match:espn-999"}', "unknown_channel", "subscribe"),
    ('{"op": "subscribe", "channel": "garbage"}', "unknown_channel", "subscribe"),
    ('{"op": "subscribe", "channel": "league:../etc"}', "unknown_channel", "subscribe"),
    ('{"op": "unsubscribe", "channel": "league:fifa.world"}', "not_subscribed", "unsubscribe"),
]


async def test_every_bad_input_gets_its_error_code_and_the_connection_stays_open() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        for raw, code, op in ERROR_CASES:
            await client.send_raw(raw)
            error = await client.recv_json()
            assert error["type"] == "error" and error["v"] == 1, (raw, error)
            assert (error["code"], error["op"]) == (code, op), (raw, error)
            assert isinstance(error["message"], str) and error["message"], (raw, error)
            await client.assert_alive()
        assert metric(rs, "scoreterm_errors_total", code="unknown_channel") == 4
        assert metric(rs, "scoreterm_errors_total", code="bad_message") == 5


async def test_hello_after_subscribe_is_refused() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        assert (await client.subscribe(LEAGUE))["type"] == "snapshot"
        await client.send_json({"op": "hello", "v": 1, "resume": {DEMO_MATCH: 1}})
        error = await client.recv_json()
        assert (error["type"], error["code"], error["op"]) == ("error", "hello_after_subscribe", "hello")
        await client.assert_alive()
        rs.jump_to(FIRST_GOAL_T)
        await client.recv_until(is_goal)  # still subscribed


async def test_too_many_subscriptions() -> None:
    async with running_server(server_config(max_subscriptions=2)) as rs, ws_client(rs.url) as client:
        assert (await client.subscribe(LEAGUE))["type"] == "snapshot"
        assert (await client.subscribe(f"match:{DEMO_MATCH}"))["type"] == "snapshot"
        error = await client.subscribe(f"match:{OTHER_MATCH}")
        assert (error["type"], error["code"], error["op"]) == ("error", "too_many_subscriptions", "subscribe")
        await client.assert_alive()
        # Subscribing again to a channel held does not count against the limit (it changes tiers).
        assert (await client.subscribe(LEAGUE, tiers=["events"]))["type"] == "snapshot"
        await client.send_json({"op": "unsubscribe", "channel": f"match:{DEMO_MATCH}"})
        assert (await client.subscribe(f"match:{OTHER_MATCH}"))["type"] == "snapshot"


async def test_without_the_token_subscribe_is_unauthorized_until_hello_gives_it() -> None:
    async with running_server(server_config(token=TOKEN)) as rs, ws_client(rs.url) as client:
        error = await client.subscribe(LEAGUE)
        assert (error["type"], error["code"], error["op"]) == ("error", "unauthorized", "subscribe")
        await client.send_json({"op": "unsubscribe", "channel": LEAGUE})
        error = await client.recv_json()
        assert (error["code"], error["op"]) == ("unauthorized", "unsubscribe")
        await client.assert_alive()
        await client.send_json({"op": "hello", "v": 1, "token": TOKEN})
        assert (await client.subscribe(LEAGUE))["type"] == "snapshot"


# -- abuse: close codes ------------------------------------------------------------------------------


async def test_a_frame_over_64_kib_closes_with_1009() -> None:
    async with running_server() as rs, ws_client(rs.url, max_size=None) as client:
        # Exactly at the limit is fine (unknown fields are ignored)...
        padding = 64 * 1024 - len(json.dumps({"op": "ping", "id": 1, "pad": ""}))
        await client.send_json({"op": "ping", "id": 1, "pad": "x" * padding})
        assert (await client.recv_json())["type"] == "pong"
        # ...one byte over is not.
        await client.send_raw("x" * (64 * 1024 + 1))
        closed, _ = await closed_with(client)
        assert closed.rcvd is not None and closed.rcvd.code == CloseCode.TOO_BIG
        await until(
            lambda: metric(rs, "scoreterm_drops_total", reason="oversize") == 1 and not rs.server.clients
        )


async def test_a_flood_closes_with_4008_and_its_reason() -> None:
    config = server_config(max_messages_per_s=5.0, burst_messages=10.0)
    async with running_server(config) as rs, ws_client(rs.url) as client:
        with contextlib.suppress(ConnectionClosed):
            for i in range(50):
                await client.send_json({"op": "ping", "v": 1, "id": i})
        closed, frames = await closed_with(client)
        assert closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (4008, CLOSE_REASONS[CloseCode.RATE_LIMITED])
        pongs = [f["id"] for f in frames if f["type"] == "pong"]
        assert 10 <= len(pongs) <= 15 and pongs == list(range(len(pongs)))  # the burst, then the close
        assert metric(rs, "scoreterm_drops_total", reason="flood") == 1


# -- auth -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hello", [{"op": "hello"}, {"op": "hello", "token": "nope"}], ids=["missing", "wrong"]
)
async def test_hello_without_the_right_token_closes_with_4001(hello: Json) -> None:
    async with running_server(server_config(token=TOKEN)) as rs, ws_client(rs.url) as client:
        await client.send_json(hello)
        closed, frames = await closed_with(client)
        assert frames == []
        assert closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (4001, CLOSE_REASONS[CloseCode.UNAUTHORIZED])
        await until(lambda: not rs.server.clients)
        assert metric(rs, "scoreterm_rejected_total", reason="token") == 1


async def test_the_right_token_by_header_or_query_is_accepted_at_the_upgrade() -> None:
    async with running_server(server_config(token=TOKEN)) as rs:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            ws_client(rs.url, additional_headers=bearer) as by_header,
            ws_client(f"{rs.url}?token={TOKEN}") as by_query,
        ):
            for client in (by_header, by_query):
                assert (await client.subscribe(LEAGUE))["type"] == "snapshot"
        # A hello without a token does not undo the upgrade's (the server checks it only when needed).
        async with ws_client(rs.url, additional_headers=bearer) as client:
            await client.send_json({"op": "hello", "v": 1})
            assert (await client.subscribe(LEAGUE))["type"] == "snapshot"


@pytest.mark.parametrize(
    ("url_suffix", "headers"),
    [("", {"Authorization": "Bearer wrong"}), ("?token=wrong", {})],
    ids=["bearer", "query"],
)
async def test_a_wrong_token_at_the_upgrade_is_refused_with_401(
    url_suffix: str, headers: dict[str, str]
) -> None:
    async with running_server(server_config(token=TOKEN)) as rs:
        with pytest.raises(InvalidStatus) as refused:
            async with ws_client(rs.url + url_suffix, additional_headers=headers):
                pass
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body) == {"error": "bad token"}
        assert not rs.server.clients


# -- admission: per-IP rate, capacity, origins ---------------------------------------------------


async def test_the_fourth_new_connection_in_a_minute_gets_429_with_retry_after() -> None:
    async with running_server(server_config(new_connections_per_minute=3)) as rs:
        for _ in range(3):
            async with ws_client(rs.url):
                pass
        with pytest.raises(InvalidStatus) as refused:
            async with ws_client(rs.url):
                pass
        response = refused.value.response
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert metric(rs, "scoreterm_rejected_total", reason="rate") == 1
        async with httpx.AsyncClient(timeout=5) as http:  # plain HTTP is not counted
            assert (await http.get(f"{rs.http}/health")).status_code == 200


async def test_over_max_connections_gets_503() -> None:
    async with running_server(server_config(max_connections=2)) as rs:
        async with ws_client(rs.url), ws_client(rs.url) as second:
            with pytest.raises(InvalidStatus) as refused:
                async with ws_client(rs.url):
                    pass
            assert refused.value.response.status_code == 503
            await second.ws.close()
            await until(lambda: len(rs.server.clients) == 1)
            async with ws_client(rs.url) as third:  # a freed slot can be taken again
                await third.assert_alive()
        assert metric(rs, "scoreterm_rejected_total", reason="capacity") == 1


async def test_origin_allow_list() -> None:
    async with running_server(server_config(origins=["https://fans.example"])) as rs:
        with pytest.raises(InvalidStatus) as refused:
            async with ws_client(rs.url, origin="https://evil.example"):
                pass
        assert refused.value.response.status_code == 403
        async with (
            ws_client(rs.url, origin="https://fans.example") as allowed,
            ws_client(rs.url) as no_origin,
        ):
            for client in (allowed, no_origin):
                assert (await client.subscribe(LEAGUE))["type"] == "snapshot"


# -- heartbeats and slow consumers ---------------------------------------------------------------------


async def test_a_client_that_never_answers_pings_is_closed_with_4011() -> None:
    async with running_server(server_config(heartbeat_s=0.5)) as rs, ws_client(rs.url) as healthy:
        raw = await RawWebSocket.connect(rs.port)
        try:
            opcodes: list[int] = []
            async with asyncio.timeout(5):
                while True:
                    opcode, payload = await raw.read_frame()
                    opcodes.append(opcode)
                    if opcode == 8:
                        break
            assert opcodes[0] == 1 and 9 in opcodes  # welcome, then a ping it did not answer
            code, reason = int.from_bytes(payload[:2], "big"), payload[2:].decode()
            assert (code, reason) == (4011, CLOSE_REASONS[CloseCode.HEARTBEAT])
            await until(lambda: set(rs.server.clients) == {healthy.welcome["connection_id"]})
            await until(lambda: metric(rs, "scoreterm_connections") == 1)  # its connection is gone too
            assert metric(rs, "scoreterm_drops_total", reason="heartbeat") == 1
        finally:
            await raw.close()
        await healthy.assert_alive()  # the library answers pings by itself: it stays


async def test_a_client_that_stopped_reading_is_disconnected_within_two_heartbeats() -> None:
    async with (
        running_server(server_config(heartbeat_s=0.5)) as rs,
        ws_client(rs.url, ping_interval=None) as frozen,
    ):
        frozen.ws.transport.pause_reading()
        # Not just forgotten: the TCP connection is gone too (the gauge falls when the handler ends).
        await until(lambda: not rs.server.clients and metric(rs, "scoreterm_connections") == 0, timeout=5)
        frozen.ws.transport.resume_reading()


async def test_a_slow_consumer_is_dropped_and_a_fast_one_misses_nothing() -> None:
    config = server_config(high_water_bytes=64 * 1024)
    async with (
        running_server(config) as rs,
        # No compression: the padded frames must weigh what they say in the slow one's buffers.
        ws_client(rs.url, compression=None) as slow,
        ws_client(rs.url, max_size=2**20) as fast,
    ):
        await slow.subscribe(LEAGUE)
        await fast.subscribe(LEAGUE)
        slow_id = slow.welcome["connection_id"]
        slow.ws.transport.pause_reading()
        base = rs.server.engine.store.get(DEMO_MATCH)
        assert base is not None
        sent: list[int] = []
        received: list[int] = []
        seq = base.seq

        async def burst() -> None:
            # Back to back, as the server's pump delivers the updates of one engine poll.
            nonlocal seq
            for _ in range(3):
                seq += 1
                rs.server.deliver(synthetic_delta(rs, seq, padding=16_000))
                sent.append(seq)
            frames = await fast.recv_until(lambda f: f["type"] == "delta" and f["seq"] == seq)
            received.extend(f["seq"] for f in frames if f["type"] == "delta")

        async with asyncio.timeout(30):
            while slow_id in rs.server.clients:
                # 48 MB: far more than the kernel buffers between two local sockets hold (~4 MB here).
                assert len(sent) < 3000, "the slow consumer was never dropped"
                await burst()
            await burst()
        assert received == sent  # every update, in order, no gap
        assert metric(rs, "scoreterm_drops_total", reason="slow_consumer") == 1  # one client, counted once
        assert fast.welcome["connection_id"] in rs.server.clients

        slow.ws.transport.resume_reading()
        closed, backlog = await closed_with(slow, timeout=20)
        if closed.rcvd is not None:  # else the connection was cut: also a fair way to tell it
            assert (closed.rcvd.code, closed.rcvd.reason) == (4010, CLOSE_REASONS[CloseCode.SLOW_CONSUMER])
        seqs = [f["seq"] for f in backlog if f["type"] == "delta"]
        assert seqs == sent[: len(seqs)] and len(seqs) < len(sent)  # no gap up to where it was cut off
        await fast.assert_alive()


async def test_a_slow_consumer_that_never_reads_again_is_cut_off() -> None:
    config = server_config(high_water_bytes=64 * 1024, close_timeout_s=0.5)
    async with running_server(config) as rs, ws_client(rs.url, compression=None) as slow:
        await slow.subscribe(LEAGUE)
        slow_id = slow.welcome["connection_id"]
        slow.ws.transport.pause_reading()
        seq = demo_seq(rs)
        async with asyncio.timeout(10):
            while slow_id in rs.server.clients:
                seq += 1
                rs.server.deliver(synthetic_delta(rs, seq, padding=16_000))
                await asyncio.sleep(0)
        # Its close frame cannot get through its full buffers: the server must not wait for ever.
        await until(lambda: metric(rs, "scoreterm_connections") == 0, timeout=5)
        slow.ws.transport.resume_reading()


# -- HTTP on the same port -----------------------------------------------------------------------------


async def test_health_and_metrics() -> None:
    async with running_server() as rs, ws_client(rs.url), httpx.AsyncClient(timeout=5) as http:
        health = (await http.get(f"{rs.http}/health")).json()
        assert health["status"] == "ok" and health["epoch"] == rs.history.epoch
        assert health["connections"] == 1
        assert health["polls"] >= 1 and DEMO_LEAGUE in health["leagues"]
        assert health["leagues"][DEMO_LEAGUE]["provider"] == "espn"

        response = await http.get(f"{rs.http}/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = response.text
        for name, kind in (
            ("scoreterm_connections", "gauge"),
            ("scoreterm_messages_out_total", "counter"),
            ("scoreterm_drops_total", "counter"),
            ("scoreterm_provider_health", "gauge"),
            ("scoreterm_polls", "gauge"),
        ):
            assert f"# TYPE {name} {kind}\n" in text, name
        assert re.search(r"^scoreterm_connections 1\.0$", text, re.M)
        assert re.search(r'^scoreterm_provider_health\{provider="espn"\} 1\.0$', text, re.M)
        polls = re.search(r"^scoreterm_polls (\S+)$", text, re.M)
        assert polls is not None and float(polls[1]) == rs.server.engine.polls
        sent = re.search(r"^scoreterm_messages_out_total (\S+)$", text, re.M)
        assert sent is not None and float(sent[1]) >= 1  # the welcome


async def test_leagues_endpoint() -> None:
    async with running_server() as rs, httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"{rs.http}/v1/leagues")
        assert response.status_code == 200
        assert response.json() == [
            {"slug": "fifa.world", "name": "FIFA World Cup", "sport": "soccer", "country": "World"}
        ]


async def test_scoreboard_etag_and_304() -> None:
    async with running_server() as rs, ws_client(rs.url) as client, httpx.AsyncClient(timeout=5) as http:
        url = f"{rs.http}/v1/leagues/{DEMO_LEAGUE}/scoreboard"
        first = await http.get(url)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{16}"', etag)
        board = {m["id"]: m for m in first.json()}
        assert set(board) == {DEMO_MATCH, OTHER_MATCH} and all(m["seq"] >= 1 for m in board.values())

        same = await http.get(url, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag

        await client.subscribe(LEAGUE)
        rs.jump_to(FIRST_GOAL_T)
        await client.recv_until(is_delta_with_score(1, 0))  # the store holds the goal now
        moved = await http.get(url, headers={"If-None-Match": etag})
        assert moved.status_code == 200 and moved.headers["etag"] != etag
        mex = next(m for m in moved.json() if m["id"] == DEMO_MATCH)
        assert mex["seq"] > board[DEMO_MATCH]["seq"]

        assert (await http.get(f"{rs.http}/v1/leagues/nope/scoreboard")).status_code == 404
        assert (await http.get(f"{rs.http}/v1/leagues/eng.1/scoreboard")).status_code == 404  # not served


async def test_timeline_lists_events_after_a_seq() -> None:
    async with running_server() as rs, ws_client(rs.url) as client, httpx.AsyncClient(timeout=5) as http:
        await client.subscribe(LEAGUE)
        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(1, 0))
        rs.jump_to(SECOND_GOAL_T)
        frames += await client.recv_until(is_delta_with_score(2, 0))
        events = [f for f in frames if f["type"] == "event"]
        assert len([f for f in events if is_goal(f)]) == 2

        url = f"{rs.http}/v1/matches/{DEMO_MATCH}/timeline"
        full = (await http.get(url)).json()
        assert (await http.get(url, params={"after_seq": "0"})).json() == full
        assert all(f["type"] == "event" and f["match_id"] == DEMO_MATCH for f in full)
        seqs = [f["seq"] for f in full]
        assert seqs == sorted(set(seqs))
        assert seqs[: len(events)] == [f["seq"] for f in events]  # as the WebSocket sent them
        assert [f["event"] for f in full[: len(events)]] == [f["event"] for f in events]

        after = events[1]["seq"]
        later = (await http.get(url, params={"after_seq": str(after)})).json()
        assert [f["seq"] for f in later] == [s for s in seqs if s > after]

        bad = await http.get(url, params={"after_seq": "abc"})
        assert bad.status_code == 400 and "after_seq" in bad.json()["error"]
        assert (await http.get(f"{rs.http}/v1/matches/espn-999/timeline")).status_code == 404
        unknown = await http.get(f"{rs.http}/v1/nothing/here")
        assert unknown.status_code == 404 and "error" in unknown.json()


async def test_probability_endpoint_and_the_swing_of_a_goal() -> None:
    async with running_server() as rs, ws_client(rs.url) as client, httpx.AsyncClient(timeout=5) as http:
        await client.subscribe(LEAGUE)
        rs.jump_to(FIRST_GOAL_T - 300)  # under way at 0-0 first: the chances before the goal are known
        await client.recv_until(lambda f: f["type"] == "delta" and f["data"]["phase"]["state"] == "live")
        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(is_delta_with_score(1, 0))
        (goal,) = [f for f in frames if is_goal(f)]
        before, after = goal["event"]["prob_before"], goal["event"]["prob_after"]
        assert before is not None and after is not None
        assert after["home"] > before["home"]  # Mexico scored: their chance went up
        delta = next(f for f in reversed(frames) if f["type"] == "delta")
        assert delta["data"]["prob"]["source"] in ("market", "model")
        assert delta["data"]["trend"] is None  # a league channel goes light: the line is on the match's

        body = (await http.get(f"{rs.http}/v1/matches/{DEMO_MATCH}/probability")).json()
        assert body["match_id"] == DEMO_MATCH and body["prob"] is not None
        series = body["series"]
        assert len(series) >= 2 and series[-1]["prob"] == body["prob"]
        for point in series:
            chances = [point["prob"][k] or 0.0 for k in ("home", "draw", "away")]
            assert abs(sum(chances) - 1) < 1e-6, point
        assert (await http.get(f"{rs.http}/v1/matches/espn-999/probability")).status_code == 404


async def test_http_endpoints_need_the_token_but_health_does_not() -> None:
    async with running_server(server_config(token=TOKEN)) as rs, httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"{rs.http}/health")).status_code == 200
        paths = [
            "/metrics",
            "/v1/leagues",
            f"/v1/leagues/{DEMO_LEAGUE}/scoreboard",
            f"/v1/matches/{DEMO_MATCH}/timeline",
            "/v1/nothing",
        ]
        for path in paths:
            refused = await http.get(rs.http + path)
            assert refused.status_code == 401 and "error" in refused.json(), path
            wrong = await http.get(rs.http + path, headers={"Authorization": "Bearer wrong"})
            assert wrong.status_code == 401, path
        for path in paths[:-1]:
            assert (await http.get(rs.http + path, headers={"Authorization": f"Bearer {TOKEN}"})).is_success
            assert (await http.get(rs.http + path, params={"token": TOKEN})).is_success


# -- shutdown --------------------------------------------------------------------------------------------


async def test_graceful_shutdown_says_going_away_and_flushes_the_history(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    async with running_server(history_path=path) as rs, ws_client(rs.url) as client:
        url = rs.url
        await client.subscribe(LEAGUE)
        rs.jump_to(FIRST_GOAL_T)
        # Up to the detail fetched after the goal (it brings the stats): then the engine is quiet.
        frames = await client.recv_until(lambda f: f["type"] == "delta" and bool(f["data"]["stats"]))
        event_seqs = [f["seq"] for f in frames if f["type"] == "event"]
        assert event_seqs
        # Recorded but not committed (delivering would commit it): only the flush on close can
        # make it durable.
        last = demo_seq(rs) + 100
        assert rs.history.append(synthetic_delta(rs, last))

        async with asyncio.timeout(10):
            await rs.server.close()
        closed, _ = await closed_with(client)
        assert closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (1001, CLOSE_REASONS[CloseCode.GOING_AWAY])
        assert not rs.server.clients
        with pytest.raises(OSError):  # no longer listening
            async with ws_client(url):
                pass

        with History(path) as reopened:
            assert reopened.epoch == client.welcome["epoch"]
            assert reopened.latest_seq(DEMO_MATCH) == last
            assert [u.seq for u in reopened.timeline(DEMO_MATCH)][: len(event_seqs)] == event_seqs


async def test_shutdown_does_not_wait_for_ever_on_a_client_that_stopped_reading() -> None:
    # A high-water mark out of reach: the client is never dropped as slow, only its buffers fill.
    config = server_config(high_water_bytes=1 << 30, close_timeout_s=0.5)
    async with running_server(config) as rs, ws_client(rs.url, compression=None) as frozen:
        await frozen.subscribe(LEAGUE)
        conn = rs.server.clients[frozen.welcome["connection_id"]].ws
        frozen.ws.transport.pause_reading()
        seq = demo_seq(rs)
        async with asyncio.timeout(10):
            while conn.transport.get_write_buffer_size() < 256 * 1024:
                seq += 1
                rs.server.deliver(synthetic_delta(rs, seq, padding=16_000))
                await asyncio.sleep(0)
        async with asyncio.timeout(5):
            await rs.server.close()
        assert metric(rs, "scoreterm_connections") == 0
        frozen.ws.transport.resume_reading()


# -- the CLI ------------------------------------------------------------------------------------------------


def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``scoreterm`` subprocess: no user config or data, UTC."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORETERM_")}
    env.update(
        SCORETERM_CONFIG=str(tmp_path / "config.toml"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        TZ="UTC",
        PYTHONUNBUFFERED="1",
    )
    return env


def scoreterm(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    # With Ctrl-C's meaning restored: a suite started from a shell's background job would hand
    # its children SIGINT ignored, and the SIGINT below would never arrive.
    return subprocess.Popen(
        launch_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


class Lines:
    """The lines of a pipe, read by a thread, taken with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next(self, timeout: float = 15.0) -> str:
        line = self._queue.get(timeout=timeout)
        if line is None:
            raise EOFError(f"stream ended after {self.seen}")
        self.seen.append(line)
        return line

    def until(self, predicate: Callable[[str], bool], timeout: float = 15.0) -> str:
        while True:
            line = self.next(timeout)
            if predicate(line):
                return line


@contextlib.contextmanager
def stopped(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Make sure ``process`` is gone when the test ends, whatever happened."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.slow  # subprocesses: serve, then watch
def test_cli_serve_demo_watch_json_and_signals(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    db = tmp_path / "serve.sqlite3"
    with stopped(
        scoreterm(["serve", "--demo", "--port", "0", "--db", str(db), "--speed", "300"], env)
    ) as server:
        assert server.stderr is not None
        errors = Lines(server.stderr)
        banner = errors.until(lambda line: "ws://" in line)
        found = re.search(r"ws://127\.0\.0\.1:(\d+)/v1/ws", banner)
        assert found is not None, banner
        port = int(found[1])
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"

        with stopped(scoreterm(["watch", "--server", f"ws://127.0.0.1:{port}", "--json"], env)) as watch:
            assert watch.stdout is not None
            out = Lines(watch.stdout)
            first = json.loads(out.next())
            assert first["type"] == "snapshot" and first["channel"] == LEAGUE
            assert {m["id"] for m in first["matches"]} == {DEMO_MATCH, OTHER_MATCH}
            event = json.loads(out.until(lambda line: json.loads(line)["type"] == "event", timeout=20))
            assert event["match_id"] == DEMO_MATCH and event["seq"] > 0
            watch.send_signal(signal.SIGINT)
            assert watch.wait(timeout=10) == 0

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        _rest(errors)
        assert any("shutting down" in line for line in errors.seen)
    with History(db) as history:
        assert history.latest_seq(DEMO_MATCH) > 0


def _rest(lines: Lines) -> list[str]:
    rest: list[str] = []
    with contextlib.suppress(EOFError, queue.Empty):
        while True:
            rest.append(lines.next(timeout=5))
    return rest


def test_cli_serve_on_a_busy_port_exits_2_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scoreterm",
                "serve",
                "--demo",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "h"),
            ],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            timeout=30,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scoreterm: error: cannot listen on 127.0.0.1:{port}"), (
        lines
    )


def test_cli_watch_rejects_a_non_websocket_url(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scoreterm", "watch", "--server", "http://x", "--json"],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ws://" in lines[0] and "http://x" in lines[0], lines
    assert result.stdout == ""
