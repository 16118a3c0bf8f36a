"""Adaptive poll intervals, retry delays and the per-minute request budget."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from scoreterm.backoff import full_jitter
from scoreterm.domain.model import Match, Phase, PhaseState, Team
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.interval import (
    QuotaBudget,
    base_interval,
    demand_factor,
    next_interval,
    retry_delay,
)
from scoreterm.providers.base import HttpStatusError, ProviderUnavailable, RateLimited

NOW = datetime(2026, 6, 14, 19, 0, tzinfo=UTC)


class _NoJitter(random.Random):
    """A random source whose ``uniform`` always returns the midpoint (no jitter)."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


class _Extreme(random.Random):
    """A random source pinned to one end of every range."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


def match(state: PhaseState, kickoff_in: timedelta = timedelta(0)) -> Match:
    return Match(
        id="espn-1",
        league="eng.1",
        kickoff=NOW + kickoff_in,
        home=Team(name="Arsenal"),
        away=Team(name="Chelsea"),
        phase=Phase(state=state),
    )


def plain(matches: list[Match], **kwargs: float) -> float:
    """next_interval with nobody watching (demand 1), no jitter and no clamp."""
    options: dict[str, float] = {"subscribers": 0, "floor": 0.0, "ceiling": 10_000.0, **kwargs}
    return next_interval(
        matches, NOW, rng=_NoJitter(), subscribers=int(options.pop("subscribers")), **options
    )


@pytest.mark.parametrize(
    ("matches", "expected"),
    [
        ([match(PhaseState.LIVE)], 3),
        ([match(PhaseState.BREAK)], 15),
        ([match(PhaseState.SCHEDULED, timedelta(minutes=14))], 60),
        ([match(PhaseState.SCHEDULED, timedelta(minutes=15))], 60),
        # A late kick-off is polled like a live match: its first minutes must not arrive late.
        ([match(PhaseState.SCHEDULED, -timedelta(minutes=5))], 3),
        ([match(PhaseState.SCHEDULED, timedelta(0))], 3),
        ([match(PhaseState.SCHEDULED, -timedelta(minutes=59))], 3),
        ([match(PhaseState.SCHEDULED, -timedelta(minutes=61))], 60),  # hours late: still watched
        ([match(PhaseState.SCHEDULED, timedelta(minutes=16))], 120),
        ([match(PhaseState.SCHEDULED, timedelta(days=2))], 120),
        ([match(PhaseState.SUSPENDED)], 60),
        ([match(PhaseState.FINAL)], 600),
        ([match(PhaseState.POSTPONED), match(PhaseState.CANCELLED)], 600),
        ([], 900),
        ([match(PhaseState.FINAL), match(PhaseState.LIVE), match(PhaseState.SCHEDULED)], 3),
        ([match(PhaseState.FINAL), match(PhaseState.BREAK)], 15),
    ],
)
def test_base_interval_per_phase(matches: list[Match], expected: float) -> None:
    assert base_interval(matches, NOW) == expected
    assert plain(matches) == pytest.approx(expected)


@pytest.mark.parametrize(("subscribers", "factor"), [(0, 1.0), (1, 0.5906), (100, 0.1780)])
def test_demand_speeds_polling_up_with_more_subscribers(subscribers: int, factor: float) -> None:
    assert demand_factor(subscribers) == pytest.approx(factor, abs=1e-4)
    exact = 1 / (1 + math.log(1 + subscribers))
    interval = plain([match(PhaseState.SCHEDULED, timedelta(hours=3))], subscribers=subscribers)
    assert interval == pytest.approx(120 * exact)


def test_more_subscribers_never_poll_slower() -> None:
    intervals = [plain([match(PhaseState.FINAL)], subscribers=n) for n in (0, 1, 2, 10, 100, 10_000)]
    assert intervals == sorted(intervals, reverse=True)


@pytest.mark.parametrize(("health", "factor"), [(1.0, 1.0), (0.5, 2.0), (0.25, 4.0), (0.1, 4.0), (0.0, 4.0)])
def test_sick_provider_is_polled_more_gently(health: float, factor: float) -> None:
    assert plain([match(PhaseState.BREAK)], health=health) == pytest.approx(15 * factor)


@pytest.mark.parametrize(("quota", "factor"), [(1.0, 1.0), (0.5, 2.0), (0.1, 10.0), (0.01, 10.0)])
def test_shrinking_budget_slows_polling(quota: float, factor: float) -> None:
    assert plain([match(PhaseState.BREAK)], quota=quota) == pytest.approx(15 * factor)


def test_clamped_to_floor_and_ceiling() -> None:
    live = [match(PhaseState.LIVE)]
    assert next_interval(live, NOW, subscribers=100, rng=_NoJitter()) == 2.0
    assert next_interval(live, NOW, subscribers=1, rng=_NoJitter()) == 2.0  # 3 * 0.59 = 1.77 < floor
    assert next_interval([], NOW, subscribers=0, health=0.1, rng=_NoJitter()) == 900.0
    assert next_interval(live, NOW, subscribers=0, rng=_NoJitter(), floor=5.0) == 5.0
    with pytest.raises(ValueError, match="floor"):
        next_interval(live, NOW, floor=10.0, ceiling=5.0)


def test_fixed_interval_is_returned_exactly() -> None:
    rng = random.Random(1)
    assert next_interval([match(PhaseState.LIVE)], NOW, fixed=0.5, rng=rng) == 0.5
    assert next_interval([], NOW, fixed=2000.0, health=0.1, quota=0.1) == 2000.0
    with pytest.raises(ValueError, match=r"at least 0\.5"):
        next_interval([], NOW, fixed=0.4)


def test_jitter_stays_within_ten_percent_and_varies() -> None:
    rng = random.Random(1234)
    breaks = [match(PhaseState.BREAK)]
    values = [next_interval(breaks, NOW, subscribers=0, rng=rng) for _ in range(500)]
    assert all(13.5 <= v <= 16.5 for v in values)
    assert min(values) < 14 and max(values) > 16
    assert next_interval(breaks, NOW, subscribers=0, rng=_Extreme(high=True)) == pytest.approx(16.5)
    assert next_interval(breaks, NOW, subscribers=0, rng=_Extreme(high=False)) == pytest.approx(13.5)


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    breaks = [match(PhaseState.BREAK)]
    first = [next_interval(breaks, NOW, rng=random.Random(9)) for _ in range(3)]
    assert len(set(first)) == 1
    assert first[0] == pytest.approx(15 * demand_factor(1) * (1 + random.Random(9).uniform(-0.1, 0.1)))


# -- retries ----------------------------------------------------------------------------------------


def test_retry_delay_honours_retry_after() -> None:
    rng = random.Random(5)
    for attempt in range(1, 12):
        assert retry_delay(RateLimited("espn", 30), attempt, rng) >= 30
    assert retry_delay(RateLimited("espn", 30), 1, _Extreme(high=True)) == 30
    assert retry_delay(RateLimited("espn", 30), 10, _Extreme(high=True)) == 60  # backoff wins


def test_retry_delay_rate_limit_without_retry_after_backs_off() -> None:
    assert retry_delay(RateLimited("espn", None), 3, _Extreme(high=True)) == 4


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(0, 1), (1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (500, 60)]
)
def test_retry_delay_is_full_jitter_exponential(attempt: int, ceiling: float) -> None:
    error = ProviderUnavailable("espn", "timed out")
    assert retry_delay(error, attempt, _Extreme(high=True)) == ceiling
    assert retry_delay(error, attempt, _Extreme(high=False)) == 0
    rng = random.Random(attempt)
    values = [retry_delay(HttpStatusError("espn", 503, "x"), attempt, rng) for _ in range(200)]
    assert all(0 <= v <= ceiling for v in values)
    assert max(values) > ceiling * 0.8 and min(values) < ceiling * 0.2


def test_full_jitter_respects_base_and_cap() -> None:
    assert full_jitter(4, base=5, cap=300, rng=_Extreme(high=True)) == 40
    assert full_jitter(10, base=5, cap=300, rng=_Extreme(high=True)) == 300


# -- quota ------------------------------------------------------------------------------------------


async def test_quota_budget_counts_a_sliding_minute() -> None:
    clock = FakeClock(NOW)
    budget = QuotaBudget(10, clock)
    assert budget.fraction_left() == 1.0
    for _ in range(4):
        budget.record()
        await clock.advance(10)
    assert budget.used == 4
    assert budget.fraction_left() == pytest.approx(0.6)
    await clock.advance(20.5)  # the first request (t=0) is now over a minute old
    assert budget.used == 3
    for _ in range(7):
        budget.record()
    assert budget.fraction_left() == 0
    assert budget.wait_s() == pytest.approx(60 - 50.5)
    await clock.advance(budget.wait_s())
    assert budget.wait_s() == 0
    assert budget.fraction_left() == pytest.approx(0.1)


def test_quota_budget_rejects_a_non_positive_limit() -> None:
    with pytest.raises(ValueError, match="positive"):
        QuotaBudget(0, FakeClock(NOW))
