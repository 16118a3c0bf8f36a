"""``scoreterm serve``: one engine, many WebSocket clients, plus small HTTP endpoints.

The server serves its state (``net/state.py``: the matches, their recent past, the live tables, the
epoch), which its output (``net/fanout.py``) fills with every update it sends: recorded in the
history (bounded in RAM, durable in SQLite), encoded once, and sent to the connections subscribed
to its channel. A reconnecting client that sends its last seqs gets exactly what it missed, or a
fresh snapshot marked ``recovered: false`` — never a silent gap. The server accepts connections
and keeps them alive; what it says on one (the welcome, its answer to each op) is ``net/ops.py``.

What feeds the output, and runs the engine, is the server's link (``net/output.py``): the engine's
own updates on a lone instance (``net/local.py``), or what a Redis backplane delivers when several
instances share the work (``net/scaleout.py``). Its background tasks — the engine, the pump or the
backplane's loops — run under :attr:`ScoretermServer.supervisor`: one that dies is logged at once,
shows in ``/health`` as ``degraded``, and is restarted with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from scoreterm import __version__
from scoreterm.bus.memory import MemoryBus
from scoreterm.domain.model import Update
from scoreterm.engine.clock import Clock
from scoreterm.engine.engine import Engine
from scoreterm.engine.supervisor import Supervisor
from scoreterm.net import protocol as p
from scoreterm.net.fanout import FanOut
from scoreterm.net.http import HttpEndpoints, client_host, respond, same_token
from scoreterm.net.limits import SlidingWindow, TokenBucket, client_key
from scoreterm.net.local import LocalLink
from scoreterm.net.metrics import ServerMetrics
from scoreterm.net.ops import ClientOps
from scoreterm.net.output import Link
from scoreterm.net.runner import EngineRunner
from scoreterm.net.sendpath import send_path
from scoreterm.net.server_url import WS_PATH
from scoreterm.net.state import ServerState

if TYPE_CHECKING:
    from scoreterm.bus.redis import RedisBackplane

log = logging.getLogger(__name__)


@dataclass
class ServerConfig:
    """Limits and access rules; the defaults suit one machine serving a few thousand fans."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    origins: list[str] | None = None
    max_connections: int = 10_000
    max_subscriptions: int = 50
    max_message_bytes: int = 64 * 1024
    max_messages_per_s: float = 10.0
    burst_messages: float = 40.0
    new_connections_per_minute: int = 10
    # Plain HTTP per client address (IPv6: per /64): a token bucket for /health, one for the rest;
    # over it, 429 + Retry-After. 0 turns a limit off (behind a proxy, every client shares its address).
    # The API's 5/s with bursts of 60 serves a page of scoreboards and timelines at once, and a
    # dashboard polling every second; /health's 20/s serves any prober.
    http_requests_per_s: float = 5.0
    http_burst: float = 60.0
    health_requests_per_s: float = 20.0
    health_burst: float = 100.0
    heartbeat_s: float = 20.0
    history_per_match: int = 300
    high_water_bytes: int = 1024 * 1024
    # permessage-deflate off by default: 56 vs 16 KiB per connection and ~3x the CPU per event at
    # 10,000 clients (docs/performance.md, Fan-out), for frames that are small already.
    compression: bool = False
    # How long a closing handshake may take before the TCP connection is cut.
    close_timeout_s: float = 10.0


@dataclass
class Client:
    """One connected WebSocket client."""

    id: str
    ws: ServerConnection
    bucket: TokenBucket
    authed: bool
    subscriptions: dict[str, frozenset[p.Tier]] = field(default_factory=dict)
    resume: dict[str, int] = field(default_factory=dict)
    epoch: str | None = None
    said_hello: bool = False


