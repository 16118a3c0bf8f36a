"""Health scoring over a sliding window, and the circuit breaker, on a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from scoreterm.engine.clock import FakeClock
from scoreterm.engine.health import CircuitBreaker, CircuitState, ProviderHealth, latency_score
from scoreterm.providers.base import HttpStatusError, PayloadError, ProviderUnavailable, RateLimited

T0 = datetime(2026, 6, 14, 19, 0, tzinfo=UTC)
DOWN = ProviderUnavailable("espn", "timed out")


def state(breaker: CircuitBreaker) -> CircuitState:
    """Read the state afresh (mypy would otherwise keep an earlier assert's narrowing)."""
    return breaker.state


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


# -- ProviderHealth ---------------------------------------------------------------------------------


def test_unknown_provider_is_trusted(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    assert health.samples == 0
    assert health.score == 1.0


async def test_fast_fresh_successes_score_one(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(20):
        health.record_success(0.2)
        await clock.advance(3)
    assert health.score == pytest.approx(1.0)


async def test_half_errors_cost_point_two(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(10):
        health.record_success(0.2)
        health.record_failure(DOWN)
        await clock.advance(3)
    assert health.error_rate == pytest.approx(0.5)
    assert health.rate_limit_rate == 0
    assert health.score == pytest.approx(0.8)
    assert health.last_error is DOWN


def test_rate_limits_count_as_errors_and_as_rate_limit_hits(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(10):
        health.record_success(0.2)
        health.record_failure(RateLimited("espn", 30))
    assert health.rate_limit_rate == pytest.approx(0.5)
    assert health.error_rate == pytest.approx(0.5)
    assert health.score == pytest.approx(1.0 - 0.4 * 0.5 - 0.2 * 0.5)


def test_other_http_errors_are_not_rate_limits(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    health.record_failure(HttpStatusError("espn", 503, "unavailable"))
    health.record_failure(PayloadError("espn", "not json"))
    assert health.rate_limit_rate == 0
    assert health.error_rate == 1


@pytest.mark.parametrize(
    ("latency", "expected"),
    [(0.1, 1.0), (0.5, 1.0), (1.0, 0.769), (2.0, 0.537), (5.0, 0.231), (10.0, 0.0), (30.0, 0.0)],
)
def test_latency_score_is_log_linear_between_half_and_ten_seconds(latency: float, expected: float) -> None:
    assert latency_score(latency) == pytest.approx(expected, abs=1e-3)


def test_slow_provider_loses_the_latency_weight(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(5):
        health.record_success(12.0)
    assert health.latency_score == 0
    assert health.score == pytest.approx(0.75)


def test_stale_data_loses_the_freshness_weight(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(5):  # enough samples to outweigh the healthy prior
        health.record_success(0.2, data_age_s=600)
    assert health.freshness == 0
    assert health.score == pytest.approx(0.85)
    health.record_success(0.2, data_age_s=165)  # halfway between 30 s (fresh) and 300 s (stale)
    assert health.freshness == pytest.approx(0.5)


async def test_freshness_decays_over_five_minutes_of_failures(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    health.record_success(0.2)
    await clock.advance(165)
    health.record_failure(DOWN)
    assert health.freshness == pytest.approx(0.5)
    await clock.advance(135)
    health.record_failure(DOWN)
    assert health.freshness == 0


async def test_slow_polling_alone_does_not_make_data_stale(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    health.record_success(0.2)
    await clock.advance(590)  # an idle league polled every ten minutes
    assert health.freshness == 1
    health.record_success(0.2)
    assert health.score == pytest.approx(1.0)


def test_only_failures_score_below_the_failover_floor(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(5):
        health.record_failure(DOWN)
    assert health.latency_score == 0
    assert health.freshness == 0
    assert health.score == pytest.approx(0.2)


def test_window_keeps_the_last_twenty_requests(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(20):
        health.record_failure(DOWN)
    for _ in range(19):
        health.record_success(0.2)
    assert health.error_rate == pytest.approx(1 / 20)
    health.record_success(0.2)
    assert health.error_rate == 0
    assert health.samples == 20


async def test_window_forgets_requests_older_than_ten_minutes(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    for _ in range(5):
        health.record_failure(DOWN)
    await clock.advance(599)
    health.record_success(0.2)
    assert health.error_rate == pytest.approx(5 / 6)
    await clock.advance(2)
    assert health.samples == 1
    assert health.error_rate == 0


# -- CircuitBreaker ---------------------------------------------------------------------------------


def test_breaker_opens_after_three_consecutive_failures(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1))
    breaker.record_failure(DOWN)
    breaker.record_failure(DOWN)
    breaker.record_success()  # breaks the run
    breaker.record_failure(DOWN)
    breaker.record_failure(DOWN)
    assert state(breaker) is CircuitState.CLOSED
    assert breaker.allow_request()
    breaker.record_failure(DOWN)
    assert state(breaker) is CircuitState.OPEN
    assert not breaker.allow_request()
    assert breaker.consecutive_failures == 3


async def test_breaker_full_cycle_open_half_open_closed(clock: FakeClock) -> None:
    expected = random.Random(7)
    breaker = CircuitBreaker(clock, rng=random.Random(7))
    for _ in range(3):
        breaker.record_failure(DOWN)
    period = expected.uniform(0, 5)
    assert breaker.retry_in() == pytest.approx(period)
    await clock.advance(period - 0.01)
    assert state(breaker) is CircuitState.OPEN
    assert not breaker.allow_request()
    await clock.advance(0.01)
    assert state(breaker) is CircuitState.HALF_OPEN
    assert breaker.allow_request()  # the one probe
    assert not breaker.allow_request()
    assert breaker.retry_in() > 0
    breaker.record_success()
    assert state(breaker) is CircuitState.CLOSED
    assert breaker.allow_request()
    # Backoff was reset: the next open draws from the base ceiling again.
    for _ in range(3):
        breaker.record_failure(DOWN)
    assert breaker.open_period_s == pytest.approx(expected.uniform(0, 5))


async def test_half_open_failure_doubles_the_ceiling_up_to_the_cap(clock: FakeClock) -> None:
    expected = random.Random(42)
    breaker = CircuitBreaker(clock, rng=random.Random(42))
    for _ in range(3):
        breaker.record_failure(DOWN)
    ceilings = [5, 10, 20, 40, 80, 160, 300, 300]
    for ceiling in ceilings:
        assert breaker.open_period_s == pytest.approx(expected.uniform(0, ceiling))
        assert breaker.open_period_s <= ceiling
        await clock.advance(breaker.retry_in())
        assert breaker.allow_request()
        breaker.record_failure(DOWN)  # the probe fails
        assert state(breaker) is CircuitState.OPEN


def test_open_periods_use_full_jitter_under_the_doubled_ceiling(clock: FakeClock) -> None:
    rng = random.Random(3)
    periods = []
    for _ in range(200):
        breaker = CircuitBreaker(clock, rng=rng)
        for _ in range(3):
            breaker.record_failure(DOWN)
        periods.append(breaker.open_period_s)
    assert max(periods) <= 5
    assert min(periods) < 1 < 4 < max(periods)  # spread over [0, 5], not pinned to it


async def test_rate_limit_retry_after_opens_at_once_for_at_least_that_long(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1))
    breaker.record_failure(RateLimited("espn", 30))
    assert state(breaker) is CircuitState.OPEN
    assert breaker.retry_in() >= 30
    await clock.advance(29.9)
    assert not breaker.allow_request()
    await clock.advance(0.1)
    assert breaker.allow_request()


async def test_retry_after_beyond_the_cap_is_honoured_and_extends_an_open_circuit(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1), max_open_s=60)
    for _ in range(3):
        breaker.record_failure(DOWN)
    breaker.record_failure(RateLimited("espn", 900))  # a straggler answered 429 while open
    assert breaker.retry_in() == pytest.approx(900)


def test_rate_limit_without_retry_after_counts_as_a_plain_failure(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1))
    breaker.record_failure(RateLimited("espn", None))
    assert state(breaker) is CircuitState.CLOSED


async def test_lost_probe_frees_the_half_open_slot_after_the_probe_timeout(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1), probe_timeout_s=60)
    for _ in range(3):
        breaker.record_failure(DOWN)
    await clock.advance(breaker.retry_in())
    assert breaker.allow_request()
    await clock.advance(59)
    assert not breaker.allow_request()
    await clock.advance(1)
    assert breaker.allow_request()


async def test_closed_for_counts_from_the_last_close(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1))
    await clock.advance(10)
    assert breaker.closed_for() == pytest.approx(10)
    for _ in range(3):
        breaker.record_failure(DOWN)
    assert breaker.closed_for() == 0
    await clock.advance(breaker.retry_in())
    breaker.record_success()
    await clock.advance(5)
    assert breaker.closed_for() == pytest.approx(5)


def test_success_while_open_does_not_close(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, rng=random.Random(1), base_open_s=100)
    for _ in range(3):
        breaker.record_failure(DOWN)
    breaker.record_success()
    assert state(breaker) is CircuitState.OPEN


def test_one_early_failure_does_not_condemn_a_provider(clock: FakeClock) -> None:
    health = ProviderHealth(clock)
    health.record_failure(DOWN)
    assert health.score >= 0.8  # one sample against the healthy prior: stays above the failover floor
    for _ in range(5):
        health.record_failure(DOWN)
    assert health.score < 0.3
