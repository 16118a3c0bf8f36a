"""What the instances of a namespace share besides updates: the epoch, and how many clients each serves.

- The **epoch** names the seq space clients resume in. Any instance sets it (at random) when Redis
  has none — a new Redis, or one that lost its data — and one that has to start over replaces it,
  but only if it is still the one it knew (``BUMP_EPOCH``): two instances starting over at once end
  up in the same new epoch.
- The **audience**: each instance writes its client count with the time, and reads everyone's; the
  leader polls as often as the total warrants, and forgets instances that stopped writing.
"""

from __future__ import annotations

import time
import uuid

import redis.asyncio as aioredis

from scoreterm.bus.redis_wire import BUMP_EPOCH, Keys


class Shared:
    """The epoch and audience of one namespace.

    Args:
        client: the Redis client.
        keys: the namespace's keys.
        instance_id: this instance's name among them.
    """

    def __init__(self, client: aioredis.Redis, keys: Keys, instance_id: str) -> None:
        self.client = client
        self.keys = keys
        self.instance_id = instance_id
        self._bump = client.register_script(BUMP_EPOCH)

    async def epoch(self) -> str:
        """The namespace's epoch, set now (at random) if Redis has none."""
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.epoch, uuid.uuid4().hex, nx=True)
            pipe.get(self.keys.epoch)
            _, value = await pipe.execute()
        return _text(value)

    async def new_epoch(self, known: str | None) -> str:
        """Replace the epoch ``known`` by a new one (or take the one another instance put first)."""
        return _text(await self._bump(keys=[self.keys.epoch], args=[known or "", uuid.uuid4().hex]))

    async def audience(self, count: int, *, fresh_s: float, prune: bool) -> int:
        """Write our client ``count``; the sum of every instance's written within ``fresh_s``.

        With ``prune``, the counts of instances silent for longer are deleted (they are gone).
        """
        now = time.time()
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(self.keys.clients, self.instance_id, f"{count} {now:.3f}")
            pipe.hgetall(self.keys.clients)
            _, rows = await pipe.execute()
        total, stale = 0, []
        for instance, value in rows.items():
            written, _, at = value.decode().partition(" ")
            if now - float(at or 0) < fresh_s:
                total += int(written)
            else:
                stale.append(instance)
        if stale and prune:
            await self.client.hdel(self.keys.clients, *stale)
        return total


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
