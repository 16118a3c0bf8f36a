"""The leading half of the Redis backplane: the lease, the outbox that flushes into Redis, and the
recent past a new leader writes back into Redis when Redis lost it.

:class:`Leadership` knows Redis (the lease, the fenced scripts) and nothing of the backplane: it
answers what the lease and the outbox say, and the backplane (``bus/redis.py``) decides what follows
— catching up, delivering, stepping down, starting over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from scoreterm.bus.redis_lease import Lease
from scoreterm.bus.redis_outbox import Out, Outbox
from scoreterm.bus.redis_sync import StreamReader
from scoreterm.bus.redis_wire import DUPLICATE, PUBLISH_STATUS, PUBLISHED
from scoreterm.domain.model import SeqUpdate, StatusUpdate, TableUpdate

log = logging.getLogger(__name__)
BATCH = 64
TROUBLE = (aioredis.RedisError, OSError, TimeoutError)


class Leadership:
    """Takes, keeps and loses the lease; writes the engine's updates to Redis in order.

    Args:
        reader: the streams of the namespace (what a new leader checks against what it delivered).
        instance_id: the id the lease must hold for a write to pass the fence.
        lease_ms: the lease's TTL.
        stream_maxlen: entries kept per match stream.
        buffer_max: updates kept while Redis is away.
        backlog: the updates of each match kept, as delivered, to write back into Redis.
    """

    def __init__(
        self,
        reader: StreamReader,
        instance_id: str,
        *,
        lease_ms: int,
        stream_maxlen: int,
        buffer_max: int,
        backlog: int,
    ) -> None:
        client, keys = reader.client, reader.keys
        self.reader = reader
        self.lease = Lease(client, keys.leader, instance_id, lease_ms)
        self.outbox = Outbox(client, keys, instance_id, stream_maxlen, buffer_max)
        self.confirmed = False  # the lease was confirmed in this session: the outbox may flush
        self.grace_until = 0.0  # a follower back from an outage waits until then to take the lease
        self.wake = asyncio.Event()
        self._updates = keys.updates
        self._tables = keys.tables
        self._backlog = backlog
        self._recent: dict[str, deque[Out]] = {}
        self._tables_sent: dict[str, bytes] = {}  # channel -> the envelope of its latest table
        self._status_script = client.register_script(PUBLISH_STATUS)

    # -- what was delivered ------------------------------------------------------------------------

    def remember(self, update: SeqUpdate, raw: bytes) -> None:
        """``update`` was delivered here: kept (the last ``backlog`` per match) to rebuild Redis with."""
        ring = self._recent.setdefault(update.match_id, deque(maxlen=self._backlog))
        ring.append((update, raw))

    def forget(self) -> None:
        """What was delivered is void (the backplane starts over)."""
        self._recent.clear()

    # -- the lease -------------------------------------------------------------------------------

    async def acquire(self) -> bool:
        """Take the lease if it is free (and no grace period holds us back); True if we now hold it."""
        return time.monotonic() >= self.grace_until and await self.lease.acquire()

    async def renew(self) -> bool:
        """Keep the lease we hold (or take it back if it ran out); False: another instance holds it."""
        if await self.lease.renew():
            if not self.confirmed:
                self.confirmed = True
                self.wake.set()
            return True
        if await self.lease.acquire():
            await self.take_over()  # it had expired (or Redis lost it): the streams may need us
            return True
        return False

    async def take_over(self) -> None:
        """We hold a fresh lease: write back into the streams what they lack (Redis restarted
        without persistence) from what we delivered, and the tables we sent into an emptied
        ``tables`` hash (a table is sent again only when it changes), then let the outbox flush."""
        for channel, raw in self._tables_sent.items():
            # Only where missing: a table another leader sent since ours is newer.
            await self.reader.client.hsetnx(self._tables, channel, raw)
        tops = {match_id: await self.reader.top(match_id) for match_id in self._recent}
        self.outbox.refill((out for ring in self._recent.values() for out in ring), tops)
        self.confirmed = True
        self.wake.set()

    def step_down(self) -> bool:
        """Another instance holds the lease: stop flushing; True if our clients saw what Redis never got."""
        self.confirmed = False
        unconfirmed = self.outbox.has_unconfirmed
        self.outbox.clear()
        self._tables_sent.clear()  # the new leader's tables are the latest now, not ours
        return unconfirmed

    async def pause(self, leading: bool) -> float:
        """How long to wait before the next look at the lease."""
        lease_s = self.lease.ttl_ms / 1000
        if leading:
            return lease_s / 3
        # Wake just as the holder's lease runs out, so a dead leader is replaced within its lease.
        remaining = await self.lease.remaining_ms() / 1000
        wait = remaining + 0.005 if remaining > 0 else self.grace_until - time.monotonic()
        return min(lease_s / 3, max(0.005, wait))

    # -- writing into Redis ----------------------------------------------------------------------

    async def flush(
        self, may: Callable[[], bool], timeout_s: float, confirmed: Callable[[Out], Awaitable[None]]
    ) -> bool:
        """Write the outbox to Redis, oldest first, while ``may()``; ``confirmed`` each one Redis took.

        Returns:
            False when Redis refused a write: another instance leads (the rest stays in the outbox).

        Raises:
            redis.RedisError, OSError, TimeoutError: Redis trouble (each write attempt is bounded by
                ``timeout_s``).
        """
        while len(self.outbox) and self.confirmed and may():
            batch = self.outbox.head(BATCH)
            async with asyncio.timeout(timeout_s):
                results = await self.outbox.send(batch)
            for item, result in zip(batch, results, strict=True):
                if isinstance(result, Exception):
                    raise result
                if result not in (PUBLISHED, DUPLICATE):
                    log.warning("publish of %s seq %d refused: %s", item[0].match_id, item[0].seq, result)
                    return False
                self.outbox.confirmed(item)
                await confirmed(item)
        return True

    async def send_status(self, update: StatusUpdate | TableUpdate, raw: bytes, timeout_s: float) -> None:
        """Publish a status or a table as it is: fenced, no seq, in no stream (a table is kept as its
        league's latest).

        Raises:
            redis.RedisError, OSError, TimeoutError: Redis trouble.
        """
        table = update.channel if isinstance(update, TableUpdate) else ""
        async with asyncio.timeout(timeout_s):
            args: list[str | bytes] = [self.lease.owner, self._updates, raw, table]
            await self._status_script(keys=[self.lease.key, self._tables], args=args)
        if table:
            self._tables_sent[table] = raw
