"""A replay started part-way (``--from``, a seek back) knows the tape's past as if it had played it:
its first snapshot carries the win-probability line from kick-off and the swing of each goal before
the start; a start past the end of the tape is refused, saying how long the tape is."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from scoreterm.domain.model import DeltaUpdate, EventKind, EventUpdate, Match, SnapshotUpdate, Update
from scoreterm.engine.clock import FakeClock
from scoreterm.replay.tape import demo_tape
from scoreterm.session import Session, StartBeyondTape, replay_session, start_offset

MEX = "espn-760415"
T0 = datetime(2026, 6, 14, 19, 0, tzinfo=UTC)
QUINONES_T = 1080.0  # tape seconds just after Quiñones' 9' goal (1-0)


async def updates_of(session: Session, *, stop_at_first_snapshot: bool = False) -> list[Update]:
    """What the session's feed yields until the tape ends (or its first snapshot)."""
    seen: list[Update] = []
    await session.feed.start()
    try:
        async for update in session.feed:
            seen.append(update)
            if stop_at_first_snapshot and isinstance(update, SnapshotUpdate):
                break
    finally:
        await session.feed.close()
    return seen


def first_snapshot_match(updates: list[Update]) -> Match:
    snapshot = next(u for u in updates if isinstance(u, SnapshotUpdate))
    return next(m for m in snapshot.matches if m.id == MEX)


def goal_swing_of(updates: list[Update]) -> tuple[object, object]:
    """The swing the engine published with the 9' goal, watching from the start."""
    goal = next(u.event for u in updates if isinstance(u, EventUpdate) and u.event.kind is EventKind.GOAL)
    assert goal.minute == "9'"
    return goal.prob_before, goal.prob_after


async def test_a_replay_from_minute_20_starts_with_the_history_since_kick_off() -> None:
    watched = await updates_of(replay_session(demo_tape(), UTC, name="demo", speed=math.inf))
    skipped = await updates_of(
        replay_session(demo_tape(), UTC, name="demo", speed=math.inf, from_minute=20),
        stop_at_first_snapshot=True,
    )
    assert isinstance(skipped[0], SnapshotUpdate)  # nothing of the catch-up is published
    match = first_snapshot_match(skipped)
    assert (match.score.home, match.score.away, match.clock) == (1, 0, "20'")
    assert match.trend is not None
    line = match.trend.prob
    assert line[0].elapsed_s == 0.0  # from before kick-off, not from the 20th minute
    assert [p.minute for p in line].index("9'") > 0
    goal = next(e for e in match.events if e.kind is EventKind.GOAL)
    before, after = goal_swing_of(watched)
    assert before is not None and after is not None
    assert (goal.prob_before, goal.prob_after) == (before, after)
    assert line[-1].prob == after == match.prob
    # Same line as the engine that watched from the start had at that point.
    then = [u.match for u in watched if isinstance(u, DeltaUpdate) and u.match.seq == match.seq]
    assert len(then) == 1 and then[0].trend is not None
    assert [(p.minute, p.prob) for p in then[0].trend.prob] == [(p.minute, p.prob) for p in line]


async def test_seeking_back_replays_the_past_and_waits_at_max_speed() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    await updates_of(session)  # the tape played to its end
    feed = session.replay.restart_at(QUINONES_T)
    assert feed.replay is not None
    # At max speed the rewound tape would be back at its end at once: it waits for the user.
    assert feed.replay.clock.paused and feed.replay.position == QUINONES_T
    seen: list[Update] = []
    await feed.start()
    try:
        async for update in feed:
            seen.append(update)
            if isinstance(update, SnapshotUpdate):
                break
    finally:
        await feed.close()
    match = first_snapshot_match(seen)
    assert (match.score.home, match.score.away) == (1, 0)
    goal = next(e for e in match.events if e.kind is EventKind.GOAL)
    assert goal.prob_before is not None and goal.prob_after is not None
    assert goal.prob_after.home > goal.prob_before.home
    assert match.trend is not None and match.trend.prob[0].elapsed_s == 0.0


async def test_two_quick_seeks_back_land_where_aimed_however_long_the_catch_up_takes() -> None:
    real = FakeClock(T0)
    session = replay_session(demo_tape(), UTC, name="demo", speed=60.0, real_clock=real)
    assert session.replay is not None
    first = session.replay.restart_at(QUINONES_T + 300)
    assert first.replay is not None
    await first.start()
    # A second `[` while the first seek is still catching up: the first is dropped half-way.
    second = first.replay.restart_at(first.replay.position - 300)
    await first.close()
    assert second.replay is not None
    assert second.replay.clock.held and second.replay.position == QUINONES_T
    seen: list[Update] = []
    await second.start()
    try:
        # Ten real minutes pass while the tape's past plays (a busy machine): at 60x that is ten
        # hours of tape, yet the replay must not move until it has caught up.
        await real.advance(600)
        async for update in second:
            seen.append(update)
            if isinstance(update, SnapshotUpdate):
                break
        assert second.replay.position == QUINONES_T
        assert not second.replay.clock.held and not second.replay.clock.paused
        await real.advance(1)
        assert second.replay.position == QUINONES_T + 60  # and then it plays on at 60x
    finally:
        await second.close()
    match = first_snapshot_match(seen)
    assert (match.score.home, match.score.away) == (1, 0)


def test_a_start_past_the_end_of_the_tape_is_refused_with_its_length() -> None:
    with pytest.raises(StartBeyondTape, match=r"--from 200 .*90'\+8'.*2:03:00"):
        replay_session(demo_tape(), UTC, name="demo", from_minute=200)
    # Seeking (not --from) keeps its old answer: the last frame.
    assert start_offset(demo_tape(), 200) == demo_tape().frames[-1].t


@pytest.mark.parametrize("dashboard", [False, True], ids=["json", "dashboard"])
def test_cli_refuses_from_past_the_end_in_one_line_with_exit_2(
    dashboard: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    args = ["replay", "--demo", "--from", "200", *([] if dashboard else ["--json"])]
    result = CliRunner(mix_stderr=False).invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""  # no snapshot, no events from before it
    assert result.stderr.splitlines() == [
        "scoreterm: error: --from 200 is past the end of the tape: its matches reach 90'+8' at most "
        "(the tape lasts 2:03:00)"
    ]
