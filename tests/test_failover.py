"""Failover down the order, anti-flap on the way back, and score cross-checking."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from scoreterm.domain.model import Match, Phase, PhaseState, Score, Team
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.failover import CrossChecker, FailoverPolicy, ProviderView, cross_check
from scoreterm.engine.health import CircuitBreaker, CircuitState, ProviderHealth
from scoreterm.providers.base import ProviderUnavailable

T0 = datetime(2026, 6, 14, 19, 0, tzinfo=UTC)
OK = ProviderView(CircuitState.CLOSED, 1.0, closed_for_s=3600)
OPEN = ProviderView(CircuitState.OPEN, 0.5)
HALF = ProviderView(CircuitState.HALF_OPEN, 0.6)
SICK = ProviderView(CircuitState.CLOSED, 0.2, closed_for_s=3600)


def recovered(for_s: float) -> ProviderView:
    return ProviderView(CircuitState.CLOSED, 0.9, closed_for_s=for_s)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def policy(clock: FakeClock) -> FailoverPolicy:
    return FailoverPolicy(["espn", "thesportsdb", "footballdata"], clock)


def test_starts_on_the_first_provider(policy: FailoverPolicy) -> None:
    assert policy.active is None
    assert policy.choose({"espn": OK, "thesportsdb": OK, "footballdata": OK}) == "espn"
    assert policy.active == "espn"
    assert [(s.from_provider, s.to_provider, s.reason) for s in policy.switches] == [(None, "espn", "start")]
    assert policy.switches[0].at == T0


def test_fails_over_down_the_order_at_once(policy: FailoverPolicy) -> None:
    policy.choose({"espn": OK, "thesportsdb": OK, "footballdata": OK})
    assert policy.choose({"espn": OPEN, "thesportsdb": OK, "footballdata": OK}) == "thesportsdb"
    assert policy.choose({"espn": OPEN, "thesportsdb": OPEN, "footballdata": OK}) == "footballdata"
    reasons = [s.reason for s in policy.switches]
    assert reasons[1:] == ["espn circuit open", "thesportsdb circuit open"]


def test_low_health_fails_over_even_with_a_closed_circuit(policy: FailoverPolicy) -> None:
    policy.choose({"espn": OK, "thesportsdb": OK})
    assert policy.choose({"espn": SICK, "thesportsdb": OK}) == "thesportsdb"
    assert "health 0.20 below 0.30" in policy.switches[-1].reason


def test_half_open_provider_is_usable_while_it_probes(policy: FailoverPolicy) -> None:
    assert policy.choose({"espn": HALF, "thesportsdb": OK}) == "espn"


def test_no_usable_provider(policy: FailoverPolicy) -> None:
    policy.choose({"espn": OK})
    assert policy.choose({"espn": OPEN, "thesportsdb": OPEN, "footballdata": OPEN}) is None
    assert policy.active is None
    assert policy.switches[-1].reason == "no provider available"
    assert policy.choose({"espn": OPEN, "thesportsdb": OK}) == "thesportsdb"
    assert policy.switches[-1].reason == "provider available again"


def test_degraded_provider_beats_none(policy: FailoverPolicy) -> None:
    policy.choose({"espn": OK})
    assert policy.choose({"espn": OPEN, "thesportsdb": SICK, "footballdata": SICK}) == "thesportsdb"
    assert policy.switches[-1].reason.startswith("degraded")
    # Still degraded everywhere: stay put rather than hop between sick providers.
    assert policy.choose({"espn": SICK, "thesportsdb": SICK, "footballdata": SICK}) == "thesportsdb"


async def test_anti_flap_no_switch_back_before_min_pin(clock: FakeClock, policy: FailoverPolicy) -> None:
    policy.choose({"espn": OK, "thesportsdb": OK})
    assert policy.choose({"espn": OPEN, "thesportsdb": OK}) == "thesportsdb"
    await clock.advance(10)
    # espn is fully healthy again (even for long), but thesportsdb has not been pinned long enough.
    assert policy.choose({"espn": recovered(3600), "thesportsdb": OK}) == "thesportsdb"
    await clock.advance(109.9)
    assert policy.choose({"espn": recovered(3600), "thesportsdb": OK}) == "thesportsdb"
    await clock.advance(0.1)
    assert policy.choose({"espn": recovered(3600), "thesportsdb": OK}) == "espn"
    last = policy.switches[-1]
    assert (last.from_provider, last.to_provider) == ("thesportsdb", "espn")
    assert last.at == T0 + timedelta(seconds=120)
    assert len(policy.switches) == 3


async def test_anti_flap_needs_the_primary_healthy_for_a_while(
    clock: FakeClock, policy: FailoverPolicy
) -> None:
    policy.choose({"espn": OPEN, "thesportsdb": OK})
    await clock.advance(600)
    assert policy.choose({"espn": recovered(59), "thesportsdb": OK}) == "thesportsdb"
    assert policy.choose({"espn": HALF, "thesportsdb": OK}) == "thesportsdb"
    assert policy.choose({"espn": recovered(60), "thesportsdb": OK}) == "espn"


async def test_switches_back_to_the_highest_recovered_provider(
    clock: FakeClock, policy: FailoverPolicy
) -> None:
    policy.choose({"espn": OPEN, "thesportsdb": OPEN, "footballdata": OK})
    await clock.advance(300)
    views = {"espn": recovered(30), "thesportsdb": recovered(90), "footballdata": OK}
    assert policy.choose(views) == "thesportsdb"


async def test_choose_reads_breakers_and_health_when_given_no_views(clock: FakeClock) -> None:
    names = ["espn", "thesportsdb"]
    breakers = {n: CircuitBreaker(clock, rng=random.Random(1)) for n in names}
    health = {n: ProviderHealth(clock) for n in names}
    policy = FailoverPolicy(names, clock, breakers=breakers, health=health)
    assert policy.order == ("espn", "thesportsdb")
    assert policy.choose() == "espn"
    for _ in range(3):
        error = ProviderUnavailable("espn", "timed out")
        breakers["espn"].record_failure(error)
        health["espn"].record_failure(error)
    assert policy.views()["espn"].state is CircuitState.OPEN
    assert policy.choose() == "thesportsdb"


# -- cross-checking ---------------------------------------------------------------------------------


def _match(match_id: str = "espn-1", unconfirmed: bool = False) -> Match:
    return Match(
        id=match_id,
        league="eng.1",
        kickoff=T0,
        home=Team(name="Arsenal"),
        away=Team(name="Chelsea"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        score=Score(1, 0),
        unconfirmed=unconfirmed,
    )


def test_cross_check() -> None:
    assert cross_check(Score(1, 0), Score(1, 0))
    assert not cross_check(Score(1, 0), Score(0, 1))
    assert not cross_check(Score(2, 1), Score(1, 1))


def test_disagreement_is_unconfirmed_until_agreement() -> None:
    checker = CrossChecker()
    assert not checker.observe("espn-1", Score(0, 0), Score(0, 0))
    assert not checker.unconfirmed("espn-1")
    # One provider saw the goal, the other lags a poll behind: unconfirmed all the same.
    assert checker.observe("espn-1", Score(1, 0), Score(0, 0))
    assert checker.unconfirmed("espn-1")
    assert checker.observe("espn-1", Score(1, 0), Score(0, 1))
    assert checker.unconfirmed_ids == {"espn-1"}
    assert not checker.unconfirmed("espn-2")
    assert not checker.observe("espn-1", Score(1, 0), Score(1, 0))
    assert not checker.unconfirmed("espn-1")
    assert checker.unconfirmed_ids == frozenset()


def test_apply_sets_and_clears_the_flag_and_forget_drops() -> None:
    checker = CrossChecker()
    match = _match()
    assert checker.apply(match) is match
    checker.observe("espn-1", Score(1, 0), Score(0, 0))
    assert checker.apply(match).unconfirmed
    checker.forget("espn-1")
    assert not checker.unconfirmed("espn-1")
    assert not checker.apply(_match(unconfirmed=True)).unconfirmed
