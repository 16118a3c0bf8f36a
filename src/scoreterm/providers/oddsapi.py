"""The Odds API (v4) as an opt-in second odds source: a consensus of many books, on a strict budget.

``GET /v4/sports/{sport_key}/odds?regions=eu&markets=h2h&oddsFormat=decimal&apiKey=...`` answers
every upcoming and live event of a sport, each book's h2h prices in it (normalised by
:mod:`oddsapi_normalize`). The key comes from ``SCORETERM_ODDS_API_KEY`` or ``[odds] api_key``;
without one the provider sends nothing at all and every call raises :class:`ProviderUnavailable`.

Credits: each request is reserved in the :class:`~oddsapi_budget.CreditBudget` before it is sent
and the answer's ``x-requests-*`` headers correct the count; a request that does not fit raises
:class:`BudgetExhausted`. When to ask is the caller's call through
:func:`~oddsapi_budget.should_fetch`. The key travels in the query string (the API wants it
there), so it is scrubbed from every error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from scoreterm.providers.base import (
    DEFAULT_TIMEOUT_S,
    HttpStatusError,
    JsonFetcher,
    ProviderUnavailable,
    RateLimited,
)
from scoreterm.providers.oddsapi_budget import CreditBudget
from scoreterm.providers.oddsapi_normalize import PROVIDER, SPORT_KEYS, OddsConsensus, normalize_odds

DEFAULT_BASE_URL = "https://api.the-odds-api.com"
NO_KEY = "no API key: set SCORETERM_ODDS_API_KEY or [odds] api_key in the config"
_KEY_IN_URL = re.compile(r"(apiKey=)[^&\s]*", re.IGNORECASE)


class BudgetExhausted(ProviderUnavailable):
    """One more request could take the month's credits past the configured budget."""


def redact_key(text: str) -> str:
    """``text`` with any ``apiKey=...`` query value replaced by ``***``."""
    return _KEY_IN_URL.sub(r"\1***", text)


@dataclass
class CreditFetcher(JsonFetcher):
    """A JsonFetcher that keeps the last answer's headers (for the credit counts).

    ``last_headers`` is emptied before each request, so a request that got no answer leaves it
    empty rather than showing the previous one's.
    """

    last_headers: dict[str, str] = field(default_factory=dict)

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """As :meth:`JsonFetcher.get_json`, with the API key scrubbed from error messages."""
        self.last_headers = {}
        try:
            return await super().get_json(path, params)
        except RateLimited:
            raise
        except HttpStatusError as exc:
            raise HttpStatusError(exc.provider, exc.status, redact_key(exc.message)) from None

    async def _exchange(
        self, url: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[httpx.Response, bytes]:
        response, content = await super()._exchange(url, query, headers)
        self.last_headers = {k.lower(): v for k, v in response.headers.items()}
        return response, content


class OddsApiProvider:
    """Bookmaker consensus from The Odds API, for the leagues in :data:`SPORT_KEYS`.

    Args:
        client: the shared HTTP client.
        api_key: the account's key; None or blank leaves the provider unconfigured.
        budget: the monthly credit budget (load it with :meth:`CreditBudget.load`).
        now: the clock (``Clock.now`` of the engine).
        base_url: where the API lives (a mock transport in tests).
        regions: the bookmaker regions asked for (each region costs a credit).
        timeout_s: timeout of each request.
    """

    name = PROVIDER

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        api_key: str | None,
        budget: CreditBudget,
        now: Callable[[], datetime],
        base_url: str = DEFAULT_BASE_URL,
        regions: str = "eu",
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._key = (api_key or "").strip() or None
        self._budget = budget
        self._now = now
        params = {"regions": regions, "markets": "h2h", "oddsFormat": "decimal", "dateFormat": "iso"}
        if self._key:
            params["apiKey"] = self._key
        self._fetcher = CreditFetcher(PROVIDER, client, base_url, timeout_s, default_params=params)

    @property
    def configured(self) -> bool:
        """True when a key is set; without one nothing is ever sent."""
        return self._key is not None

    @property
    def budget(self) -> CreditBudget:
        """The credit budget this provider spends from."""
        return self._budget

    @property
    def fetchers(self) -> tuple[JsonFetcher, ...]:
        """The one fetcher every request goes through."""
        return (self._fetcher,)

    def supports(self, league: str) -> bool:
        """True when The Odds API has a sport key for league slug ``league``."""
        return league in SPORT_KEYS

    async def odds(self, league: str) -> list[OddsConsensus]:
        """The consensus of every event The Odds API lists for league slug ``league``.

        Raises:
            ProviderUnavailable: no key, the league is not carried, or the API is unreachable.
            BudgetExhausted: the request does not fit in the month's budget (nothing was sent).
            ProviderError: the request failed otherwise (429 as RateLimited).
        """
        if self._key is None:
            raise ProviderUnavailable(PROVIDER, NO_KEY)
        sport_key = SPORT_KEYS.get(league)
        if sport_key is None:
            raise ProviderUnavailable(PROVIDER, f"The Odds API does not carry {league}")
        if not self._budget.reserve(self._now()):
            raise BudgetExhausted(
                PROVIDER,
                f"monthly budget of {self._budget.monthly_limit} credits reached "
                f"({self._budget.used} used this month)",
            )
        try:
            body = await self._fetcher.get_json(f"/v4/sports/{sport_key}/odds")
        finally:
            if self._fetcher.last_headers:
                self._budget.record(self._fetcher.last_headers, self._now())
        return normalize_odds(body)
