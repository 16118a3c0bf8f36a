"""TheSportsDB provider: v1 JSON with the free key ``123`` (or yours), v2 livescore with a premium key.

v1 puts the key in the path (``/api/v1/json/{key}/eventsday.php``); v2 takes it in the
``X-API-KEY`` header and is only asked when a key is configured, because the free key cannot use
it. The scoreboard is one ``eventsday`` request per day, filtered to the league's ``idLeague``
(the ``l`` parameter narrows the answer but we do not rely on it), with v2 live scores laid over
it. TheSportsDB answers "nothing" with ``{"events": null}``, which is an empty list, not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import msgspec

from scoreterm.domain.model import League, Match, MatchEvent
from scoreterm.providers.base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_S,
    JsonFetcher,
    PayloadError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    match_id,
    normalize_each,
)
from scoreterm.providers.thesportsdb_normalize import (
    PROVIDER,
    normalize_event,
    normalize_timeline_item,
)

log = logging.getLogger(__name__)

FREE_KEY = "123"
DEFAULT_BASE_URL = "https://www.thesportsdb.com"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _items(body: Any, key: str) -> list[Any]:
    """Return ``body[key]`` as a list; TheSportsDB's ``null`` there means "none"."""
    if not isinstance(body, dict):
        raise PayloadError(PROVIDER, f"expected a JSON object with {key!r}, got {type(body).__name__}")
    if key not in body:
        raise PayloadError(PROVIDER, f"no {key!r} in the response (keys: {sorted(body)[:5]})")
    value = body[key]
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(PROVIDER, f"{key!r} is a {type(value).__name__}, not a list")
    return value


def _event_id(item: Any) -> str | None:
    return str(item.get("idEvent")) if isinstance(item, dict) else None


