"""How ``watch --server`` fails: a URL it cannot use, an unexpected error, a wrong path, a 429, a
countdown that counts, and stdout closed or full. Real sockets and real servers throughout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app as cli_app
from scoreterm.commands.remote import _run_json
from scoreterm.config import Settings
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.model import StatusUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.net.client import (
    RETRY_AFTER_CAP_S,
    ConnectionState,
    FeedStopped,
    RemoteFeed,
    ServerRefused,
    WrongURL,
)
from scoreterm.net.server_url import BadServerURL, server_url, shown_url
from tests.servers import running_server, server_config, until, ws_client
from tests.test_remote_status import SCORETERM, closed_port, env

START = datetime(2026, 6, 14, 18, 0, tzinfo=UTC)
WAIT_S = 10.0
runner = CliRunner(mix_stderr=False)


async def first_status(feed: RemoteFeed) -> StatusUpdate:
    """The feed's first word on its connection (bounded)."""
    async with asyncio.timeout(WAIT_S):
        async for update in feed:
            if isinstance(update, StatusUpdate) and update.channel == CONNECTION:
                return update
    raise AssertionError("the feed ended without a connection status")


# -- 1. the URL -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("ws://127.0.0.1:8765", "ws://127.0.0.1:8765/v1/ws"),
        ("ws://127.0.0.1:8765/", "ws://127.0.0.1:8765/v1/ws"),
        ("ws://127.0.0.1:8765/v1/ws", "ws://127.0.0.1:8765/v1/ws"),
        ("ws://127.0.0.1:8765/v1/ws/", "ws://127.0.0.1:8765/v1/ws"),
        ("ws://127.0.0.1:8765?token=x", "ws://127.0.0.1:8765/v1/ws?token=x"),
        ("ws://127.0.0.1:8765/v1/ws?token=x", "ws://127.0.0.1:8765/v1/ws?token=x"),
        ("wss://example.org/scores", "wss://example.org/scores/v1/ws"),  # behind a proxy, a prefix
        ("ws://[::1]:8765", "ws://[::1]:8765/v1/ws"),
        (" ws://host ", "ws://host/v1/ws"),
    ],
)
def test_a_server_url_gets_the_websocket_path_once_and_keeps_its_query(given: str, used: str) -> None:
    assert server_url(given) == used


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("ws://127.0.0.1:99999", "port 99999 is out of range"),
        ("ws://127.0.0.1:65536", "port 65536 is out of range"),
        ("ws://127.0.0.1:abc", "port 'abc' is not a number"),
        ("ws://127.0.0.1:0", "port 0"),
        ("http://127.0.0.1:8765", "http:// is not a WebSocket URL"),
        ("127.0.0.1:8765", "not a WebSocket URL"),
        ("ws://:8765", "no host"),
        ("ws://[::1", "IPv6"),
        ("", "not a WebSocket URL"),
    ],
)
def test_a_server_url_the_client_cannot_use_says_why(given: str, why: str) -> None:
    with pytest.raises(BadServerURL, match=why):
        server_url(given)
    with pytest.raises(BadServerURL):
        RemoteFeed(given)


def test_the_url_shown_hides_the_token() -> None:
    assert shown_url("ws://h:1/v1/ws?token=s3cret&x=1") == "ws://h:1/v1/ws?token=***&x=1"
    assert shown_url("ws://h:1/v1/ws") == "ws://h:1/v1/ws"


