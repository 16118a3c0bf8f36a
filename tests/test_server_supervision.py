"""The server's background tasks are supervised (issue 10, item 1, server side).

The fan-out pump is made to die by a history append that raises once: the death is logged with its
traceback at once, ``/health`` says ``degraded`` with the reason while it lasts and ``ok`` after, the
pump is restarted after its backoff, and its clients lose nothing silently: the burst it had taken
becomes a fresh ``recovered: false`` snapshot, and the stream goes on from there without a gap. A
pump that falls behind its engine (the bus drops its queue) does the same. Real sockets, the demo tape
on a paused replay clock; the supervisor runs on a FakeClock, so restarts happen when the test says.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

import scoreterm.net.server as server_module
from scoreterm.backoff import TASK_RESTART
from scoreterm.domain.model import SourceStatus, StatusUpdate, Update
from scoreterm.engine.clock import FakeClock, SystemClock
from scoreterm.engine.supervisor import RECOVERED_AFTER_S, Supervisor
from scoreterm.net.history import History, HistoryError
from scoreterm.net.server import ScoretermServer
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from tests.servers import (
    DEMO_LEAGUE,
    DEMO_MATCH,
    FIRST_GOAL_T,
    SECOND_GOAL_T,
    Json,
    RunningServer,
    WsClient,
    running_server,
    server_config,
    until,
    ws_client,
)
from tests.test_server import Lines, cli_env, stopped

LEAGUE = f"league:{DEMO_LEAGUE}"
START = datetime(2026, 6, 11, 19, tzinfo=UTC)
SEED = 5


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock of the server's supervisor (backoffs, "recovered after a minute")."""
    fake = FakeClock(START)
    monkeypatch.setattr(server_module, "Supervisor", lambda _: Supervisor(fake, rng=random.Random(SEED)))
    return fake


def first_backoff() -> float:
    return TASK_RESTART.delay(1, random.Random(SEED))


def fail_once(history: History) -> Callable[[Update], bool]:
    """``history.append`` that raises the first time, as a full disk would."""
    real = history.append
    calls = 0

    def append(update: Update) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise HistoryError(f"history database {history.path}: disk I/O error")
        return real(update)

    return append


async def health(rs: RunningServer) -> Json:
    async with httpx.AsyncClient(timeout=5) as http:
        body: Json = (await http.get(f"{rs.http}/health")).json()
        return body


def demo_score(frame: Json) -> tuple[int, int]:
    (match,) = [m for m in frame["matches"] if m["id"] == DEMO_MATCH]
    return match["score"]["home"], match["score"]["away"]


def demo_seq(frame: Json) -> int:
    (match,) = [m for m in frame["matches"] if m["id"] == DEMO_MATCH]
    return int(match["seq"])


async def stream_until_pong(client: WsClient) -> list[Json]:
    """Every frame up to the pong of a ping sent now (so: everything queued before it)."""
    await client.send_json({"op": "ping", "id": "end"})
    return await client.recv_until(lambda f: f["type"] == "pong" and f["id"] == "end")


def contiguous_after(base: int, frames: list[Json]) -> list[int]:
    """The demo match's seqs as a client keeps them after a snapshot at ``base``: each delta or event
    at or below the last seq is a duplicate (dropped); every other one must be exactly the next."""
    last, kept = base, []
    for frame in frames:
        if frame.get("match_id") != DEMO_MATCH or frame["type"] not in ("delta", "event"):
            continue
        if frame["seq"] <= last:
            continue
        assert frame["seq"] == last + 1, f"gap: seq {frame['seq']} after {last}"
        last = frame["seq"]
        kept.append(last)
    return kept


