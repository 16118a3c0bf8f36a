"""The league catalog and suggestions for unknown slugs."""

from __future__ import annotations

import pytest

from scoreterm.domain.leagues import CATALOG, UnknownLeague, get_league, league_by_provider_id

REQUIRED = [
    "eng.1",
    "eng.2",
    "esp.1",
    "ger.1",
    "ita.1",
    "fra.1",
    "ned.1",
    "por.1",
    "usa.1",
    "mex.1",
    "uefa.champions",
    "uefa.europa",
    "fifa.world",
    "nba",
    "nfl",
    "nhl",
    "mlb",
]


@pytest.mark.parametrize("slug", REQUIRED)
def test_required_leagues_are_complete(slug: str) -> None:
    league = get_league(slug)
    assert league.name and league.country
    assert league.provider_ids["espn"] == slug
    assert "thesportsdb" in league.provider_ids


def test_slugs_are_unique() -> None:
    slugs = [league.slug for league in CATALOG]
    assert len(slugs) == len(set(slugs))


def test_unknown_league_suggests_close_slugs() -> None:
    with pytest.raises(UnknownLeague) as info:
        get_league("eng.l")
    assert "eng.1" in info.value.suggestions
    assert "eng.1" in str(info.value)


def test_unknown_league_with_no_close_match_still_suggests() -> None:
    with pytest.raises(UnknownLeague) as info:
        get_league("nope.1")
    assert info.value.suggestions  # something real to try
    assert all(s in {lg.slug for lg in CATALOG} for s in info.value.suggestions)


def test_lookup_by_provider_id() -> None:
    league = league_by_provider_id("footballdata", "PD")
    assert league is not None and league.slug == "esp.1"
    assert league_by_provider_id("footballdata", "XX") is None
