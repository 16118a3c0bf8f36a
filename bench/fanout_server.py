"""One server of the fan-out benchmark, in a process of its own: scoreterm's, or the tutorial baseline.

Started by ``bench/fanout.py``; not meant to be run by hand. Pins itself to CPU 0, raises its fd
limit, binds 127.0.0.1 on a free port, prints ``{"ready": true, "port": ...}`` and then obeys the
orchestrator's commands (one JSON object per line on stdin, see ``bench/_fanout_common.py``):

- ``event {ev}``: stamp ``time.monotonic_ns()`` into event ``ev`` (a ``MatchEvent`` whose frame is
  1 KiB) and send it to every subscriber of ``league:fifa.world``; answers with the time the send
  took once it returns.
- ``fill {bytes}``: send ``bytes`` of 32 KiB frames to ``match:espn-760414``, the channel only the
  slow client holds: the backlog of a client that stopped reading a while ago.
- ``collect`` (``gc.collect()``, before reading RSS), ``stats``; with ``--tracemalloc``, ``mark``
  (a snapshot) and ``top`` (the allocation sites that grew most since it).

**ours** (``--kind ours``) is the real thing: ``ScoretermServer`` from ``src/scoreterm/net/server.py``
with its default settings except two limits a 10,000-client swarm from one address would trip
(``new_connections_per_minute``, ``max_connections``, see :func:`bench_config`), fed by a real engine
replaying the demo tape (paused after its first snapshot, so subscribers get real snapshots), with
the history in memory (``History(None)``: no SQLite on the path). Events go through
``ScoretermServer.deliver``, the method the fan-out pump calls for each update: record in the
history, encode once per tier set, write the frame to every subscriber without awaiting any
(``send_shared``: the frame built once; ``websockets.broadcast`` for connections with compression).

**baseline** (``--kind baseline``) is the server most tutorials show, on ``websockets`` too: a
connection manager holding a set of sockets per channel, whose ``broadcast`` loops
``await ws.send(json.dumps(message))`` over them. ``compression=None`` (or websockets' default
``"deflate"`` with ``--deflate``) and websockets' default keepalive (a ping every 20 s), as ours has.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import gc
import io
import json
import math
import os
import pstats
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from _fanout_common import (
    EVENT_BYTES,
    EVENT_MATCH,
    LEAGUE_CHANNEL,
    SLOW_CHANNEL,
    SLOW_MATCH,
    detail,
    emit,
    pin_to_core,
    raise_fd_limit,
    serve_commands,
)
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from scoreterm.domain.model import EventKind, EventUpdate, MatchEvent, Side, SnapshotUpdate
from scoreterm.engine.clock import SystemClock
from scoreterm.net import protocol as p
from scoreterm.net.history import History
from scoreterm.net.server import ScoretermServer, ServerConfig
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session

FILL_FRAME = 32 * 1024
_marks: list[tracemalloc.Snapshot] = []
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def bench_config(max_connections: int) -> ServerConfig:
    """Production defaults, except the two limits that would refuse the swarm.

    ``new_connections_per_minute`` (default 10 per IP) would answer HTTP 429 to all but 10 of the
    swarm's connections, which all come from 127.0.0.1; ``max_connections`` (default 10,000) would
    answer 503 to the 10,001st (N clients + the slow one).
    """
    return ServerConfig(port=0, max_connections=max_connections, new_connections_per_minute=10**9)


def make_event(ev: int, seq: int, pad: int, *, mark: bool = True) -> MatchEvent:
    """Event number ``ev``, stamped with the current ``time.monotonic_ns()``; unstamped (``mark``
    False), random text that permessage-deflate cannot shrink, for the slow client's backlog."""
    text = detail(ev, time.monotonic_ns(), pad) if mark else base64.b64encode(os.urandom(pad))[:pad].decode()
    return MatchEvent(
        kind=EventKind.YELLOW_CARD,
        minute="72'",
        side=Side.AWAY,
        player="Nico O'Reilly",
        detail=text,
        provider="bench",
        provider_event_id=f"bench-{seq}",
        key=f"bench:{seq}",
        seq=seq,
    )


