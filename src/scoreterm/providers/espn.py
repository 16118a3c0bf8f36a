"""The ESPN provider: the public site API (no key) for scoreboards and match summaries.

``GET {base}/apis/site/v2/sports/{sport}/{league}/scoreboard?dates=YYYYMMDD[-YYYYMMDD]`` lists a
league's matches for a day or a range (one request for the range); ``.../summary?event=ID`` adds
key events, odds and stats for one match. ESPN groups matches by US-Eastern day. The JSON is
turned into domain objects by :mod:`scoreterm.providers.espn_normalize`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import httpx

from scoreterm.domain.model import League, Match
from scoreterm.domain.table import Table, TableGroup
from scoreterm.providers.base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_S,
    HttpStatusError,
    JsonFetcher,
    PayloadError,
    ProviderUnavailable,
)
from scoreterm.providers.espn_normalize import PROVIDER, normalize_scoreboard, normalize_summary
from scoreterm.providers.espn_standings import fetch_standings, normalize_summary_standings

log = logging.getLogger(__name__)

DEFAULT_ESPN_URL = "https://site.api.espn.com"
_API = "/apis/site/v2/sports"


class EspnProvider:
    """Scoreboards and match details from ESPN's site API, for every league with an ESPN id.

    Each HTTP failure leaves as a typed :class:`~scoreterm.providers.base.ProviderError`;
    unchanged resources are revalidated with ETag / Last-Modified and cost no parsing upstream.
    """

    name = PROVIDER

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = DEFAULT_ESPN_URL,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """Create the provider.

        Args:
            client: the shared HTTP client (the caller owns and closes it).
            base_url: ESPN's API host; tests point it at a local server.
            timeout_s: timeout of each request, in seconds.
            max_response_bytes: a larger (decoded) response is a PayloadError.
        """
        self._groups: dict[str, dict[str, TableGroup]] = {}
        self._fetcher = JsonFetcher(
            PROVIDER, client, base_url, timeout_s=timeout_s, max_response_bytes=max_response_bytes
        )

    @property
    def last_latency_s(self) -> float | None:
        """Latency of the last request in seconds (for health scoring); None before any."""
        return self._fetcher.last_latency_s

    @property
    def fetchers(self) -> tuple[JsonFetcher, ...]:
        """The one fetcher every ESPN request goes through."""
        return (self._fetcher,)

    def supports(self, league: League) -> bool:
        """Return True when ``league`` has an ESPN id."""
        return league.provider_id(PROVIDER) is not None

    async def scoreboard(self, league: League, start: date, end: date) -> list[Match]:
        """Return ``league``'s matches on ESPN's days ``start`` to ``end`` (inclusive).

        Raises:
            ValueError: ``end`` is before ``start``.
            ProviderUnavailable: ESPN does not carry the league, or cannot be reached in time.
            RateLimited: HTTP 429 (with ``retry_after`` when ESPN says).
            HttpStatusError: another HTTP error status.
            PayloadError: the body is not JSON or not a scoreboard.
        """
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        dates = f"{start:%Y%m%d}" if start == end else f"{start:%Y%m%d}-{end:%Y%m%d}"
        payload = await self._fetcher.get_json(self._path(league, "scoreboard"), {"dates": dates})
        return normalize_scoreboard(payload, league.slug, league.sport)

    async def match_detail(self, league: League, match: Match) -> Match:
        """Return ``match`` enriched with ESPN's summary: key events, odds, stats, venue.

        A match ESPN has no id for (seen only through another provider) is returned unchanged.

        Raises:
            ProviderUnavailable: ESPN does not carry the league, or cannot be reached in time.
            RateLimited: HTTP 429.
            HttpStatusError: another HTTP error status.
            PayloadError: the body is not JSON, not a summary, or the summary of another event.
        """
        event_id = match.provider_ids.get(PROVIDER)
        if event_id is None:
            log.debug("espn: no ESPN id for %s, nothing to add", match.id)
            return match
        payload = await self._fetcher.get_json(self._path(league, "summary"), {"event": event_id})
        detailed = normalize_summary(payload, match, league.sport)
        self._keep_group(league, payload)
        return detailed

    async def standings(self, league: League, fetched_at: datetime | None = None) -> Table:
        """Return ``league``'s official table (``/apis/v2/.../standings``).

        A tournament whose standings endpoint has nothing (or is not on a tape) answers with the
        group tables its match summaries carried, when there were any.

        Raises:
            ProviderError: the request failed and no summary carried a group table.
        """
        try:
            return await fetch_standings(self._fetcher, league, fetched_at=fetched_at)
        except (HttpStatusError, PayloadError):
            groups = self._groups.get(league.slug)
            if not groups:
                raise
            return Table(
                league=league.slug, source=PROVIDER, updated_at=fetched_at, groups=tuple(groups.values())
            )

    def _keep_group(self, league: League, payload: object) -> None:
        """Remember the group table a summary carries (the World Cup's group of that match)."""
        try:
            table = normalize_summary_standings(payload, league.slug)
        except PayloadError:
            return
        groups = self._groups.setdefault(league.slug, {})
        for group in table.groups:
            groups[group.name] = group

    def _path(self, league: League, endpoint: str) -> str:
        slug = league.provider_id(PROVIDER)
        if slug is None:
            raise ProviderUnavailable(PROVIDER, f"ESPN does not carry {league.slug}")
        return f"{_API}/{league.sport.value}/{slug}/{endpoint}"
