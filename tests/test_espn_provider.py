"""EspnProvider over a real HTTP socket: the local scripted server serves the real ESPN payloads
and scripted failures (429, 5xx, malformed JSON, refused connections, hangs). No internet, no sleeps.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import date

import httpx
import msgspec
import pytest

from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import League, PhaseState, Score, Sport
from scoreterm.providers.base import (
    HttpStatusError,
    PayloadError,
    Provider,
    ProviderUnavailable,
    RateLimited,
)
from scoreterm.providers.espn import DEFAULT_ESPN_URL, EspnProvider
from tests.httpserver import Reply, ScriptedServer

WORLD_CUP = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
SUMMARY = "/apis/site/v2/sports/soccer/fifa.world/summary"
LIVE_FILE = "espn_soccer/fifa.world_scoreboard_live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens.json"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy from the environment must not intercept 127.0.0.1.
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def provider_for(server: ScriptedServer, client: httpx.AsyncClient, timeout_s: float = 5.0) -> EspnProvider:
    return EspnProvider(client, base_url=server.url, timeout_s=timeout_s)


def headers_of(server: ScriptedServer, index: int) -> dict[str, str]:
    return {k.lower(): v for k, v in server.requests[index].headers.items()}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_provider_shape(client: httpx.AsyncClient) -> None:
    provider = EspnProvider(client)
    assert isinstance(provider, Provider)
    assert provider.name == "espn"
    assert DEFAULT_ESPN_URL == "https://site.api.espn.com"
    assert provider.supports(get_league("fifa.world"))
    assert provider.supports(get_league("nfl"))
    assert not provider.supports(League(slug="x.1", name="X", sport=Sport.SOCCER, country="X"))


async def test_scoreboard_for_a_range_is_one_request(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.file(LIVE_FILE))
    provider = provider_for(http_server, client)
    matches = await provider.scoreboard(get_league("fifa.world"), date(2026, 6, 28), date(2026, 7, 19))
    assert len(http_server.requests) == 1
    assert http_server.requests[0].path == WORLD_CUP
    assert http_server.requests[0].query == {"dates": ["20260628-20260719"]}
    assert len(matches) == 32
    live = next(m for m in matches if m.id == "espn-760505")
    assert (live.score, live.phase.state, live.phase.label, live.clock) == (
        Score(2, 3),
        PhaseState.LIVE,
        "2H",
        "89'",
    )
    assert provider.last_latency_s is not None


async def test_scoreboard_for_one_day(http_server: ScriptedServer, client: httpx.AsyncClient) -> None:
    path = "/apis/site/v2/sports/soccer/eng.1/scoreboard"
    http_server.route(path, Reply.file("espn_soccer/eng.1_scoreboard_20260321_full_time_and_postponed.json"))
    matches = await provider_for(http_server, client).scoreboard(
        get_league("eng.1"), date(2026, 3, 21), date(2026, 3, 21)
    )
    assert http_server.requests[0].query == {"dates": ["20260321"]}
    assert len(matches) == 5
    assert {m.league for m in matches} == {"eng.1"}
    assert [m.phase.state for m in matches].count(PhaseState.POSTPONED) == 1


async def test_scoreboard_uses_the_sport_segment(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    path = "/apis/site/v2/sports/basketball/nba/scoreboard"
    http_server.route(path, Reply.file("espn_other/nba_scoreboard_20241215_all_final.json"))
    matches = await provider_for(http_server, client).scoreboard(
        get_league("nba"), date(2024, 12, 15), date(2024, 12, 15)
    )
    assert http_server.requests[0].path == path
    assert len(matches) == 7
    assert {m.phase.label for m in matches} == {"Final"}


async def test_scoreboard_rejects_a_reversed_range(client: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="before"):
        await EspnProvider(client).scoreboard(get_league("eng.1"), date(2026, 3, 22), date(2026, 3, 21))


async def test_unsupported_league_is_unavailable_without_a_request(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    league = League(slug="x.1", name="X", sport=Sport.SOCCER, country="X")
    with pytest.raises(ProviderUnavailable, match=r"x\.1"):
        await provider_for(http_server, client).scoreboard(league, date(2026, 1, 1), date(2026, 1, 1))
    assert http_server.requests == []


async def test_match_detail_requests_the_summary(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.file("espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json"))
    http_server.route(
        SUMMARY,
        Reply.file("espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"),
    )
    provider = provider_for(http_server, client)
    league = get_league("fifa.world")
    base = next(
        m
        for m in await provider.scoreboard(league, date(2026, 6, 11), date(2026, 6, 11))
        if m.id == "espn-760415"
    )
    detailed = await provider.match_detail(league, base)
    assert http_server.requests[-1].path == SUMMARY
    assert http_server.requests[-1].query == {"event": ["760415"]}
    scorers = [(e.minute, e.player) for e in detailed.events if e.kind.is_goal]
    assert scorers == [("9'", "Julián Quiñones"), ("67'", "Raúl Jiménez")]
    assert detailed.odds is not None
    assert (detailed.odds.moneyline.home, detailed.odds.moneyline.away) == (-230, 750)
    assert detailed.stats


async def test_match_detail_without_an_espn_id_asks_nothing(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.file("espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json"))
    provider = provider_for(http_server, client)
    league = get_league("fifa.world")
    match = (await provider.scoreboard(league, date(2026, 6, 11), date(2026, 6, 11)))[0]
    foreign = msgspec.structs.replace(match, id="tsdb-1", provider_ids={"thesportsdb": "1"})
    assert await provider.match_detail(league, foreign) is foreign
    assert len(http_server.requests) == 1


async def test_etag_round_trip_serves_the_cached_parse_on_304(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(
        WORLD_CUP,
        Reply.file(LIVE_FILE, ETag='"sb-1"'),
        Reply(status=304, headers={"ETag": '"sb-1"'}),
    )
    provider = provider_for(http_server, client)
    league = get_league("fifa.world")
    first = await provider.scoreboard(league, date(2026, 6, 28), date(2026, 7, 19))
    second = await provider.scoreboard(league, date(2026, 6, 28), date(2026, 7, 19))
    assert "if-none-match" not in headers_of(http_server, 0)
    assert headers_of(http_server, 1)["if-none-match"] == '"sb-1"'
    assert second == first
    assert len(second) == 32


async def test_429_is_rate_limited_with_retry_after(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.json('{"error": "slow down"}', status=429, **{"Retry-After": "30"}))
    with pytest.raises(RateLimited) as caught:
        await provider_for(http_server, client).scoreboard(
            get_league("fifa.world"), date(2026, 6, 28), date(2026, 6, 28)
        )
    assert caught.value.retry_after == 30
    assert caught.value.provider == "espn"


async def test_500_is_an_http_status_error(http_server: ScriptedServer, client: httpx.AsyncClient) -> None:
    http_server.route(WORLD_CUP, Reply.json('{"error": "boom"}', status=500))
    with pytest.raises(HttpStatusError) as caught:
        await provider_for(http_server, client).scoreboard(
            get_league("fifa.world"), date(2026, 6, 28), date(2026, 6, 28)
        )
    assert caught.value.status == 500
    assert not isinstance(caught.value, RateLimited)


@pytest.mark.parametrize("body", ['{"events": [', "<html>oops</html>", "[]", '{"leagues": []}'])
async def test_malformed_or_foreign_body_is_a_payload_error(
    http_server: ScriptedServer, client: httpx.AsyncClient, body: str
) -> None:
    http_server.route(WORLD_CUP, Reply.json(body))
    with pytest.raises(PayloadError):
        await provider_for(http_server, client).scoreboard(
            get_league("fifa.world"), date(2026, 6, 28), date(2026, 6, 28)
        )


async def test_malformed_summary_is_a_payload_error(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.file("espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json"))
    http_server.route(SUMMARY, Reply.json('"not a summary"'))
    provider = provider_for(http_server, client)
    league = get_league("fifa.world")
    match = (await provider.scoreboard(league, date(2026, 6, 11), date(2026, 6, 11)))[0]
    with pytest.raises(PayloadError):
        await provider.match_detail(league, match)


async def test_connection_refused_is_unavailable(client: httpx.AsyncClient) -> None:
    provider = EspnProvider(client, base_url=f"http://127.0.0.1:{closed_port()}", timeout_s=5.0)
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        await provider.scoreboard(get_league("eng.1"), date(2026, 3, 21), date(2026, 3, 21))


async def test_hanging_server_times_out_as_unavailable(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply(hang=True))
    provider = provider_for(http_server, client, timeout_s=0.2)
    with pytest.raises(ProviderUnavailable, match=r"timed out after 0\.2s"):
        await provider.scoreboard(get_league("fifa.world"), date(2026, 6, 28), date(2026, 6, 28))