@pytest.mark.parametrize("url", ["ws://127.0.0.1:99999", "ws://127.0.0.1:abc", "ws://127.0.0.1:0"])
@pytest.mark.parametrize("json_output", [True, False])
def test_watch_with_a_bad_server_url_exits_2_with_one_line(
    url: str, json_output: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to show "Connecting…" (or print nothing) forever: websockets' ValueError killed the
    connection task in silence."""
    monkeypatch.setenv("SCORETERM_CONFIG", str(tmp_path / "none.toml"))
    args = ["watch", "--server", url] + (["--json"] if json_output else [])
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scoreterm: error: bad --server {url!r}: port ")


# -- 1. an unexpected error ends the feed, out loud -------------------------------------------------


def feed_that_cannot_connect() -> RemoteFeed:
    """A feed whose connection raises what websockets raises for a port out of range.

    The constructor refuses such a URL now, so the URL is set behind its back: this is the path of
    any exception the loop does not expect.
    """
    feed = RemoteFeed(f"ws://127.0.0.1:{closed_port()}", clock=FakeClock(START))
    feed.url = feed.shown_url = "ws://127.0.0.1:99999/v1/ws"
    return feed


async def test_an_unexpected_error_ends_the_feed_instead_of_a_silent_dead_task() -> None:
    feed = feed_that_cannot_connect()
    await feed.start()
    try:
        with pytest.raises(FeedStopped, match="ValueError: Port out of range") as stopped:
            async with asyncio.timeout(WAIT_S):
                async for _ in feed:
                    pass
        assert feed.error is stopped.value and feed.state is ConnectionState.OFFLINE
        assert feed.describe() == f"stopped: {stopped.value}"
    finally:
        await feed.close()
    assert not getattr(stopped.value, "fatal", False)  # a dashboard keeps its data and says so
    assert isinstance(stopped.value.__cause__, ValueError)


def test_watch_json_exits_1_with_one_line_when_the_feed_stops(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_json(feed_that_cannot_connect()) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "scoreterm: error: the connection to ws://127.0.0.1:99999/v1/ws stopped: "
        "ValueError: Port out of range 0-65535"
    ]


async def test_the_dashboard_says_the_feed_stopped() -> None:
    from scoreterm.tui.app import AppOptions, make_app
    from tests.tui_helpers import until as app_until

    app = make_app(feed_that_cannot_connect(), AppOptions(settings=Settings(), zone=UTC, leagues=[]))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await app_until(pilot, lambda: app.feed_state == "failed")
        toasts = [(n.title, n.message) for n in app._notifications]
    assert any(title == "Feed stopped" and "Port out of range" in text for title, text in toasts)


# -- 2. the countdown ------------------------------------------------------------------------------


async def test_the_retry_countdown_counts_down() -> None:
    clock = FakeClock(START)
    feed = RemoteFeed(f"ws://127.0.0.1:{closed_port()}", clock=clock, rng=random.Random(3))
    await feed.start()
    try:
        # Fail until a wait long enough to count down from (the backoff's ceiling doubles each time).
        while True:
            await until(lambda: feed.retry_in is not None, WAIT_S)
            delay = feed.retry_in
            assert delay is not None
            if delay >= 6:
                break
            await clock.advance(delay)
        attempt = feed.attempt
        label = feed.state.value
        assert feed.describe() == f"{label}: retry in {delay:.0f}s (attempt {attempt})"
        await clock.advance(delay - 4.2)
        assert feed.describe() == f"{label}: retry in 4s (attempt {attempt})"
        await clock.advance(4.0)
        assert feed.describe() == f"{label}: retry in 0s (attempt {attempt})"
        assert feed.retry_in == delay  # what was scheduled, as the status line said it
    finally:
        await feed.close()


# -- 3. a path that is no server's -------------------------------------------------------------------


async def test_a_404_at_the_upgrade_is_a_wrong_url_not_retried_forever() -> None:
    async with running_server() as rs:
        feed = RemoteFeed(f"ws://127.0.0.1:{rs.port}/wrong", clock=FakeClock(START))
        await feed.start()
        try:
            with pytest.raises(WrongURL, match=r"no scoreterm server at .*/wrong/v1/ws \(HTTP 404\)"):
                async with asyncio.timeout(WAIT_S):
                    async for _ in feed:
                        pass
        finally:
            await feed.close()
    assert isinstance(feed.error, ServerRefused) and feed.error.fatal
    assert feed.attempt == 0 and feed.retry_in is None  # no retry was scheduled


async def test_watch_server_with_a_wrong_path_exits_2_with_one_line(tmp_path: Path) -> None:
    async with running_server() as rs:
        url = f"ws://127.0.0.1:{rs.port}/wrong"
        process = await asyncio.create_subprocess_exec(
            *SCORETERM, "watch", "--server", url, "--json",
            env=env(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert out == b""
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scoreterm: error: no scoreterm server at {url}/v1/ws")


async def test_a_token_in_the_query_string_is_kept_after_the_path_and_never_shown() -> None:
    async with running_server(server_config(token="s3cret")) as rs:
        port = rs.port
        feed = RemoteFeed(f"ws://127.0.0.1:{port}?token=s3cret", clock=FakeClock(START))
        await feed.start()
        try:
            status = await first_status(feed)
            described = feed.describe()
        finally:
            await feed.close()
    assert status.status.state == "connected"
    assert status.status.provider == f"ws://127.0.0.1:{port}/v1/ws?token=***"
    assert "s3cret" not in described and described.startswith("connected to ")


# -- 4. Retry-After ----------------------------------------------------------------------------------


async def test_a_429_waits_as_long_as_retry_after_says_and_says_so() -> None:
    async with running_server(server_config(new_connections_per_minute=1)) as rs:
        feed = RemoteFeed(rs.url, clock=FakeClock(START), rng=random.Random(1))
        async with ws_client(rs.url):  # takes the address's one connection of the minute
            await feed.start()
            try:
                status = (await first_status(feed)).status
                described = feed.describe()
            finally:
                await feed.close()
    assert status.state == "reconnecting"
    # The server asks for the rest of its minute: far more than a first backoff (at most 0.5 s).
    assert status.next_poll_s is not None and 30 <= status.next_poll_s <= 60
    wait = f"{status.next_poll_s:.0f}s"
    assert status.message.startswith(f"HTTP 429 Too Many Requests, the server asked to wait {wait}")
    assert described == f"reconnecting: retry in {wait} (the server asked to wait {wait}) (attempt 1)"


@contextlib.asynccontextmanager
async def refusing_with(retry_after: str) -> AsyncIterator[str]:
    """A server that answers every upgrade with 429 and ``Retry-After: retry_after``; yields its URL."""

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: "
                + retry_after.encode()
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    async with server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@pytest.mark.parametrize(
    ("retry_after", "waits"),
    [
        ("100000", RETRY_AFTER_CAP_S),  # bounded
        ("1" * 5000, RETRY_AFTER_CAP_S),  # more digits than int() takes
        (format_datetime(START + timedelta(seconds=90), usegmt=True), 90.0),  # a date, on our clock
        ("soon", None),  # nonsense: the backoff alone
        ("-5", None),
        ("0", None),
    ],
)
async def test_retry_after_is_bounded_and_nonsense_is_ignored(retry_after: str, waits: float | None) -> None:
    async with refusing_with(retry_after) as url:
        feed = RemoteFeed(url, clock=FakeClock(START), rng=random.Random(2))
        await feed.start()
        try:
            status = (await first_status(feed)).status
        finally:
            await feed.close()
    assert status.next_poll_s is not None
    if waits is None:
        assert status.next_poll_s <= 0.5 and feed.asked_wait is None
        assert "asked" not in status.message
    else:
        assert status.next_poll_s == pytest.approx(waits)
        assert f"the server asked to wait {waits:.0f}s" in status.message


# -- 5. stdout closed or full ----------------------------------------------------------------------


async def run_with_stdout(args: list[str], stdout: int, tmp_path: Path) -> tuple[int, str]:
    """Run scoreterm with ``stdout`` as its standard output; its exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        *SCORETERM, *args, env=env(tmp_path), stdout=stdout, stderr=asyncio.subprocess.PIPE
    )
    os.close(stdout)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode()


