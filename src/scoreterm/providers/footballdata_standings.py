"""football-data.org v4 standings -> :class:`~scoreterm.domain.table.Table`: the fallback to ESPN's.

``GET /v4/competitions/{code}/standings`` (token in ``X-Auth-Token``, as for matches) answers
``{competition, season, standings: [{stage, type, group, table: [...]}]}``. ``type`` is ``TOTAL``,
``HOME`` or ``AWAY``; only ``TOTAL`` tables are kept. A row is ``{position, team: {id, name,
shortName, tla}, playedGames, form, won, draw, lost, points, goalsFor, goalsAgainst,
goalDifference}``. v4 publishes no zones and no deductions: a deduction is read from the row's own
numbers (``3 * won + draw - points`` when positive). ``form`` is kept as sent, commas dropped.

A malformed row is skipped (and logged); a payload without one usable table raises PayloadError.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scoreterm.domain.leagues import FOOTBALLDATA, league_by_provider_id
from scoreterm.domain.model import League, Team
from scoreterm.domain.table import Table, TableEntry, TableGroup
from scoreterm.providers.base import JsonFetcher, PayloadError, ProviderUnavailable
from scoreterm.providers.values import MAX_TABLE_STAT, as_dict, as_list, integer, text

log = logging.getLogger(__name__)

PROVIDER = FOOTBALLDATA


def standings_path(league: League) -> str:
    """The v4 standings path of ``league``.

    Raises:
        ProviderUnavailable: football-data.org does not carry the league.
    """
    code = league.provider_id(PROVIDER)
    if code is None:
        raise ProviderUnavailable(PROVIDER, f"football-data.org does not carry {league.slug}")
    return f"/v4/competitions/{code}/standings"


async def fetch_standings(
    fetcher: JsonFetcher, league: League, *, fetched_at: datetime | None = None
) -> Table:
    """Fetch and normalize ``league``'s standings through the football-data ``fetcher``.

    The fetcher must carry the ``X-Auth-Token`` header (the provider's own fetcher does).

    Args:
        fetcher: the football-data provider's fetcher.
        league: the catalog league.
        fetched_at: when the request was sent; becomes the table's ``updated_at``.

    Raises:
        ProviderUnavailable, RateLimited, HttpStatusError: the request failed.
        PayloadError: the body is not JSON or holds no standings.
    """
    payload = await fetcher.get_json(standings_path(league))
    return normalize_standings(payload, league.slug, updated_at=fetched_at)


def normalize_standings(
    payload: Any, league: str | None = None, *, updated_at: datetime | None = None
) -> Table:
    """Turn a v4 standings payload into a Table, one group per ``TOTAL`` table.

    Args:
        payload: the decoded JSON.
        league: the catalog slug; read from ``competition.code`` when None.
        updated_at: see :attr:`Table.updated_at`.

    Raises:
        PayloadError: not an object, or no table with a usable row.
    """
    root = as_dict(payload)
    if not root:
        raise PayloadError(PROVIDER, f"standings payload is a {type(payload).__name__}, not an object")
    competition = as_dict(root.get("competition"))
    slug = league or _slug(text(competition.get("code")))
    groups = []
    for raw in as_list(root.get("standings")):
        standing = as_dict(raw)
        if text(standing.get("type")) not in ("", "TOTAL"):
            continue
        name = _group_name(
            text(standing.get("group")), text(standing.get("stage")), text(competition.get("name"))
        )
        entries = _entries(as_list(standing.get("table")), name)
        if entries:
            groups.append(TableGroup(name=name, entries=entries))
    if not groups:
        raise PayloadError(PROVIDER, "standings payload has no TOTAL table with a usable row")
    return Table(
        league=slug,
        season=_season(as_dict(root.get("season"))),
        source=PROVIDER,
        updated_at=updated_at,
        groups=tuple(groups),
    )


def _slug(code: str) -> str:
    found = league_by_provider_id(PROVIDER, code) if code else None
    if found is None:
        raise PayloadError(PROVIDER, f"unknown competition code {code!r} and no league given")
    return found.slug


def _group_name(group: str, stage: str, competition: str) -> str:
    if group:
        return group.replace("_", " ").title()  # GROUP_A -> Group A
    return competition or stage.replace("_", " ").title()


def _season(season: Mapping[str, Any]) -> str:
    start, end = text(season.get("startDate"))[:4], text(season.get("endDate"))[:4]
    if start.isdigit() and end.isdigit() and start != end:
        return f"{start}-{end[2:]}"
    return start if start.isdigit() else ""


def _entries(rows: list[Any], group: str) -> tuple[TableEntry, ...]:
    entries = []
    for index, raw in enumerate(rows, start=1):
        try:
            entries.append(_entry(as_dict(raw), index))
        except PayloadError as exc:
            log.warning("footballdata: skipping standings row %d of %r: %s", index, group, exc.message)
    return tuple(sorted(entries, key=lambda e: e.rank))


def _entry(raw: Mapping[str, Any], index: int) -> TableEntry:
    team = as_dict(raw.get("team"))
    name = text(team.get("name"))
    if not name:
        raise PayloadError(PROVIDER, "row without a team name")
    numbers = {
        key: integer(raw.get(key), high=MAX_TABLE_STAT) for key in ("playedGames", "won", "draw", "lost")
    }
    points = integer(raw.get("points"), low=-MAX_TABLE_STAT, high=MAX_TABLE_STAT)
    if points is None or any(value is None for value in numbers.values()):
        raise PayloadError(PROVIDER, f"{name}: needs playedGames, won, draw, lost and points")
    won, drawn = numbers["won"] or 0, numbers["draw"] or 0
    goals_for = integer(raw.get("goalsFor"), high=MAX_TABLE_STAT)
    goals_against = integer(raw.get("goalsAgainst"), high=MAX_TABLE_STAT)
    difference = integer(raw.get("goalDifference"), low=-MAX_TABLE_STAT, high=MAX_TABLE_STAT)
    if difference is None and goals_for is not None and goals_against is not None:
        difference = goals_for - goals_against
    return TableEntry(
        rank=integer(raw.get("position"), low=1) or index,
        team=Team(
            name=name,
            abbrev=text(team.get("tla")),
            id=text(team.get("id")),
            short_name=text(team.get("shortName")),
        ),
        played=numbers["playedGames"] or 0,
        won=won,
        drawn=drawn,
        lost=numbers["lost"] or 0,
        goals_for=goals_for,
        goals_against=goals_against,
        goal_difference=difference,
        points=points,
        deductions=max(0, 3 * won + drawn - points),
        form=text(raw.get("form"), limit=40).replace(",", ""),
    )
