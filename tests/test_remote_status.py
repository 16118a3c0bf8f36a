"""Status for scripts through ``--server``: connection states as status lines, a clear first failure,
and a league the server does not carry as exit 2."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.model import DeltaUpdate, SnapshotUpdate, StatusUpdate
from scoreterm.net import protocol as p
from scoreterm.net.client import CLOSE_TIMEOUT_S, RemoteFeed, UnknownChannel
from tests.servers import running_server

SCORETERM = [sys.executable, "-m", "scoreterm"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "SCORETERM_CONFIG": str(tmp_path / "none.toml"), "NO_COLOR": "1"}


async def test_a_feed_says_reconnecting_with_the_reason_when_nothing_listens() -> None:
    feed = RemoteFeed(f"ws://127.0.0.1:{closed_port()}")
    await feed.start()
    try:
        update = await asyncio.wait_for(anext(aiter(feed)), timeout=10)
    finally:
        await feed.close()
    assert isinstance(update, StatusUpdate) and update.channel == CONNECTION
    assert update.status.state == "reconnecting"
    assert update.status.retrying and update.status.next_poll_s is not None
    assert "refused" in update.status.message.lower() or "connect" in update.status.message.lower()


async def test_watch_server_json_says_so_on_stderr_at_the_first_failure_and_keeps_trying(
    tmp_path: Path,
) -> None:
    url = f"ws://127.0.0.1:{closed_port()}"
    process = await asyncio.create_subprocess_exec(
        *SCORETERM, "watch", "--server", url, "--json",
        env=env(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stderr is not None and process.stdout is not None
        said = (await asyncio.wait_for(process.stderr.readline(), timeout=20)).decode()
        line = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=20))
        assert process.returncode is None  # still running: it keeps retrying
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)
    assert said.startswith(f"scoreterm: cannot reach {url}/v1/ws") and "retrying in" in said
    assert (line["type"], line["channel"], line["state"]) == ("status", "connection", "reconnecting")


async def test_connection_states_connected_then_resumed_after_a_drop() -> None:
    async with running_server() as rs:
        feed = RemoteFeed(rs.url)
        await feed.start()
        states: list[str] = []
        try:
            updates = aiter(feed)

            async def next_state() -> str:
                while True:
                    update = await asyncio.wait_for(anext(updates), timeout=10)
                    if update.channel == CONNECTION and isinstance(update, StatusUpdate):
                        states.append(update.status.state)
                        return update.status.state

            assert await next_state() == "connected"
            for client in list(rs.server.clients.values()):
                await client.ws.close()
            assert await next_state() == "reconnecting"
            assert await next_state() == "resumed"
        finally:
            await feed.close()
    assert states == ["connected", "reconnecting", "resumed"]


async def test_a_league_the_server_does_not_carry_ends_the_feed() -> None:
    async with running_server() as rs:
        feed = RemoteFeed(rs.url, ["eng.1"])
        await feed.start()
        try:
            with pytest.raises(UnknownChannel, match=r"eng\.1"):
                async for _ in feed:
                    pass
        finally:
            await feed.close()


async def test_watch_server_for_a_league_it_does_not_carry_exits_2_with_one_line(tmp_path: Path) -> None:
    async with running_server() as rs:
        process = await asyncio.create_subprocess_exec(
            *SCORETERM, "watch", "--server", rs.url, "--league", "eng.1", "--json",
            env=env(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scoreterm: error:") and "eng.1" in lines[0]
    assert "Traceback" not in err.decode()


async def test_focus_follows_the_match_channel_for_the_whole_match() -> None:
    from tests.servers import running_server as serving

    async with serving() as rs:
        match_id = "espn-760415"
        feed = RemoteFeed(rs.url)
        await feed.start()
        seen: list[tuple[str, bool]] = []
        try:
            updates = aiter(feed)

            async def until(condition: str) -> None:
                while True:
                    update = await asyncio.wait_for(anext(updates), timeout=20)
                    matches = (
                        [update.match]
                        if isinstance(update, DeltaUpdate)
                        else list(update.matches)
                        if isinstance(update, SnapshotUpdate)
                        else []
                    )
                    for match in matches:
                        if match.id == match_id:
                            seen.append((update.channel, match.centre is not None))
                    if condition == "match" and update.channel == f"match:{match_id}":
                        return
                    if condition == "centre" and any(
                        has for channel, has in seen if channel.startswith("match:")
                    ):
                        return

            feed.focus(match_id)
            rs.jump_to(600)  # the first goal: the engine fetches the summary, the centre arrives
            await until("centre")
        finally:
            await feed.close()
    # A league channel goes light; the match's own channel carries the match centre.
    assert all(not has for channel, has in seen if channel.startswith("league:"))
    assert any(has for channel, has in seen if channel == f"match:{match_id}")


async def test_closing_does_not_wait_long_for_a_server_that_never_answers_the_close() -> None:
    """Quitting ``watch --server`` must not hang on a busy or wedged server: the close handshake
    is bounded by the client (websockets' own default would wait 10 s)."""

    async def wedged(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        welcome = p.encode(
            p.Welcome(
                connection_id="c1",
                server_time=datetime.now(UTC),
                heartbeat_s=30.0,
                epoch="e1",
                limits=p.Limits(
                    max_subscriptions=8, max_message_bytes=65536, max_messages_per_s=20, history_per_match=100
                ),
                leagues=["eng.1"],
            )
        )
        snapshot = p.encode(p.Snapshot(channel="league:eng.1", matches=[]))
        for frame in (welcome, snapshot):  # unmasked text frames, as a server sends them
            writer.write(bytes([0x81, 126]) + len(frame).to_bytes(2, "big") + frame)
        await writer.drain()
        with contextlib.suppress(ConnectionError):
            while await reader.read(4096):  # reads the client's frames, close included; never replies
                pass
        writer.close()

    server = await asyncio.start_server(wedged, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        feed = RemoteFeed(f"ws://127.0.0.1:{port}")
        await feed.start()
        async with asyncio.timeout(10):  # connected: said once the first snapshot arrived
            async for update in feed:
                if isinstance(update, StatusUpdate) and update.channel == CONNECTION:
                    assert update.status.state == "connected"
                    break
        # websockets alone waits 10 s here: twice our bound tells the two apart on any machine.
        async with asyncio.timeout(CLOSE_TIMEOUT_S * 2):
            await feed.close()
