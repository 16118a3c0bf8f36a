"""How long to wait before the next poll, how long to back off after a failure, and request budgets.

:func:`next_interval` is pure: the phases of the matches set a base, which the number of watchers,
the provider's health and the remaining request budget scale, with ±10 % jitter so clients spread
out. The phase table is soccer's; other sports use it as is (a live quarter is as urgent as a half).
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from scoreterm.backoff import PROVIDER_RETRY
from scoreterm.domain.model import Match, PhaseState
from scoreterm.engine.clock import Clock
from scoreterm.providers.base import RateLimited

LIVE_S = 3.0
BREAK_S = 15.0
IMMINENT_S = 60.0
SCHEDULED_S = 120.0
IDLE_S = 600.0
EMPTY_S = 900.0
IMMINENT_WINDOW = timedelta(minutes=15)
# A match past its kick-off time that has not started may start any second, for this long.
LATE_WINDOW = timedelta(minutes=60)
JITTER = 0.10
MIN_FIXED_S = 0.5

_RNG = random.Random()


def phase_base(match: Match, now: datetime) -> float:
    """Base interval for one match.

    Live 3 s; break (half-time) 15 s; suspended 60 s (may resume any minute, but nothing moves);
    past kick-off but not started (a late kick-off) 3 s, like a live match, for up to an hour,
    then 60 s; scheduled and kicking off within 15 min 60 s; scheduled later 120 s; final,
    postponed or cancelled 600 s.
    """
    state = match.phase.state
    if state is PhaseState.LIVE:
        return LIVE_S
    if state is PhaseState.BREAK:
        return BREAK_S
    if state is PhaseState.SUSPENDED:
        return IMMINENT_S
    if state is PhaseState.SCHEDULED:
        if timedelta(0) <= now - match.kickoff <= LATE_WINDOW:
            return LIVE_S
        return IMMINENT_S if match.kickoff - now <= IMMINENT_WINDOW else SCHEDULED_S
    return IDLE_S


def base_interval(matches: Sequence[Match], now: datetime) -> float:
    """The most urgent :func:`phase_base` of ``matches``; 900 s when there are none."""
    return min((phase_base(match, now) for match in matches), default=EMPTY_S)


def demand_factor(subscribers: int) -> float:
    """``1 / (1 + ln(1 + subscribers))``: 1 with nobody watching, 0.59 with one, 0.18 with 100."""
    return 1.0 / (1.0 + math.log1p(max(0, subscribers)))


def health_factor(health: float) -> float:
    """``1 / max(health, 0.25)``: a sick provider is polled up to 4x more gently."""
    return 1.0 / max(min(health, 1.0), 0.25)


def quota_factor(quota: float) -> float:
    """``1 / max(quota, 0.1)`` for ``quota`` = share of the request budget left: up to 10x slower."""
    return 1.0 / max(min(quota, 1.0), 0.1)


def next_interval(
    matches: Sequence[Match],
    now: datetime,
    *,
    subscribers: int = 1,
    health: float = 1.0,
    quota: float = 1.0,
    fixed: float | None = None,
    rng: random.Random | None = None,
    floor: float = 2.0,
    ceiling: float = 900.0,
) -> float:
    """Seconds until the next poll of a league.

    ``clamp(base * demand * health_factor * quota_factor * (1 ± 10 %), floor, ceiling)``; see the
    factor functions above. Note that at the default one subscriber demand is 0.59, so a live
    match polls every ~1.8 s before the clamp lifts it to ``floor``.

    Args:
        matches: the league's current matches.
        now: the current time (aware).
        subscribers: how many clients watch this league.
        health: the active provider's health score in [0, 1].
        quota: share of the request budget left, in (0, 1].
        fixed: a user-chosen interval (``--interval``, >= 0.5 s), returned as is: no jitter, no clamp.
        rng: random source for the jitter.
        floor: the shortest interval returned.
        ceiling: the longest interval returned.

    Raises:
        ValueError: ``fixed`` below 0.5 s, or ``floor`` above ``ceiling``.
    """
    if fixed is not None:
        if fixed < MIN_FIXED_S:
            raise ValueError(f"a fixed interval must be at least {MIN_FIXED_S:g}s, got {fixed:g}")
        return float(fixed)
    if floor > ceiling:
        raise ValueError(f"floor {floor:g}s is above ceiling {ceiling:g}s")
    raw = base_interval(matches, now) * demand_factor(subscribers) * health_factor(health)
    raw *= quota_factor(quota)
    raw *= 1.0 + (rng or _RNG).uniform(-JITTER, JITTER)
    return min(ceiling, max(floor, raw))


def retry_delay(error: Exception, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retrying after ``error`` (``attempt`` = 1 for the first retry).

    Full-jitter exponential backoff (base 1 s, cap 60 s); a 429 waits at least its ``Retry-After``.
    """
    delay = PROVIDER_RETRY.delay(attempt, rng)
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return max(error.retry_after, delay)
    return delay


class QuotaBudget:
    """Counts requests to one provider over a sliding minute against its per-minute limit.

    Args:
        limit_per_minute: how many requests the provider allows per minute (> 0).
        clock: where time comes from.
    """

    WINDOW_S = 60.0

    def __init__(self, limit_per_minute: int, clock: Clock) -> None:
        if limit_per_minute <= 0:
            raise ValueError(f"limit_per_minute must be positive, got {limit_per_minute}")
        self.limit = limit_per_minute
        self._clock = clock
        self._sent: deque[float] = deque()

    def _prune(self) -> float:
        now = self._clock.monotonic()
        while self._sent and self._sent[0] <= now - self.WINDOW_S:
            self._sent.popleft()
        return now

    def record(self) -> None:
        """Count one request sent now."""
        self._sent.append(self._prune())

    @property
    def used(self) -> int:
        """Requests sent in the last minute."""
        self._prune()
        return len(self._sent)

    def fraction_left(self) -> float:
        """Share of this minute's budget still unused, in [0, 1]."""
        return max(0.0, 1.0 - self.used / self.limit)

    def wait_s(self, needed: int = 1) -> float:
        """Seconds until ``needed`` more requests fit the budget (0 if they do now)."""
        now = self._prune()
        needed = max(1, min(needed, self.limit))
        if len(self._sent) + needed <= self.limit:
            return 0.0
        return self._sent[len(self._sent) + needed - self.limit - 1] + self.WINDOW_S - now
