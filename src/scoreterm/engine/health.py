"""Provider health: a sliding-window score and a circuit breaker, both on the injected clock.

:class:`ProviderHealth` turns recent requests into one number in [0, 1] that failover and the
polling interval read. :class:`CircuitBreaker` stops asking a provider that keeps failing and lets
one probe through now and then to find out whether it is back.
"""

from __future__ import annotations

import enum
import math
import random
from collections import deque
from dataclasses import dataclass

from scoreterm.backoff import full_jitter
from scoreterm.engine.clock import Clock
from scoreterm.providers.base import ProviderError, RateLimited

W_ERRORS, W_LATENCY, W_RATE_LIMITS, W_FRESHNESS = 0.40, 0.25, 0.20, 0.15
PRIOR_SAMPLES = 5
LATENCY_GOOD_S, LATENCY_BAD_S = 0.5, 10.0


def latency_score(latency_s: float) -> float:
    """Score one response time: 1 at <= 0.5 s, 0 at >= 10 s, log-linear between.

    Logarithmic because latency hurts multiplicatively: 0.5 -> 1 s costs as much as 5 -> 10 s
    (1 s scores 0.77, 2 s 0.54, 5 s 0.23).
    """
    if latency_s <= LATENCY_GOOD_S:
        return 1.0
    if latency_s >= LATENCY_BAD_S:
        return 0.0
    return 1.0 - math.log(latency_s / LATENCY_GOOD_S) / math.log(LATENCY_BAD_S / LATENCY_GOOD_S)


@dataclass(frozen=True, slots=True)
class _Sample:
    at: float
    ok: bool
    latency_s: float = 0.0
    rate_limited: bool = False


