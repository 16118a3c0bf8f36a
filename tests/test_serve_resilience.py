"""Resilience of ``scoreterm serve`` and its clients: nothing lost, nothing doubled, whatever breaks.

- Client connections killed from the server side while the demo tape plays: the ``RemoteFeed``
  reconnects, resumes, and ends with exactly the server's history — each update once, in order.
- The server *process* stopped mid-match (SIGTERM, and SIGKILL) and restarted on the same database
  and port: the client ends with exactly what the server's SQLite history holds, same epoch.
- Resume edge cases: catch-up never overtaken by live frames, a position the server never gave,
  every frame committed before it is sent.
- A client in another implementation (Node.js + ``ws``) speaks the protocol from docs/protocol.md.
- ``RemoteFeed`` on its own: backoff with full jitter, refusal, duplicates, latency.

Every wait is bounded; the replay clock is driven by the test (paused + jumps) or runs at a fixed
speed, never by a guess about wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from scoreterm.backoff import SERVER_RECONNECT
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    Match,
    PhaseState,
    SnapshotUpdate,
    StatusUpdate,
    Update,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.net import protocol as p
from scoreterm.net.client import (
    OFFLINE_AFTER,
    ConnectionState,
    RemoteFeed,
    ServerRefused,
)
from scoreterm.net.history import History
from scoreterm.replay.tape import demo_tape
from tests.servers import (
    DEMO_LEAGUE,
    DEMO_MATCH,
    FIRST_GOAL_T,
    OTHER_MATCH,
    RunningServer,
    running_server,
    server_config,
    ws_client,
)

pytestmark = pytest.mark.slow  # serve subprocesses, a Node.js client, whole tapes; out of the fast loop
LEAGUE_CHANNEL = f"league:{DEMO_LEAGUE}"
# The position of a delta or event frame: its top-level match_id, then seq (the struct's field order).
FRAME_POSITION = re.compile(rb'"match_id":"([^"]+)","seq":(\d+)')
FAKE_START = datetime(2026, 6, 11, 19, tzinfo=UTC)
WAIT_S = 10.0
NODE_DIR = Path(__file__).parent / "node"


# -- helpers --------------------------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on right now (bound once by the OS, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until(condition: Callable[[], bool], what: str, within: float = WAIT_S) -> None:
    """Poll ``condition`` every 10 ms; fail the test naming ``what`` after ``within`` seconds.

    Polling, not an event: the conditions span the server, the engine and the client.
    """
    try:
        async with asyncio.timeout(within):
            while True:
                if condition():
                    return
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(f"timed out after {within:.0f}s waiting for {what}")


def queued_changes(feed: RemoteFeed) -> int:
    """Updates a feed has queued for its reader, its own connection statuses left out."""
    queued = list(feed._queue._queue)  # type: ignore[attr-defined]  # test-only peek
    return sum(1 for u in queued if isinstance(u, Update) and not isinstance(u, StatusUpdate))


class RecordingFeed(RemoteFeed):
    """A ``RemoteFeed`` that also keeps every server frame it handled (resumed, pong, snapshots...)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[p.ServerMessage] = []

    async def _receive(self, message: p.ServerMessage) -> None:
        self.frames.append(message)
        await super()._receive(message)

    def of_type(self, kind: type[p.ServerMessage]) -> list[Any]:
        """The frames of one type, in the order they came."""
        return [frame for frame in self.frames if isinstance(frame, kind)]


class Consumer:
    """Reads a feed in a task, the way the TUI's worker does, and keeps every update it yields."""

    def __init__(self, feed: RemoteFeed) -> None:
        self.feed = feed
        self.updates: list[Update] = []
        self.error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.feed.start()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for update in self.feed:
                self.updates.append(update)
        except Exception as exc:  # kept for the test to assert on
            self.error = exc

    async def close(self) -> None:
        await self.feed.close()
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, WAIT_S)

    def events(self) -> list[tuple[str, int, str]]:
        """(match_id, seq, key) of every event update, in the order the consumer got them."""
        return [(u.match_id, u.seq, u.event.key) for u in self.updates if isinstance(u, EventUpdate)]

    def saw(self, predicate: Callable[[Update], bool]) -> bool:
        return any(predicate(u) for u in self.updates)