async def test_a_fan_out_that_dies_is_logged_reported_restarted_and_loses_nothing_silently(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with running_server() as rs, ws_client(rs.url) as client:
        first = await client.subscribe(LEAGUE)
        before_goal = demo_seq(first)
        assert (await health(rs))["status"] == "ok"
        monkeypatch.setattr(rs.history, "append", fail_once(rs.history))

        rs.jump_to(FIRST_GOAL_T)
        await until(lambda: bool(rs.server.supervisor.problems()))
        died = [r.getMessage() for r in caplog.records if "fan-out died" in r.getMessage()]
        assert len(died) == 1 and "Traceback" in died[0] and "disk I/O error" in died[0]
        trouble = await health(rs)
        assert trouble["status"] == "degraded"
        assert list(trouble["problems"]) == ["fan-out"]
        reason = trouble["problems"]["fan-out"]
        assert reason.startswith("restarting after: HistoryError: ") and reason.endswith("disk I/O error")

        await clock.advance(first_backoff())
        assert rs.server.supervisor.running("fan-out")
        # The burst the dead pump held was never sent: a fresh snapshot takes its place, first.
        resync = await client.recv_json()
        assert (resync["type"], resync["channel"], resync["recovered"]) == ("snapshot", LEAGUE, False)
        assert demo_score(resync) == (1, 0) and demo_seq(resync) > before_goal
        base = demo_seq(resync)
        frames = await stream_until_pong(client)
        rs.jump_to(SECOND_GOAL_T)
        frames += await client.recv_until(
            lambda f: f["type"] == "delta" and f["data"]["score"] == {"home": 2, "away": 0}
        )
        kept = contiguous_after(base, frames)
        assert kept[-1] == frames[-1]["seq"]  # up to the 2-0 delta, each seq once, in order
        assert [
            f["event"]["score"] for f in frames if f["type"] == "event" and f["event"]["kind"] == "goal"
        ] == [{"home": 2, "away": 0}]

        recovering = await health(rs)
        assert recovering["status"] == "degraded"
        assert recovering["problems"]["fan-out"].startswith("restarted 1x, last: HistoryError")
        await clock.advance(RECOVERED_AFTER_S)
        healthy = await health(rs)
        assert (healthy["status"], healthy["problems"]) == ("ok", {})

        # The lost burst is not in the history: resuming across it is a snapshot, never a gap.
        async with ws_client(rs.url) as late:
            await late.send_json(
                {"op": "hello", "epoch": rs.history.epoch, "resume": {DEMO_MATCH: before_goal}}
            )
            answer = await late.subscribe(LEAGUE)
        assert answer["type"] == "snapshot" and answer["recovered"] is False


async def test_metrics_count_restarts_and_resyncs(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        await client.subscribe(LEAGUE)
        monkeypatch.setattr(rs.history, "append", fail_once(rs.history))
        rs.jump_to(FIRST_GOAL_T)
        await until(lambda: bool(rs.server.supervisor.problems()))
        await clock.advance(first_backoff())
        await client.recv_until(lambda f: f["type"] == "snapshot")
        async with httpx.AsyncClient(timeout=5) as http:
            text = (await http.get(f"{rs.http}/metrics")).text
        assert 'scoreterm_task_restarts{task="fan-out"} 1.0' in text
        assert 'scoreterm_resyncs_total{reason="fan_out_restart"} 1.0' in text
        assert "scoreterm_degraded 1.0" in text


async def test_a_fan_out_that_falls_behind_gives_its_clients_a_fresh_snapshot() -> None:
    """The bus drops the queue of a subscriber 10,000 updates behind: before, the pump resubscribed
    and went on, and its clients silently missed whatever was dropped."""
    async with running_server() as rs, ws_client(rs.url) as client:
        first = await client.subscribe(LEAGUE)
        status = StatusUpdate(channel=LEAGUE, at=START, status=SourceStatus(provider="flood"))
        for _ in range(10_001):  # publish() does not yield: the pump cannot drain meanwhile
            await rs.session.engine.bus.publish(status)
        resync = await client.recv_until(lambda f: f["type"] == "snapshot")
        assert resync[-1]["recovered"] is False and demo_seq(resync[-1]) == demo_seq(first)
        assert all(f["type"] == "status" for f in resync[:-1])
        rs.jump_to(FIRST_GOAL_T)
        frames = await client.recv_until(
            lambda f: f["type"] == "delta" and f["data"]["score"] == {"home": 1, "away": 0}
        )
        assert contiguous_after(demo_seq(first), frames)
        assert rs.server.supervisor.problems() == {}  # falling behind is not a death


async def test_a_lone_servers_engine_runs_under_its_supervisor(clock: FakeClock) -> None:
    """The server runs its engine itself (net/runner.py), on a lone instance as behind a backplane:
    an engine that dies shows in /health; a replay's, which may end on its own, is not restarted."""
    session = replay_session(demo_tape(), UTC, name="dies", speed=math.inf)
    engine = session.engine

    async def run_fails() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("engine bug")

    engine.run = run_fails  # type: ignore[method-assign]
    server = ScoretermServer(engine, ServerState(History(None)), server_config(), SystemClock())
    await server.start()
    try:
        await until(lambda: "engine" in server.supervisor.problems())
        health = server.http.health()
        assert (health["status"], health["problems"]) == (
            "degraded",
            {"engine": "failed: RuntimeError: engine bug"},
        )
        assert server.runner.task is not None and server.runner.task.done()
        await clock.advance(RECOVERED_AFTER_S)
        assert not server.supervisor.running("engine")  # not restarted
    finally:
        await server.close()
        await session.client.aclose()


# -- the serve command: give up -> exit 1; a restarted task shows in /health ----------------------


def faulty_serve(fault: str, tmp_path: Path) -> subprocess.Popen[str]:
    args = ["serve", "--demo", "--port", "0", "--db", str(tmp_path / "h.sqlite3"), "--speed", "300"]
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "faulty_serve.py"), fault, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
    )


@pytest.mark.slow  # a subprocess
def test_serve_exits_1_with_one_line_when_a_task_keeps_dying(tmp_path: Path) -> None:
    with stopped(faulty_serve("append-fails", tmp_path)) as server:
        _, stderr = server.communicate(timeout=60)
    assert server.returncode == 1, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("scoreterm: error: background task fan-out keeps failing (HistoryError: ")
    assert lines[-1].endswith("database or disk is full (injected)); stopping")
    # Each death was logged at once, with its traceback: three runs, the first and two restarts.
    assert stderr.count("background task fan-out died") == 3 and "Traceback" in stderr


@pytest.mark.slow  # a subprocess
def test_serve_restarts_its_position_keeper_and_health_shows_it(tmp_path: Path) -> None:
    with stopped(faulty_serve("position-fails-once", tmp_path)) as server:
        assert server.stderr is not None
        errors = Lines(server.stderr)
        banner = errors.until(lambda line: "ws://" in line)
        port = int(re.findall(r":(\d+)/v1/ws", banner)[0])
        errors.until(lambda line: "background task tape-position died" in line)
        errors.until(lambda line: "restarting tape-position" in line)
        health = {}
        for _ in range(50):  # bounded: the restart comes within the 10-20 ms backoff
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
            if health["problems"].get("tape-position", "").startswith("restarted"):
                break
        assert health["status"] == "degraded"
        assert health["problems"] == {
            "tape-position": "restarted 1x, last: HistoryError: "
            f"history database {tmp_path / 'h.sqlite3'}: disk I/O error (injected)"
        }
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
    with History(tmp_path / "h.sqlite3") as history:
        assert float(history.get_meta("replay:demo") or 0) > 0