class ProviderHealth:
    """How well one provider has been answering lately.

    The window holds the last ``window`` requests, dropping any older than ``window_s``.
    ``score = 0.40*(1-error_rate) + 0.25*latency + 0.20*(1-rate_limit_rate) + 0.15*freshness``.
    With no requests in the window the score is 1.0: a provider is trusted until it fails.

    Args:
        clock: where time comes from.
        window: how many recent requests count.
        window_s: how old a request may be and still count.
        fresh_s: data up to this old is fully fresh.
        stale_s: data this old (or older) has freshness 0; linear between ``fresh_s`` and here.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        window: int = 20,
        window_s: float = 600.0,
        fresh_s: float = 30.0,
        stale_s: float = 300.0,
    ) -> None:
        self._clock = clock
        self._samples: deque[_Sample] = deque(maxlen=window)
        self._window_s = window_s
        self._fresh_s = fresh_s
        self._stale_s = stale_s
        self._newest_data_at: float | None = None
        self._last_request_at: float | None = None
        self.last_error: ProviderError | None = None

    def record_success(self, latency_s: float, data_age_s: float = 0.0) -> None:
        """Record a good answer that took ``latency_s`` and carried data ``data_age_s`` old."""
        now = self._clock.monotonic()
        self._samples.append(_Sample(now, ok=True, latency_s=max(0.0, latency_s)))
        data_at = now - max(0.0, data_age_s)
        if self._newest_data_at is None or data_at > self._newest_data_at:
            self._newest_data_at = data_at
        self._last_request_at = now

    def record_failure(self, error: ProviderError) -> None:
        """Record a failed request; a :class:`RateLimited` is also a rate-limit hit."""
        now = self._clock.monotonic()
        self._samples.append(_Sample(now, ok=False, rate_limited=isinstance(error, RateLimited)))
        self._last_request_at = now
        self.last_error = error

    def _window(self) -> list[_Sample]:
        horizon = self._clock.monotonic() - self._window_s
        while self._samples and self._samples[0].at < horizon:
            self._samples.popleft()
        return list(self._samples)

    @property
    def samples(self) -> int:
        """How many requests the window holds."""
        return len(self._window())

    @property
    def error_rate(self) -> float:
        """Share of failed requests in the window (429s included), 0 when empty."""
        samples = self._window()
        return sum(not s.ok for s in samples) / max(1, len(samples))

    @property
    def rate_limit_rate(self) -> float:
        """Share of requests in the window answered with HTTP 429."""
        samples = self._window()
        return sum(s.rate_limited for s in samples) / max(1, len(samples))

    @property
    def latency_score(self) -> float:
        """Mean :func:`latency_score` of the successes in the window.

        1.0 with an empty window; 0.0 when the window holds only failures (nothing shows it is fast).
        """
        samples = self._window()
        successes = [latency_score(s.latency_s) for s in samples if s.ok]
        if successes:
            return sum(successes) / len(successes)
        return 0.0 if samples else 1.0

    @property
    def freshness(self) -> float:
        """1 for fresh data, falling linearly to 0 as the newest data ages to ``stale_s``.

        Age is measured at the latest request, not now: a provider we chose to poll every ten
        minutes is not blamed for the gap, but one that keeps failing or serving old data is.
        """
        if self._last_request_at is None:
            return 1.0
        if self._newest_data_at is None:
            return 0.0
        age = self._last_request_at - self._newest_data_at
        if age <= self._fresh_s:
            return 1.0
        return max(0.0, 1.0 - (age - self._fresh_s) / (self._stale_s - self._fresh_s))

    @property
    def score(self) -> float:
        """The health score in [0, 1] (see the class docstring)."""
        if not self._window():
            return 1.0
        total = (
            W_ERRORS * (1.0 - self.error_rate)
            + W_LATENCY * self.latency_score
            + W_RATE_LIMITS * (1.0 - self.rate_limit_rate)
            + W_FRESHNESS * self.freshness
        )
        # Few samples say little: weigh them against a healthy prior so that one failed first
        # request does not condemn a provider (the circuit breaker handles repeated failures).
        samples = len(self._window())
        if samples < PRIOR_SAMPLES:
            total = (samples * total + (PRIOR_SAMPLES - samples)) / PRIOR_SAMPLES
        return min(1.0, max(0.0, total))


class CircuitState(enum.StrEnum):
    """The state of a :class:`CircuitBreaker`."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stops requests to a failing provider, then probes it with one request at a time.

    closed -> open after ``failure_threshold`` consecutive failures. open -> half-open once the open
    period has passed. In half-open one probe goes through: success closes the circuit and resets
    the backoff; failure re-opens it for a period drawn with full jitter from a ceiling that doubles
    each time (``base_open_s * 2**n``, capped at ``max_open_s``). A 429 with ``retry_after`` opens
    the circuit at once for at least that long, even beyond ``max_open_s`` (the server said so).
    Successes reported while open (requests already in flight) are ignored.

    Args:
        clock: where time comes from.
        failure_threshold: consecutive failures that open the circuit.
        base_open_s: jitter ceiling of the first open period.
        max_open_s: cap of the jitter ceiling.
        rng: random source for the jitter (seed it in tests).
        probe_timeout_s: a probe that never reports back frees the half-open slot after this long.
    """

    def __init__(
        self,
        clock: Clock,
        failure_threshold: int = 3,
        base_open_s: float = 5.0,
        max_open_s: float = 300.0,
        rng: random.Random | None = None,
        *,
        probe_timeout_s: float = 60.0,
    ) -> None:
        self._clock = clock
        self._threshold = max(1, failure_threshold)
        self._base_open_s = base_open_s
        self._max_open_s = max_open_s
        self._rng = rng
        self._probe_timeout_s = probe_timeout_s
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opens = 0
        self._open_until = 0.0
        self._probe_at: float | None = None
        self._closed_since: float | None = clock.monotonic()
        self.open_period_s = 0.0

    @property
    def state(self) -> CircuitState:
        """The current state; an open circuit whose period has passed reads as half-open."""
        if self._state is CircuitState.OPEN and self._clock.monotonic() >= self._open_until:
            self._state = CircuitState.HALF_OPEN
            self._probe_at = None
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success."""
        return self._failures

    def allow_request(self) -> bool:
        """Return True if a request may go now; in half-open this takes the single probe slot."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.OPEN:
            return False
        now = self._clock.monotonic()
        if self._probe_at is not None and now - self._probe_at < self._probe_timeout_s:
            return False
        self._probe_at = now
        return True

    def retry_in(self) -> float:
        """Seconds until a request would be allowed (0 if one would be now)."""
        state, now = self.state, self._clock.monotonic()
        if state is CircuitState.OPEN:
            return max(0.0, self._open_until - now)
        if state is CircuitState.HALF_OPEN and self._probe_at is not None:
            return max(0.0, self._probe_at + self._probe_timeout_s - now)
        return 0.0

    def closed_for(self) -> float:
        """Seconds the circuit has been closed without interruption (0 unless closed)."""
        if self.state is not CircuitState.CLOSED or self._closed_since is None:
            return 0.0
        return self._clock.monotonic() - self._closed_since

    def record_success(self) -> None:
        """Record a good answer: closes a half-open circuit and resets the backoff."""
        state = self.state
        if state is CircuitState.OPEN:
            return
        self._failures = 0
        if state is CircuitState.HALF_OPEN:
            self._state = CircuitState.CLOSED
            self._opens = 0
            self._probe_at = None
            self._closed_since = self._clock.monotonic()

    def record_failure(self, error: ProviderError | None = None) -> None:
        """Record a failed request; see the class docstring for what opens the circuit."""
        retry_after = error.retry_after if isinstance(error, RateLimited) else None
        state = self.state
        self._failures += 1
        if state is CircuitState.OPEN:
            if retry_after is not None:
                self._open_until = max(self._open_until, self._clock.monotonic() + retry_after)
            return
        if state is CircuitState.HALF_OPEN or retry_after is not None or self._failures >= self._threshold:
            self._open(retry_after or 0.0)

    def _open(self, at_least_s: float) -> None:
        self._opens += 1
        period = full_jitter(self._opens, base=self._base_open_s, cap=self._max_open_s, rng=self._rng)
        self.open_period_s = max(period, at_least_s)
        self._open_until = self._clock.monotonic() + self.open_period_s
        self._state = CircuitState.OPEN
        self._probe_at = None
        self._closed_since = None
