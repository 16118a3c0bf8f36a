"""Record through a real local HTTP server, replay on a fake clock: providers cannot tell the difference."""

from __future__ import annotations

import asyncio
import gzip
import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from scoreterm.config import Settings
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import TableUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.providers.base import JsonFetcher, ProviderError
from scoreterm.replay.player import ReplayTransport
from scoreterm.replay.recorder import RecordingTransport
from scoreterm.replay.tape import RELEVANT_HEADERS, Tape, TapeFrame, TapeHeader, json_body, read_tape
from scoreterm.session import live_session, replay_session
from tests.httpserver import Reply, ScriptedServer

START = datetime(2026, 6, 11, 18, 55, tzinfo=UTC)
SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
SUMMARY = "/apis/site/v2/sports/soccer/fifa.world/summary"
DAY = {"dates": "20260611"}
SCOREBOARD_FILE = "espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json"
SUMMARY_FILE = "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
REPLAY_URL = "http://tape.invalid"

# (virtual time, path, params) of each request the "engine" makes.
Script = Sequence[tuple[float, str, dict[str, str]]]
SCRIPT: Script = [
    (10.0, SCOREBOARD, DAY),
    (10.4, SUMMARY, {"event": "760415"}),
    (30.0, SCOREBOARD, DAY),
    (50.0, SCOREBOARD, DAY),
    (70.0, SCOREBOARD, DAY),
    (90.0, "/no/such/route", {}),
]


