"""Several ``ScoretermServer`` instances in-process, sharing one real Redis through ``RedisBackplane``.

``running_instance`` builds a replay session of the demo tape (its clock starts paused: the test moves
it), an in-memory ``History``, a backplane on the given Redis and the server on 127.0.0.1 port 0. The
server runs its engine itself while it holds the lease. ``Instance.crash()`` stops it the way a killed
process would: tasks cancelled, Redis and client connections dropped, the lease left to expire.

``Collector`` reads every frame of a raw WebSocket client in a task, for tests to check later.
"""

# Every receive here is bounded by design, so the bound is a parameter.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC

from websockets.exceptions import ConnectionClosed

from scoreterm.bus.redis import RedisBackplane
from scoreterm.commands.serve import follow_tape
from scoreterm.engine.clock import SystemClock
from scoreterm.net.history import History
from scoreterm.net.scaleout import BackplaneLink
from scoreterm.net.server import ScoretermServer, ServerConfig
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import demo_tape
from scoreterm.session import Session, replay_session
from tests.servers import Json, OnTape, WsClient, server_config, until

LEASE_MS = 1000


@dataclass
class Instance(OnTape):
    """A running server of the backplane and what drives it."""

    name: str
    server: ScoretermServer
    backplane: RedisBackplane
    session: Session
    crashed: bool = False

    @property
    def engine_task(self) -> asyncio.Task[None] | None:
        """The engine task while this instance leads (or led last)."""
        return self.server.runner.task

    @property
    def link(self) -> BackplaneLink:
        """The server's side of the backplane."""
        assert isinstance(self.server.link, BackplaneLink)
        return self.server.link

    def seqs(self) -> dict[str, int]:
        """The latest seq of each match as this instance knows it: what its engine made while it leads
        (ahead of what it serves until Redis has it all), else what it was delivered."""
        store = self.server.engine.store if self.backplane.is_leader else self.server.state.store
        return {m.id: m.seq for m in store.matches()}

    def served(self) -> dict[str, int]:
        """The latest seq of each match this instance serves (what it was delivered)."""
        return {m.id: m.seq for m in self.server.state.store.matches()}

    async def crash(self) -> None:
        """Die like a killed process: no lease release, no close frames, connections just gone."""
        self.crashed = True
        assert self.server._server is not None
        await self.link.close(release=False)
        self.server._server.close(close_connections=False)
        for client in list(self.server.clients.values()):
            if client.ws.transport is not None:
                client.ws.transport.abort()
        async with asyncio.timeout(10):
            await self.server._server.wait_closed()


@contextlib.asynccontextmanager
async def running_instance(
    redis_url: str,
    name: str,
    *,
    namespace: str = "test",
    lease_ms: int = LEASE_MS,
    speed: float = math.inf,
    config: ServerConfig | None = None,
) -> AsyncIterator[Instance]:
    """Start one instance of the backplane on the demo tape (clock paused); stop it on exit."""
    cfg = config or server_config()
    session = replay_session(demo_tape(), UTC, name=name, speed=speed)
    assert session.replay is not None
    session.replay.clock.pause()
    backplane = RedisBackplane(
        redis_url,
        namespace=namespace,
        instance_id=name,
        lease_ms=lease_ms,
        timeout_s=1.0,
        backoff_cap_s=0.5,
        backlog=cfg.history_per_match,
    )
    state = ServerState(History(None, cfg.history_per_match))
    server = ScoretermServer(session.engine, state, cfg, SystemClock(), backplane=backplane)
    server.runner.before_run = lambda: follow_tape(session)
    instance = Instance(name, server, backplane, session)
    await server.start()
    try:
        yield instance
    finally:
        if not instance.crashed:
            async with asyncio.timeout(30):
                await server.close()
        await session.client.aclose()


async def leader_of(*instances: Instance, timeout: float = 10.0) -> Instance:
    """The one instance that leads, once exactly one does (bounded)."""
    await until(lambda: sum(i.backplane.is_leader for i in instances) == 1, timeout)
    return next(i for i in instances if i.backplane.is_leader)


@dataclass
class Collector:
    """Every frame one client receives, read by a background task."""

    client: WsClient
    frames: list[Json] = field(default_factory=list)
    closed: ConnectionClosed | None = None
    _task: asyncio.Task[None] | None = None

    def start(self) -> Collector:
        """Start reading."""
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        try:
            async for raw in self.client.ws:
                self.frames.append(json.loads(raw))
        except ConnectionClosed as closed:
            self.closed = closed
        else:
            self.closed = None

    async def stop(self) -> None:
        """Stop reading (the connection stays as it is)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def of(self, kind: str) -> list[Json]:
        """The frames of one type, in order."""
        return [f for f in self.frames if f["type"] == kind]

    def updates(self, match_id: str | None = None) -> list[tuple[str, str, int]]:
        """(type, match_id, seq) of every delta and event, in order (of one match when given)."""
        return [
            (f["type"], f["match_id"], f["seq"])
            for f in self.frames
            if f["type"] in ("delta", "event") and (match_id is None or f["match_id"] == match_id)
        ]

    def events(self) -> list[tuple[str, int, str]]:
        """(match_id, seq, key) of every event frame, in order."""
        return [(f["match_id"], f["seq"], f["event"]["key"]) for f in self.of("event")]

    def last_seqs(self) -> dict[str, int]:
        """What a client would hold: the latest seq per match, snapshots included."""
        seqs: dict[str, int] = {}
        for frame in self.frames:
            if frame["type"] == "snapshot":
                seqs.update({m["id"]: m["seq"] for m in frame["matches"]})
            elif frame["type"] in ("delta", "event"):
                seqs[frame["match_id"]] = max(seqs.get(frame["match_id"], 0), frame["seq"])
        return seqs

    def saw(self, predicate: Callable[[Json], bool]) -> bool:
        """True if any frame so far matches."""
        return any(predicate(f) for f in self.frames)