class TheSportsDbProvider:
    """Scores from TheSportsDB (thesportsdb.com).

    Args:
        client: the shared HTTP client.
        base_url: where the API lives (a local server in tests).
        key: a TheSportsDB API key; None uses the free key ``123`` and skips v2 livescore.
        timeout_s: timeout of each request.
        max_response_bytes: a larger (decoded) response is a PayloadError.
        now: the current UTC time (the engine's clock); only used to settle events whose status
            is null.
    """

    name = PROVIDER

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = DEFAULT_BASE_URL,
        key: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        key = (key or "").strip() or None
        self._key = key or FREE_KEY
        self._now = now or _utc_now
        self._v1 = JsonFetcher(PROVIDER, client, base_url, timeout_s, max_response_bytes=max_response_bytes)
        self._v2: JsonFetcher | None = None
        if key and key != FREE_KEY:
            self._v2 = JsonFetcher(
                PROVIDER,
                client,
                base_url,
                timeout_s,
                default_headers={"X-API-KEY": key},
                max_response_bytes=max_response_bytes,
            )

    @property
    def premium(self) -> bool:
        """True when a key of your own is set, so v2 livescore is asked."""
        return self._v2 is not None

    @property
    def fetchers(self) -> tuple[JsonFetcher, ...]:
        """The v1 fetcher, and the v2 one when a premium key is set."""
        return (self._v1,) if self._v2 is None else (self._v1, self._v2)

    def supports(self, league: League) -> bool:
        """Return True when the catalog knows ``league``'s TheSportsDB id."""
        return league.provider_id(PROVIDER) is not None

    async def scoreboard(self, league: League, start: date, end: date) -> list[Match]:
        """Return the league's events whose ``dateEvent`` (a UTC day) is in ``[start, end]``.

        Days are fetched one after another: the free key allows about 30 requests a minute, and a
        failure should stop the loop rather than leave requests in flight.

        Raises:
            ProviderError: a v1 request failed (v2 failures other than 429 only cost the overlay).
        """
        league_id = self._league_id(league)
        one = self._normalizer(league_id, league.slug)
        matches: dict[str, Match] = {}
        day = start
        while day <= end:
            body = await self._v1.get_json(
                self._v1_path("eventsday.php"), {"d": day.isoformat(), "l": league_id}
            )
            for match in normalize_each(PROVIDER, _items(body, "events"), one):
                matches.setdefault(match.id, match)
            day += timedelta(days=1)
        if self._v2 is not None:
            for live in await self._live_or_nothing(league):
                if live.id in matches:
                    matches[live.id] = overlay_live(matches[live.id], live)
                elif start <= live.kickoff.date() <= end:
                    matches[live.id] = live
        return sorted(matches.values(), key=lambda m: (m.kickoff, m.id))

    async def livescore(self, league: League) -> list[Match]:
        """Return v2 live scores for ``league`` (premium key only).

        Raises:
            ProviderUnavailable: no key of your own is configured, or the league is not carried.
            ProviderError: the request failed.
        """
        if self._v2 is None:
            raise ProviderUnavailable(PROVIDER, "v2 livescore needs a TheSportsDB key of your own")
        league_id = self._league_id(league)
        body = await self._v2.get_json(f"/api/v2/json/livescore/{league_id}")
        return normalize_each(
            PROVIDER, _items(body, "livescore"), self._normalizer(league_id, league.slug), key=match_id
        )

    async def match_detail(self, league: League, match: Match) -> Match:
        """Return ``match`` with the timeline's goals, cards and substitutions and a fresher state.

        The answer keeps ``match``'s id. TheSportsDB serves sample data for some lookups on the free
        key, so entries that belong to another event are dropped rather than shown here. A live
        state from v2 is kept unless v1 says the event is over (v1 lags behind v2).

        Raises:
            PayloadError: ``match`` has no TheSportsDB event id.
            ProviderError: a request failed.
        """
        event_id = match.provider_ids.get(PROVIDER)
        if not event_id and match.id.startswith(f"{PROVIDER}-"):
            event_id = match.id.removeprefix(f"{PROVIDER}-")
        if not event_id:
            raise PayloadError(PROVIDER, f"match {match.id} has no TheSportsDB event id")
        body = await self._v1.get_json(self._v1_path("lookupevent.php"), {"id": event_id})
        found = [item for item in _items(body, "events") if _event_id(item) == event_id]
        body = await self._v1.get_json(self._v1_path("lookuptimeline.php"), {"id": event_id})
        entries = [item for item in _items(body, "timeline") if _event_id(item) == event_id]
        timeline: list[MatchEvent] = normalize_each(
            PROVIDER, entries, normalize_timeline_item, what="timeline entry"
        )
        result = msgspec.structs.replace(
            match,
            events=tuple(timeline) or match.events,
            provider_ids={**match.provider_ids, PROVIDER: event_id},
        )
        now = self._now()

        def event(raw: Any) -> Match:
            return normalize_event(raw, now=now, league=league.slug)

        fresh = normalize_each(PROVIDER, found, event)
        if fresh:
            latest = fresh[0]
            result = msgspec.structs.replace(result, venue=latest.venue or result.venue)
            if latest.phase.is_over or not match.phase.is_active:
                result = msgspec.structs.replace(
                    result, score=latest.score, phase=latest.phase, clock=latest.clock
                )
        return result

    def _v1_path(self, endpoint: str) -> str:
        return f"/api/v1/json/{self._key}/{endpoint}"

    def _league_id(self, league: League) -> str:
        league_id = league.provider_id(PROVIDER)
        if league_id is None:
            raise ProviderUnavailable(PROVIDER, f"TheSportsDB does not carry {league.slug}")
        return league_id

    def _normalizer(self, league_id: str, slug: str) -> Callable[[Any], Match | None]:
        now = self._now()

        def one(raw: Any) -> Match | None:
            # The vendor's league filter is advisory (and sample data ignores it); ours is not.
            if str(raw.get("idLeague")) != league_id:
                return None
            return normalize_event(raw, now=now, league=slug)

        return one

    async def _live_or_nothing(self, league: League) -> list[Match]:
        try:
            return await self.livescore(league)
        except RateLimited:
            raise
        except ProviderError as exc:
            # v1 already answered; a failing overlay costs liveness, not the scoreboard.
            log.warning("%s: v2 livescore failed, showing v1 data only: %s", PROVIDER, exc)
            return []


def overlay_live(match: Match, live: Match) -> Match:
    """Return ``match`` with the score, phase and clock of its v2 livescore counterpart."""
    return msgspec.structs.replace(match, score=live.score, phase=live.phase, clock=live.clock)


__all__ = ["DEFAULT_BASE_URL", "FREE_KEY", "TheSportsDbProvider", "overlay_live"]
