"""Leader election with a lease in Redis: ``SET key owner NX PX ttl``, renewed, released.

Only the owner renews (compare-and-pexpire) or releases (compare-and-delete) the key, both in Lua so
the compare and the write are one step: an instance whose lease expired cannot extend or delete the
lease another instance took since.
"""

from __future__ import annotations

import redis.asyncio as aioredis

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    """One instance's side of a lease on ``key``.

    Args:
        client: the Redis client.
        key: the lease key (``scoreterm:leader``).
        owner: this instance's id, stored as the key's value.
        ttl_ms: how long the lease lasts without renewal.
    """

    def __init__(self, client: aioredis.Redis, key: str, owner: str, ttl_ms: int) -> None:
        self.client = client
        self.key = key
        self.owner = owner
        self.ttl_ms = ttl_ms
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it; True if we now hold it (False if another does)."""
        return bool(await self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        """Extend the lease to a full ``ttl_ms``; False if we no longer hold it."""
        return bool(await self._renew(keys=[self.key], args=[self.owner, self.ttl_ms]))

    async def release(self) -> bool:
        """Give the lease up so another instance can take it at once; False if we did not hold it."""
        return bool(await self._release(keys=[self.key], args=[self.owner]))

    async def holder(self) -> str | None:
        """The id of the instance holding the lease (None when free)."""
        value = await self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    async def remaining_ms(self) -> int:
        """Milliseconds before the current lease expires (0 when free)."""
        return max(0, int(await self.client.pttl(self.key)))
