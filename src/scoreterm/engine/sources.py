"""What the engine keeps of each provider: health, circuit breaker, request budget, last success.

:func:`guarded` wraps every provider call: anything a provider raises besides its typed errors (a
payload that trips a normalizer) becomes a ``PayloadError`` that costs one poll, never the poller.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from scoreterm.engine.clock import Clock
from scoreterm.engine.failover import CircuitBreaker
from scoreterm.engine.health import ProviderHealth
from scoreterm.engine.interval import QuotaBudget
from scoreterm.providers.base import PayloadError, Provider, ProviderError
from scoreterm.providers.values import warn_once

log = logging.getLogger(__name__)
T = TypeVar("T")

# Free-tier request budgets (requests per minute); ESPN publishes none.
REQUEST_BUDGETS = {"footballdata": 10, "thesportsdb": 30}


@dataclass
class SourceState:
    """One provider as the engine sees it: how healthy, how close to its budget, when last good."""

    provider: Provider
    health: ProviderHealth
    breaker: CircuitBreaker
    quota: QuotaBudget | None = None
    last_ok: datetime | None = None
    last_ok_at: float | None = None
    # The real clock (a replay's engine runs on tape time) and its reading at the last success.
    real: Clock | None = None
    last_ok_real: float | None = None
    failed: bool = False

    counted: int = 0

    def quota_left(self) -> float:
        self.sync_quota()
        return self.quota.fraction_left() if self.quota else 1.0

    def quota_wait(self) -> float:
        """Seconds until two more requests fit the budget (a scoreboard may need one per day)."""
        self.sync_quota()
        return self.quota.wait_s(needed=2) if self.quota else 0.0

    def sync_quota(self) -> None:
        """Count every HTTP request the provider sent since last time against its budget."""
        sent = sum(f.requests_sent for f in self.provider.fetchers)
        for _ in range(sent - self.counted):
            if self.quota is not None:
                self.quota.record()
        self.counted = sent

    def latency(self) -> float:
        return max((f.last_latency_s or 0.0 for f in self.provider.fetchers), default=0.0)

    def record_success(self, clock: Clock) -> None:
        """A request answered."""
        self.sync_quota()
        self.health.record_success(self.latency())
        self.breaker.record_success()
        self.last_ok = clock.now()
        self.last_ok_at = clock.monotonic()
        self.last_ok_real = (self.real or clock).monotonic()

    def record_failure(self, error: ProviderError) -> None:
        """A request failed with ``error``."""
        self.sync_quota()
        self.health.record_failure(error)
        self.breaker.record_failure(error)
        self.failed = True


async def guarded(provider: str, answer: Awaitable[T]) -> T:
    """Await a provider call; anything it raises besides a ProviderError becomes a PayloadError.

    Providers are meant to raise only typed errors, but what a vendor sends is not ours to trust:
    a payload that trips a bug in a normalizer must cost one poll (counted as a failure, logged
    once with its traceback), never the poller.
    """
    try:
        return await answer
    except ProviderError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        warn_once(log, "%s: unreadable answer (%s)", provider, reason)
        log.debug("%s: unreadable answer", provider, exc_info=exc)
        raise PayloadError(provider, f"unreadable answer ({reason})") from exc
