"""ESPN standings -> :class:`~scoreterm.domain.table.Table`: the standings endpoint, the summary's groups.

``GET {base}/apis/v2/sports/{sport}/{league}/standings`` (note ``/apis/v2``, not the scoreboard's
``/apis/site/v2``) nests groups as ``children[]`` (one for a league, two conferences for the NBA and
NFL, divisions further down); each holds ``standings.entries[]`` with a ``team``, an optional
``note`` (the zone: description and colour) and ``stats[]`` keyed by ``name``: ``gamesPlayed``,
``wins``, ``ties``, ``losses``, ``pointsFor``, ``pointsAgainst``, ``pointDifferential``, ``points``,
``rank``, ``deductions``; US sports add ``playoffSeed``, ``gamesBehind``, ``winPercent``,
``streak`` and ``clincher`` (read from ``displayValue``: the NFL sends ``value: 0`` with ``"z"``).

Traps of the real payloads: US entries are not in seed order (the AFC lists the Bills, seed 2,
first and the Chiefs, seed 1, last), so rows are ordered by rank/seed; the NBA's ``points`` stat is
not league points and is ignored outside soccer; the summary's ``standings.groups[]`` names the team
as a plain string with its id beside it and has no goals for or against.

A malformed row is skipped (and logged); a payload without one usable group raises PayloadError.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scoreterm.domain.leagues import ESPN, league_by_provider_id
from scoreterm.domain.model import League, Sport, Team
from scoreterm.domain.table import Table, TableEntry, TableGroup, Zone
from scoreterm.providers.base import JsonFetcher, PayloadError, ProviderUnavailable
from scoreterm.providers.values import (
    MAX_TABLE_STAT,
    as_dict,
    as_list,
    integer,
    ratio,
    text,
)

log = logging.getLogger(__name__)

PROVIDER = ESPN
STANDINGS_API = "/apis/v2/sports"
# League > conference > division is as deep as ESPN nests; anything deeper is not standings.
_MAX_DEPTH = 4


def standings_path(league: League) -> str:
    """The standings path of ``league`` under ESPN's host.

    Raises:
        ProviderUnavailable: ESPN does not carry the league.
    """
    slug = league.provider_id(PROVIDER)
    if slug is None:
        raise ProviderUnavailable(PROVIDER, f"ESPN does not carry {league.slug}")
    return f"{STANDINGS_API}/{league.sport.value}/{slug}/standings"


async def fetch_standings(
    fetcher: JsonFetcher, league: League, *, fetched_at: datetime | None = None
) -> Table:
    """Fetch and normalize ``league``'s standings through ESPN's ``fetcher``.

    Args:
        fetcher: the ESPN provider's fetcher (same host as the scoreboards; conditional requests).
        league: the catalog league.
        fetched_at: when the request was sent (from the engine's clock); becomes the table's
            ``updated_at``, the upper bound the live table relies on. None leaves it unknown.

    Raises:
        ProviderUnavailable, RateLimited, HttpStatusError: the request failed.
        PayloadError: the body is not JSON or holds no standings.
    """
    payload = await fetcher.get_json(standings_path(league))
    return normalize_standings(payload, league.slug, league.sport, updated_at=fetched_at)


def normalize_standings(
    payload: Any, league: str, sport: Sport | None = None, *, updated_at: datetime | None = None
) -> Table:
    """Turn a standings payload into a Table, one group per ``children[]`` item that has entries.

    Args:
        payload: the decoded JSON of ``/apis/v2/sports/{sport}/{league}/standings``.
        league: the catalog slug of the league.
        sport: the league's sport; looked up from the slug when None.
        updated_at: see :attr:`Table.updated_at`; the payload carries no time of its own.

    Raises:
        PayloadError: not an object, or no group with a usable row.
    """
    root = as_dict(payload)
    if not root:
        raise PayloadError(PROVIDER, f"standings payload is a {type(payload).__name__}, not an object")
    resolved = sport or _sport_of(league)
    groups: list[TableGroup] = []
    seasons: list[str] = []
    _collect(root, resolved, groups, seasons, depth=0)
    if not groups:
        raise PayloadError(PROVIDER, "standings payload has no group with a usable entry")
    return Table(
        league=league,
        season=seasons[0] if seasons else "",
        source=PROVIDER,
        updated_at=updated_at,
        groups=tuple(groups),
    )


def normalize_summary_standings(payload: Any, league: str, *, updated_at: datetime | None = None) -> Table:
    """Turn a soccer summary's ``standings.groups[]`` (or that ``standings`` object) into a Table.

    The summary's ``meta.lastUpdatedAt`` is deliberately not used as ``updated_at``: in the captured
    World Cup summary it predates a match its group table already counts.

    Raises:
        PayloadError: no group with a usable row.
    """
    root = as_dict(payload)
    standings = as_dict(root.get("standings")) if "standings" in root else root
    groups = []
    for raw in as_list(standings.get("groups")):
        group = as_dict(raw)
        name = text(group.get("name")) or text(group.get("header")) or text(standings.get("header"))
        built = _group(name, text(group.get("abbreviation")), as_dict(group.get("standings")), Sport.SOCCER)
        if built is not None:
            groups.append(built)
    if not groups:
        raise PayloadError(PROVIDER, "summary has no standings group with a usable entry")
    return Table(league=league, source=PROVIDER, updated_at=updated_at, groups=tuple(groups))


def _sport_of(league: str) -> Sport:
    found = league_by_provider_id(PROVIDER, league)
    return found.sport if found is not None else Sport.SOCCER


def _collect(
    node: Mapping[str, Any], sport: Sport, groups: list[TableGroup], seasons: list[str], depth: int
) -> None:
    standings = as_dict(node.get("standings"))
    if standings:
        season = text(standings.get("seasonDisplayName")) or text(standings.get("season"))
        if season:
            seasons.append(season)
        group = _group(text(node.get("name")), text(node.get("abbreviation")), standings, sport)
        if group is not None:
            groups.append(group)
    if depth < _MAX_DEPTH:
        for child in as_list(node.get("children")):
            _collect(as_dict(child), sport, groups, seasons, depth + 1)


def _group(name: str, abbrev: str, standings: Mapping[str, Any], sport: Sport) -> TableGroup | None:
    entries: list[TableEntry] = []
    for position, raw in enumerate(as_list(standings.get("entries")), start=1):
        try:
            entries.append(_entry(as_dict(raw), sport, position))
        except PayloadError as exc:
            log.warning("espn: skipping standings row %d of %r: %s", position, name, exc.message)
    if not entries:
        return None
    entries.sort(key=lambda e: e.rank)
    return TableGroup(name=name, abbrev=abbrev, entries=tuple(entries))


def _team(raw: Mapping[str, Any]) -> Team:
    team = raw.get("team")
    if isinstance(team, str):  # the summary's group table: the name, with the id beside it
        return Team(name=text(team), id=text(raw.get("id")))
    details = as_dict(team)
    return Team(
        name=text(details.get("displayName")) or text(details.get("name")),
        abbrev=text(details.get("abbreviation")),
        id=text(details.get("id")) or text(raw.get("id")),
        short_name=text(details.get("shortDisplayName")),
    )


def _stats(raw: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    stats: dict[str, Mapping[str, Any]] = {}
    for item in as_list(raw.get("stats")):
        stat = as_dict(item)
        name = text(stat.get("name"))
        if name and name not in stats:
            stats[name] = stat
    return stats


def _number(stats: Mapping[str, Mapping[str, Any]], name: str, *, low: int = 0) -> int | None:
    stat = stats.get(name)
    if stat is None:
        return None
    value = integer(stat.get("value"), low=low, high=MAX_TABLE_STAT)
    return value if value is not None else integer(stat.get("displayValue"), low=low, high=MAX_TABLE_STAT)


def _entry(raw: Mapping[str, Any], sport: Sport, position: int) -> TableEntry:
    team = _team(raw)
    if not team.name:
        raise PayloadError(PROVIDER, "row without a team name")
    stats = _stats(raw)
    won, lost, drawn = _number(stats, "wins"), _number(stats, "losses"), _number(stats, "ties")
    if won is None or lost is None:
        raise PayloadError(PROVIDER, f"{team.name}: no wins or losses")
    played = _number(stats, "gamesPlayed")
    goals_for, goals_against = _number(stats, "pointsFor"), _number(stats, "pointsAgainst")
    difference = _number(stats, "pointDifferential", low=-MAX_TABLE_STAT)
    if difference is None and goals_for is not None and goals_against is not None:
        difference = goals_for - goals_against
    seed = _number(stats, "playoffSeed")
    rank = _number(stats, "rank") or (seed if sport is not Sport.SOCCER else None) or position
    points = _number(stats, "points", low=-MAX_TABLE_STAT) if sport is Sport.SOCCER else None
    if sport is Sport.SOCCER and (points is None or drawn is None or played is None):
        raise PayloadError(PROVIDER, f"{team.name}: a soccer row needs played, draws and points")
    note = as_dict(raw.get("note"))
    description = text(note.get("description"))
    return TableEntry(
        rank=rank,
        team=team,
        played=played if played is not None else won + lost + (drawn or 0),
        won=won,
        drawn=drawn or 0,
        lost=lost,
        goals_for=goals_for,
        goals_against=goals_against,
        goal_difference=difference,
        points=points,
        deductions=abs(_number(stats, "deductions", low=-MAX_TABLE_STAT) or 0),
        note=Zone(description=description, colour=text(note.get("color"))) if description else None,
        seed=seed,
        games_behind=_games_behind(stats.get("gamesBehind")),
        win_pct=ratio(as_dict(stats.get("winPercent")).get("value")),
        streak=text(as_dict(stats.get("streak")).get("displayValue"), limit=8),
        clincher=text(as_dict(stats.get("clincher")).get("displayValue"), limit=4),
    )


def _games_behind(stat: Mapping[str, Any] | None) -> float | None:
    if stat is None:
        return None
    if text(stat.get("displayValue")) == "-":  # the leader
        return 0.0
    value = ratio(stat.get("value"), high=1000.0)
    return value
