"""What every provider shares: the Protocol, the typed errors and the JSON-over-HTTP fetcher.

Providers know HTTP and their vendor's JSON, nothing else. Every failure leaves a provider as one
of the errors below, never as a ``KeyError`` or an ``httpx`` exception.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

import httpx
import msgspec

from scoreterm.domain.model import League, Match

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT_S = 10.0


class ProviderError(Exception):
    """Base of every error a provider raises; ``provider`` names who failed."""

    def __init__(self, provider: str, message: str) -> None:
        self.provider = provider
        self.message = message
        super().__init__(f"{provider}: {message}")


class ProviderUnavailable(ProviderError):
    """The provider cannot be asked: unreachable, timed out, or not configured (no token)."""


class HttpStatusError(ProviderError):
    """The provider answered with an HTTP error status."""

    def __init__(self, provider: str, status: int, message: str) -> None:
        self.status = status
        super().__init__(provider, message)


class RateLimited(HttpStatusError):
    """HTTP 429; ``retry_after`` is the wait in seconds the provider asked for, if it said."""

    def __init__(self, provider: str, retry_after: float | None) -> None:
        self.retry_after = retry_after
        wait = f", retry after {retry_after:g}s" if retry_after is not None else ""
        super().__init__(provider, 429, f"rate limited (HTTP 429{wait})")


class PayloadError(ProviderError):
    """The payload did not parse as JSON or lacks what we need."""


@runtime_checkable
class Provider(Protocol):
    """A source of match data for some leagues."""

    name: str

    @property
    def fetchers(self) -> tuple[JsonFetcher, ...]:
        """The fetchers this provider sends requests through (for budgets and latency)."""
        ...

    def supports(self, league: League) -> bool:
        """Return True when this provider can answer for ``league``."""
        ...

    async def scoreboard(self, league: League, start: date, end: date) -> list[Match]:
        """Return the matches of ``league`` whose (vendor-grouped) day is in ``[start, end]``."""
        ...

    async def match_detail(self, league: League, match: Match) -> Match:
        """Return ``match`` enriched with what the provider's detail endpoint adds (events, odds,
        stats)."""
        ...


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header (delta-seconds or HTTP date) into seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


@dataclass
class _Cached:
    etag: str | None
    last_modified: str | None
    body: Any


@dataclass
class JsonFetcher:
    """GETs JSON from one provider's host and maps every failure onto a typed error.

    Keeps the ETag / Last-Modified of each URL and sends them back, so an unchanged resource costs
    the provider a 304 and us no parsing. ``last_latency_s`` feeds health scoring.
    """

    provider: str
    client: httpx.AsyncClient
    base_url: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    default_params: Mapping[str, str] = field(default_factory=dict)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    # Some vendors announce the wait of a 429 in their own header; the first that parses wins.
    retry_after_headers: tuple[str, ...] = ("Retry-After",)
    last_latency_s: float | None = None
    requests_sent: int = 0
    not_modified_count: int = 0
    _cache: dict[str, _Cached] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """Join ``path`` onto the base URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` and return the decoded JSON body.

        Raises:
            ProviderUnavailable: connection failure or timeout.
            RateLimited: HTTP 429.
            HttpStatusError: any other non-2xx status.
            PayloadError: the body is not JSON.
        """
        query = {**self.default_params, **(params or {})}
        url = self.url(path)
        key = str(httpx.URL(url, params=query))
        headers = dict(self.default_headers)
        cached = self._cache.get(key)
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        started = time.perf_counter()
        self.requests_sent += 1
        try:
            response = await self.client.get(url, params=query, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(
                self.provider, f"timed out after {self.timeout_s:g}s ({self.base_url})"
            ) from exc
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise ProviderUnavailable(self.provider, f"cannot reach {self.base_url}: {reason}") from exc
        finally:
            self.last_latency_s = time.perf_counter() - started
        return self._decode(response, key)

    def _retry_after(self, response: httpx.Response) -> float | None:
        for name in self.retry_after_headers:
            seconds = parse_retry_after(response.headers.get(name))
            if seconds is not None:
                return seconds
        return None

    def _decode(self, response: httpx.Response, key: str) -> Any:
        status = response.status_code
        if status == 304:
            cached = self._cache.get(key)
            if cached is not None:
                self.not_modified_count += 1
                return cached.body
            raise PayloadError(self.provider, "304 Not Modified for a resource we never fetched")
        if status == 429:
            raise RateLimited(self.provider, self._retry_after(response))
        if status >= 400:
            raise HttpStatusError(self.provider, status, f"HTTP {status} {response.reason_phrase} from {key}")
        try:
            body = msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            raise PayloadError(self.provider, f"response is not valid JSON: {exc}") from exc
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if etag or last_modified:
            self._cache[key] = _Cached(etag, last_modified, body)
        return body


def parse_kickoff(provider: str, value: str) -> datetime:
    """Parse a vendor timestamp (``2026-07-06T01:00Z``, ``...+00:00``) into an aware UTC datetime."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PayloadError(provider, f"bad timestamp {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def normalize_each(
    provider: str, items: Any, normalize: Callable[[T], R | None], what: str = "match"
) -> list[R]:
    """Apply ``normalize`` to each item, skipping (and logging) the ones that do not fit.

    One malformed match must not cost the user the rest of the scoreboard; ``normalize`` may
    return None for items that are deliberately ignored.
    """
    if not isinstance(items, list):
        raise PayloadError(provider, f"expected a list of {what}es, got {type(items).__name__}")
    results: list[R] = []
    for index, item in enumerate(items):
        try:
            result = normalize(item)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, PayloadError) as exc:
            log.warning("%s: skipping %s #%d that does not parse: %r", provider, what, index, exc)
            continue
        if result is not None:
            results.append(result)
    return results