def script_server(server: ScriptedServer) -> None:
    server.route(
        SCOREBOARD,
        Reply.file(SCOREBOARD_FILE, ETag='"sb-1"'),
        Reply(429, b'{"error": "slow down"}', {"Content-Type": "application/json", "Retry-After": "30"}),
        Reply.json('{"events": [ {"id": "7604', status=200),
        Reply(
            200,
            gzip.compress(b'{"events": []}'),
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
    )
    server.route(
        SUMMARY,
        Reply.file(SUMMARY_FILE, ETag='"sum-1"', **{"Last-Modified": "Thu, 11 Jun 2026 21:03:44 GMT"}),
    )


def view(response: httpx.Response) -> tuple[int, dict[str, str | None], Any]:
    """What a provider can see of a response: status, the headers it reads, the body."""
    try:
        body: Any = ("json", msgspec.json.decode(response.content))
    except msgspec.DecodeError:
        body = ("text", response.content)
    return response.status_code, {name: response.headers.get(name) for name in RELEVANT_HEADERS}, body


async def run_script(client: httpx.AsyncClient, clock: FakeClock, base: str, script: Script) -> list[Any]:
    seen = []
    for t, path, params in script:
        await clock.advance(t - clock.monotonic())
        seen.append(view(await client.get(base + path, params=params)))
    return seen


async def record(server: ScriptedServer, path: Path, run: Callable[..., Any]) -> Any:
    clock = FakeClock(START)
    transport = RecordingTransport.to_file(
        path, httpx.AsyncHTTPTransport(), clock, {"127.0.0.1": "espn"}, leagues=["fifa.world"], note="test"
    )
    async with httpx.AsyncClient(transport=transport) as client:
        return await run(client, clock, server.url)


async def replay(path: Path, run: Callable[..., Any], grace: float = 1.0) -> Any:
    clock = FakeClock(START)
    transport = ReplayTransport(read_tape(path), clock, grace=grace)
    async with httpx.AsyncClient(transport=transport) as client:
        return await run(client, clock, REPLAY_URL)


async def test_replayed_responses_are_identical_to_the_recorded_ones(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    script_server(http_server)
    path = tmp_path / "tape.jsonl.gz"

    async def run(client: httpx.AsyncClient, clock: FakeClock, base: str) -> list[Any]:
        return await run_script(client, clock, base, SCRIPT)

    live = await record(http_server, path, run)
    replayed = await replay(path, run)
    assert replayed == live
    statuses = [status for status, _, _ in live]
    assert statuses == [200, 200, 429, 200, 200, 404]
    assert live[2][1]["retry-after"] == "30"
    assert live[3][2] == ("text", b'{"events": [ {"id": "7604')
    assert live[4][2] == ("json", {"events": []})  # gzip content-encoding undone for the caller

    tape = read_tape(path)
    assert tape.header.started_at == START
    assert tape.header.providers == ("espn",)
    assert [(f.t, f.provider, f.path, f.params) for f in tape.frames][:2] == [
        (10.0, "espn", SCOREBOARD, DAY),
        (pytest.approx(10.4), "espn", SUMMARY, {"event": "760415"}),
    ]
    assert tape.frames[1].headers["last-modified"] == "Thu, 11 Jun 2026 21:03:44 GMT"
    assert "content-encoding" not in tape.frames[4].headers


async def test_provider_outcomes_match_including_304_and_typed_errors(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    script_server(http_server)
    http_server.route(
        SCOREBOARD,
        Reply.file(SCOREBOARD_FILE, ETag='"sb-1"'),
        Reply.file(SCOREBOARD_FILE, ETag='"sb-1"'),
        Reply(429, b"", {"Retry-After": "30"}),
        Reply.json('{"events": [ {"id": "7604'),
    )
    path = tmp_path / "tape.jsonl"

    async def run(client: httpx.AsyncClient, clock: FakeClock, base: str) -> list[Any]:
        fetcher = JsonFetcher("espn", client, base)
        outcomes: list[Any] = []
        for t in (10.0, 30.0, 50.0, 70.0):
            await clock.advance(t - clock.monotonic())
            try:
                payload = await fetcher.get_json(SCOREBOARD, DAY)
                outcomes.append([event["id"] for event in payload["events"]])
            except ProviderError as exc:
                outcomes.append((type(exc).__name__, str(exc).replace(base, "BASE")))
        return [*outcomes, fetcher.not_modified_count]

    live = await record(http_server, path, run)
    replayed = await replay(path, run)
    assert live[:4] == [
        ["760415", "760414"],
        ["760415", "760414"],
        ("RateLimited", "espn: rate limited (HTTP 429, retry after 30s)"),
        live[3],
    ]
    assert live[3][0] == "PayloadError"
    assert replayed[:4] == live[:4]
    # Live, the server ignored If-None-Match; the tape answers it with a 304 and the cached body.
    assert (live[4], replayed[4]) == (0, 1)


async def test_a_failing_tape_never_breaks_the_live_path(
    http_server: ScriptedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    http_server.route(SCOREBOARD, Reply.file(SCOREBOARD_FILE))
    clock = FakeClock(START)
    transport = RecordingTransport.to_file(tmp_path / "t.jsonl", httpx.AsyncHTTPTransport(), clock, {})
    transport._writer.close()  # the disk is gone
    async with httpx.AsyncClient(transport=transport) as client:
        with caplog.at_level(logging.WARNING):
            response = await client.get(http_server.url + SCOREBOARD, params=DAY)
    assert response.status_code == 200
    assert len(response.json()["events"]) == 2
    assert transport.write_errors == 1
    assert "could not record" in caplog.text


def frame(t: float, path: str, params: dict[str, str], value: Any, etag: str | None = None) -> TapeFrame:
    headers = {"content-type": "application/json"} | ({"etag": etag} if etag else {})
    return TapeFrame(t=t, provider="espn", path=path, params=params, headers=headers, body=json_body(value))


TAPE = Tape(
    TapeHeader(created=START, started_at=START, leagues=("fifa.world",), providers=("espn",)),
    (
        frame(0.0, SCOREBOARD, DAY, "sb@0", etag='"a"'),
        frame(1.0, SUMMARY, {"event": "760415"}, "sum@1"),
        frame(10.0, SCOREBOARD, DAY, "sb@10", etag='"b"'),
        frame(10.5, SUMMARY, {"event": "760415"}, "sum@10.5"),
        frame(20.0, SCOREBOARD, {"dates": "20260612"}, "sb-next-day@20"),
        frame(30.0, SCOREBOARD, DAY, "sb@30"),
    ),
)


async def served(
    at: float, path: str, params: dict[str, str], grace: float = 1.0, if_none_match: str | None = None
) -> Any:
    clock = FakeClock(START)
    await clock.advance(at)
    player = ReplayTransport(TAPE, clock, grace=grace)
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    request = httpx.Request("GET", REPLAY_URL + path, params=params, headers=headers)
    response = await player.handle_async_request(request)
    await response.aread()
    body = msgspec.json.decode(response.content) if response.content else None
    return response.status_code, body


@pytest.mark.parametrize(
    ("at", "grace", "expected"),
    [
        (0.0, 1.0, "sum@1"),  # within grace of the first summary
        (5.0, 1.0, "sum@1"),
        (9.7, 1.0, "sum@10.5"),  # a detail fetch just after the t=10 scoreboard sees the summary after it
        (10.0, 0.0, "sum@1"),
        (10.5, 0.0, "sum@10.5"),
        (500.0, 1.0, "sum@10.5"),
    ],
)
async def test_latest_frame_with_grace(at: float, grace: float, expected: str) -> None:
    assert await served(at, SUMMARY, {"event": "760415"}, grace=grace) == (200, expected)


async def test_before_the_first_frame_of_a_key_its_first_frame_is_served() -> None:
    player = ReplayTransport(TAPE, FakeClock(START), grace=0.0)
    assert player.frame_for(SUMMARY, {"event": "760415"}, at=-100.0) is TAPE.frames[1]


async def test_exact_params_win_and_other_params_fall_back_to_the_path() -> None:
    assert await served(25.0, SCOREBOARD, DAY) == (200, "sb@10")
    assert await served(25.0, SCOREBOARD, {"dates": "20260612"}) == (200, "sb-next-day@20")
    assert await served(25.0, SCOREBOARD, {"dates": "20260610-20260612"}) == (200, "sb-next-day@20")
    assert await served(35.0, SCOREBOARD, {}) == (200, "sb@30")


async def test_unknown_path_is_a_404_not_on_tape() -> None:
    assert await served(5.0, "/apis/site/v2/sports/soccer/eng.1/scoreboard", DAY) == (
        404,
        {"error": "not on tape"},
    )


async def test_if_none_match_on_the_current_etag_is_a_304() -> None:
    assert await served(5.0, SCOREBOARD, DAY, if_none_match='"a"') == (304, None)
    assert await served(15.0, SCOREBOARD, DAY, if_none_match='"a"') == (200, "sb@10")


async def test_position_duration_and_next_frame_time() -> None:
    clock = FakeClock(START)
    player = ReplayTransport(TAPE, clock)
    assert player.duration == 30.0
    assert player.position() == 0.0
    await clock.advance(12.5)
    assert player.position() == 12.5
    assert player.next_frame_time(player.position()) == 20.0
    assert player.next_frame_time(-1.0) == 0.0
    assert player.next_frame_time(0.0) == 1.0
    assert player.next_frame_time(10.0) == 10.5
    assert player.next_frame_time(30.0) is None
    assert player.next_frame_time(9.9999995) == 10.5  # a clock a microsecond short has reached t=10
    empty = ReplayTransport(Tape(TAPE.header, ()), clock)
    assert (empty.duration, empty.next_frame_time(0.0)) == (0.0, None)


async def test_standings_are_recorded_and_a_replay_shows_the_table(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    standings = "/apis/v2/sports/soccer/eng.1/standings"
    http_server.route(
        "/apis/site/v2/sports/soccer/eng.1/scoreboard",
        Reply.file("espn_soccer/eng.1_scoreboard_20250525_final_day_all_full_time.json"),
    )
    http_server.route(standings, Reply.file("espn_standings/eng.1_standings_2024-25_final.json"))
    settings = Settings(providers=["espn"], espn_url=http_server.url)
    clock = FakeClock(datetime(2025, 5, 25, 18, 0, tzinfo=UTC))
    path = tmp_path / "final-day.jsonl.gz"
    session = live_session(
        settings, [get_league("eng.1")], UTC, date_spec="2025-05-25", record_to=path, clock=clock
    )
    task = asyncio.create_task(session.engine.run())
    try:
        async with asyncio.timeout(60):
            while session.engine.tables.official("eng.1") is None:
                await clock.advance(1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await session.aclose()
    assert standings in {frame.path for frame in read_tape(path).frames}

    replayed = replay_session(read_tape(path), UTC, name="final-day", speed=math.inf)
    await replayed.feed.start()
    tables = []
    try:
        async for update in replayed.feed:
            if isinstance(update, TableUpdate):
                tables.append(update.table)
    finally:
        await replayed.aclose()
    liverpool = tables[-1].groups[0].entries[0].entry
    assert (liverpool.team.name, liverpool.played, liverpool.points) == ("Liverpool", 38, 84)