@contextlib.asynccontextmanager
async def consuming(feed: RemoteFeed) -> AsyncIterator[Consumer]:
    consumer = Consumer(feed)
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.close()


def is_goal(update: Update) -> bool:
    return isinstance(update, EventUpdate) and update.event.kind.is_goal


def is_final(update: Update) -> bool:
    return (
        isinstance(update, DeltaUpdate)
        and update.match.id == DEMO_MATCH
        and update.match.phase.state is PhaseState.FINAL
    )


def seq_stream(updates: list[Update], match_id: str) -> tuple[int, list[tuple[str, int]]]:
    """Check one match's seqs as a consumer saw them, and return (base, [(kind, seq)...]).

    The first snapshot sets the base; after it every delta or event must carry exactly the next seq
    (no gap, no duplicate, in order), and any later snapshot must sit exactly where the stream is
    (a snapshot that jumps ahead would be a resume that fell back — not expected here).
    """
    base: int | None = None
    last = 0
    stream: list[tuple[str, int]] = []
    for update in updates:
        if isinstance(update, SnapshotUpdate):
            seqs = [m.seq for m in update.matches if m.id == match_id]
            if not seqs:
                continue
            if base is None:
                base = last = seqs[0]
            else:
                assert seqs[0] == last, f"snapshot at seq {seqs[0]} while the stream was at {last}"
        elif isinstance(update, DeltaUpdate | EventUpdate) and update.match_id == match_id:
            assert base is not None, "an update came before any snapshot"
            assert update.seq == last + 1, f"{update.kind} seq {update.seq} after seq {last}"
            last = update.seq
            stream.append((update.kind.value, update.seq))
    assert base is not None, f"no snapshot of {match_id}"
    return base, stream


def history_stream(history: History, match_id: str, after: int) -> list[tuple[str, int]]:
    held = history.since(match_id, after)
    assert held is not None, "the history no longer holds the whole match"
    return [(u.kind.value, u.seq) for u in held]


def timeline_events(history: History, match_id: str, after: int = 0) -> list[tuple[str, int, str]]:
    return [(match_id, u.seq, u.event.key) for u in history.timeline(match_id, after)]


def counter(server: RunningServer, name: str, label: str) -> float:
    """A labelled counter of the in-process server (``resumes``/``recovered`` -> its count)."""
    label_name = {"resumes": "outcome", "rejected": "reason"}[name]
    sample = f"scoreterm_{name}_total"
    value = server.server.metrics.registry.get_sample_value(sample, {label_name: label})
    return value or 0.0


def tape_at(rs: RunningServer, t: float) -> Callable[[], bool]:
    return lambda: rs.position >= t


def resumed_times(feed: RecordingFeed, n: int) -> Callable[[], bool]:
    return lambda: len(feed.of_type(p.Resumed)) == n and feed.state is ConnectionState.CONNECTED


def failed_times(feed: RemoteFeed, n: int) -> Callable[[], bool]:
    return lambda: feed.attempt == n and feed.retry_in is not None


async def settled(rs: RunningServer) -> None:
    """Wait until the server has recorded (and sent) everything its engine applied."""
    await wait_until(
        lambda: (
            all(
                rs.history.latest_seq(m.id) in (0, m.seq)
                for m in rs.session.engine.store.matches(DEMO_LEAGUE)
            )
            and rs.history.latest_seq(DEMO_MATCH) > 0
        ),
        "the server's history to catch up with its engine",
    )


# -- 1. client connections killed while the tape plays ---------------------------------------------

