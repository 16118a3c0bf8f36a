"""In-process publish/subscribe of :class:`Update` by channel, with bounded queues.

A subscriber names channels (``league:eng.1``, ``match:espn-760505`` or ``*``). An update is
delivered once to every subscriber of its own channel, of its match's channel, or of ``*``.
A subscriber that falls ``maxsize`` updates behind is cut off with :class:`SubscriptionLagged`
rather than silently dropping updates: it resubscribes and starts again from a snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from scoreterm.domain.channels import ALL, league_channel, match_channel
from scoreterm.domain.model import DeltaUpdate, EventUpdate, Update

__all__ = ["ALL", "DEFAULT_MAXSIZE", "MemoryBus", "Subscription", "league_channel", "match_channel"]

DEFAULT_MAXSIZE = 10_000


class SubscriptionLagged(Exception):
    """The subscriber fell too far behind; its queue was dropped and it must resync."""


class SubscriptionClosed(Exception):
    """The subscription (or the bus) was closed."""


class Subscription:
    """A bounded queue of updates for one consumer; iterate it with ``async for``."""

    def __init__(self, bus: MemoryBus, channels: Iterable[str], maxsize: int) -> None:
        self._bus = bus
        self.channels: set[str] = set(channels)
        self._queue: asyncio.Queue[Update | BaseException] = asyncio.Queue()
        self._maxsize = maxsize
        self._failed = False
        self.delivered = 0

    def wants(self, update: Update) -> bool:
        """True when this subscription listens to the update's channel or match."""
        if ALL in self.channels or update.channel in self.channels:
            return True
        return (
            isinstance(update, DeltaUpdate | EventUpdate) and match_channel(update.match_id) in self.channels
        )

    def offer(self, update: Update) -> None:
        """Queue ``update``; past ``maxsize`` pending, fail the subscription instead."""
        if self._failed:
            return
        if self._queue.qsize() >= self._maxsize:
            self._fail(SubscriptionLagged(f"subscriber fell {self._maxsize} updates behind"))
            return
        self._queue.put_nowait(update)

    def _fail(self, error: BaseException, drop_pending: bool = True) -> None:
        self._failed = True
        while drop_pending and not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(error)
        self._bus.unsubscribe(self)

    def close(self) -> None:
        """Stop receiving; ``async for`` ends once the updates already queued are read."""
        if not self._failed:
            self._fail(SubscriptionClosed(), drop_pending=False)

    async def get(self) -> Update:
        """Wait for the next update.

        Raises:
            SubscriptionLagged: the subscriber fell behind and must resync.
            SubscriptionClosed: the subscription or the bus was closed.
        """
        item = await self._queue.get()
        if isinstance(item, BaseException):
            self._queue.put_nowait(item)
            raise item
        self.delivered += 1
        return item

    def pending(self) -> int:
        """Updates queued and not yet read."""
        return self._queue.qsize()

    def __aiter__(self) -> AsyncIterator[Update]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Update]:
        while True:
            try:
                yield await self.get()
            except SubscriptionClosed:
                return


class MemoryBus:
    """The in-process bus: publish is synchronous fan-out into each subscriber's queue."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self.published = 0

    def subscribe(self, channels: Iterable[str], maxsize: int = DEFAULT_MAXSIZE) -> Subscription:
        """Start receiving updates for ``channels``."""
        subscription = Subscription(self, channels, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to ``subscription`` (idempotent)."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    async def publish(self, update: Update) -> None:
        """Deliver ``update`` to every interested subscriber."""
        self.published += 1
        for subscription in list(self._subscriptions):
            if subscription.wants(update):
                subscription.offer(update)

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions are open."""
        return len(self._subscriptions)

    def close(self) -> None:
        """Close every subscription."""
        for subscription in list(self._subscriptions):
            subscription.close()
