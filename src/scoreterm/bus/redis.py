"""The Redis backplane: several ``scoreterm serve`` instances, one poller, one history, no gaps.

Every instance runs a :class:`RedisBackplane`. One of them holds the lease (``{ns}:leader``) and is the
leader: only its engine polls, and :meth:`RedisBackplane.publish` writes each delta and event, in one
fenced Lua step, to the match's stream (id ``<seq>-0``, so Redis refuses a seq that is not above the
last: a stale ex-leader's write fails and it steps down), to the ``matches`` hash (current state) and
to pub/sub. Every instance, the leader included, receives the updates and hands them, once and in seq
order per match (:class:`~scoreterm.bus.redis_sync.Sequencer`), to its listener — the server's link
(``net/scaleout.py``); that following side, and the instance's state, are
:class:`~scoreterm.bus.redis_follow.Follower`'s. Statuses and tables go out as they are (no seq, not
kept in a stream). The lease and the outbox are :class:`~scoreterm.bus.redis_leader.Leadership`'s;
what follows from what they say (catching up, stepping down, starting over) is decided here.

Its two loops (the session: connect, follow, keep the lease; the flusher of the outbox) run under a
:class:`~scoreterm.engine.supervisor.Supervisor` when one is given to :meth:`RedisBackplane.start` (the
server's): a loop that dies of something unforeseen is logged, reported and restarted.

Redis trouble never crashes anything: the backplane reconnects with exponential backoff and full
jitter, then catches up from the streams. Meanwhile the leader keeps polling, delivers to its own
clients at once and buffers the rest (:class:`~scoreterm.bus.redis_outbox.Outbox`) until Redis is
back; explicit stream ids make that flush idempotent, and what Redis lost in a restart is written back
from what the leader delivered. A leader that finds the lease taken by another instance after serving
updates Redis never got bumps the shared epoch and starts over from Redis: its clients get snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from scoreterm.backoff import REDIS_RECONNECT, full_jitter
from scoreterm.bus.redis_follow import Follower, Listener
from scoreterm.bus.redis_leader import TROUBLE
from scoreterm.bus.redis_outbox import Out
from scoreterm.bus.redis_wire import Envelope, encode_envelope
from scoreterm.bus.tasks import cancel_and_wait, first_to_end
from scoreterm.domain.model import DeltaUpdate, EventUpdate, StatusUpdate, TableUpdate, Update

if TYPE_CHECKING:
    from scoreterm.engine.supervisor import Supervisor

log = logging.getLogger(__name__)
SESSION_TASK = "backplane-session"
FLUSH_TASK = "backplane-flush"


class _Kicked(ConnectionError):
    """A command outside the session failed (its error is already in ``last_error``)."""


class RedisBackplane(Follower):
    """One instance's connection to the shared Redis; see the module docstring.

    Args:
        url: ``redis://host:6379/0`` (``rediss://`` and ``unix://`` work too).
        namespace: prefix of every key, so several deployments can share a Redis.
        instance_id: this instance's name in the lease (random by default).
        stream_maxlen: entries kept per match stream (approximately: ``MAXLEN ~``).
        lease_ms: the lease's TTL; another instance takes over at most this long after a leader dies.
        buffer_max: updates the leader buffers while Redis is away (the oldest go first beyond it).
        backlog: updates of a match read from its stream when the match is first seen.
        timeout_s: bound on connecting and on every command.
        backoff_cap_s: longest wait between two reconnect attempts (full jitter below it).

    Raises:
        BackplaneError: ``url`` is not a Redis URL.
    """

    # -- publishing ------------------------------------------------------------------------------

    async def publish(self, update: Update) -> None:
        """Publish an update of this instance's engine; ignored unless this instance is the leader.

        Deltas and events go to the outbox (delivered here once Redis has them, or at once while
        Redis is away); statuses and tables go out as they are (delivered here at once); snapshots
        are not published.
        """
        if not self.is_leader:
            return
        raw = encode_envelope(Envelope(src=self.instance_id, t=time.time() * 1000, u=update))
        if isinstance(update, StatusUpdate | TableUpdate):
            if self.connected:
                try:
                    await self.leading.send_status(update, raw, self.timeout_s)
                except TROUBLE as exc:
                    self._kick(exc)
            self._emit(update)  # our echo from pub/sub is skipped
        elif isinstance(update, DeltaUpdate | EventUpdate) and update.match_id and update.seq > 0:
            self.leading.outbox.add(update, raw)
            if not self.connected:
                await self._deliver_unconfirmed([(update, raw)])
            self.leading.wake.set()

    @property
    def buffered(self) -> int:
        """Updates of ours that Redis has not confirmed yet."""
        return len(self.leading.outbox)

    def last_seqs(self) -> dict[str, int]:
        """The last seq delivered here, per match."""
        return dict(self._seq.last)

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self, listener: Listener | None = None, *, supervisor: Supervisor | None = None) -> None:
        """Connect (in the background: an unreachable Redis is retried, never fatal) and follow.

        With a ``supervisor``, the backplane's loops run under it (``backplane-session`` and
        ``backplane-flush``); without, as plain tasks.
        """
        self._listener = listener
        self._supervisor = supervisor
        if supervisor is None:
            self._tasks = [asyncio.create_task(self._supervise()), asyncio.create_task(self._flush())]
        else:
            supervisor.start(SESSION_TASK, self._supervise)
            supervisor.start(FLUSH_TASK, self._flush)

    async def close(self, *, release: bool = True) -> None:
        """Stop; with ``release``, flush the outbox (bounded) and give the lease up at once.

        ``release=False`` leaves the lease to expire, as a crashed instance would.
        """
        if release and self.is_leader and self.connected:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout_s):
                    while self.buffered and self.connected and self.is_leader:  # noqa: ASYNC110
                        await asyncio.sleep(0.01)
        self._closing = True
        if self._supervisor is not None:
            await asyncio.gather(self._supervisor.stop(SESSION_TASK), self._supervisor.stop(FLUSH_TASK))
        await cancel_and_wait(self._tasks)
        self._tasks = []
        if release and self.is_leader:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self.timeout_s):
                    await self.leading.lease.release()
        self.is_leader = self.connected = False
        with contextlib.suppress(Exception):
            await self.client.aclose()

    # -- connection ----------------------------------------------------------------------------

    async def _supervise(self) -> None:
        attempt = 0
        while not self._closing:
            was_up = self.connected
            try:
                await self._session()
            except Exception as exc:  # whatever Redis does, the server goes on
                if not isinstance(exc, TROUBLE):
                    log.exception("backplane session failed")
                was_up = self.connected
                await self._down(exc)
            # A session that got going starts the backoff over; failed attempts make it grow.
            attempt = 1 if was_up else attempt + 1
            await asyncio.sleep(
                full_jitter(attempt, base=REDIS_RECONNECT.base_s, cap=self.backoff_cap_s, rng=self._rng)
            )

    async def _session(self) -> None:
        pubsub: Any = self.client.pubsub()  # (its aclose() is untyped)
        try:
            async with asyncio.timeout(self.timeout_s * 2):
                # Subscribed before catching up: nothing published meanwhile slips between the two.
                await pubsub.subscribe(self.keys.updates)
                await self._refresh_epoch()
            if self._had_session and not self.is_leader:
                # After an outage the leader of before gets the first chance: its clients saw
                # updates Redis may not have yet.
                self.leading.grace_until = time.monotonic() + 2 * self.lease_s
            self._had_session = True
            self._kicked.clear()
            self._set(connected=True)
            log.info("backplane connected to %s (epoch %s)", self.url, self.epoch)
            if self.is_leader:
                # Still ours? Known before catching up: another leader's seqs must not be taken
                # for the continuation of ours.
                await self._step()
            await self._sync()
            self.ready.set()
            await first_to_end(self._read(pubsub), self._keep_lease(), self._kicked.wait())
            raise _Kicked(self.last_error or "connection lost")
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _down(self, exc: BaseException) -> None:
        self.leading.confirmed = False
        first = self.last_error is None
        if not isinstance(exc, _Kicked):
            self.last_error = f"{type(exc).__name__}: {exc}"[:200]
        if self.connected or first:
            log.warning("backplane cannot reach Redis at %s (%s); retrying", self.url, self.last_error)
        self._set(connected=False)
        with contextlib.suppress(Exception):
            # The pool's other connections died with this one: the next session starts afresh.
            await self.client.connection_pool.disconnect()
        await self._deliver_unconfirmed()

    def _kick(self, exc: BaseException) -> None:
        """A command failed outside the session's tasks: end the session so it reconnects."""
        self.last_error = f"{type(exc).__name__}: {exc}"[:200]
        self._kicked.set()

    async def _refresh_epoch(self) -> None:
        epoch = await self.shared.epoch()
        if self.epoch is not None and epoch != self.epoch:
            log.warning(
                "epoch %s replaced by %s: clients resuming in the old one get snapshots", self.epoch, epoch
            )
        self.epoch = epoch

    async def _sync(self) -> None:
        if self._must_start_over:
            await self._start_over()
            return
        async with self._lock:
            await self._seq.sync()
            for table in await self.reader.tables():  # what an instance that starts now has missed
                self._emit(table)
            if self._must_resync and self._listener is not None:
                self._listener.resynced()
            self._must_resync = False

    # -- leading (the lease and the outbox: redis_leader.py) ------------------------------------

    async def _keep_lease(self) -> None:
        while True:
            await self._step()
            await self._refresh_epoch()  # another instance may have started over
            await self._count_audience()
            await asyncio.sleep(await self.leading.pause(self.is_leader))

    async def _step(self) -> None:
        """Renew the lease we hold, or try to take a free one."""
        if self.is_leader:
            if not await self.leading.renew():
                await self._step_down()
        elif await self.leading.acquire():
            log.info("instance %s is now the leader", self.instance_id)
            await self._sync()  # everything the previous leader published, before our engine runs
            await self.leading.take_over()
            self._set(leader=True)

    async def _step_down(self) -> None:
        """Another instance holds the lease: follow; start over if our clients saw what it never did."""
        if not self.is_leader:
            return
        log.warning("instance %s lost the lease; following again", self.instance_id)
        self._must_start_over = self.leading.step_down() or self._must_start_over
        self._set(leader=False)
        if self._must_start_over:
            await self._start_over()

    async def _flush(self) -> None:
        """Flush the outbox whenever there is something to flush and we may (supervised)."""
        leading = self.leading
        # A first look without waiting: a restarted flusher may find the outbox full already.
        leading.wake.set()
        while True:
            await leading.wake.wait()
            leading.wake.clear()
            try:
                if not await leading.flush(self._may_flush, self.timeout_s * 2, self._confirmed):
                    await self._step_down()
            except TROUBLE as exc:
                self._kick(exc)

    def _may_flush(self) -> bool:
        return self.connected and self.is_leader

    async def _confirmed(self, item: Out) -> None:
        """Redis has one of our updates: delivered here, in order."""
        async with self._lock:
            await self._own(*item)

    async def _deliver_unconfirmed(self, items: list[Out] | None = None) -> None:
        """Redis is away: our clients get what the engine said (``items``, default the whole
        outbox) at once; Redis gets it later."""
        if not self.is_leader:
            return
        outbox = self.leading.outbox
        async with self._lock:
            for update, raw in outbox if items is None else items:
                if update.seq > self._seq.last.get(update.match_id, 0):
                    outbox.delivered_unconfirmed(update)
                    await self._own(update, raw)

    async def _count_audience(self) -> None:
        """Share our client count; sum everyone's (the leader's polling follows the total)."""
        if self.count_clients is not None:
            count = self.count_clients()
            fresh_s = 3 * self.lease_s
            self.cluster_clients = await self.shared.audience(count, fresh_s=fresh_s, prune=self.is_leader)

    async def _start_over(self) -> None:
        """Our clients saw seqs another leader gave to other updates: new epoch, state from Redis."""
        log.warning("updates served while Redis was away were not kept; starting over from Redis")
        self.epoch = await self.shared.new_epoch(self.epoch)
        async with self._lock:
            self._seq.forget()
            self.leading.forget()
            self._must_start_over, self._must_resync = False, True
            if self._listener is not None:
                self._listener.reset()
