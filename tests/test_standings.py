"""Standings normalizers on the real ESPN payloads (and the constructed football-data ones), checked
against the payloads' own numbers; the fetch functions over a real local HTTP server; hostile input."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs

from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import Sport
from scoreterm.domain.table import Table
from scoreterm.providers.base import JsonFetcher, PayloadError, ProviderUnavailable, RateLimited
from scoreterm.providers.espn_bracket import normalize_knockouts
from scoreterm.providers.espn_standings import (
    fetch_standings,
    normalize_standings,
    normalize_summary_standings,
    standings_path,
)
from scoreterm.providers.footballdata_standings import fetch_standings as fd_fetch_standings
from scoreterm.providers.footballdata_standings import normalize_standings as fd_normalize
from tests.httpserver import FIXTURES, Reply, ScriptedServer

SOCCER = {
    "eng.1": ("espn_standings/eng.1_standings_2024-25_final.json", 20, 38),
    "esp.1": ("espn_standings/esp.1_standings_2024-25_final.json", 20, 38),
    "ger.1": ("espn_standings/ger.1_standings_2024-25_final.json", 18, 34),
}
NBA = "espn_standings/nba_standings_2024-25_conferences.json"
NFL = "espn_standings/nfl_standings_v2.json"
SUMMARY = "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
FD_PL = "football_data_org/v4_standings_PL_2024-25_CONSTRUCTED.json"
FD_GROUP = "football_data_org/v4_standings_WC_group_CONSTRUCTED.json"
ENG1_PATH = "/apis/v2/sports/soccer/eng.1/standings"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def raw_stats(payload: Any) -> dict[str, dict[str, Any]]:
    """Team id -> {stat name: value or displayValue}, read straight from the payload."""
    found: dict[str, dict[str, Any]] = {}
    for child in payload["children"]:
        for entry in child["standings"]["entries"]:
            stats = {s["name"]: s.get("value", s.get("displayValue")) for s in entry["stats"]}
            stats["display"] = {s["name"]: s.get("displayValue") for s in entry["stats"]}
            stats["note"] = entry.get("note")
            found[entry["team"]["id"]] = stats
    return found


# -- ESPN soccer tables --


@pytest.mark.parametrize("league", sorted(SOCCER))
def test_soccer_tables_match_the_payloads_own_numbers(league: str) -> None:
    relative, size, rounds = SOCCER[league]
    payload = load(relative)
    table = normalize_standings(payload, league)
    raw = raw_stats(payload)
    assert table.league == league and table.source == "espn" and table.season.startswith("2024-25")
    assert table.updated_at is None  # the payload carries no time; only the fetcher's clock may set it
    [group] = table.groups
    assert [e.rank for e in group.entries] == list(range(1, size + 1))
    for entry in group.entries:
        own = raw[entry.team.id]
        assert (entry.played, entry.won, entry.drawn, entry.lost) == (
            own["gamesPlayed"], own["wins"], own["ties"], own["losses"]
        )  # fmt: skip
        assert (entry.goals_for, entry.goals_against, entry.points) == (
            own["pointsFor"], own["pointsAgainst"], own["points"]
        )  # fmt: skip
        assert entry.rank == own["rank"]
        assert entry.played == rounds == entry.won + entry.drawn + entry.lost
        assert entry.points == 3 * entry.won + entry.drawn - entry.deductions
        assert entry.goals_for is not None and entry.goals_against is not None
        assert entry.goal_difference == entry.goals_for - entry.goals_against == own["pointDifferential"]
        assert entry.team.abbrev and entry.team.short_name  # what an 80-column table shows
        assert entry.points is not None
    # Every match has two sides: the league's wins equal its losses, goals for equal goals against.
    assert sum(e.won for e in group.entries) == sum(e.lost for e in group.entries)
    assert sum(e.goals_for or 0 for e in group.entries) == sum(e.goals_against or 0 for e in group.entries)
    # Points never go up while going down the table.
    points = [e.points or 0 for e in group.entries]
    assert points == sorted(points, reverse=True)


def test_premier_league_zones_are_the_payloads_notes() -> None:
    payload = load(SOCCER["eng.1"][0])
    table = normalize_standings(payload, "eng.1")
    rows = {e.team.abbrev: e for e in table.entries()}
    assert rows["LIV"].note is not None
    assert (rows["LIV"].note.description, rows["LIV"].note.colour) == ("Champions League", "#81D6AC")
    assert [e.note.description if e.note else None for e in list(table.entries())[17:]] == ["Relegation"] * 3
    assert {e.note.colour for e in list(table.entries())[17:] if e.note} == {"#FF7F84"}
    assert rows["BHA"].note is None  # 8th: no zone
    # Zones follow the payload per team, not per place: Spurs (17th) won the Europa League.
    assert rows["TOT"].note is not None and rows["TOT"].note.description == "Champions League"
    zones = Counter(e.note.description for e in table.entries() if e.note)
    own = Counter(s["note"]["description"] for s in raw_stats(payload).values() if s["note"])
    assert zones == own


def test_laliga_keeps_espns_head_to_head_order() -> None:
    table = normalize_standings(load(SOCCER["esp.1"][0]), "esp.1")
    order = [e.team.abbrev for e in table.entries()]
    # Real Sociedad (46 pts, GD -11) above Valencia (46, GD -10): head-to-head, kept as published.
    assert order.index("RSO") < order.index("VAL")
    assert order[12:15] == ["GET", "ESP", "ALA"]  # three teams on 42 points


# -- ESPN US sports --


def test_nba_conferences_are_ordered_by_seed_with_the_payloads_records() -> None:
    payload = load(NBA)
    table = normalize_standings(payload, "nba", Sport.BASKETBALL)
    raw = raw_stats(payload)
    assert [(g.name, g.abbrev, len(g.entries)) for g in table.groups] == [
        ("Eastern Conference", "East", 15),
        ("Western Conference", "West", 15),
    ]
    assert table.season == "2024-25"
    for group in table.groups:
        # The payload lists Miami (seed 8) third in the East; rows come out in seed order.
        assert [e.seed for e in group.entries] == list(range(1, 16)) == [e.rank for e in group.entries]
        leader = group.entries[0]
        assert leader.games_behind == 0.0
        for entry in group.entries:
            own = raw[entry.team.id]
            assert (entry.won, entry.lost, entry.played) == (
                own["wins"],
                own["losses"],
                own["wins"] + own["losses"],
            )
            assert entry.points is None  # the NBA "points" stat is not league points
            assert entry.win_pct == pytest.approx(own["winPercent"])
            assert entry.win_pct == pytest.approx(entry.won / entry.played, abs=1e-6)
            assert entry.streak == own["display"]["streak"] and entry.streak[0] in "WL"
            assert entry.clincher == own["display"]["clincher"]
            assert entry.games_behind == own["gamesBehind"]
    east = {e.team.abbrev: e for e in table.groups[0].entries}
    assert (east["CLE"].clincher, east["MIA"].clincher, east["WSH"].clincher) == ("z", "xp", "e")
    # Games behind agree with the records: ((64 - 61) + (21 - 18)) / 2 for Boston.
    assert east["BOS"].games_behind == ((64 - 61) + (21 - 18)) / 2


def test_nfl_conferences_put_the_top_seed_first_and_read_the_clinch_marker_text() -> None:
    payload = load(NFL)
    table = normalize_standings(payload, "nfl", Sport.FOOTBALL)
    assert [g.abbrev for g in table.groups] == ["AFC", "NFC"]
    afc = table.groups[0].entries
    # The payload lists Kansas City last; it is seed 1.
    assert [e.team.abbrev for e in afc[:3]] == ["KC", "BUF", "BAL"]
    assert (afc[0].clincher, afc[1].clincher) == ("*", "z")  # ESPN sends value 0 with the marker as text
    assert all(e.played == 17 == e.won + e.lost + e.drawn for g in table.groups for e in g.entries)
    assert afc[0].games_behind == 0.0 and afc[1].games_behind == 2.0


# -- the summary's group table --


def test_world_cup_group_from_the_summary() -> None:
    payload = load(SUMMARY)
    table = normalize_summary_standings(payload, "fifa.world")
    [group] = table.groups
    assert [(e.rank, e.team.name, e.team.id) for e in group.entries] == [
        (1, "Mexico", "203"),
        (2, "South Korea", "451"),
        (3, "Czechia", "450"),
        (4, "South Africa", "467"),
    ]
    assert [(e.played, e.points, e.goal_difference) for e in group.entries] == [
        (1, 3, 2), (1, 3, 1), (1, 0, -1), (1, 0, -2)
    ]  # fmt: skip
    # The summary publishes no goals for/against: unknown, not 0.
    assert all(e.goals_for is None and e.goals_against is None for e in group.entries)
    assert all(e.points == 3 * e.won + e.drawn for e in group.entries)
    # meta.lastUpdatedAt (21:03 on 11 June) predates KOR-CZE (02:00 on 12 June), which the table
    # already counts: it must not become the table's timestamp.
    assert payload["meta"]["lastUpdatedAt"] == "2026-06-11T21:03:02Z"
    assert table.updated_at is None
    assert normalize_summary_standings(payload["standings"], "fifa.world") == table


# -- football-data.org (constructed payloads, see MANIFEST) --


def test_footballdata_table_checks_out_and_matches_espn_for_the_same_season() -> None:
    table = fd_normalize(load(FD_PL))
    assert (table.league, table.season, table.source) == ("eng.1", "2024-25", "footballdata")
    [group] = table.groups
    assert group.name == "Premier League"
    assert [e.rank for e in group.entries] == list(range(1, 21))
    for entry in group.entries:
        assert entry.points == 3 * entry.won + entry.drawn and entry.deductions == 0
        assert entry.goals_for is not None and entry.goals_against is not None
        assert entry.goal_difference == entry.goals_for - entry.goals_against
        assert entry.form == ""  # null in the payload
    espn = normalize_standings(load(SOCCER["eng.1"][0]), "eng.1")
    assert [e.points for e in group.entries] == [e.points for e in espn.entries()]
    assert group.entries[6].team.abbrev == "NOT" and group.entries[6].team.short_name == "Nottingham"


def test_footballdata_keeps_total_tables_names_groups_and_reads_deductions() -> None:
    table = fd_normalize(load(FD_GROUP), "fifa.world")
    assert [g.name for g in table.groups] == ["Group A"]  # HOME and AWAY tables left out
    assert [e.form for e in table.groups[0].entries] == ["W", "W", "L", "L"]
    payload = load(FD_PL)
    payload["standings"][0]["table"][12]["points"] -= 8  # Everton docked 8 points
    everton = fd_normalize(payload).groups[0].entries[12]
    assert (everton.team.abbrev, everton.deductions, everton.points) == ("EVE", 8, 40)
    assert everton.points == 3 * everton.won + everton.drawn - everton.deductions


# -- hostile input --


@functools.cache
def _bundesliga() -> dict[str, Any]:
    found: dict[str, Any] = load(SOCCER["ger.1"][0])
    return found


def soccer_payload() -> dict[str, Any]:
    return copy.deepcopy(_bundesliga())


def entries_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = payload["children"][0]["standings"]["entries"]
    return found


def stat(entry: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in entry["stats"] if s["name"] == name)
    return found


@pytest.mark.parametrize(
    "payload",
    [None, [], "standings", 12, {}, {"children": "x"}, {"children": [None, 3, {"standings": []}]}],
)
def test_payloads_without_a_table_raise_payload_error(payload: Any) -> None:
    with pytest.raises(PayloadError):
        normalize_standings(payload, "ger.1")
    with pytest.raises(PayloadError):
        fd_normalize(payload, "ger.1")
    with pytest.raises(PayloadError):
        normalize_summary_standings(payload, "fifa.world")


@pytest.mark.parametrize(
    "poison",
    [
        lambda e: e.update(team=None),
        lambda e: e.update(team=["Bayern"]),
        lambda e: e.update(stats="38"),
        lambda e: e["stats"].clear(),
        lambda e: stat(e, "points").update(value=10**400, displayValue=10**400),
        lambda e: stat(e, "wins").update(value=float("nan"), displayValue="x"),
        lambda e: stat(e, "ties").update(value=True, displayValue=None),
        lambda e: stat(e, "gamesPlayed").update(value="1e400", displayValue=[]),
    ],
)
def test_a_malformed_row_is_skipped_and_the_rest_kept(poison: Any) -> None:
    payload = soccer_payload()
    poison(entries_of(payload)[0])
    table = normalize_standings(payload, "ger.1")
    assert [e.team.abbrev for e in table.entries()][:2] == ["B04", "SGE"]
    assert len(list(table.entries())) == 17


def test_junk_in_optional_fields_reads_as_missing_not_as_a_number() -> None:
    payload = soccer_payload()
    first = entries_of(payload)[0]
    first["note"] = {"description": 10**400, "color": ["x"]}
    for stat in first["stats"]:
        if stat["name"] in ("pointsFor", "pointDifferential", "deductions", "rank"):
            stat.update(value=10**400, displayValue=float("inf"))
    payload["children"][0]["standings"]["seasonDisplayName"] = {"x": 1}
    entry = next(normalize_standings(payload, "ger.1").entries())
    assert entry.team.abbrev == "MUN" and entry.points == 82
    assert (entry.goals_for, entry.goal_difference, entry.deductions, entry.note) == (None, None, 0, None)
    assert entry.rank == 1  # the row's position when the rank is unreadable


def test_deep_nesting_does_not_recurse_without_bound() -> None:
    node: dict[str, Any] = {"name": "leaf"}
    for _ in range(5000):
        node = {"children": [node]}
    with pytest.raises(PayloadError):
        normalize_standings(node, "eng.1")


# -- fetching over real HTTP --


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def test_standings_path_is_under_apis_v2() -> None:
    assert standings_path(get_league("eng.1")) == ENG1_PATH
    assert standings_path(get_league("nba")) == "/apis/v2/sports/basketball/nba/standings"


async def test_fetch_standings_through_the_fetcher_with_conditional_requests(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(
        ENG1_PATH,
        Reply.file(SOCCER["eng.1"][0], ETag='"v1"'),
        Reply(304, b"", {"ETag": '"v1"'}),
    )
    fetcher = JsonFetcher("espn", client, http_server.url, timeout_s=5.0)
    first_at = datetime(2025, 5, 25, 18, 0, tzinfo=UTC)
    first = await fetch_standings(fetcher, get_league("eng.1"), fetched_at=first_at)
    assert first.updated_at == first_at and first.groups[0].entries[0].team.abbrev == "LIV"
    second_at = datetime(2025, 5, 25, 19, 0, tzinfo=UTC)
    second = await fetch_standings(fetcher, get_league("eng.1"), fetched_at=second_at)
    assert [r.path for r in http_server.requests] == [ENG1_PATH, ENG1_PATH]
    assert http_server.requests[1].headers.get("If-None-Match") == '"v1"'
    assert fetcher.not_modified_count == 1
    assert second.groups == first.groups and second.updated_at == second_at


async def test_fetch_errors_are_typed(http_server: ScriptedServer, client: httpx.AsyncClient) -> None:
    http_server.route(ENG1_PATH, Reply.json("{}", status=429, **{"Retry-After": "30"}), Reply(200, b"<html>"))
    fetcher = JsonFetcher("espn", client, http_server.url, timeout_s=5.0)
    with pytest.raises(RateLimited) as limited:
        await fetch_standings(fetcher, get_league("eng.1"))
    assert limited.value.retry_after == 30
    with pytest.raises(PayloadError):
        await fetch_standings(fetcher, get_league("eng.1"))


async def test_footballdata_fetch_uses_the_competition_code(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route("/v4/competitions/PL/standings", Reply.file(FD_PL))
    fetcher = JsonFetcher("footballdata", client, http_server.url, default_headers={"X-Auth-Token": "t"})
    table = await fd_fetch_standings(fetcher, get_league("eng.1"))
    assert isinstance(table, Table) and table.league == "eng.1" and len(table.groups[0].entries) == 20
    assert http_server.requests[0].headers.get("X-Auth-Token") == "t"
    with pytest.raises(ProviderUnavailable):
        await fd_fetch_standings(fetcher, get_league("usa.1"))  # no football-data code
    assert len(http_server.requests) == 1


# -- fuzz: anything JSON can hold --

_SCALARS = hs.one_of(
    hs.none(),
    hs.booleans(),
    hs.integers(min_value=-(10**400), max_value=10**400),
    hs.floats(allow_nan=True, allow_infinity=True),
    hs.text(max_size=8),
    hs.sampled_from(["38", "+45", "-", "1e400", "z", "team", "entries", "stats", "value"]),
)
_KEYS = hs.sampled_from(
    ["children", "standings", "entries", "groups", "team", "stats", "name", "value", "displayValue", "note",
     "events", "competitions", "competitors", "season", "slug", "table", "position", "points", "id", "type"]
)  # fmt: skip
_JSON = hs.recursive(
    _SCALARS,
    lambda inner: hs.one_of(hs.lists(inner, max_size=4), hs.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_JSON)
def test_normalizers_raise_only_payload_error_on_any_json(payload: Any) -> None:
    for normalize in (
        lambda p: normalize_standings(p, "eng.1"),
        lambda p: normalize_standings(p, "nba", Sport.BASKETBALL),
        lambda p: normalize_summary_standings(p, "fifa.world"),
        lambda p: fd_normalize(p, "eng.1"),
        lambda p: normalize_knockouts(p, "fifa.world"),
    ):
        with contextlib.suppress(PayloadError):
            normalize(payload)


@settings(max_examples=200, deadline=None)
@given(
    hs.lists(
        hs.tuples(hs.sampled_from(["points", "wins", "ties", "gamesPlayed", "rank"]), _SCALARS), max_size=6
    )
)
@example(poison=[("points", 1000001.0)])  # found by a CI-sized run: a million and one points was kept
def test_poisoned_stats_never_escape_as_other_errors(poison: list[tuple[str, Any]]) -> None:
    rows = list(entries_of(_bundesliga()))
    entry = rows[3] = copy.deepcopy(rows[3])  # copy only the row that is poisoned
    payload = {"children": [{"name": "Bundesliga", "standings": {"entries": rows}}]}
    for name, value in poison:
        stat(entry, name).update(value=value, displayValue=value)
    table = normalize_standings(payload, "ger.1")
    assert 17 <= len(list(table.entries())) <= 18
    assert all(e.points is not None and abs(e.points) <= 10**6 for e in table.entries())
