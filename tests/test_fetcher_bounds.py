"""Hostile provider responses over a real local HTTP server: every one ends as a typed error.

A gzip bomb (1 MiB that inflates to 1 GiB), bodies over the size cap, JSON nested past what the
decoder allows, numbers out of range, invalid UTF-8, corrupt or unknown encodings, an endless
Retry-After, a non-ASCII ETag and a server that drips its body a byte at a time. Memory is checked
with ``tracemalloc`` (bytes held), never with timings.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date
from typing import Any

import httpx
import pytest

from scoreterm.config import Settings
from scoreterm.domain.leagues import get_league
from scoreterm.providers.base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_RETRY_AFTER_S,
    JsonFetcher,
    PayloadError,
    ProviderUnavailable,
    RateLimited,
    parse_retry_after,
)
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.registry import build_providers
from tests.bombs import MIB, gzip_bomb
from tests.httpserver import Reply, ScriptedServer

PATH = "/data"
WORLD_CUP = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def fetcher(server: ScriptedServer, client: httpx.AsyncClient, **options: Any) -> JsonFetcher:
    return JsonFetcher("espn", client, server.url, timeout_s=options.pop("timeout_s", 20.0), **options)


async def peak_while(run: Callable[[], Coroutine[Any, Any, Any]]) -> tuple[BaseException | None, int]:
    """Run ``run()`` under tracemalloc; return what it raised and the peak bytes allocated."""
    tracemalloc.start()
    try:
        try:
            await run()
        except Exception as exc:
            return exc, tracemalloc.get_traced_memory()[1]
        return None, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_bomb_is_real() -> None:
    small = gzip_bomb(16)
    assert len(gzip.decompress(small)) == 16 * MIB
    assert len(small) < 32 * 1024
    assert len(gzip_bomb(1024)) < 2 * MIB  # ~1 MiB on the wire for 1 GiB inflated


async def test_gzip_bomb_is_a_payload_error_in_bounded_memory(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(PATH, Reply(200, gzip_bomb(1024), {**JSON, "Content-Encoding": "gzip"}))
    error, peak = await peak_while(lambda: fetcher(http_server, client).get_json(PATH))
    assert isinstance(error, PayloadError), error
    assert "response larger than 8 MiB" in str(error)
    # Before the cap the whole GiB was inflated; now at most the cap and a chunk are ever held.
    assert peak < DEFAULT_MAX_RESPONSE_BYTES + 8 * MIB


async def test_gzip_bomb_through_a_provider(http_server: ScriptedServer, client: httpx.AsyncClient) -> None:
    http_server.route(WORLD_CUP, Reply(200, gzip_bomb(256), {**JSON, "Content-Encoding": "gzip"}))
    provider = EspnProvider(client, base_url=http_server.url, timeout_s=20.0, max_response_bytes=MIB)
    with pytest.raises(PayloadError, match="response larger than 1 MiB"):
        await provider.scoreboard(get_league("fifa.world"), date(2026, 6, 28), date(2026, 6, 28))


async def test_plain_body_over_the_cap_is_refused_and_at_the_cap_accepted(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    at_cap = b'"' + b"x" * 4094 + b'"'
    http_server.route(PATH, Reply(200, at_cap, JSON), Reply(200, at_cap[:-1] + b'x"', JSON))
    capped = fetcher(http_server, client, max_response_bytes=4096)
    assert await capped.get_json(PATH) == "x" * 4094
    with pytest.raises(PayloadError, match="response larger than 4 KiB"):
        await capped.get_json(PATH)


async def test_gzip_body_just_under_the_cap_decodes(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    payload = b"[" + b",".join([b"1"] * 2000) + b"]"
    http_server.route(PATH, Reply(200, gzip.compress(payload), {**JSON, "Content-Encoding": "gzip"}))
    got = await fetcher(http_server, client, max_response_bytes=len(payload)).get_json(PATH)
    assert got == [1] * 2000


@pytest.mark.parametrize("wrapped", [True, False], ids=["zlib-deflate", "raw-deflate"])
async def test_deflate_bodies_decode(
    http_server: ScriptedServer, client: httpx.AsyncClient, wrapped: bool
) -> None:
    squeeze = zlib.compressobj(wbits=zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    body = squeeze.compress(b'{"events": []}') + squeeze.flush()
    http_server.route(PATH, Reply(200, body, {**JSON, "Content-Encoding": "deflate"}))
    assert await fetcher(http_server, client).get_json(PATH) == {"events": []}


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, "nested too deeply", id="nested-100000"),
        pytest.param(b'{"score": 1e400}', JSON, "Number out of range", id="number-out-of-range"),
        pytest.param(b'{"name": "\xff\xfe"}', JSON, "Invalid UTF-8", id="invalid-utf8"),
        pytest.param(b"", JSON, "not valid JSON", id="empty"),
        pytest.param(
            b"\x1f\x8b\x08\x00" + b"\xff" * 64,
            {**JSON, "Content-Encoding": "gzip"},
            "cannot be decoded",
            id="corrupt-gzip",
        ),
        pytest.param(b"{}", {**JSON, "Content-Encoding": "br"}, "unsupported Content-Encoding", id="brotli"),
    ],
)
async def test_any_body_is_a_payload_error_at_worst(
    http_server: ScriptedServer, client: httpx.AsyncClient, body: bytes, headers: dict[str, str], message: str
) -> None:
    http_server.route(PATH, Reply(200, body, headers))
    with pytest.raises(PayloadError, match=message):
        await fetcher(http_server, client).get_json(PATH)


async def test_a_400_digit_number_decodes_for_the_normalizer_to_judge(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(PATH, Reply.json('{"score": ' + "9" * 400 + "}"))
    assert await fetcher(http_server, client).get_json(PATH) == {"score": int("9" * 400)}


@pytest.mark.parametrize("value", ["1e400", "inf", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_retry_after_is_capped(
    http_server: ScriptedServer, client: httpx.AsyncClient, value: str
) -> None:
    http_server.route(PATH, Reply.json("{}", status=429, **{"Retry-After": value}))
    with pytest.raises(RateLimited) as caught:
        await fetcher(http_server, client).get_json(PATH)
    assert caught.value.retry_after == MAX_RETRY_AFTER_S


@pytest.mark.parametrize("value", ["nan", "-nan", "Mon, 01 Jan 99999 00:00:00 GMT", "soon"])
def test_unusable_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after(value) is None


async def test_a_non_ascii_etag_does_not_break_the_next_request(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(
        PATH, Reply.json("[1]", ETag='"café"'), Reply.json("[2]", ETag='"ok"'), Reply.json("[3]")
    )
    capped = fetcher(http_server, client)
    assert await capped.get_json(PATH) == [1]
    assert await capped.get_json(PATH) == [2]
    assert await capped.get_json(PATH) == [3]
    assert "if-none-match" not in {k.lower() for k in http_server.requests[1].headers}
    assert {k.lower(): v for k, v in http_server.requests[2].headers.items()}["if-none-match"] == '"ok"'


async def test_a_dripping_body_times_out_as_unavailable(client: httpx.AsyncClient) -> None:
    """httpx's timeout is per read: without an overall deadline one byte every 50 ms held us for good."""
    stop = asyncio.Event()

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[")
        while not stop.is_set():
            writer.write(b"1,")
            await writer.drain()
            await asyncio.sleep(0.05)  # the drip itself, not a wait for an event
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        slow = JsonFetcher("espn", client, f"http://127.0.0.1:{port}", timeout_s=0.5)
        async with asyncio.timeout(30):  # a guard, so the old behaviour fails instead of hanging
            with pytest.raises(ProviderUnavailable, match=r"timed out after 0\.5s"):
                await slow.get_json(PATH)
    finally:
        stop.set()
        server.close()


def test_max_response_bytes_reaches_every_fetcher(client: httpx.AsyncClient) -> None:
    settings = Settings(max_response_bytes=3 * MIB, thesportsdb_key="premium", footballdata_token="t")
    fetchers = [f for provider in build_providers(settings, client) for f in provider.fetchers]
    assert len(fetchers) == 4
    assert {f.max_response_bytes for f in fetchers} == {3 * MIB}
    assert Settings().max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES


async def test_an_unusable_base_url_is_unavailable_not_a_crash(client: httpx.AsyncClient) -> None:
    broken = JsonFetcher("espn", client, "http://[zz]")
    with pytest.raises(ProviderUnavailable, match="bad URL"):
        await broken.get_json(PATH)
