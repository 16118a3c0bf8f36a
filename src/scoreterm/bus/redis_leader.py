"""The leading half of the Redis backplane: the lease, and the outbox that flushes into Redis.

Package-internal: :class:`Leadership` belongs to one :class:`~scoreterm.bus.redis.RedisBackplane`
and works with its state (connection, sequencer, delivery) directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import redis.asyncio as aioredis

from scoreterm.bus.redis_lease import Lease
from scoreterm.bus.redis_outbox import Out, Outbox
from scoreterm.bus.redis_wire import DUPLICATE, PUBLISH_STATUS, PUBLISHED
from scoreterm.domain.model import Update

if TYPE_CHECKING:
    from scoreterm.bus.redis import RedisBackplane

log = logging.getLogger(__name__)
BATCH = 64
TROUBLE = (aioredis.RedisError, OSError, TimeoutError)


class Leadership:
    """Takes, keeps and loses the lease; writes the engine's updates to Redis in order.

    Args:
        backplane: the backplane this belongs to.
        lease_ms: the lease's TTL.
        stream_maxlen: entries kept per match stream.
        buffer_max: updates kept while Redis is away.
    """

    def __init__(self, backplane: RedisBackplane, lease_ms: int, stream_maxlen: int, buffer_max: int) -> None:
        self.bp = backplane
        client, keys, me = backplane.client, backplane.keys, backplane.instance_id
        self.lease = Lease(client, keys.leader, me, lease_ms)
        self.outbox = Outbox(client, keys, me, stream_maxlen, buffer_max)
        self.confirmed = False  # the lease was confirmed in this session: the outbox may flush
        self.grace_until = 0.0  # a follower back from an outage waits until then to take the lease
        self.wake = asyncio.Event()
        self._status_script = client.register_script(PUBLISH_STATUS)

    # -- the lease -------------------------------------------------------------------------------

    async def step(self) -> None:
        """Renew the lease we hold, or try to take a free one."""
        bp = self.bp
        if bp.is_leader:
            if await self.lease.renew():
                if not self.confirmed:
                    self.confirmed = True
                    self.wake.set()
            elif await self.lease.acquire():
                await self.take_over()  # it had expired (or Redis lost it): the streams may need us
            else:
                await self.lost()
        elif time.monotonic() >= self.grace_until and await self.lease.acquire():
            log.info("instance %s is now the leader", bp.instance_id)
            await bp._sync()  # everything the previous leader published, before our engine runs
            await self.take_over()
            bp._set(leader=True)

    async def pause(self) -> float:
        """How long to wait before the next :meth:`step`."""
        lease_s = self.lease.ttl_ms / 1000
        if self.bp.is_leader:
            return lease_s / 3
        # Wake just as the holder's lease runs out, so a dead leader is replaced within its lease.
        remaining = await self.lease.remaining_ms() / 1000
        wait = remaining + 0.005 if remaining > 0 else self.grace_until - time.monotonic()
        return min(lease_s / 3, max(0.005, wait))

    async def take_over(self) -> None:
        """We hold a fresh lease: write back into the streams what they lack (Redis restarted
        without persistence) from what we delivered, then let the outbox flush."""
        recent = self.bp._recent
        tops = {match_id: await self.bp.reader.top(match_id) for match_id in recent}
        self.outbox.refill((out for ring in recent.values() for out in ring), tops)
        self.confirmed = True
        self.wake.set()

    async def lost(self) -> None:
        """Another instance holds the lease: follow; start over if our clients saw what it never did."""
        bp = self.bp
        if not bp.is_leader:
            return
        log.warning("instance %s lost the lease; following again", bp.instance_id)
        self.confirmed = False
        bp._must_start_over = bp._must_start_over or self.outbox.has_unconfirmed
        self.outbox.clear()
        bp._set(leader=False)
        if bp._must_start_over:
            await bp._start_over()

    # -- the outbox ------------------------------------------------------------------------------

    async def publish(self, update: Update, raw: bytes) -> None:
        """Queue a delta or event; while Redis is away our clients get it at once."""
        self.outbox.add(update, raw)
        if not self.bp.connected:
            await self.deliver_unconfirmed([(update, raw)])
        self.wake.set()

    async def run(self) -> None:
        """Flush the outbox whenever there is something to flush and we may."""
        # A first look without waiting: a restarted flusher may find the outbox full already.
        self.wake.set()
        while True:
            await self.wake.wait()
            self.wake.clear()
            try:
                await self.flush()
            except TROUBLE as exc:
                self.bp._kick(exc)

    async def flush(self) -> None:
        """Write the outbox to Redis, oldest first; each confirmed update is delivered here."""
        bp = self.bp
        while len(self.outbox) and bp.connected and self.confirmed and bp.is_leader:
            batch = self.outbox.head(BATCH)
            async with asyncio.timeout(bp.timeout_s * 2):
                results = await self.outbox.send(batch)
            for item, result in zip(batch, results, strict=True):
                if isinstance(result, Exception):
                    raise result
                if result not in (PUBLISHED, DUPLICATE):
                    log.warning("publish of %s seq %d refused: %s", item[0].match_id, item[0].seq, result)
                    await self.lost()
                    return
                self.outbox.confirmed(item)
                async with bp._lock:
                    await bp._own(*item)

    async def deliver_unconfirmed(self, items: list[Out] | None = None) -> None:
        """Redis is away: our clients get what the engine said (``items``, default the whole
        outbox) at once; Redis gets it later."""
        bp = self.bp
        if not bp.is_leader:
            return
        async with bp._lock:
            for update, raw in self.outbox if items is None else items:
                if update.seq > bp._seq.last.get(update.match_id or "", 0):
                    self.outbox.delivered_unconfirmed(update)
                    await bp._own(update, raw)

    async def status(self, update: Update, raw: bytes) -> None:
        """A status goes out as it is (fenced, no seq); our own clients get it at once."""
        bp = self.bp
        if bp.connected:
            try:
                async with asyncio.timeout(bp.timeout_s):
                    args: list[str | bytes] = [bp.instance_id, bp.keys.updates, raw]
                    await self._status_script(keys=[bp.keys.leader], args=args)
            except TROUBLE as exc:
                bp._kick(exc)
        await bp._emit(update)  # our echo from pub/sub is skipped
