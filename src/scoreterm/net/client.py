"""The thin client: a Feed that reads a ``scoreterm serve`` over WebSocket.

It reconnects with exponential backoff and full jitter (longer when a 429 says ``Retry-After``),
resumes from the last seq it holds for each match (the server replays what was missed, or says
``recovered: false`` and sends a fresh snapshot), drops duplicates, and measures round-trip latency
with pings. What retrying cannot fix (a refused token, a league the server does not carry, a 404: the
URL is wrong) ends the feed with :class:`ServerRefused`; anything unexpected ends it with
:class:`FeedStopped`, never with a task that died in silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections.abc import AsyncIterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from scoreterm.backoff import SERVER_RECONNECT
from scoreterm.domain.channels import CONNECTION, league_channel, match_channel, table_channel
from scoreterm.domain.model import (
    ConnectionStatusState,
    DeltaUpdate,
    EventUpdate,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
    Update,
)
from scoreterm.engine.clock import Clock, SystemClock
from scoreterm.engine.feed import ReplayControl
from scoreterm.net import protocol as p
from scoreterm.net.server_url import WS_PATH, server_url, shown_url

log = logging.getLogger(__name__)
PING_EVERY_S = 10.0
OFFLINE_AFTER = 5
CONNECT_TIMEOUT_S = 10.0
# Quitting waits this long at most for the server to answer our close (a busy server may not).
CLOSE_TIMEOUT_S = 2.0
CONNECTION_CHANNEL = CONNECTION
# A 429's Retry-After is honoured up to this: a server asking for an hour is misconfigured, and a
# user watching a match would rather see it try again than wait for nothing.
RETRY_AFTER_CAP_S = 300.0


class ConnectionState(enum.StrEnum):
    """Where the client stands with its server."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"
    CLOSED = "closed"


class ServerRefused(Exception):
    """The server refused us for good (bad token, forbidden origin): retrying will not help."""

    fatal = True
    """Tells the dashboard to stop: the command then exits with this error."""


class UnknownChannel(ServerRefused):
    """The server does not carry a league we asked for."""


class WrongURL(ServerRefused):
    """Nothing at the URL answers as a scoreterm server (HTTP 404 at the upgrade): fix ``--server``."""


class FeedStopped(Exception):
    """The connection task ended on something unexpected (a bug, a library's surprise).

    Not fatal: a dashboard keeps the last data and says the feed stopped; ``--json`` exits 1.
    """


