"""What every backplane instance does: keep its state on the shared Redis, and follow.

Following: pub/sub brings each update; the :class:`~scoreterm.bus.redis_sync.Sequencer` hands each
match's deltas and events on once and in seq order (reading what pub/sub lost from the streams), and
they go to the :class:`Listener` — the server's link. Statuses and tables go out as they are.
:class:`Follower` holds the state of :class:`~scoreterm.bus.redis.RedisBackplane`, which adds the
connection, the publishing and the leading (see its module docstring).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from scoreterm.backoff import REDIS_RECONNECT
from scoreterm.bus.redis_cluster import Shared
from scoreterm.bus.redis_leader import Leadership
from scoreterm.bus.redis_sync import Sequencer, StreamReader
from scoreterm.bus.redis_wire import Envelope, Keys, decode_envelope, encode_envelope
from scoreterm.config import redact_url
from scoreterm.domain.model import Match, SeqUpdate, SnapshotUpdate, StatusUpdate, TableUpdate, Update

if TYPE_CHECKING:
    from scoreterm.engine.supervisor import Supervisor

log = logging.getLogger(__name__)
_UNREADABLE = (msgspec.DecodeError, msgspec.ValidationError)


class BackplaneError(Exception):
    """The backplane cannot be set up as asked (a malformed Redis URL); the message says why."""


class Listener(Protocol):
    """What the backplane tells the server it runs under. Every call is synchronous and in order."""

    def deliver(self, update: Update) -> None:
        """A delta or event (once, in seq order per match), a status or a table."""

    def lost(self, match_id: str, state: Match | None) -> None:
        """Updates of ``match_id`` are gone for good; ``state`` (if any) is its newest state."""

    def reset(self) -> None:
        """Everything delivered so far is void (this instance served a lineage nobody kept)."""

    def resynced(self) -> None:
        """After :meth:`reset`, everything Redis holds has been delivered again."""

    def changed(self) -> None:
        """``connected`` or ``is_leader`` changed."""


class Follower:
    """An instance's state on the shared Redis, and its following side; the arguments are
    :class:`~scoreterm.bus.redis.RedisBackplane`'s.

    Raises:
        BackplaneError: ``url`` is not a Redis URL.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "scoreterm",
        instance_id: str | None = None,
        stream_maxlen: int = 1000,
        lease_ms: int = 5000,
        buffer_max: int = 10_000,
        backlog: int = 300,
        timeout_s: float = 2.0,
        backoff_cap_s: float = REDIS_RECONNECT.cap_s,
        rng: random.Random | None = None,
    ) -> None:
        try:
            self.client: aioredis.Redis = aioredis.Redis.from_url(
                url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0)
            )
        except ValueError as exc:
            raise BackplaneError(f"bad Redis URL {redact_url(url)!r}: {exc}") from None
        self.url = redact_url(url)  # for messages: a password stays out of logs and /health
        self.keys = Keys(namespace)
        self.instance_id = instance_id or uuid.uuid4().hex[:12]
        self.lease_s = lease_ms / 1000
        self.timeout_s = timeout_s
        self.backoff_cap_s = backoff_cap_s
        self.connected = False
        self.is_leader = False
        self.epoch: str | None = None
        self.last_error: str | None = None
        self.lag_ms: float | None = None
        self.count_clients: Callable[[], int] | None = None
        self.cluster_clients = 0
        self.ready = asyncio.Event()
        self.reader = StreamReader(self.client, self.keys)
        self._rng = rng or random.Random()
        self.shared = Shared(self.client, self.keys, self.instance_id)
        self._seq = Sequencer(self.reader, self._take, self._report_lost, backlog)
        self._listener: Listener | None = None
        self._lock = asyncio.Lock()  # one delivery at a time, in order
        self._had_session = False
        self._must_resync = False
        self._must_start_over = False
        self._closing = False
        self._kicked = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._supervisor: Supervisor | None = None
        self.leading = Leadership(
            self.reader,
            self.instance_id,
            lease_ms=lease_ms,
            stream_maxlen=stream_maxlen,
            buffer_max=buffer_max,
            backlog=backlog,
        )

    # -- following: pub/sub -> sequencer -> listener -------------------------------------------

    async def _read(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and message.get("type") == "message":
                await self._received(message["data"])

    async def _received(self, data: bytes) -> None:
        try:
            envelope = decode_envelope(data)
        except _UNREADABLE as exc:
            log.warning("ignoring an unreadable backplane message: %s", exc)
            return
        update = envelope.u
        if isinstance(update, StatusUpdate | TableUpdate):
            if envelope.src != self.instance_id:  # ours went to our clients already
                self.lag_ms = max(0.0, time.time() * 1000 - envelope.t)
                self._emit(update)
            return
        if isinstance(update, SnapshotUpdate):  # never published: nothing to deliver
            return
        async with self._lock:
            before = self._seq.last.get(update.match_id)
            await self._seq.offer(update, data)
            if self._seq.last.get(update.match_id) != before:
                # Only what was news here: a duplicate (a flush written back) is no measure of delay.
                self.lag_ms = max(0.0, time.time() * 1000 - envelope.t)

    async def _take(self, update: SeqUpdate, raw: bytes | None) -> None:
        """Deliver: remembered (to rebuild Redis after it lost its data), then to the listener."""
        raw = raw or encode_envelope(Envelope(src=self.instance_id, t=time.time() * 1000, u=update))
        self.leading.remember(update, raw)
        self._emit(update)

    def _emit(self, update: Update) -> None:
        if self._listener is not None:
            self._listener.deliver(update)

    async def _report_lost(self, match_id: str, state: Match | None) -> None:
        if self._listener is not None:
            self._listener.lost(match_id, state)

    def _set(self, *, connected: bool | None = None, leader: bool | None = None) -> None:
        before = (self.connected, self.is_leader)
        if connected is not None:
            self.connected = connected
        if leader is not None:
            self.is_leader = leader
        if (self.connected, self.is_leader) != before and self._listener is not None:
            self._listener.changed()

    async def _own(self, update: SeqUpdate, raw: bytes) -> None:
        """Deliver one of our engine's updates: ours are the lineage, no gap to look for."""
        match_id = update.match_id
        if update.seq > self._seq.last.get(match_id, 0):
            self._seq.last[match_id] = update.seq
            await self._take(update, raw)