KILLS_AT = (700.0, 2000.0, 4300.0, 5400.0, 6900.0)  # tape s; both goals and two red cards fall offline
OFFLINE_FOR = 240.0  # tape seconds the client stays away after each kill (about a dozen polls)
RESILIENCE_SPEED = 800.0  # the 7380 s tape in about 9 s


async def test_no_gap_no_duplicate_across_client_disconnects(tmp_path: Path) -> None:
    async with running_server(speed=RESILIENCE_SPEED, history_path=tmp_path / "h.sqlite3") as rs:
        published = rs.session.engine.bus.subscribe(["*"])  # everything the engine says, for reference
        # The feed's own clock is fake: after a kill the client stays away until the test lets it
        # retry, so every reconnect really has something to catch up on.
        feed_clock = FakeClock(FAKE_START)
        feed = RecordingFeed(rs.url, [DEMO_LEAGUE], clock=feed_clock, rng=random.Random(5))
        async with consuming(feed) as consumer:
            await wait_until(lambda: DEMO_MATCH in feed.last_seq, "the client's first snapshot")
            rs.clock.resume()
            for n, t in enumerate(KILLS_AT, start=1):
                await wait_until(tape_at(rs, t), f"the tape to reach {t}s", 20)
                (victim,) = rs.server.clients.values()
                assert LEAGUE_CHANNEL in victim.subscriptions
                victim.ws.transport.abort()
                await wait_until(lambda: feed.retry_in is not None, f"the client to notice kill {n}")
                assert feed.state is ConnectionState.RECONNECTING and feed.attempt == 1
                assert feed.describe().startswith("reconnecting: retry in")
                await wait_until(tape_at(rs, t + OFFLINE_FOR), "the tape to move on", 20)
                await feed_clock.advance(feed.retry_in or 0.0)
                await wait_until(resumed_times(feed, n), f"resume {n}")
                # Connected again: the next drop starts a fresh backoff, not attempt n + 1.
                assert feed.attempt == 0
            await asyncio.wait_for(asyncio.shield(rs.engine_task), 30)
            store = rs.session.engine.store
            await wait_until(
                lambda: feed.last_seq == {m.id: m.seq for m in store.matches(DEMO_LEAGUE)},
                "the client to catch up with the server",
            )

        # Each update once, in order, from the first snapshot to the end, deltas and events alike.
        base, stream = seq_stream(consumer.updates, DEMO_MATCH)
        assert stream == history_stream(rs.history, DEMO_MATCH, base)
        # The client joined before kick-off: at the first state, or just after the pre-match line
        # (the detail fetched at the first poll) landed.
        assert base in (1, 2) and stream[-1][1] == store.get(DEMO_MATCH).seq  # type: ignore[union-attr]
        assert feed.last_seq[OTHER_MATCH] == store.get(OTHER_MATCH).seq  # type: ignore[union-attr]
        # The events equal what the engine published and what the history holds, in order.
        engine_events = []
        while published.pending():
            u = await published.get()
            if isinstance(u, EventUpdate):
                engine_events.append((u.match_id, u.seq, u.event.key))
        history_events = timeline_events(rs.history, DEMO_MATCH) + timeline_events(rs.history, OTHER_MATCH)
        assert consumer.events() == engine_events == history_events
        assert [key for _, _, key in consumer.events()].count("goal:home:1-0") == 1
        assert {"goal:home:1-0", "goal:home:2-0", "phase:FT"} <= {k for _, _, k in consumer.events()}
        # Five reconnects, each a real resume that replayed what was missed; never a fallback snapshot.
        resumed = feed.of_type(p.Resumed)
        assert len(resumed) == len(KILLS_AT) and all(r.replayed > 0 for r in resumed)
        assert feed.recovered is True
        assert not [s for s in feed.of_type(p.Snapshot) if s.recovered is False]
        assert counter(rs, "resumes", "recovered") == len(KILLS_AT)
        assert counter(rs, "resumes", "snapshot") == 0


