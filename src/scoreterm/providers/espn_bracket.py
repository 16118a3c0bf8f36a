"""ESPN scoreboards of the knock-out dates -> :class:`~scoreterm.domain.bracket.Bracket`.

The scoreboard of a knock-out date range (``.../scoreboard?dates=20260628-20260719``) names each
event's round in ``season.slug`` (``round-of-32`` .. ``final``), says who went through in
``competitors[].advance`` (``winner`` for the final and third-place match, where ``advance`` is
absent) and fills sides not known yet with stand-in teams (``isActive: false``) named after the
tie they wait for (``Round of 16 1 Winner``, ``Semifinal 2 Loser``). Group-stage events in the range
are left out. Each event goes through :func:`~scoreterm.providers.espn_normalize.normalize_event`,
so score, shoot-out and phase read the same as on the scoreboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoreterm.domain.bracket import (
    Bracket,
    KnockoutMatch,
    build_bracket,
    is_knockout_round,
    parse_placeholder,
)
from scoreterm.domain.model import League, Side, Sport
from scoreterm.providers.base import JsonFetcher, PayloadError, ProviderUnavailable, normalize_each
from scoreterm.providers.espn_normalize import PROVIDER, normalize_event
from scoreterm.providers.values import as_dict, as_list, text

SCOREBOARD_API = "/apis/site/v2/sports"
# A knock-out range holds a few dozen events; ESPN's default page is smaller for some leagues.
_LIMIT = "300"


async def fetch_bracket(
    fetcher: JsonFetcher,
    league: League,
    start: date,
    end: date,
    *,
    previous: Bracket | None = None,
) -> Bracket:
    """Fetch the scoreboard of ``start``..``end`` (the knock-out dates) and build the bracket.

    Args:
        fetcher: the ESPN provider's fetcher.
        league: the catalog league.
        start, end: the first and last knock-out dates (ESPN days, inclusive).
        previous: the bracket of the previous poll, which carries tie numbers over.

    Raises:
        ValueError: ``end`` is before ``start``.
        ProviderUnavailable, RateLimited, HttpStatusError: the request failed.
        PayloadError: the body is not JSON or not a scoreboard.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    slug = league.provider_id(PROVIDER)
    if slug is None:
        raise ProviderUnavailable(PROVIDER, f"ESPN does not carry {league.slug}")
    path = f"{SCOREBOARD_API}/{league.sport.value}/{slug}/scoreboard"
    payload = await fetcher.get_json(path, {"dates": f"{start:%Y%m%d}-{end:%Y%m%d}", "limit": _LIMIT})
    return build_bracket(
        league.slug, normalize_knockouts(payload, league.slug, league.sport), previous=previous
    )


def normalize_knockouts(payload: Any, league: str, sport: Sport | None = Sport.SOCCER) -> list[KnockoutMatch]:
    """Return the knock-out events of a scoreboard payload; malformed events are skipped.

    Raises:
        PayloadError: the payload is not an object with an ``events`` list.
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("events"), list):
        raise PayloadError(PROVIDER, "scoreboard payload is not an object with an 'events' list")
    return normalize_each(PROVIDER, payload["events"], lambda e: _knockout(e, league, sport), "event")


def _knockout(event: Any, league: str, sport: Sport | None) -> KnockoutMatch | None:
    raw = as_dict(event)
    round_slug = text(as_dict(raw.get("season")).get("slug")).lower()
    if not is_knockout_round(round_slug):
        return None
    match = normalize_event(raw, league, sport)
    competitions = as_list(raw.get("competitions"))
    competitors = {
        text(as_dict(c).get("homeAway")): as_dict(c)
        for c in as_list(as_dict(competitions[0]).get("competitors") if competitions else None)
    }
    sides = {Side.HOME: competitors.get("home", {}), Side.AWAY: competitors.get("away", {})}
    placeholders = frozenset(side for side, c in sides.items() if _is_placeholder(c))
    return KnockoutMatch(match=match, round=round_slug, advanced=_advanced(sides), placeholders=placeholders)


def _is_placeholder(competitor: Mapping[str, Any]) -> bool:
    team = as_dict(competitor.get("team"))
    if team.get("isActive") is False:
        return True
    return parse_placeholder(text(team.get("displayName"))).number is not None


def _advanced(sides: Mapping[Side, Mapping[str, Any]]) -> Side | None:
    """ESPN's verdict: the side with ``advance: true``; where no side has ``advance``, ``winner``."""
    if any("advance" in c for c in sides.values()):
        flagged = [side for side, c in sides.items() if c.get("advance") is True]
    else:
        flagged = [side for side, c in sides.items() if c.get("winner") is True]
    return flagged[0] if len(flagged) == 1 else None