def make_update(
    channel: str, match_id: str, ev: int, seq: int, pad: int, *, mark: bool = True
) -> EventUpdate:
    """The engine ``Update`` carrying :func:`make_event` (``at`` to the second: fixed frame size)."""
    at = datetime.now(UTC).replace(microsecond=0)
    event = make_event(ev, seq, pad, mark=mark)
    return EventUpdate(channel=channel, at=at, match_id=match_id, seq=seq, event=event)


def padding(size_of: Callable[[int], int], target: int) -> int:
    """The pad that makes ``size_of(pad)`` equal ``target`` (sizes grow one byte per pad character)."""
    return max(0, target - size_of(0))


# -- ours ---------------------------------------------------------------------------------------


async def run_ours(args: argparse.Namespace) -> None:
    """Start ScoretermServer on a paused demo-tape engine and obey the orchestrator."""
    session = replay_session(demo_tape(), UTC, name="bench", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    engine = session.engine
    config = bench_config(args.max_connections)
    history = History(None, per_match=config.history_per_match)
    server = ScoretermServer(engine, ServerState(history), config, SystemClock())
    first = engine.bus.subscribe([LEAGUE_CHANNEL])
    await server.start()  # runs the engine too
    async with asyncio.timeout(30):
        while not isinstance(await first.get(), SnapshotUpdate):
            pass
    first.close()

    def frame_size(channel: str, match_id: str, pad: int) -> int:
        message = p.from_update(make_update(channel, match_id, 0, 1, pad))
        return len(p.encode(message))

    event_pad = padding(lambda pad: frame_size(LEAGUE_CHANNEL, EVENT_MATCH, pad), EVENT_BYTES)
    fill_pad = padding(lambda pad: frame_size(SLOW_CHANNEL, SLOW_MATCH, pad), FILL_FRAME)
    seqs = {EVENT_MATCH: 1_000_000, SLOW_MATCH: 1_000_000}

    def next_seq(match_id: str) -> int:
        seqs[match_id] += 1
        return seqs[match_id]

    async def handle(command: dict[str, Any]) -> dict[str, Any]:
        cmd = command["cmd"]
        if cmd == "event":
            update = make_update(LEAGUE_CHANNEL, EVENT_MATCH, command["ev"], next_seq(EVENT_MATCH), event_pad)
            start = time.perf_counter()
            if command.get("profile"):
                return {"sent": command["ev"], "profile": profiled(lambda: server.deliver(update))}
            server.deliver(update)
            return {"sent": command["ev"], "send_ms": (time.perf_counter() - start) * 1e3}
        if cmd == "fill":
            start, sent = time.perf_counter(), 0
            while sent < command["bytes"]:
                seq = next_seq(SLOW_MATCH)
                server.deliver(make_update(SLOW_CHANNEL, SLOW_MATCH, 0, seq, fill_pad, mark=False))
                sent += FILL_FRAME
                await asyncio.sleep(0)
            return {"filled": sent, "ms": (time.perf_counter() - start) * 1e3}
        if cmd == "stats":
            drops = server.metrics.registry.get_sample_value
            return {
                "clients": len(server.clients),
                "slow_dropped": drops("scoreterm_drops_total", {"reason": "slow_consumer"}) or 0.0,
                "heartbeat_dropped": drops("scoreterm_drops_total", {"reason": "heartbeat"}) or 0.0,
            }
        return await common(cmd)

    emit({"ready": True, "port": server.port, "pid": os.getpid(), "pinned": args.pinned, "kind": "ours"})
    await serve_commands(handle)


# -- baseline -----------------------------------------------------------------------------------


class ConnectionManager:
    """The tutorial pattern: a set of connections per channel, one awaited send per client."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[ServerConnection]] = defaultdict(set)

    def join(self, channel: str, ws: ServerConnection) -> None:
        """Add ``ws`` to ``channel``."""
        self.rooms[channel].add(ws)

    def leave(self, ws: ServerConnection) -> None:
        """Forget ``ws`` everywhere."""
        for room in self.rooms.values():
            room.discard(ws)

    async def broadcast(self, channel: str, message: dict[str, Any]) -> None:
        """Send ``message`` to every connection of ``channel``, one after the other."""
        for ws in list(self.rooms[channel]):
            try:
                await ws.send(json.dumps(message))
            except ConnectionClosed:
                self.leave(ws)


async def run_baseline(args: argparse.Namespace) -> None:
    """Start the tutorial server and obey the orchestrator."""
    manager = ConnectionManager()

    async def handler(ws: ServerConnection) -> None:
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("op") == "subscribe":
                    manager.join(message["channel"], ws)
                    reply = {"type": "snapshot", "channel": message["channel"], "matches": []}
                    await ws.send(json.dumps(reply))
        except ConnectionClosed:
            pass
        finally:
            manager.leave(ws)

    compression = "deflate" if args.deflate else None
    server = await serve(handler, "127.0.0.1", 0, compression=compression)
    port = int(server.sockets[0].getsockname()[1])

    def message_of(channel: str, match_id: str, ev: int, seq: int, pad: int, mark: bool = True) -> Any:
        frame = p.from_update(make_update(channel, match_id, ev, seq, pad, mark=mark))
        return msgspec.to_builtins(frame)

    def frame_size(channel: str, match_id: str, pad: int) -> int:
        return len(json.dumps(message_of(channel, match_id, 0, 1, pad)).encode())

    event_pad = padding(lambda pad: frame_size(LEAGUE_CHANNEL, EVENT_MATCH, pad), EVENT_BYTES)
    fill_pad = padding(lambda pad: frame_size(SLOW_CHANNEL, SLOW_MATCH, pad), FILL_FRAME)
    seq = 1_000_000

    async def handle(command: dict[str, Any]) -> dict[str, Any]:
        nonlocal seq
        cmd = command["cmd"]
        if cmd == "event":
            seq += 1
            message = message_of(LEAGUE_CHANNEL, EVENT_MATCH, command["ev"], seq, event_pad)
            start = time.perf_counter()
            await manager.broadcast(LEAGUE_CHANNEL, message)
            return {"sent": command["ev"], "send_ms": (time.perf_counter() - start) * 1e3}
        if cmd == "fill":
            start, sent = time.perf_counter(), 0
            while sent < command["bytes"]:
                seq += 1
                await manager.broadcast(
                    SLOW_CHANNEL, message_of(SLOW_CHANNEL, SLOW_MATCH, 0, seq, fill_pad, False)
                )
                sent += FILL_FRAME
            return {"filled": sent, "ms": (time.perf_counter() - start) * 1e3}
        if cmd == "stats":
            return {"clients": len(server.connections), "slow_dropped": 0.0, "heartbeat_dropped": 0.0}
        return await common(cmd)

    emit({"ready": True, "port": port, "pid": os.getpid(), "pinned": args.pinned, "kind": "baseline"})
    await serve_commands(handle)


# -- both ---------------------------------------------------------------------------------------


def profiled(call: Callable[[], object]) -> str:
    """The 25 functions of ``call`` with the most own time, as pstats prints them."""
    profile = cProfile.Profile()
    profile.runcall(call)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    return out.getvalue()


async def common(cmd: str) -> dict[str, Any]:
    """Commands both servers answer the same way."""
    if cmd == "collect":
        gc.collect()
        return {"ok": True}
    if cmd == "mark":
        if tracemalloc.is_tracing():
            _marks.append(tracemalloc.take_snapshot())
        return {"ok": True}
    if cmd == "top":
        if not tracemalloc.is_tracing() or not _marks:
            return {"top": [], "total": 0}
        diff = tracemalloc.take_snapshot().compare_to(_marks[-1], "lineno")
        top = [[str(d.traceback[0]), d.size_diff, d.count_diff] for d in diff[:25]]
        by_file: dict[str, int] = defaultdict(int)
        for d in diff:
            by_file[d.traceback[0].filename] += d.size_diff
        files = sorted(by_file.items(), key=lambda item: -item[1])[:10]
        return {"top": top, "files": files, "total": sum(d.size_diff for d in diff)}
    raise ValueError(f"unknown command {cmd!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["ours", "baseline"], required=True)
    parser.add_argument("--core", type=int, default=0, help="CPU to pin to (default 0)")
    parser.add_argument("--max-connections", type=int, default=20_000)
    parser.add_argument("--deflate", action="store_true", help="baseline: websockets' default compression")
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations (for `top`)")
    args = parser.parse_args()
    args.pinned = pin_to_core(args.core)
    raise_fd_limit()
    if args.tracemalloc:
        tracemalloc.start()
    asyncio.run(run_ours(args) if args.kind == "ours" else run_baseline(args))
    # The orchestrator measured what it wanted: skip closing 10,000 connections one by one.
    os._exit(0)


if __name__ == "__main__":
    main()
