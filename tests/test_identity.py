"""One match across providers: team-name normalization, aliases and the kickoff window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoreterm.domain.model import Match, Phase, PhaseState, Team
from scoreterm.domain.names import normalize_team
from scoreterm.engine.identity import IdentityMap

KICKOFF = datetime(2026, 3, 22, 12, tzinfo=UTC)


def make(
    provider: str, pid: str, home: str, away: str, kickoff: datetime = KICKOFF, league: str = "eng.1"
) -> Match:
    return Match(
        id=f"{provider}-{pid}",
        league=league,
        kickoff=kickoff,
        home=Team(name=home),
        away=Team(name=away),
        phase=Phase(state=PhaseState.LIVE),
        provider=provider,
        provider_ids={provider: pid},
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Newcastle United", "Newcastle"),
        ("Manchester United", "Man United"),
        ("Atlético de Madrid", "Atletico Madrid"),
        ("Brighton & Hove Albion", "Brighton"),
        ("Tottenham Hotspur", "Spurs"),
        ("Bayern München", "Bayern Munich"),
    ],
)
def test_aliases_and_accents(a: str, b: str) -> None:
    assert normalize_team(a) == normalize_team(b)


def test_same_match_through_two_providers_is_one_id() -> None:
    identity = IdentityMap()
    espn = identity.canonical(make("espn", "740903", "Newcastle United", "Sunderland"))
    tsdb = identity.canonical(
        make("thesportsdb", "2267001", "Newcastle", "Sunderland", KICKOFF + timedelta(minutes=5))
    )
    assert tsdb.id == espn.id == "espn-740903"
    assert tsdb.provider_ids == {"espn": "740903", "thesportsdb": "2267001"}
    assert identity.provider_id("espn-740903", "thesportsdb") == "2267001"
    # The mapping sticks even when the second provider is seen again on its own.
    assert identity.canonical(make("thesportsdb", "2267001", "Newcastle", "Sunderland")).id == espn.id


@pytest.mark.parametrize(
    "other",
    [
        make(
            "thesportsdb", "1", "Newcastle", "Sunderland", KICKOFF + timedelta(days=3)
        ),  # the return fixture
        make("thesportsdb", "2", "Newcastle", "Everton"),  # another match
        make("thesportsdb", "3", "Newcastle", "Sunderland", league="eng.2"),  # another league
        make("espn", "999", "Newcastle United", "Sunderland"),  # same provider, another id: a different match
    ],
)
def test_different_matches_stay_apart(other: Match) -> None:
    identity = IdentityMap()
    identity.canonical(make("espn", "740903", "Newcastle United", "Sunderland"))
    assert identity.canonical(other).id == other.id
