"""LocalFeed over a replayed tape, a lagging consumer's resync, headless JSON lines, layering."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from datetime import UTC

from scoreterm.bus.local_feed import LocalFeed
from scoreterm.commands.headless import LinePrinter, print_feed
from scoreterm.domain.model import (
    EventKind,
    EventUpdate,
    Score,
    SnapshotUpdate,
    SourceStatus,
    StatusState,
    StatusUpdate,
    Update,
)
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session


async def test_demo_replay_through_the_feed_ends_at_full_time() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    await session.feed.start()
    updates: list[Update] = []
    goals: list[str | None] = []
    async for update in session.feed:
        updates.append(update)
        if isinstance(update, EventUpdate) and update.event.kind is EventKind.GOAL:
            goals.append(update.event.player)
    await session.aclose()
    assert isinstance(updates[0], SnapshotUpdate)
    assert goals == ["Julián Quiñones", "Raúl Jiménez"]
    final = session.engine.store.matches("fifa.world")
    mex = next(m for m in final if m.home.abbrev == "MEX")
    assert (mex.score.home, mex.score.away) == (2, 0) and mex.phase.is_over


async def test_lagging_consumer_gets_a_fresh_snapshot_instead_of_a_gap() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    feed = LocalFeed(session.engine, session.feed.bus, maxsize=5)
    await feed.start()
    seen: list[Update] = []
    async for update in feed:
        seen.append(update)
    await feed.close()
    await session.client.aclose()
    snapshots = [u for u in seen if isinstance(u, SnapshotUpdate)]
    # The consumer read nothing while the tape ran at max speed, so it fell behind and was resynced.
    assert len(snapshots) >= 2
    last = snapshots[-1].matches
    assert any(m.home.abbrev == "MEX" and m.score == Score(2, 0) for m in last)


async def test_print_feed_writes_one_flushed_json_line_per_update() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    await session.feed.start()
    out = io.StringIO()
    printed = await print_feed(session.feed, out)
    await session.aclose()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == printed and lines[0]["type"] == "snapshot"
    event = next(line for line in lines if line["type"] == "event" and line["kind"] == "goal")
    assert {"type", "match_id", "seq", "kind", "minute", "side", "player", "score", "synthetic"} <= set(event)
    assert event["score"] == {"home": 1, "away": 0}


def test_status_lines_only_when_the_source_changes_state() -> None:
    printer = LinePrinter()
    at = demo_tape().header.created

    def status(state: StatusState, age: float) -> Update:
        source = SourceStatus(provider="espn", state=state, last_ok_age_s=age, next_poll_s=2.0)
        return StatusUpdate(channel="league:eng.1", at=at, status=source)

    lines = [
        printer.line(status(state, age))
        for state, age in [
            ("ok", 0.0),
            ("ok", 2.0),
            ("degraded", 4.0),
            ("degraded", 6.0),
            ("stale", 9.0),
            ("ok", 0.0),
        ]
    ]
    said = [line["state"] for line in lines if line is not None]
    assert said == ["ok", "degraded", "stale", "ok"]


def test_engine_and_net_do_not_import_textual() -> None:
    code = (
        "import sys, scoreterm.engine.engine, scoreterm.engine.feed, scoreterm.session, scoreterm.cli;"
        "print('textual' in sys.modules, 'websockets' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]


async def test_a_frame_the_clock_passed_during_a_poll_is_still_polled() -> None:
    """At max speed on a busy machine the tape's clock can run past its last frame (full time)
    while a poll is under way: the schedule must still ask for it, not call the tape over."""
    import httpx

    from scoreterm.engine.clock import FakeClock
    from scoreterm.replay.tape import Tape, TapeFrame, TapeHeader, json_body

    start = demo_tape().header.started_at
    header = TapeHeader(created=start, started_at=start, leagues=("fifa.world",), providers=("espn",))
    path = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
    frames = tuple(
        TapeFrame(t=t, provider="espn", path=path, body=json_body({"events": []})) for t in (0.0, 10.0)
    )
    real = FakeClock(start)
    session = replay_session(Tape(header, frames), UTC, name="t", speed=1.0, real_clock=real)
    schedule = session.engine.options.schedule
    assert schedule is not None and session.replay is not None
    async with httpx.AsyncClient(transport=session.replay.transport) as client:
        await client.get(f"http://tape.invalid{path}")  # a poll begins at t=0 ...
        await real.advance(15)  # ... and the clock runs past the last frame before it ends
        assert schedule() == 0.0  # the frame at t=10 is still due: poll again now
        await client.get(f"http://tape.invalid{path}")
        assert schedule() is None  # now the tape is over
    await session.aclose()
