"""The league catalog and suggestions for unknown slugs."""

from __future__ import annotations

from pathlib import Path

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


# -- names people type -----------------------------------------------------------------------------

ALIASES = {
    "epl": "eng.1",
    "premier-league": "eng.1",
    "Premier League": "eng.1",
    "English Premier League": "eng.1",
    "laliga": "esp.1",
    "LaLiga": "esp.1",
    "bundesliga": "ger.1",
    "seriea": "ita.1",
    "ligue1": "fra.1",
    "mls": "usa.1",
    "ucl": "uefa.champions",
    "uel": "uefa.europa",
    "worldcup": "fifa.world",
    "world_cup": "fifa.world",
    "NBA": "nba",
}


@pytest.mark.parametrize(("typed", "slug"), list(ALIASES.items()))
def test_aliases_resolve_to_catalog_slugs(typed: str, slug: str) -> None:
    assert get_league(typed).slug == slug


def test_every_alias_points_at_a_catalog_league() -> None:
    from scoreterm.domain.leagues import ALIASES as CATALOG_ALIASES

    slugs = {league.slug for league in CATALOG}
    assert set(CATALOG_ALIASES.values()) <= slugs
    assert not set(CATALOG_ALIASES) & slugs  # an alias never shadows a slug


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("premier", "eng.1"),
        ("bundes", "ger.1"),
        ("seria", "ita.1"),
        ("worldcp", "fifa.world"),
        ("mlss", "usa.1"),
    ],
)
def test_did_you_mean_draws_on_aliases_and_names(typed: str, expected: str) -> None:
    with pytest.raises(UnknownLeague) as info:
        get_league(typed)
    assert info.value.suggestions[0] == expected
    assert f"{expected} (" in str(info.value)  # the slug with the league's name


def test_epl_is_no_longer_taken_for_spain() -> None:
    assert get_league("epl").slug == "eng.1"
    with pytest.raises(UnknownLeague) as info:
        get_league("elp")
    assert "esp.1" not in info.value.suggestions[:1]


def test_aliases_in_settings_become_slugs(tmp_path: Path) -> None:
    from scoreterm.config_load import load_settings

    config = tmp_path / "config.toml"
    config.write_text('leagues = ["epl", "eng.1", "laliga"]\nview_league = "laliga"\n')
    settings = load_settings(file=config, env={}).settings
    assert settings.leagues == ["eng.1", "esp.1"] and settings.view_league == "esp.1"
    flagged = load_settings({"leagues": ["ucl"]}, file=config, env={}).settings
    assert flagged.leagues == ["uefa.champions"]
