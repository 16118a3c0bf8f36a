"""Recording hostile responses through a real local server: bounded memory, and tapes that read back.

The recorder used to read every body whole (and inflate it whole) before the client saw a byte, so
``scoreterm record`` held a gzip bomb in full. Now the body streams through and the copy for the
tape stops at the tape's line limit; what cannot be recorded is skipped and counted.
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from scoreterm.engine.clock import FakeClock
from scoreterm.providers.base import JsonFetcher, PayloadError, RateLimited
from scoreterm.replay import tape as tape_module
from scoreterm.replay.player import ReplayTransport
from scoreterm.replay.recorder import RecordingTransport
from scoreterm.replay.tape import read_tape
from tests.bombs import MIB, gzip_bomb
from tests.httpserver import Reply, ScriptedServer

START = datetime(2026, 6, 11, 18, 55, tzinfo=UTC)
JSON = {"Content-Type": "application/json"}


def recorder(path: Path, clock: FakeClock) -> RecordingTransport:
    return RecordingTransport.to_file(
        path, httpx.AsyncHTTPTransport(), clock, {"127.0.0.1": "espn"}, leagues=["fifa.world"]
    )


async def test_recording_a_gzip_bomb_stays_bounded_and_skips_it(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    http_server.route("/ok", Reply.json('{"events": []}'))
    http_server.route("/bomb", Reply(200, gzip_bomb(1024), {**JSON, "Content-Encoding": "gzip"}))
    path = tmp_path / "tape.jsonl.gz"
    transport = recorder(path, FakeClock(START))
    tracemalloc.start()
    try:
        async with httpx.AsyncClient(transport=transport) as client:
            fetcher = JsonFetcher("espn", client, http_server.url, timeout_s=30.0)
            assert await fetcher.get_json("/ok") == {"events": []}
            with pytest.raises(PayloadError, match="larger than 8 MiB"):
                await fetcher.get_json("/bomb")
            assert await fetcher.get_json("/ok") == {"events": []}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * MIB  # the bomb inflates to 1 GiB
    assert transport.skipped == 1
    assert [frame.path for frame in read_tape(path).frames] == ["/ok", "/ok"]


async def test_a_body_over_the_line_limit_is_not_recorded(
    http_server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tape_module, "MAX_LINE_BYTES", 4096)
    http_server.route("/big", Reply.json('["' + "x" * 5000 + '"]'))
    http_server.route("/packed", Reply(200, gzip_bomb(1), {**JSON, "Content-Encoding": "gzip"}))
    http_server.route("/ok", Reply.json("[1]"))
    path = tmp_path / "tape.jsonl"
    transport = recorder(path, FakeClock(START))
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(http_server.url + "/big")).json() == ["x" * 5000]
        assert len((await client.get(http_server.url + "/packed")).content) == MIB
        assert (await client.get(http_server.url + "/ok")).json() == [1]
    assert transport.skipped == 1  # /big: its raw bytes pass the limit
    assert transport.write_errors == 1  # /packed: small raw, but it inflates past the limit
    assert [frame.path for frame in read_tape(path).frames] == ["/ok"]


async def test_error_bodies_are_recorded_although_the_fetcher_does_not_parse_them(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    http_server.route("/x", Reply.json('{"error": "slow down"}', status=429, **{"Retry-After": "30"}))
    path = tmp_path / "tape.jsonl"
    async with httpx.AsyncClient(transport=recorder(path, FakeClock(START))) as client:
        with pytest.raises(RateLimited):
            await JsonFetcher("espn", client, http_server.url).get_json("/x")
    (frame,) = read_tape(path).frames
    assert (frame.status, frame.content) == (429, b'{"error":"slow down"}')


async def test_a_too_deep_body_is_recorded_as_text_and_replays_as_a_payload_error(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    deep = "[" * 5_000 + "]" * 5_000
    http_server.route("/deep", Reply.json(deep))
    path = tmp_path / "tape.jsonl"
    clock = FakeClock(START)
    async with httpx.AsyncClient(transport=recorder(path, clock)) as client:
        with pytest.raises(PayloadError, match="nested too deeply"):
            await JsonFetcher("espn", client, http_server.url).get_json("/deep")
    tape = read_tape(path)
    assert tape.frames[0].content == deep.encode()
    async with httpx.AsyncClient(transport=ReplayTransport(tape, FakeClock(START))) as client:
        with pytest.raises(PayloadError, match="nested too deeply"):
            await JsonFetcher("espn", client, "http://tape.invalid").get_json("/deep")
