"""Rate limits for the server: a token bucket per connection, a sliding window per client IP."""

from __future__ import annotations

from collections import defaultdict, deque


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
    """At most ``limit`` events per key in any ``window_s`` seconds (new connections per IP)."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float) -> bool:
        """Record an event for ``key`` if it fits the window; False when over the limit."""
        events = self._events[key]
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
