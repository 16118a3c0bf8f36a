"""Rate limits for the server: a token bucket per connection, and per client address a sliding window
(new WebSocket connections) or a token bucket (plain HTTP requests).

The per-address limiters forget an address as soon as it holds no information any more (its window
is empty, its bucket full again), so memory follows the addresses active in the last window, not
every address ever seen. IPv6 clients are counted per /64 (:func:`client_key`): one host usually
holds a whole /64, and would otherwise get a fresh budget from each of its 2^64 addresses.
"""

from __future__ import annotations

import ipaddress
from collections import deque


def client_key(host: str) -> str:
    """The key a client address is limited under: IPv4 as is, IPv6 by its /64, anything else as is."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class TokenBucket:
    """Allows ``rate`` events per second on average, with bursts of up to ``burst``.

    Args:
        rate: tokens added per second.
        burst: bucket size.
        now: the current monotonic time.
    """

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._at = now

    def allow(self, now: float) -> bool:
        """Take one token if there is one."""
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class SlidingWindow:
    """At most ``limit`` events per key in any ``window_s`` seconds (new connections per IP).

    A key whose events have all left the window is dropped (swept at most once per window, so the
    cost per event stays constant).
    """

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._events: dict[str, deque[float]] = {}
        self._swept_at: float | None = None

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._events)

    def allow(self, key: str, now: float) -> bool:
        """Record an event for ``key`` if it fits the window; False when over the limit."""
        self._sweep(now)
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again."""
        events = self._events.get(key)
        if not events or len(events) < self.limit:
            return 0.0
        return max(0.0, events[0] + self.window_s - now)

    def _sweep(self, now: float) -> None:
        if self._swept_at is None:
            self._swept_at = now
        if now - self._swept_at < self.window_s:
            return
        self._swept_at = now
        horizon = now - self.window_s
        # A new dict, not deletions: a dict never gives back the room its deleted keys took.
        self._events = {k: events for k, events in self._events.items() if events and events[-1] > horizon}


class KeyedBuckets:
    """A :class:`TokenBucket` per key (HTTP requests per client address), each forgotten once full again.

    A bucket that has refilled to ``burst`` is the same as a new one: dropping it loses nothing.

    Args:
        rate: requests per second each key may make on average.
        burst: how many requests a key may make at once.
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        # key -> (tokens, at): two floats, not an object per address.
        self._buckets: dict[str, tuple[float, float]] = {}
        self._swept_at: float | None = None
        self._refill_s = burst / rate if rate > 0 else float("inf")

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._buckets)

    def allow(self, key: str, now: float) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        self._sweep(now)
        tokens = self._tokens(key, now)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` has a token again (0 when it has one)."""
        missing = 1.0 - self._tokens(key, now)
        if missing <= 0:
            return 0.0
        return missing / self.rate if self.rate > 0 else float("inf")

    def _tokens(self, key: str, now: float) -> float:
        held = self._buckets.get(key)
        if held is None:
            return self.burst
        tokens, at = held
        return min(self.burst, tokens + max(0.0, now - at) * self.rate)

    def _sweep(self, now: float) -> None:
        if self._swept_at is None:
            self._swept_at = now
        if now - self._swept_at < min(self._refill_s, 60.0):
            return
        self._swept_at = now
        self._buckets = {
            key: held for key, held in self._buckets.items() if self._tokens(key, now) < self.burst
        }