def closed_pipe() -> int:
    """The write end of a pipe whose reader has gone (as after ``| head -3`` took its lines)."""
    reader, writer = os.pipe()
    os.close(reader)
    return writer


def full_disk() -> int:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    return os.open("/dev/full", os.O_WRONLY)


REPLAY = ["replay", "--demo", "--json", "--speed", "max"]
NO_SPACE = "scoreterm: error: cannot write output: No space left on device\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and /dev/full")
async def test_replay_json_into_a_closed_pipe_exits_0_quietly(tmp_path: Path) -> None:
    assert await run_with_stdout(REPLAY, closed_pipe(), tmp_path) == (0, "")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and /dev/full")
async def test_replay_json_onto_a_full_disk_says_so_in_one_line(tmp_path: Path) -> None:
    assert await run_with_stdout(REPLAY, full_disk(), tmp_path) == (1, NO_SPACE)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and /dev/full")
async def test_watch_server_json_into_a_closed_pipe_or_a_full_disk(tmp_path: Path) -> None:
    async with running_server() as rs:
        watch = ["watch", "--server", rs.url, "--json"]
        assert await run_with_stdout(watch, closed_pipe(), tmp_path) == (0, "")
        assert await run_with_stdout(watch, full_disk(), tmp_path) == (1, NO_SPACE)