async def test_catch_up_is_not_overtaken_by_live_frames() -> None:
    """A resume whose catch-up meets a full send buffer must not let live frames jump the queue:
    the client would drop the older catch-up frames as duplicates — a silent gap."""
    async with running_server() as rs:
        rs.jump_to(1000)
        await settled(rs)
        async with ws_client(rs.url) as client:
            await client.send_json({"op": "hello", "epoch": rs.history.epoch, "resume": {DEMO_MATCH: 1}})
            await client.assert_alive()
            (server_side,) = rs.server.clients.values()
            server_side.ws.pause_writing()  # as asyncio does when the socket cannot take more
            await client.send_json({"op": "subscribe", "channel": LEAGUE_CHANNEL})
            await wait_until(lambda: LEAGUE_CHANNEL in server_side.subscriptions, "the subscribe")
            before = rs.history.latest_seq(DEMO_MATCH)
            rs.jump_to(2000)  # live updates while the catch-up waits for the socket
            await wait_until(lambda: rs.history.latest_seq(DEMO_MATCH) > before, "live updates")
            newest = rs.history.latest_seq(DEMO_MATCH)
            server_side.ws.resume_writing()
            # The pong comes after everything the subscribe and the engine queued before the ping.
            await client.send_json({"op": "ping", "id": "end"})
            frames = await client.recv_until(lambda f: f["type"] == "pong")
        seqs = [f["seq"] for f in frames if f.get("match_id") == DEMO_MATCH]
        assert frames[0]["type"] == "resumed"
        assert seqs == list(range(2, newest + 1))


async def test_a_position_the_server_never_gave_gets_a_fresh_snapshot() -> None:
    """A client ahead of the server (its last updates were lost in a crash, or came from another
    server) cannot be resumed: those seqs will be given to other updates. It gets ``recovered: false``."""
    async with running_server() as rs:
        rs.jump_to(1000)
        await settled(rs)
        # Far ahead: the engine may still be taking in the jump (the server gives seqs meanwhile).
        ahead = rs.history.latest_seq(DEMO_MATCH) + 1000
        async with ws_client(rs.url) as client:
            resume = {DEMO_MATCH: ahead}
            await client.send_json({"op": "hello", "epoch": rs.history.epoch, "resume": resume})
            answer = await client.subscribe(LEAGUE_CHANNEL)
            latest = rs.history.latest_seq(DEMO_MATCH)  # what the server had given when it answered
        assert answer["type"] == "snapshot" and answer["recovered"] is False
        assert [m["seq"] for m in answer["matches"] if m["id"] == DEMO_MATCH] == [latest]
        assert counter(rs, "resumes", "snapshot") == 1 and counter(rs, "resumes", "recovered") == 0


async def test_every_frame_is_committed_before_it_is_sent(tmp_path: Path) -> None:
    """What a client has seen must survive a crash of the server process (SIGKILL): otherwise the
    restarted server hands the lost seqs to other updates, and the client silently misses them.

    Checked where bytes leave for the socket (the connection's transport), whatever path sent them.
    """
    db = tmp_path / "h.sqlite3"
    committed: list[tuple[str, int]] = []
    uncommitted: list[tuple[str, int]] = []
    async with running_server(history_path=db) as rs:
        with contextlib.closing(sqlite3.connect(db)) as reader:
            # No compression: the JSON of each frame is there to read in the bytes written.
            async with ws_client(rs.url, compression=None) as client:
                (server_side,) = rs.server.clients.values()
                transport: Any = server_side.ws.transport
                real_write = transport.write

                def checking_write(data: bytes) -> None:
                    for match_id, seq in FRAME_POSITION.findall(bytes(data)):
                        key = (match_id.decode(), int(seq))
                        found = reader.execute(
                            "SELECT 1 FROM updates WHERE match_id = ? AND seq = ?", key
                        ).fetchone()
                        (committed if found else uncommitted).append(key)
                    real_write(data)

                transport.write = checking_write
                assert (await client.subscribe(LEAGUE_CHANNEL))["type"] == "snapshot"
                rs.jump_to(FIRST_GOAL_T + 60)
                await client.recv_until(lambda f: f["type"] == "event" and f["event"]["kind"] == "goal")
    assert uncommitted == [] and len(committed) >= 2


