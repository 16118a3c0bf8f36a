"""The fan-out's shared-frame path (``scoreterm.net.server.send_shared``) against websockets' own.

A connection without permessage-deflate gets the frame built once for all of them, written straight
to its transport; one with deflate goes through ``websockets.broadcast``. Both must read the same
messages, in the same order, and stay healthy afterwards. (Found by ``bench/fanout.py``; see
docs/performance.md, "Fan-out".)
"""

from __future__ import annotations

from scoreterm.net.server import send_shared
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
