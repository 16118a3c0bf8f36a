"""Render the real dashboard on the demo tape to SVG files in ``screenshots/``.

Run: ``.venv/bin/python scripts/screenshots.py`` (no network needed). Each shot plays the demo
tape through the engine up to a fixed point, pauses it, and saves what the app shows.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from scoreterm.config import Settings
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app

OUT = Path(__file__).resolve().parent.parent / "screenshots"
GOAL_1 = 820.0  # tape seconds when Quiñones' 9th-minute goal shows
SECOND_HALF = 6300.0  # 2-0, cards and substitutions on the timeline
FULL_TIME = 7400.0
DEMO_MATCH = "espn-760415"


async def _wait(pilot: Pilot[Any], condition: Callable[[], bool], within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.05)


async def shoot(
    name: str,
    position: float,
    size: tuple[int, int],
    steps: Callable[[Pilot[Any], ScoretermApp], Awaitable[None]],
) -> Path:
    """Play the demo to ``position`` seconds, run ``steps``, save ``screenshots/<name>.svg``."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    session.replay.clock.jump(position)
    options = AppOptions(
        settings=Settings(), zone=UTC, leagues=["fifa.world"], replay=session.replay, session=session
    )
    app = make_app(session.feed, options)
    async with app.run_test(size=size, notifications=True) as pilot:
        await _wait(pilot, lambda: bool(app.board.matches))
        await pilot.pause(0.3)
        await steps(pilot, app)
        await pilot.pause(0.3)
        path = OUT / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


async def _nothing(pilot: Pilot[Any], app: ScoretermApp) -> None:
    return None


async def _open_match(pilot: Pilot[Any], app: ScoretermApp) -> None:
    # Put the cursor on Mexico v South Africa (the upcoming match may be listed first).
    for _ in range(5):
        if getattr(app.screen, "current_match_id", lambda: None)() == DEMO_MATCH:
            break
        await pilot.press("down")
    await pilot.press("enter")
    # Opening the match asks the feed for its detail (odds, stats): wait for it to arrive.
    await _wait(pilot, lambda: app.board.matches[DEMO_MATCH].odds is not None)


async def _goal_toast(pilot: Pilot[Any], app: ScoretermApp) -> None:
    # Start just before the goal, then let the tape run into it so the toast fires.
    replay = app.options.replay
    assert replay is not None
    replay.clock.jump(GOAL_1 - replay.position + 1)
    await _wait(pilot, lambda: any(n.title.startswith("GOAL") for n in app._notifications))


async def main() -> None:
    """Write every screenshot."""
    OUT.mkdir(exist_ok=True)
    shots = [
        await shoot("scoreboard", SECOND_HALF, (100, 24), _nothing),
        await shoot("goal-toast", GOAL_1 - 30, (100, 24), _goal_toast),
        await shoot("match-timeline", SECOND_HALF, (120, 40), _open_match),
        await shoot("match-full-time", FULL_TIME, (120, 40), _open_match),
        await shoot("scoreboard-80x24", FULL_TIME, (80, 24), _nothing),
    ]
    for path in shots:
        print(path.relative_to(OUT.parent))


if __name__ == "__main__":
    asyncio.run(main())
