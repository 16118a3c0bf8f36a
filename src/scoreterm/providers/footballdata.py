"""football-data.org provider (API v4): needs a free token, sent in the ``X-Auth-Token`` header.

Without a token every call raises :class:`ProviderUnavailable` before touching the network, so a
user who never signed up just sees this provider skipped with a hint. A league is fetched from
``/v4/competitions/{code}/matches``.

Dates: v4 treats ``dateTo`` as exclusive — the captured ``/v4/matches?dateFrom=2025-02-08&
dateTo=2025-02-09`` answer holds only 2025-02-08 matches (``resultSet.last``), although LaLiga and
Serie A played on the 9th. So we ask for ``[start, end + 1 day)`` and also keep only matches whose
UTC day is in ``[start, end]``, which stays right if the API ever turns inclusive. A request may
span at most 10 days, so longer ranges are split.

Rate limit: the free tier allows 10 requests a minute; a 429 says how long to wait in
``X-RequestCounter-Reset`` (seconds) when it sends no ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import msgspec

from scoreterm.domain.model import League, Match
from scoreterm.domain.table import Table
from scoreterm.providers.base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_S,
    JsonFetcher,
    PayloadError,
    ProviderUnavailable,
    normalize_each,
)
from scoreterm.providers.footballdata_normalize import (
    PROVIDER,
    events_of,
    has_events,
    normalize_match,
)
from scoreterm.providers.footballdata_standings import fetch_standings

DEFAULT_BASE_URL = "https://api.football-data.org"
NO_TOKEN = "no API token: set SCORETERM_FOOTBALLDATA_TOKEN or footballdata.token in the config"
MAX_SPAN_DAYS = 10
RETRY_AFTER_HEADERS = ("Retry-After", "X-RequestCounter-Reset")


def date_windows(start: date, end: date, span_days: int = MAX_SPAN_DAYS) -> Iterator[tuple[date, date]]:
    """Split ``[start, end]`` into ``(dateFrom, dateTo)`` pairs with an exclusive ``dateTo``.

    Each pair spans at most ``span_days`` days.
    """
    cursor = start
    while cursor <= end:
        stop = min(cursor + timedelta(days=span_days), end + timedelta(days=1))
        yield cursor, stop
        cursor = stop


class FootballDataProvider:
    """Scores from football-data.org (v4).

    Args:
        client: the shared HTTP client.
        base_url: where the API lives (a local server in tests).
        token: the football-data.org API token; without it the provider is unconfigured.
        timeout_s: timeout of each request.
        max_response_bytes: a larger (decoded) response is a PayloadError.
    """

    name = PROVIDER

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._token = (token or "").strip() or None
        headers = {"X-Auth-Token": self._token} if self._token else {}
        self._fetcher = JsonFetcher(
            PROVIDER,
            client,
            base_url,
            timeout_s,
            default_headers=headers,
            retry_after_headers=RETRY_AFTER_HEADERS,
            max_response_bytes=max_response_bytes,
        )

    @property
    def configured(self) -> bool:
        """True when a token is set; without one every call raises ProviderUnavailable."""
        return self._token is not None

    @property
    def fetchers(self) -> tuple[JsonFetcher, ...]:
        """The one fetcher every football-data request goes through."""
        return (self._fetcher,)

    def supports(self, league: League) -> bool:
        """Return True when the catalog knows ``league``'s competition code here."""
        return league.provider_id(PROVIDER) is not None

    async def scoreboard(self, league: League, start: date, end: date) -> list[Match]:
        """Return the league's matches whose kickoff (UTC day) is in ``[start, end]``.

        Raises:
            ProviderUnavailable: no token, the league is not carried, or the API is unreachable.
            ProviderError: the request failed otherwise (429 as RateLimited).
        """
        self._require_token()
        code = league.provider_id(PROVIDER)
        if code is None:
            raise ProviderUnavailable(PROVIDER, f"football-data.org does not carry {league.slug}")

        def one(raw: Any) -> Match | None:
            other = (raw.get("competition") or {}).get("code")
            if other is not None and other != code:
                return None
            return normalize_match(raw, league=league.slug)

        return await self._collect(f"/v4/competitions/{code}/matches", {}, start, end, one)

    async def matches(self, start: date, end: date, competitions: Sequence[str] = ()) -> list[Match]:
        """Return matches of every competition the token may see (or of ``competitions`` codes).

        Leagues are named by the catalog slug of their competition code (``footballdata:<code>``
        for competitions the catalog lacks).

        Raises:
            ProviderUnavailable: no token, or the API is unreachable.
            ProviderError: the request failed otherwise.
        """
        self._require_token()
        params = {"competitions": ",".join(competitions)} if competitions else {}

        def one(raw: Any) -> Match:
            return normalize_match(raw)

        return await self._collect("/v4/matches", params, start, end, one)

    async def standings(self, league: League, fetched_at: datetime | None = None) -> Table:
        """Return ``league``'s official table (``/v4/competitions/{code}/standings``).

        Raises:
            ProviderUnavailable: no token, or the league is not carried.
            ProviderError: the request failed otherwise.
        """
        self._require_token()
        return await fetch_standings(self._fetcher, league, fetched_at=fetched_at)

    async def match_detail(self, league: League, match: Match) -> Match:
        """Return ``match`` with its goals, bookings and substitutions, when the tier has them.

        The free tier has none: then ``match`` comes back unchanged. When they are there, the
        score, phase and clock are refreshed from the same answer so they agree with the events;
        the id stays ``match``'s.

        Raises:
            ProviderUnavailable: no token, or the API is unreachable.
            PayloadError: ``match`` has no football-data id, or the answer is not a match.
            ProviderError: the request failed otherwise.
        """
        self._require_token()
        match_id = match.provider_ids.get(PROVIDER)
        if not match_id and match.id.startswith(f"{PROVIDER}-"):
            match_id = match.id.removeprefix(f"{PROVIDER}-")
        if not match_id:
            raise PayloadError(PROVIDER, f"match {match.id} has no football-data.org id")
        body = await self._fetcher.get_json(f"/v4/matches/{match_id}")
        raw = body.get("match", body) if isinstance(body, dict) else None
        if not isinstance(raw, dict):
            raise PayloadError(PROVIDER, f"expected a match object, got {type(raw).__name__}")
        if not has_events(raw):
            return match
        try:
            fresh = normalize_match(raw, league=league.slug)
            events = events_of(raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PayloadError(PROVIDER, f"match {match_id} does not parse: {exc!r}") from exc
        return msgspec.structs.replace(
            match,
            score=fresh.score,
            shootout=fresh.shootout,
            phase=fresh.phase,
            clock=fresh.clock,
            events=tuple(events),
            provider_ids={**match.provider_ids, PROVIDER: match_id},
        )

    def _require_token(self) -> None:
        if self._token is None:
            raise ProviderUnavailable(PROVIDER, NO_TOKEN)

    async def _collect(
        self,
        path: str,
        params: dict[str, str],
        start: date,
        end: date,
        normalize: Callable[[Any], Match | None],
    ) -> list[Match]:
        found: dict[str, Match] = {}
        for date_from, date_to in date_windows(start, end):
            query = {**params, "dateFrom": date_from.isoformat(), "dateTo": date_to.isoformat()}
            body = await self._fetcher.get_json(path, query)
            if not isinstance(body, dict) or "matches" not in body:
                raise PayloadError(PROVIDER, f"no 'matches' in the answer from {path}")
            for match in normalize_each(PROVIDER, body["matches"], normalize):
                if start <= match.kickoff.date() <= end:
                    found.setdefault(match.id, match)
        return sorted(found.values(), key=lambda m: (m.kickoff, m.id))