# -- 2. the server process stopped and restarted mid-stream -----------------------------------------

# Up to the first goal (820 s) at 300x: time for the client to subscribe before it. After the restart
# 600x, so each variant takes about 15 s (300x all the way would take 25).
FIRST_SPEED, RESTART_SPEED = 300, 600


def tape_positions(db: Path) -> tuple[float | None, float]:
    """Where the stopped server saved its tape position, and the tape time of its latest update."""
    started_at = demo_tape().header.started_at
    with History(db) as history:
        saved = history.get_meta("replay:demo")
        latest = max(m.updated_at for m, _ in history.restore_state() if m.updated_at is not None)
    return (None if saved is None else float(saved)), (latest - started_at).total_seconds()


class ServeProcess:
    """``scoreterm serve --demo`` in a subprocess, on a fixed port and database."""

    def __init__(self, tmp_path: Path, port: int, db: Path) -> None:
        self.tmp_path = tmp_path
        self.port = port
        self.db = db
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SCORETERM_")}
        self.env.update(SCORETERM_CONFIG=str(tmp_path / "config.toml"), TZ="UTC")

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/ws"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return "".join(
            (self.tmp_path / f"serve-{n}.err").read_text(errors="replace") for n in range(1, self.runs + 1)
        )

    async def start(self, speed: int) -> dict[str, Any]:
        """Start the server and return its /health once it answers."""
        self.runs += 1
        command = [sys.executable, "-m", "scoreterm", "serve", "--demo", "--port", str(self.port)]
        command += ["--db", str(self.db), "--speed", str(speed)]
        with (self.tmp_path / f"serve-{self.runs}.err").open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=self.env
            )
        try:
            async with httpx.AsyncClient(timeout=2.0) as http, asyncio.timeout(20):
                while True:
                    if self.proc.returncode is not None:
                        pytest.fail(f"scoreterm serve exited with {self.proc.returncode}:\n{self.stderr()}")
                    with contextlib.suppress(httpx.TransportError):
                        response = await http.get(f"{self.http}/health")
                        if response.status_code == 200:
                            health: dict[str, Any] = response.json()
                            return health
                    await asyncio.sleep(0.05)
        except TimeoutError:
            pytest.fail(f"scoreterm serve did not answer /health within 20 s:\n{self.stderr()}")

    async def stop(self, sig: signal.Signals) -> int:
        """Send ``sig`` and return the exit code (bounded wait)."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), 15)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 10)

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5.0) as http:
            response = await http.get(f"{self.http}{path}")
        response.raise_for_status()
        return response

    async def scoreboard_seqs(self) -> dict[str, int]:
        response = await self.get(f"/v1/leagues/{DEMO_LEAGUE}/scoreboard")
        return {m["id"]: m["seq"] for m in response.json()}


async def settle_with(server: ServeProcess, feed: RemoteFeed) -> None:
    """Wait until the tape is over and the client holds the server's latest seq of every match."""
    async with asyncio.timeout(30):
        agreed = 0
        while agreed < 3:  # three polls in a row: nothing is still on its way
            await asyncio.sleep(0.2)
            agreed = agreed + 1 if await server.scoreboard_seqs() == feed.last_seq else 0


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["graceful", "crash"])
async def test_server_restart_mid_stream(tmp_path: Path, stop_signal: signal.Signals) -> None:
    server = ServeProcess(tmp_path, free_port(), tmp_path / "h.sqlite3")
    try:
        first_health = await server.start(FIRST_SPEED)
        feed = RecordingFeed(server.url, [DEMO_LEAGUE], rng=random.Random(3))
        async with consuming(feed) as consumer:
            await wait_until(lambda: consumer.saw(is_goal), "the first goal", 20)
            epoch = feed.epoch
            code = await server.stop(stop_signal)
            assert code == (0 if stop_signal is signal.SIGTERM else -signal.SIGKILL), server.stderr()
            saved, recorded = tape_positions(server.db)
            if stop_signal is signal.SIGTERM:
                assert saved is not None and saved >= recorded  # saved on the way out
            else:
                # The crash left the periodic save behind the history: the restart must not replay
                # the tape from there (the engine would see the goal taken back, then scored again).
                assert saved is None or saved < recorded
            await wait_until(lambda: feed.state is not ConnectionState.CONNECTED, "the client to notice")
            second_health = await server.start(RESTART_SPEED)
            await wait_until(lambda: consumer.saw(is_final), "the final whistle", 30)
            await settle_with(server, feed)
            metrics = (await server.get("/metrics")).text
        code = await server.stop(signal.SIGTERM)
        assert code == 0, server.stderr()
    finally:
        await server.kill()
    assert consumer.error is None

    # Same history, same epoch: the client's seqs still held, and it resumed rather than starting over.
    assert first_health["epoch"] == second_health["epoch"] == epoch == feed.epoch
    assert feed.recovered is True and len(feed.of_type(p.Resumed)) == 1
    assert not [s for s in feed.of_type(p.Snapshot) if s.recovered is False]
    assert 'scoreterm_resumes_total{outcome="recovered"} 1.0' in metrics.splitlines()
    with History(server.db) as history:
        base, stream = seq_stream(consumer.updates, DEMO_MATCH)
        assert stream == history_stream(history, DEMO_MATCH, base)
        assert [e for e in consumer.events() if e[0] == DEMO_MATCH] == timeline_events(
            history, DEMO_MATCH, base
        )
        # The client subscribed before the first goal: it got it as an event, not folded into a snapshot.
        assert "goal:home:1-0" in {key for _, _, key in consumer.events()}
        events = history.timeline(DEMO_MATCH)
        final = history.restore_state()
    # The restart did not replay part of the match again: one goal each, none taken back.
    kinds = [(u.event.kind.value, u.event.key) for u in events if u.event is not None]
    assert [k for k in kinds if k[0] in ("goal", "goal_disallowed", "score_correction")] == [
        ("goal", "goal:home:1-0"),
        ("goal", "goal:home:2-0"),
    ]
    assert len({key for _, key in kinds}) == len(kinds)
    (match,) = [m for m, _ in final if m.id == DEMO_MATCH]
    assert isinstance(match, Match) and match.phase.state is PhaseState.FINAL
    assert (match.score.home, match.score.away) == (2, 0)


