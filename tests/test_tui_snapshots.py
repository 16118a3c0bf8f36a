"""SVG snapshots of the main screens (pytest-textual-snapshot), at 120x40 and 80x24.

Fixed inputs: the demo tape played to full time (paused), UTC, a fake clock for ages, no toasts.
Regenerate on purpose with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate UI change or a Textual upgrade, and look at the diff.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from scoreterm.config import Settings
from scoreterm.engine.clock import FakeClock
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from tests.tui_helpers import until

FULL_TIME = 7400.0
MEXICO = "espn-760415"
SIZES = [(120, 40), (80, 24)]


def full_time_app() -> ScoretermApp:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    session.replay.clock.jump(FULL_TIME)
    options = AppOptions(
        settings=Settings(toasts=[]),
        zone=UTC,
        leagues=["fifa.world"],
        replay=session.replay,
        session=session,
        clock=FakeClock(datetime(2026, 6, 11, 21, tzinfo=UTC)),
    )
    return make_app(session.feed, options)


async def settled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ScoretermApp)
    await until(pilot, lambda: app.feed_state == "ended" and MEXICO in app.board.matches)
    await until(pilot, lambda: app.board.matches[MEXICO].odds is not None)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_scoreboard_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(full_time_app(), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_match_screen_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    async def open_mexico(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        app = pilot.app
        for _ in range(5):
            if getattr(app.screen, "current_match_id", lambda: None)() == MEXICO:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MatchScreen")
        await pilot.pause()

    assert snap_compare(full_time_app(), terminal_size=size, run_before=open_mexico)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_help_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(full_time_app(), terminal_size=size, run_before=open_help)
