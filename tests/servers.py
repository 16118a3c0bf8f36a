"""Run a real ``ScoretermServer`` in-process on 127.0.0.1, and talk to it with a raw WebSocket client.

``running_server`` builds a replay session (the demo tape or any small tape), a ``History``, the
server on a real socket (port 0 by default), which runs the engine; it yields once the engine's first
poll has published its snapshot and the server has taken it in, so a subscribe right away sees every
match. The replay clock starts
paused: tests move the tape with ``rs.clock.jump(...)`` (or ``resume()``/``set_speed()``), so what
happens, and when, is up to the test — never up to wall-clock time.

``ws_client`` is a thin wrapper around ``websockets.asyncio.client.connect`` whose every receive
has a timeout; ``RawWebSocket`` is a hand-made client that reads frames but never answers pings.
``until`` waits for a condition under a deadline, ``closed_with`` reads up to the close, ``metric``
reads the server's Prometheus registry. Shared by ``tests/test_server.py`` and
``tests/test_serve_resilience.py``.
"""

# Every receive here is bounded by design, so the bound is a parameter (``recv_json(timeout=5)``).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
import math
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from scoreterm.domain.model import SnapshotUpdate
from scoreterm.engine.clock import Clock, ScaledClock, SystemClock
from scoreterm.net.history import History
from scoreterm.net.server import WS_PATH, ScoretermServer, ServerConfig
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import Tape, demo_tape
from scoreterm.session import Session, replay_session

DEMO_LEAGUE = "fifa.world"
DEMO_MATCH = "espn-760415"  # Mexico 2-0 South Africa; Quiñones scores at tape t=820 s, Jiménez at 5540 s
OTHER_MATCH = "espn-760414"  # the other match of the day, scheduled all along the tape
FIRST_GOAL_T = 820.0
SECOND_GOAL_T = 5540.0
DEFAULT_TIMEOUT_S = 5.0
Json = dict[str, Any]


def server_config(**overrides: Any) -> ServerConfig:
    """A ``ServerConfig`` for tests: port 0 and a new-connection rate limit no test trips by accident.

    Everything else keeps the production defaults unless overridden (``port=`` too, e.g. to restart
    a server on the port it had).
    """
    base = ServerConfig(port=0, new_connections_per_minute=10_000)
    return dataclasses.replace(base, **overrides)


class OnTape:
    """What a test needs of a server playing a tape: its URLs and the tape's clock."""

    server: ScoretermServer
    session: Session

    @property
    def port(self) -> int:
        """The port actually bound."""
        return self.server.port

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:PORT/v1/ws``."""
        return f"ws://127.0.0.1:{self.port}{WS_PATH}"

    @property
    def http(self) -> str:
        """``http://127.0.0.1:PORT`` (base URL of the HTTP endpoints)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def clock(self) -> ScaledClock:
        """The replay clock: ``pause()``, ``resume()``, ``jump(s)``, ``set_speed(x)`` move the tape."""
        assert self.session.replay is not None
        return self.session.replay.clock

    @property
    def position(self) -> float:
        """Seconds into the tape."""
        assert self.session.replay is not None
        return self.session.replay.position

    def jump_to(self, t: float) -> None:
        """Move the tape forward to ``t`` seconds (no-op when already there or past it)."""
        if t > self.position:
            self.clock.jump(t - self.position)


@dataclass
class RunningServer(OnTape):
    """A started server and what drives it."""

    server: ScoretermServer
    session: Session
    history: History

    @property
    def engine_task(self) -> asyncio.Task[None]:
        """The engine's task, run by the server (it ends with the tape)."""
        task = self.server.runner.task
        assert task is not None
        return task


@contextlib.asynccontextmanager
async def running_server(
    config: ServerConfig | None = None,
    *,
    tape: Tape | None = None,
    speed: float | None = math.inf,
    history_path: Path | None = None,
    history: History | None = None,
    paused: bool = True,
    start_at: float = 0.0,
    ready_timeout: float = 10.0,
    real_clock: Clock | None = None,
) -> AsyncIterator[RunningServer]:
    """Start a server on ``tape`` (default: the demo tape) and stop it on exit.

    Args:
        config: server limits and access rules (default :func:`server_config`: port 0).
        tape: what the engine replays.
        speed: replay speed once resumed (``math.inf``: as fast as the engine can go).
        history_path: SQLite file of the history (None: RAM only, a new epoch every start).
        history: a ready-made ``History`` instead (``history_path`` is then ignored); it is not closed
            on exit, so the caller can inspect it.
        paused: start with the replay clock paused; move it with ``clock.jump``.
        start_at: tape seconds to jump to before the engine's first poll (e.g. where a killed server
            stood).
        ready_timeout: bound on the wait for the first snapshot of every league.
        real_clock: the real time under the replay clock (a ``FakeClock`` to move it by hand).

    Yields:
        The running server, after every league's first snapshot was published and taken in.
    """
    cfg = config if config is not None else server_config()
    own_history = history is None
    hist = history if history is not None else History(history_path, per_match=cfg.history_per_match)
    session = replay_session(tape or demo_tape(), UTC, name="test", speed=speed, real_clock=real_clock)
    assert session.replay is not None
    if paused:
        session.replay.clock.pause()
    if start_at > 0:
        session.replay.clock.jump(start_at)
    engine = session.engine
    server = ScoretermServer(engine, ServerState(hist), cfg, SystemClock())
    channels = [f"league:{lg.slug}" for lg in engine.options.leagues]
    first_snapshots = engine.bus.subscribe(channels)
    started = False
    try:
        await server.start()
        started = True
        async with asyncio.timeout(ready_timeout):
            waiting, seen = set(channels), set[str]()
            while waiting:
                update = await first_snapshots.get()
                if isinstance(update, SnapshotUpdate):
                    waiting.discard(update.channel)
                    seen.update(m.id for m in update.matches)
            # The server's pump hands them over in its own task: a bounded poll of its state.
            while not all(server.state.store.get(match_id) for match_id in seen):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        first_snapshots.close()
        yield RunningServer(server, session, hist)
    finally:
        first_snapshots.close()
        if started:
            async with asyncio.timeout(30):
                await server.close()
        if own_history:
            hist.close()
        await session.client.aclose()


