"""What every provider shares: the Protocol, the typed errors and the JSON-over-HTTP fetcher.

Providers know HTTP and their vendor's JSON, nothing else. Every failure leaves a provider as one
of the errors below, never as a ``KeyError`` or an ``httpx`` exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

import httpx
import msgspec

from scoreterm.config_rules import DEFAULT_MAX_RESPONSE_BYTES as DEFAULT_MAX_RESPONSE_BYTES
from scoreterm.config_rules import format_size
from scoreterm.domain.model import League, Match
from scoreterm.providers.body import (
    ACCEPT_ENCODING,
    BodyDecodeError,
    BodyTooLarge,
    BoundedBody,
)
from scoreterm.providers.values import warn_once

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT_S = 10.0
# A provider that asks for a longer pause (or an infinite one) is asked again after this anyway.
MAX_RETRY_AFTER_S = 3600.0
# Error pages are read (and dropped) up to this much, so the connection stays reusable.
_DISCARD_BYTES = 64 << 10


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
    """Parse a ``Retry-After`` header (delta-seconds or HTTP date) into seconds from ``now``.

    The result lies in ``[0, MAX_RETRY_AFTER_S]``: a provider cannot park a poller for good.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        reference = now or datetime.now(UTC)
        seconds = (when - reference).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_S)


@dataclass
class _Cached:
    etag: str | None
    last_modified: str | None
    body: Any


@dataclass
class JsonFetcher:
    """GETs JSON from one provider's host and maps every failure onto a typed error.

    Keeps the ETag / Last-Modified of each URL and sends them back, so an unchanged resource costs
    the provider a 304 and us no parsing. ``last_latency_s`` feeds health scoring. A response is
    streamed and refused (``PayloadError``) once its decoded body passes ``max_response_bytes``;
    the whole exchange, body included, must end within ``timeout_s``.
    """

    provider: str
    client: httpx.AsyncClient
    base_url: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    default_params: Mapping[str, str] = field(default_factory=dict)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    # Some vendors announce the wait of a 429 in their own header; the first that parses wins.
    retry_after_headers: tuple[str, ...] = ("Retry-After",)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
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
            ProviderUnavailable: connection failure, timeout, or an unusable URL.
            RateLimited: HTTP 429.
            HttpStatusError: any other non-2xx status.
            PayloadError: the body is not JSON, is too large, or cannot be decoded.
        """
        query = {**self.default_params, **(params or {})}
        url = self.url(path)
        try:
            key = str(httpx.URL(url, params=query))
        except httpx.InvalidURL as exc:  # not an HTTPError: it would escape the handler below
            raise ProviderUnavailable(self.provider, f"bad URL {url[:100]!r}: {exc}") from exc
        headers = {"Accept-Encoding": ACCEPT_ENCODING, **self.default_headers}
        cached = self._cache.get(key)
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        started = time.perf_counter()
        self.requests_sent += 1
        try:
            # httpx's timeout is per read; a server that drips a byte at a time must not hold us.
            async with asyncio.timeout(self.timeout_s):
                response, content = await self._exchange(url, query, headers)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise ProviderUnavailable(
                self.provider, f"timed out after {self.timeout_s:g}s ({self.base_url})"
            ) from exc
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise ProviderUnavailable(self.provider, f"cannot reach {self.base_url}: {reason}") from exc
        finally:
            self.last_latency_s = time.perf_counter() - started
        return self._decode(response, key, content)

    async def _exchange(
        self, url: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[httpx.Response, bytes]:
        """Send the request; read the body only when it will be parsed, and never past the limit."""
        async with self.client.stream(
            "GET", url, params=query, headers=headers, timeout=self.timeout_s
        ) as response:
            if response.status_code == 304 or response.status_code >= 400:
                await _discard_body(response)
                return response, b""
            return response, await self._read_body(response)

    async def _read_body(self, response: httpx.Response) -> bytes:
        limit = self.max_response_bytes
        too_large = f"response larger than {format_size(limit)} (max_response_bytes)"
        if response.is_stream_consumed:
            # Built in-process from bytes (a replay or mock transport): httpx has read and decoded it.
            if len(response.content) > limit:
                raise PayloadError(self.provider, too_large)
            return response.content
        try:
            body = BoundedBody(response.headers.get("Content-Encoding"), limit)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise PayloadError(self.provider, too_large)
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                # Compressed bytes count too: endless empty gzip members inflate to nothing.
                if received > limit:
                    raise PayloadError(self.provider, too_large)
                body.feed(chunk)
            return body.finish()
        except BodyTooLarge as exc:
            raise PayloadError(self.provider, too_large) from exc
        except BodyDecodeError as exc:
            raise PayloadError(self.provider, f"response body cannot be decoded: {exc}") from exc

    def _retry_after(self, response: httpx.Response) -> float | None:
        for name in self.retry_after_headers:
            seconds = parse_retry_after(response.headers.get(name))
            if seconds is not None:
                return seconds
        return None

    def _decode(self, response: httpx.Response, key: str, content: bytes) -> Any:
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
            body = msgspec.json.decode(content)
        except msgspec.DecodeError as exc:  # also "Number out of range" (a ValidationError)
            raise PayloadError(self.provider, f"response is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise PayloadError(self.provider, "response is JSON nested too deeply") from exc
        etag = _validator(response.headers.get("ETag"))
        last_modified = _validator(response.headers.get("Last-Modified"))
        if etag or last_modified:
            self._cache[key] = _Cached(etag, last_modified, body)
        return body


async def _discard_body(response: httpx.Response) -> None:
    """Read and drop a body we will not parse (an error page), so the connection can be reused.

    One longer than ``_DISCARD_BYTES`` is left unread; httpx then closes the connection.
    """
    if response.is_stream_consumed:
        return
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen > _DISCARD_BYTES:
            return


def _validator(value: str | None) -> str | None:
    """A cache validator we can send back: printable ASCII, or None (httpx refuses the rest)."""
    if value and value.isascii() and value.isprintable():
        return value
    return None


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


def match_id(match: Match) -> str:
    """A match's key in a list of matches (``normalize_each(..., key=match_id)``)."""
    return match.id


def normalize_each(
    provider: str,
    items: Any,
    normalize: Callable[[T], R | None],
    what: str = "match",
    *,
    key: Callable[[R], str] | None = None,
) -> list[R]:
    """Apply ``normalize`` to each item, skipping (and logging) the ones that do not fit.

    One malformed match must not cost the user the rest of the scoreboard; ``normalize`` may
    return None for items that are deliberately ignored. With ``key``, an item whose key was
    already seen in this payload is dropped (the first copy stands): one match, one row.
    """
    if not isinstance(items, list):
        raise PayloadError(provider, f"expected a list of {what}es, got {type(items).__name__}")
    results: list[R] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            result = normalize(item)
        except Exception as exc:  # anything a vendor sends costs one item at most, never the payload
            reason = repr(exc)[:200]
            warn_once(log, "%s: skipping %s #%d that does not parse: %s", provider, what, index, reason)
            continue
        if result is None:
            continue
        if key is not None:
            identity = key(result)
            if identity in seen:
                warn_once(
                    log, "%s: %s %s listed twice in one answer; keeping the first", provider, what, identity
                )
                continue
            seen.add(identity)
        results.append(result)
    return results