class ScoretermServer:
    """The WebSocket + HTTP server in front of an engine.

    Clients are served from ``state`` alone. The server's link feeds it and runs ``engine``: from
    the start on a lone instance, while it leads with a ``backplane`` (several instances sharing a
    Redis, see ``net/scaleout.py``); the engine is otherwise asked only how its sources are doing
    (``/health``, ``/metrics``).

    ``supervisor`` runs the server's background tasks (a fresh one on the server's clock by default);
    the caller may run its own there too (``server.supervisor.start("tape-position", ...)``): they are
    stopped by :meth:`close`, and their trouble shows in ``/health``.
    """

    def __init__(
        self,
        engine: Engine[MemoryBus],
        state: ServerState,
        config: ServerConfig,
        clock: Clock,
        backplane: RedisBackplane | None = None,
        supervisor: Supervisor | None = None,
    ) -> None:
        self.engine = engine
        self.state = state
        self.config = config
        self.clock = clock
        self.clients: dict[str, Client] = {}
        self.metrics = ServerMetrics()
        self.http = HttpEndpoints(self)
        self.ops = ClientOps(self)
        self._new_connections = SlidingWindow(config.new_connections_per_minute)
        self._server: Server | None = None
        self.supervisor = supervisor or Supervisor(clock)
        self.output = FanOut(self)
        self.leagues = [lg.slug for lg in engine.options.leagues]
        self.runner = EngineRunner(engine, state, self.supervisor, lambda: self.link.audience())
        self.link: Link
        if backplane is None:
            self.link = LocalLink(self.runner, self.output, self.supervisor, lambda: len(self.clients))
        else:
            from scoreterm.net.scaleout import BackplaneLink

            self.link = BackplaneLink(self, backplane)

    @property
    def epoch(self) -> str:
        """The seq space clients resume in (the backplane's shared one behind a backplane)."""
        return self.state.epoch

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Restore the state from the history, start the link (and the engine), bind the socket.

        Raises:
            HistoryError: the history cannot be read.
            OSError: the address cannot be bound.
        """
        send_path()  # checked (and logged) once per process, before the first frame goes out
        self.state.restore()
        await self.link.start()
        self._server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            process_request=self._process_request,
            origins=self._origins(),
            max_size=self.config.max_message_bytes,
            # Heartbeats are ours (_heartbeat): websockets' own close with 1011, not the documented 4011.
            ping_interval=None,
            close_timeout=self.config.close_timeout_s,
            server_header=f"scoreterm/{__version__}",
            compression="deflate" if self.config.compression else None,
        )

    def _origins(self) -> list[Any] | None:
        if not self.config.origins:
            return None
        # Clients that send no Origin (terminals, scripts) stay welcome; browsers must match.
        return [*self.config.origins, None]

    async def close(self) -> None:
        """Graceful stop: "going away" to every client, history flushed."""
        # The engine stops first (behind a backplane the lease goes with it: another instance takes
        # over at once).
        await self.link.close()
        if self._server is not None:
            self._server.close(close_connections=False)
            await asyncio.gather(
                *(self.disconnect(c, p.CloseCode.GOING_AWAY) for c in list(self.clients.values())),
                return_exceptions=True,
            )
            await self._server.wait_closed()
        await self.supervisor.close()
        self.state.history.flush()

    # -- HTTP and the upgrade -------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path != WS_PATH:
            return self.http.handle(connection, request)
        now = time.monotonic()
        ip = client_key(client_host(connection))
        if len(self.clients) >= self.config.max_connections:
            self.metrics.rejected.labels("capacity").inc()
            return respond(connection, 503, {"error": "server full"})
        if not self._new_connections.allow(ip, now):
            self.metrics.rejected.labels("rate").inc()
            wait = self._new_connections.retry_after(ip, now)
            return respond(
                connection,
                429,
                {"error": "too many new connections from this address"},
                {"Retry-After": str(max(1, round(wait)))},
            )
        supplied = self.http.token_of(request)
        if self.config.token and supplied is not None and not same_token(supplied, self.config.token):
            self.metrics.rejected.labels("token").inc()
            return respond(connection, 401, {"error": "bad token"})
        connection.scoreterm_authed = not self.config.token or supplied is not None  # type: ignore[attr-defined]
        return None

    # -- one connection -------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        client = Client(
            id=secrets.token_hex(8),
            ws=ws,
            bucket=TokenBucket(self.config.max_messages_per_s, self.config.burst_messages, time.monotonic()),
            authed=bool(getattr(ws, "scoreterm_authed", True)),
        )
        self.clients[client.id] = client
        self.metrics.connections.inc()
        heartbeat = asyncio.create_task(self._heartbeat(client))
        closing: asyncio.Task[None] | None = None
        try:
            await self.ops.send(client, self.ops.welcome(client))
            async for raw in ws:
                self.metrics.messages_in.inc()
                if closing is not None:
                    # Drain what the flood queued: with its queue full websockets stops reading,
                    # and the client's close frame, behind the flood, would never be read.
                    continue
                if not client.bucket.allow(time.monotonic()):
                    self.metrics.drops.labels("flood").inc()
                    closing = asyncio.create_task(self.disconnect(client, p.CloseCode.RATE_LIMITED))
                    continue
                await self.ops.on_message(client, raw)
        except ConnectionClosed as closed:
            if (closed.rcvd is not None and closed.rcvd.code == 1009) or (
                closed.sent is not None and closed.sent.code == 1009
            ):
                self.metrics.drops.labels("oversize").inc()
        finally:
            heartbeat.cancel()
            self.clients.pop(client.id, None)
            self.metrics.connections.dec()
            if closing is not None:
                await closing

    async def _heartbeat(self, client: Client) -> None:
        """A WebSocket ping every ``heartbeat_s``; no pong within the next interval closes with 4011."""
        interval = self.config.heartbeat_s
        while interval > 0:
            await asyncio.sleep(interval)
            try:
                # The ping itself is inside the bound: it waits on a send buffer the client may not drain.
                async with asyncio.timeout(interval):
                    await (await client.ws.ping())
            except TimeoutError:
                self.metrics.drops.labels("heartbeat").inc()
                await self.disconnect(client, p.CloseCode.HEARTBEAT, patience=interval)
                return
            except ConnectionClosed:
                return

    # -- fan-out (net/fanout.py) ---------------------------------------------------------------

    def deliver(self, update: Update) -> None:
        """Record ``update`` and send it, encoded once per tier set, to every subscriber."""
        self.output.deliver(update)

    # -- helpers --------------------------------------------------------------------------------

    async def disconnect(self, client: Client, code: p.CloseCode, patience: float | None = None) -> None:
        """Close ``client``'s connection with ``code``, within ``patience`` (default ``close_timeout_s``)."""
        self.clients.pop(client.id, None)
        with contextlib.suppress(Exception):
            # A slow consumer sees the close frame after its backlog. One that stopped reading never
            # lets it out: websockets would wait for its full buffer to drain, without a deadline.
            async with asyncio.timeout(self.config.close_timeout_s if patience is None else patience):
                await client.ws.close(int(code), p.CLOSE_REASONS[code])
        if client.ws.transport is not None:
            client.ws.transport.abort()  # no-op once the handshake has closed the connection