def metric(rs: RunningServer, name: str, **labels: str) -> float:
    """A sample of the server's Prometheus registry (0.0 when the labelled series does not exist yet)."""
    value = rs.server.metrics.registry.get_sample_value(name, labels or None)
    return 0.0 if value is None else value


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait, bounded by ``timeout``, for ``condition`` to hold (checked every 50 ms)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - a bounded poll of state no event announces
            await asyncio.sleep(0.05)


class WsClient:
    """A raw protocol client: JSON in, JSON out, every receive bounded by a timeout."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: Json = {}
        self._ping_ids = 0

    async def recv_json(self, timeout: float = DEFAULT_TIMEOUT_S) -> Json:
        """The next frame, decoded (raises TimeoutError after ``timeout`` s, ConnectionClosed if closed)."""
        async with asyncio.timeout(timeout):
            raw = await self.ws.recv()
        value = json.loads(raw)
        assert isinstance(value, dict), value
        return value

    async def send_json(self, obj: Any) -> None:
        """Send ``obj`` as one JSON text frame."""
        await self.ws.send(json.dumps(obj))

    async def send_raw(self, data: str | bytes) -> None:
        """Send a frame as it is (``bytes`` go out as a binary frame)."""
        await self.ws.send(data)

    async def recv_until(
        self, predicate: Callable[[Json], bool], timeout: float = DEFAULT_TIMEOUT_S
    ) -> list[Json]:
        """Frames up to and including the first one ``predicate`` accepts, all within ``timeout`` s."""
        frames: list[Json] = []
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv_json(timeout=timeout)
                frames.append(frame)
                if predicate(frame):
                    return frames

    async def subscribe(
        self, channel: str, tiers: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT_S
    ) -> Json:
        """Subscribe and return the first answer (snapshot, resumed or error)."""
        message: Json = {"op": "subscribe", "v": 1, "channel": channel}
        if tiers is not None:
            message["tiers"] = tiers
        await self.send_json(message)
        return await self.recv_json(timeout)

    async def ping(self, timeout: float = DEFAULT_TIMEOUT_S) -> Json:
        """Send a ``ping`` and return the very next frame (a test asserts it is the pong)."""
        self._ping_ids += 1
        await self.send_json({"op": "ping", "v": 1, "id": f"p{self._ping_ids}"})
        return await self.recv_json(timeout)

    async def assert_alive(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """The connection is up and nothing is queued ahead of a pong."""
        frame = await self.ping(timeout)
        assert frame["type"] == "pong" and frame["id"] == f"p{self._ping_ids}", frame


@contextlib.asynccontextmanager
async def ws_client(url: str, *, read_welcome: bool = True, **connect_kwargs: Any) -> AsyncIterator[WsClient]:
    """Connect to ``url`` (extra keyword arguments go to ``connect``); read the welcome unless told not to."""
    async with asyncio.timeout(DEFAULT_TIMEOUT_S):
        ws = await connect(url, open_timeout=DEFAULT_TIMEOUT_S, **connect_kwargs)
    client = WsClient(ws)
    try:
        if read_welcome:
            client.welcome = await client.recv_json()
            assert client.welcome["type"] == "welcome", client.welcome
        yield client
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DEFAULT_TIMEOUT_S):
                await ws.close()


class RawWebSocket:
    """A hand-made WebSocket client on a bare TCP stream: it reads frames but never answers pings.

    For what a well-behaved library will not do: ignore heartbeats, or look at control frames
    (``ping``, ``close``) as they arrive.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(
        cls, port: int, path: str = WS_PATH, timeout: float = DEFAULT_TIMEOUT_S
    ) -> RawWebSocket:
        """Open a TCP connection and complete the opening handshake (asserts a 101 answer)."""
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            key = base64.b64encode(os.urandom(16)).decode()
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            )
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def read_frame(self, timeout: float = DEFAULT_TIMEOUT_S) -> tuple[int, bytes]:
        """The next frame as (opcode, payload): 1 text, 8 close, 9 ping, 10 pong."""
        async with asyncio.timeout(timeout):
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await self.reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await self.reader.readexactly(8), "big")
            # Server frames are never masked (RFC 6455 5.1).
            return first & 0x0F, await self.reader.readexactly(length)

    async def close(self) -> None:
        """Drop the TCP connection."""
        self.writer.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DEFAULT_TIMEOUT_S):
                await self.writer.wait_closed()


async def closed_with(client: WsClient, timeout: float = 5.0) -> tuple[ConnectionClosed, list[Json]]:
    """Read until the connection closes; the close exception and the frames read before it."""
    frames: list[Json] = []
    async with asyncio.timeout(timeout):
        while True:
            try:
                frames.append(await client.recv_json(timeout))
            except ConnectionClosed as closed:
                return closed, frames
