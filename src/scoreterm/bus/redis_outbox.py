"""The leader's outbox: its engine's updates on their way into Redis, in order, bounded.

Each update waits here until the fenced publish script has put it in its stream (then it is delivered
to this instance's clients too). While Redis is away the outbox keeps them — at most ``limit``, the
oldest going first — and remembers which ones were delivered without Redis's word ("unconfirmed"): if
another instance has led meanwhile, those are the seqs this instance's clients hold and nobody else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import redis.asyncio as aioredis

from scoreterm.bus.redis_wire import PUBLISH, Keys, encode_match
from scoreterm.domain.model import DeltaUpdate, SeqUpdate

Out = tuple[SeqUpdate, bytes]


class Outbox:
    """Updates (with their envelope bytes) waiting for Redis, oldest first.

    Args:
        client: the Redis client.
        keys: the namespace's keys.
        instance_id: the id the lease must hold for a write to pass the fence.
        stream_maxlen: entries kept per stream (``MAXLEN ~``).
        limit: most updates kept while Redis is away.
    """

    def __init__(
        self, client: aioredis.Redis, keys: Keys, instance_id: str, stream_maxlen: int, limit: int
    ) -> None:
        self.client = client
        self.keys = keys
        self.instance_id = instance_id
        self.stream_maxlen = stream_maxlen
        self.limit = limit
        self.dropped = 0
        self._items: deque[Out] = deque()
        self._unconfirmed: set[tuple[str, int]] = set()
        self._script = client.register_script(PUBLISH)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Out]:
        return iter(list(self._items))

    def add(self, update: SeqUpdate, raw: bytes) -> None:
        """Queue an update; beyond ``limit``, the oldest is dropped (followers will see a hole)."""
        if len(self._items) >= self.limit:
            self._items.popleft()
            self.dropped += 1
        self._items.append((update, raw))

    def head(self, count: int) -> list[Out]:
        """The oldest ``count`` updates, left in place."""
        return [self._items[i] for i in range(min(count, len(self._items)))]

    def confirmed(self, item: Out) -> None:
        """Redis has ``item``: it leaves the outbox (if it is still at its head)."""
        if self._items and self._items[0] is item:
            self._items.popleft()
        self._unconfirmed.discard(_key(item[0]))

    def delivered_unconfirmed(self, update: SeqUpdate) -> None:
        """``update`` went to our clients before Redis had it."""
        self._unconfirmed.add(_key(update))

    @property
    def has_unconfirmed(self) -> bool:
        """Some update reached our clients and not Redis."""
        return bool(self._unconfirmed)

    def clear(self) -> None:
        """Forget everything (we no longer lead)."""
        self._items.clear()
        self._unconfirmed.clear()

    def refill(self, recent: Iterable[Out], tops: dict[str, int]) -> None:
        """Put back in front what Redis lost: the ``recent`` updates above each stream's top seq.

        After Redis restarted empty, this rebuilds the streams (and the matches hash) from what
        this instance delivered, so followers fill their gaps from them. Sorted per match by seq.
        """
        merged: dict[tuple[str, int], Out] = {}
        for update, raw in recent:
            if update.seq > tops.get(update.match_id, 0):
                merged[_key(update)] = (update, raw)
        for update, raw in self._items:
            merged.setdefault(_key(update), (update, raw))
        self._items = deque(merged[key] for key in sorted(merged))

    async def send(self, batch: list[Out]) -> list[Any]:
        """Run the fenced publish script for each update of ``batch`` in one round trip.

        Returns:
            One result per update: ``ok``, ``dup`` (already there: a retried flush), ``conflict``
            (another leader wrote that seq), ``notleader`` — or the exception Redis answered.
        """
        async with self.client.pipeline(transaction=False) as pipe:
            for update, raw in batch:
                match_id = update.match_id
                if isinstance(update, DeltaUpdate):
                    state, league = encode_match(update.match), update.match.league
                else:
                    state, league = b"", update.channel.removeprefix("league:")
                keys = [self.keys.leader, self.keys.stream(match_id), self.keys.matches, self.keys.seqs]
                args: list[str | int | bytes] = [self.instance_id, update.seq, raw, self.stream_maxlen]
                args += [match_id, state, self.keys.updates]
                await self._script(keys=[*keys, self.keys.league(league)], args=args, client=pipe)
            return list(await pipe.execute(raise_on_error=False))


def _key(update: SeqUpdate) -> tuple[str, int]:
    return update.match_id, update.seq