class RemoteFeed:
    """A feed of a remote server's updates for some leagues (all it serves when none given)."""

    def __init__(
        self,
        url: str,
        leagues: list[str] | None = None,
        *,
        token: str | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        queue_size: int = 10_000,
    ) -> None:
        self.url = server_url(url)  # BadServerURL (a ValueError) for one it could never connect to
        self.shown_url = shown_url(self.url)
        self.leagues = leagues
        self.token = token
        self.replay: ReplayControl | None = None  # a server's stream: nothing to pause or rewind
        self.clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._queue: asyncio.Queue[Update | BaseException | None] = asyncio.Queue(maxsize=queue_size)
        self._task: asyncio.Task[None] | None = None
        self.last_seq: dict[str, int] = {}
        self.epoch: str | None = None
        self.state = ConnectionState.CONNECTING
        self.attempt = 0
        self.retry_in: float | None = None
        """The wait scheduled before the next attempt (None while none is scheduled)."""
        self.retry_at: float | None = None
        """When the next attempt starts, on ``clock.monotonic()``."""
        self.asked_wait: float | None = None
        """The wait a 429's ``Retry-After`` asked for (bounded), when that is why we wait."""
        self.latency_ms: float | None = None
        self.duplicates_dropped = 0
        self.recovered: bool | None = None
        self.error: BaseException | None = None
        self.last_failure: str = ""
        self.focused: str | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self._announced = False
        self._ws: ClientConnection | None = None

    async def start(self) -> None:
        """Connect in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def __aiter__(self) -> AsyncIterator[Update]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Update]:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def focus(self, match_id: str | None) -> None:
        """Someone opened ``match_id`` (None: closed it): follow its own channel too.

        A league channel carries light matches; the match channel carries the whole match (its
        match centre and trend). The server keeps the detail fresh for everyone.
        """
        previous, self.focused = self.focused, match_id
        ws = self._ws
        if ws is None or previous == match_id:
            return  # (re)connecting subscribes to the focused match anyway
        task = asyncio.get_running_loop().create_task(self._refocus(ws, previous, match_id))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _refocus(self, ws: ClientConnection, old: str | None, new: str | None) -> None:
        with contextlib.suppress(ConnectionClosed):
            if old is not None:
                await ws.send(p.encode_client(p.Unsubscribe(channel=match_channel(old))), text=True)
            if new is not None:
                await ws.send(p.encode_client(p.Subscribe(channel=match_channel(new))), text=True)

    def describe(self) -> str:
        """One line for the status bar: connected (with latency), reconnecting in Ns, offline.

        The seconds count down: they are what is left until the retry, not the wait as scheduled.
        """
        if self.state is ConnectionState.CONNECTED:
            rtt = f" · rtt {self.latency_ms:.0f} ms" if self.latency_ms is not None else ""
            return f"connected to {self.shown_url}{rtt}"
        if (
            self.state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE)
            and self.retry_at is not None
        ):
            label = "offline" if self.state is ConnectionState.OFFLINE else "reconnecting"
            left = max(0.0, self.retry_at - self.clock.monotonic())
            asked = f" (the server asked to wait {self.asked_wait:.0f}s)" if self.asked_wait else ""
            return f"{label}: retry in {left:.0f}s{asked} (attempt {self.attempt})"
        if self.state is ConnectionState.OFFLINE and self.error is not None:
            return f"stopped: {self.error}"
        return f"{self.state.value} {self.shown_url}"

    async def close(self) -> None:
        """Disconnect and end iteration."""
        self.state = ConnectionState.CLOSED
        if self._task is not None:
            self._task.cancel()
            # The task's own end (cancelled, or an error already reported) is swallowed; a cancel
            # of this close() itself is not.
            await asyncio.gather(self._task, return_exceptions=True)
        await self._queue.put(None)

    # -- the connection loop --------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._connect_loop()
        except ServerRefused as exc:
            await self._stop(exc)
        except Exception as exc:  # never a silent dead task: the consumer hears of it
            # info, not exception: without logging set up, a warning would print a traceback.
            log.info("the connection to %s stopped", self.shown_url, exc_info=True)
            stopped = FeedStopped(f"the connection to {self.shown_url} stopped: {type(exc).__name__}: {exc}")
            stopped.__cause__ = exc
            await self._stop(stopped)

    async def _stop(self, error: Exception) -> None:
        """End the feed with ``error``: iteration raises it, ``error`` keeps it for the command."""
        self.state = ConnectionState.OFFLINE
        self.error = error
        self.retry_in = self.retry_at = self.asked_wait = None
        await self._queue.put(error)

    async def _connect_loop(self) -> None:
        while True:
            asked: float | None = None
            try:
                await self._session()
                self.attempt = 0
                self.last_failure = "the server closed the connection"
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, p.ProtocolError) as exc:
                log.info("connection to %s lost: %s", self.shown_url, exc)
                asked = _retry_after(exc, self.clock.now())
                self.last_failure = _reason(exc, asked)
            self.attempt += 1
            delay = max(SERVER_RECONNECT.delay(self.attempt, self._rng), asked or 0.0)
            self.retry_in, self.asked_wait = delay, asked
            self.retry_at = self.clock.monotonic() + delay
            offline = self.attempt > OFFLINE_AFTER
            self.state = ConnectionState.OFFLINE if offline else ConnectionState.RECONNECTING
            await self._tell("offline" if offline else "reconnecting")
            await self.clock.sleep(delay)
            self.retry_in = self.retry_at = self.asked_wait = None

    async def _announce(self, how: ConnectionStatusState) -> None:
        """Say once per connection how it started: ``resumed``, ``fresh`` (a fresh snapshot: what
        was missed could not be replayed) or ``connected``."""
        if not self._announced:
            self._announced = True
            await self._tell(how)

    async def _tell(self, state: ConnectionStatusState) -> None:
        """Say ``state`` of the connection as a status update on :data:`CONNECTION_CHANNEL`."""
        trouble = state in ("reconnecting", "offline")
        status = SourceStatus(
            provider=self.shown_url,
            state=state,
            message=f"{self.last_failure}; retrying (attempt {self.attempt})" if trouble else "",
            next_poll_s=self.retry_in if trouble else None,
            retrying=trouble,
            failures=self.attempt,
        )
        await self._queue.put(StatusUpdate(channel=CONNECTION_CHANNEL, at=self.clock.now(), status=status))

    async def _session(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                # No permessage-deflate: it costs the server ~40 KiB and ~3x the CPU per
                # connection (docs/performance.md, Fan-out) for frames that are small already.
                ws = await connect(
                    self.url,
                    additional_headers=headers,
                    max_size=4 * 1024 * 1024,
                    open_timeout=CONNECT_TIMEOUT_S,
                    close_timeout=CLOSE_TIMEOUT_S,
                    compression=None,
                )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise ServerRefused(f"{self.shown_url} refused the connection (HTTP {status})") from exc
            if status == HTTPStatus.NOT_FOUND:
                raise WrongURL(
                    f"no scoreterm server at {self.shown_url} (HTTP 404): check the path in --server "
                    f"(ws://host:port alone connects to {WS_PATH})"
                ) from exc
            raise
        except InvalidURI as exc:
            raise WrongURL(f"bad server URL {self.shown_url}") from exc
        self._ws = ws
        pinger: asyncio.Task[None] | None = None
        try:
            welcome = p.decode_server(await ws.recv())
            if not isinstance(welcome, p.Welcome):
                raise p.ProtocolError(p.ErrorCode.BAD_MESSAGE, "the server did not start with welcome", None)
            if self.epoch is not None and welcome.epoch != self.epoch:
                self.last_seq.clear()
            hello = p.Hello(token=self.token, epoch=self.epoch, resume=dict(self.last_seq))
            self.epoch = welcome.epoch
            await ws.send(p.encode_client(hello), text=True)
            for league in self.leagues or welcome.leagues:
                await ws.send(p.encode_client(p.Subscribe(channel=league_channel(league))), text=True)
                await ws.send(p.encode_client(p.Subscribe(channel=table_channel(league))), text=True)
            if self.focused is not None:
                await ws.send(p.encode_client(p.Subscribe(channel=match_channel(self.focused))), text=True)
            self._announced = False
            self.state = ConnectionState.CONNECTED
            # The server answered: the next drop starts a fresh backoff, not where the last one stopped.
            self.attempt = 0
            pinger = asyncio.create_task(self._ping(ws))
            async for raw in ws:
                await self._receive(p.decode_server(raw))
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            if code == p.CloseCode.UNAUTHORIZED:
                raise ServerRefused(p.CLOSE_REASONS[p.CloseCode.UNAUTHORIZED]) from exc
            raise
        finally:
            if pinger is not None:
                pinger.cancel()
            self._ws = None
            with contextlib.suppress(Exception):
                await ws.close()

    async def _receive(self, message: p.ServerMessage) -> None:
        if isinstance(message, p.Pong):
            sent = message.id if isinstance(message.id, (int, float)) else None
            if sent is not None:
                self.latency_ms = max(0.0, (self.clock.monotonic() - sent / 1000) * 1000)
            return
        if isinstance(message, p.Error):
            # A league the server does not carry ends the feed; a match it no longer holds does not.
            league = message.message.startswith("no league")
            if message.code is p.ErrorCode.UNKNOWN_CHANNEL and message.op == "subscribe" and league:
                raise UnknownChannel(f"{self.shown_url}: {message.message}")
            log.warning("server error %s: %s", message.code, message.message)
            return
        if isinstance(message, p.Resumed):
            self.recovered = True
            await self._announce("resumed")
            return
        if isinstance(message, p.Snapshot) and message.recovered is False:
            self.recovered = False
        update = p.to_update(message)
        if update is None:
            return
        if isinstance(update, DeltaUpdate | EventUpdate) and update.match_id:
            if update.seq <= self.last_seq.get(update.match_id, 0):
                self.duplicates_dropped += 1
                return
            self.last_seq[update.match_id] = update.seq
        elif isinstance(update, SnapshotUpdate):
            # A snapshot is the server's truth, even below what we held (``recovered: false`` after a
            # server lost its last updates): keeping a higher seq would drop every update up to it.
            for match in update.matches:
                self.last_seq[match.id] = match.seq
        await self._queue.put(update)
        if isinstance(message, p.Snapshot):
            # Said after the snapshot: a script's first line stays the snapshot.
            await self._announce("fresh" if message.recovered is False else "connected")

    async def _ping(self, ws: ClientConnection) -> None:
        while True:
            # The id is the send time in ms on our monotonic clock, so the pong tells the RTT.
            await ws.send(p.encode_client(p.Ping(id=int(self.clock.monotonic() * 1000))), text=True)
            await self.clock.sleep(PING_EVERY_S)


def _retry_after(exc: BaseException, now: datetime) -> float | None:
    """The wait a refused upgrade asked for with ``Retry-After`` (seconds or an HTTP date), at most
    :data:`RETRY_AFTER_CAP_S`; None without one, or with one that makes no sense."""
    if not isinstance(exc, InvalidStatus):
        return None
    value = exc.response.headers.get("Retry-After", "").strip()
    if value.isascii() and value.isdigit():
        # A long number is over the cap anyway (and int() refuses over 4300 digits).
        seconds = RETRY_AFTER_CAP_S if len(value) > 6 else float(value)
    else:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S) or None


def _reason(exc: BaseException, asked: float | None = None) -> str:
    """Why a connection failed, in a few words (``Connection refused``, ``timed out``, ``HTTP 429 Too
    Many Requests, the server asked to wait 51s``)."""
    if isinstance(exc, InvalidStatus):
        code = exc.response.status_code
        try:
            said = f"HTTP {code} {HTTPStatus(code).phrase}"
        except ValueError:
            said = f"HTTP {code}"
        return said + (f", the server asked to wait {asked:.0f}s" if asked else "")
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