# -- 3. a client in another implementation ---------------------------------------------------------


@pytest.fixture(scope="session")
def node_client() -> Iterator[tuple[str, Path]]:
    """``node`` and tests/node/ws_client.mjs, with ``ws`` installed from the lockfile once per checkout."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the Node.js client test needs node and npm on PATH")
    if not (NODE_DIR / "node_modules" / "ws" / "package.json").is_file():
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=NODE_DIR,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci (tests/node) did not finish within 180 s: is the npm registry reachable?")
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            pytest.skip(f"npm ci in tests/node failed (is the npm registry reachable?): {tail}")
    yield node, NODE_DIR / "ws_client.mjs"


async def test_a_node_client_gets_welcome_snapshot_and_an_event(node_client: tuple[str, Path]) -> None:
    node, script = node_client
    async with running_server(start_at=FIRST_GOAL_T - 20) as rs:
        proc = await asyncio.create_subprocess_exec(
            node, str(script), rs.url, "15000", stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            await wait_until(
                lambda: (
                    any(LEAGUE_CHANNEL in c.subscriptions for c in rs.server.clients.values())
                    or proc.returncode is not None
                ),
                "the Node client to subscribe",
                15,
            )
            rs.jump_to(FIRST_GOAL_T)  # the goal: an event within a poll
            out, err = await asyncio.wait_for(proc.communicate(), 20)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, err.decode(errors="replace")
    frames = [json.loads(line) for line in out.decode().splitlines()]
    assert [f["type"] for f in frames[:2]] == ["welcome", "snapshot"]
    assert frames[0]["epoch"] == rs.history.epoch and frames[1]["channel"] == LEAGUE_CHANNEL
    assert DEMO_MATCH in {m["id"] for m in frames[1]["matches"]}
    event = frames[-1]
    assert event["type"] == "event" and event["match_id"] == DEMO_MATCH
    assert isinstance(event["seq"], int) and event["seq"] > 0 and event["event"]["kind"] == "goal"


async def test_the_node_client_fails_loudly_when_nothing_comes(node_client: tuple[str, Path]) -> None:
    node, script = node_client
    proc = await asyncio.create_subprocess_exec(
        node, str(script), f"ws://127.0.0.1:{free_port()}/v1/ws", "3000", stderr=subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 1 and err.decode().startswith("ws_client: connection error")


# -- 4. RemoteFeed on its own ----------------------------------------------------------------------


async def test_backoff_with_full_jitter_then_offline() -> None:
    clock = FakeClock(FAKE_START)
    feed = RemoteFeed(f"ws://127.0.0.1:{free_port()}", [DEMO_LEAGUE], clock=clock, rng=random.Random(42))
    same_draws = random.Random(42)
    delays: list[float] = []
    await feed.start()
    try:
        for attempt in range(1, OFFLINE_AFTER + 3):
            await wait_until(failed_times(feed, attempt), f"failed attempt {attempt}")
            delay = feed.retry_in
            assert delay is not None
            expected = SERVER_RECONNECT.delay(attempt, same_draws)
            assert delay == pytest.approx(expected)
            assert 0.0 <= delay <= min(SERVER_RECONNECT.cap_s, SERVER_RECONNECT.base_s * 2 ** (attempt - 1))
            state = ConnectionState.RECONNECTING if attempt <= OFFLINE_AFTER else ConnectionState.OFFLINE
            assert feed.state is state
            assert feed.describe() == f"{state.value}: retry in {delay:.0f}s (attempt {attempt})"
            delays.append(delay)
            await clock.advance(delay)
    finally:
        await feed.close()
    assert len(set(delays)) == len(delays)  # jittered, not a fixed ladder
    assert feed.state is ConnectionState.CLOSED


async def test_a_401_at_the_upgrade_is_surfaced_and_final() -> None:
    async with running_server(server_config(token="s3cret")) as rs:
        feed = RemoteFeed(rs.url, [DEMO_LEAGUE], token="wrong", clock=FakeClock(FAKE_START))
        await feed.start()
        try:
            with pytest.raises(ServerRefused, match="HTTP 401"):
                async with asyncio.timeout(WAIT_S):
                    async for _ in feed:
                        pass
            assert feed.state is ConnectionState.OFFLINE and isinstance(feed.error, ServerRefused)
            assert feed.attempt == 0 and feed.retry_in is None  # no retry scheduled
            assert counter(rs, "rejected", "token") == 1
        finally:
            await feed.close()


async def test_a_missing_token_is_refused_after_hello() -> None:
    async with running_server(server_config(token="s3cret")) as rs:
        feed = RemoteFeed(rs.url, [DEMO_LEAGUE], clock=FakeClock(FAKE_START))
        await feed.start()
        try:
            with pytest.raises(ServerRefused, match="unauthorized"):
                async with asyncio.timeout(WAIT_S):
                    async for _ in feed:
                        pass
            assert feed.state is ConnectionState.OFFLINE
        finally:
            await feed.close()


async def test_duplicates_replayed_by_the_server_are_dropped() -> None:
    """Frames a server replays from a stale resume position are handed on once; seen again, dropped."""
    async with running_server() as rs:
        rs.clock.resume()  # the whole tape, as fast as the engine goes
        await asyncio.wait_for(asyncio.shield(rs.engine_task), 20)
        await settled(rs)
        latest = rs.history.latest_seq(DEMO_MATCH)
        async with ws_client(rs.url) as client:
            stale = {DEMO_MATCH: latest - 6}
            await client.send_json({"op": "hello", "epoch": rs.history.epoch, "resume": stale})
            await client.send_json({"op": "subscribe", "channel": LEAGUE_CHANNEL})
            await client.send_json({"op": "ping", "id": "end"})  # answered after the whole catch-up
            raw = await client.recv_until(lambda f: f["type"] == "pong")
    frames = [p.decode_server(json.dumps(f)) for f in raw[:-1]]
    assert isinstance(frames[0], p.Resumed) and frames[0].replayed == 6
    assert [f.seq for f in frames if isinstance(f, p.Event | p.Delta) and f.match_id == DEMO_MATCH] == list(
        range(latest - 5, latest + 1)
    )
    feed = RemoteFeed("ws://127.0.0.1:1", clock=FakeClock(FAKE_START))  # never started: frames fed by hand
    feed.last_seq = dict(stale)
    for frame in frames:
        await feed._receive(frame)
    handed_on = queued_changes(feed)
    assert feed.recovered is True and feed.last_seq[DEMO_MATCH] == latest and feed.duplicates_dropped == 0
    for frame in frames:  # the same frames again, as around a reconnect
        await feed._receive(frame)
    assert queued_changes(feed) == handed_on == 7  # 6 replayed + the other match's fresh delta
    assert feed.duplicates_dropped == 7


async def test_a_fresh_snapshot_replaces_the_clients_positions() -> None:
    """After ``recovered: false`` the snapshot's seqs are the truth, even when lower than the old ones:
    keeping the old, higher ones would drop every update until the server passed them."""
    async with running_server() as rs:
        rs.jump_to(1000)
        await settled(rs)
        matches = rs.session.engine.store.matches(DEMO_LEAGUE)
    feed = RemoteFeed("ws://127.0.0.1:1", clock=FakeClock(FAKE_START))
    feed.last_seq = {DEMO_MATCH: 500}
    await feed._receive(p.Snapshot(channel=LEAGUE_CHANNEL, matches=matches, recovered=False))
    demo = next(m for m in matches if m.id == DEMO_MATCH)
    assert feed.recovered is False and feed.last_seq[DEMO_MATCH] == demo.seq
    await feed._receive(p.Delta(channel=LEAGUE_CHANNEL, match_id=DEMO_MATCH, seq=demo.seq + 1, data=demo))
    assert queued_changes(feed) == 2 and feed.duplicates_dropped == 0
    # ... and the feed says so, for a script: a fresh snapshot, not a resume.
    said = [u.status.state for u in list(feed._queue._queue) if isinstance(u, StatusUpdate)]  # type: ignore[attr-defined]
    assert said == ["fresh"]


async def test_latency_is_measured_after_a_ping() -> None:
    async with running_server() as rs:
        feed = RecordingFeed(rs.url, [DEMO_LEAGUE])
        async with consuming(feed):
            await wait_until(lambda: feed.latency_ms is not None, "a pong")
            assert feed.of_type(p.Pong)
            assert feed.latency_ms is not None and 0.0 <= feed.latency_ms < 5000
            assert feed.state is ConnectionState.CONNECTED
            assert feed.describe() == f"connected to {rs.url} · rtt {feed.latency_ms:.0f} ms"


def test_the_demo_tape_outlasts_the_last_kill() -> None:
    """Guards the schedule of the first test: its last reconnect must happen before the tape ends."""
    assert demo_tape().frames[-1].t > max(KILLS_AT) + OFFLINE_FOR
