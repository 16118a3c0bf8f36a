"""The fan-out's shared-frame path (``scoreterm.net.sendpath.send_shared``) against websockets' own.

A connection without permessage-deflate gets the frame built once for all of them, written straight
to its transport; one with deflate goes through ``websockets.broadcast``. Both must read the same
messages, in the same order, and stay healthy afterwards. (Found by ``bench/fanout.py``; see
docs/performance.md, "Fan-out".)

The direct write relies on websockets' internals, so a server checks them once at start-up
(``probe``) and falls back to ``websockets.broadcast`` when they are not what the code expects. The
probe is shown a websockets that frames messages otherwise, and one whose internals were renamed;
a server started under the first writes everything through ``broadcast``, and real clients on real
sockets still get every frame.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.frames import Frame
from websockets.server import ServerProtocol
from websockets.typing import BytesLike

from scoreterm.net import sendpath
from scoreterm.net.sendpath import BROADCAST, SHARED, probe, send_path, send_shared
from tests.servers import DEMO_LEAGUE, FIRST_GOAL_T, Json, running_server, server_config, ws_client

LEAGUE = f"league:{DEMO_LEAGUE}"


def _stream(frames: list[Json]) -> list[Json]:
    return [f for f in frames if f["type"] in ("event", "delta")]


async def test_plain_and_deflate_clients_read_the_same_frames() -> None:
    async with (
        running_server(server_config(compression=True)) as rs,
        ws_client(rs.url, compression=None) as plain,
        ws_client(rs.url) as deflated,
    ):
        await plain.subscribe(LEAGUE)
        await deflated.subscribe(LEAGUE)
        by_id = {c.ws.id: c for c in rs.server.clients.values()}
        extensions = sorted(len(c.ws.protocol.extensions) for c in by_id.values())
        assert extensions == [0, 1]  # one of each path

        rs.jump_to(FIRST_GOAL_T)

        def goal_state(frame: Json) -> bool:
            return bool(frame["type"] == "delta" and frame["data"]["score"]["home"] == 1)

        got_plain = _stream(await plain.recv_until(goal_state))
        got_deflated = _stream(await deflated.recv_until(goal_state))
        assert got_plain == got_deflated
        assert [f["seq"] for f in got_plain] == sorted({f["seq"] for f in got_plain})
        for client in (plain, deflated):  # still healthy: an application ping gets its pong
            await client.send_json({"op": "ping", "v": 1, "id": "after"})
            await client.recv_until(lambda f: f["type"] == "pong" and f["id"] == "after")


async def test_send_shared_skips_a_closing_connection_and_serves_the_rest() -> None:
    async with (
        running_server() as rs,
        ws_client(rs.url, compression=None) as stays,
        ws_client(rs.url, compression=None) as leaves,
    ):
        await stays.subscribe(LEAGUE)
        await leaves.subscribe(LEAGUE)
        sockets = [c.ws for c in rs.server.clients.values()]
        await leaves.ws.close()
        send_shared(sockets, b'{"type":"status","v":1}')  # no exception for the closed one
        frame = await stays.recv_json()
        assert frame == {"type": "status", "v": 1}
        await stays.assert_alive()


# -- the start-up check and the fallback ------------------------------------------------------------


class Fragmenting(ServerProtocol):
    """A websockets that sends a text message as two frames (a release may frame messages otherwise)."""

    def send_text(self, data: BytesLike, fin: bool = True) -> None:
        if not fin or len(data) < 2:
            super().send_text(data, fin)
            return
        super().send_text(data[:1], fin=False)
        self.send_continuation(data[1:], fin=True)


class Renamed(ServerProtocol):
    """A websockets whose queue of pending writes has another name (a release may rename it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[bytes] = self.__dict__.pop("writes")

    def send_frame(self, frame: Frame) -> None:
        self.pending.append(frame.serialize(mask=False, extensions=self.extensions))

    def data_to_send(self) -> list[bytes]:
        out, self.pending = self.pending, []
        return out


@pytest.fixture
def fresh_send_path() -> Iterator[None]:
    """The send path is decided once per process: checked again for this test, and after it."""
    send_path.cache_clear()
    yield
    send_path.cache_clear()


async def test_the_installed_websockets_passes_the_check(fresh_send_path: None) -> None:
    assert probe() is None
    assert send_path() == SHARED


async def test_a_websockets_that_frames_otherwise_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sendpath, "ServerProtocol", Fragmenting)
    assert probe() == "the frame built once differs from the one websockets writes"


async def test_a_websockets_with_renamed_internals_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sendpath, "ServerProtocol", Renamed)
    problem = probe()
    assert problem is not None and problem.startswith("AttributeError") and "writes" in problem


async def test_health_and_metrics_say_which_path_is_used(fresh_send_path: None) -> None:
    async with running_server() as rs, httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"{rs.http}/health")).json()["send_path"] == SHARED
        text = (await http.get(f"{rs.http}/metrics")).text
        assert re.search(r'^scoreterm_send_path\{path="shared"\} 1\.0$', text, re.M), text
        assert re.search(r'^scoreterm_send_path\{path="broadcast"\} 0\.0$', text, re.M), text


async def test_the_fallback_sends_everything_through_broadcast_to_real_clients(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_send_path: None
) -> None:
    caplog.set_level(logging.INFO, logger=sendpath.__name__)
    monkeypatch.setattr(sendpath, "ServerProtocol", Fragmenting)  # what the start-up check sees
    broadcasts: list[int] = []
    real_broadcast = sendpath.broadcast

    def counting(sockets: list[Any], data: bytes, *, text: bool) -> None:
        broadcasts.append(len(sockets))
        real_broadcast(sockets, data, text=text)

    monkeypatch.setattr(sendpath, "broadcast", counting)
    async with (
        running_server(server_config(compression=True)) as rs,
        ws_client(rs.url, compression=None) as plain,
        ws_client(rs.url) as deflated,
        httpx.AsyncClient(timeout=5) as http,
    ):

        def direct_write(ws: Any) -> bool:
            raise AssertionError("the direct write was tried after the check failed")

        monkeypatch.setattr(sendpath, "_plain", direct_write)  # the probe is over: never again
        decided = [r for r in caplog.records if r.name == sendpath.__name__]
        assert len(decided) == 1 and decided[0].levelno == logging.WARNING
        assert "websockets.broadcast" in decided[0].getMessage()
        health = (await http.get(f"{rs.http}/health")).json()
        assert (health["send_path"], health["status"]) == (BROADCAST, "ok")

        sent_before = sum(broadcasts)
        assert (await plain.subscribe(LEAGUE))["type"] == "snapshot"
        assert (await deflated.subscribe(LEAGUE))["type"] == "snapshot"
        rs.jump_to(FIRST_GOAL_T)

        def goal_state(frame: Json) -> bool:
            return bool(frame["type"] == "delta" and frame["data"]["score"]["home"] == 1)

        got_plain = _stream(await plain.recv_until(goal_state))
        got_deflated = _stream(await deflated.recv_until(goal_state))
        assert got_plain == got_deflated and any(f["type"] == "event" for f in got_plain)
        assert [f["seq"] for f in got_plain] == sorted({f["seq"] for f in got_plain})
        # Every frame to both went through websockets.broadcast (two snapshots, then the stream).
        assert sum(broadcasts) - sent_before >= 2 + 2 * len(got_plain)
        for client in (plain, deflated):  # still healthy: an application ping gets its pong
            await client.send_json({"op": "ping", "v": 1, "id": "after"})
            await client.recv_until(lambda f: f["type"] == "pong" and f["id"] == "after")
        assert (await http.get(f"{rs.http}/health")).json()["status"] == "ok"
        assert len([r for r in caplog.records if r.name == sendpath.__name__]) == 1  # logged once
