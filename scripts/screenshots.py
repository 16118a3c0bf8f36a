"""Render the real dashboard on the demo tape to SVG files in ``screenshots/``.

Run: ``.venv/bin/python scripts/screenshots.py`` (no network needed), or name the shots to redo
(``scripts/screenshots.py scoreboard toast-burst``). Each demo shot plays the demo tape through the
engine up to a fixed point, pauses it, and saves what the app shows; the US scoreboard is a real
MLB scoreboard captured live (``tests/fixtures/espn_other``), and the empty one a real empty day.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from scoreterm.config import Settings
from scoreterm.domain.model import SnapshotUpdate, Update
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.feed import QueueFeed
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
MLB = ROOT / "tests/fixtures/espn_other/mlb_scoreboard_20250518_live_and_scheduled.json"
KNOCKOUTS = ROOT / "tests/fixtures/espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json"
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
    settings: Settings | None = None,
) -> Path:
    """Play the demo to ``position`` seconds, run ``steps``, save ``screenshots/<name>.svg``."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    session.replay.clock.jump(position)
    options = AppOptions(
        settings=settings or Settings(),
        zone=UTC,
        leagues=["fifa.world"],
    )
    return await _save(name, make_app(session.feed, options), size, steps)


async def shoot_feed(
    name: str,
    updates: list[Update],
    size: tuple[int, int],
    options: dict[str, Any],
    steps: Callable[[Pilot[Any], ScoretermApp], Awaitable[None]] | None = None,
) -> Path:
    """Show ``updates`` (a scripted feed, time standing still), run ``steps``, and save
    ``screenshots/<name>.svg``."""
    clock = FakeClock(datetime(2025, 5, 18, 17, 55, tzinfo=UTC))
    app = make_app(QueueFeed(updates), AppOptions(zone=UTC, clock=clock, **options))
    return await _save(name, app, size, steps or _nothing)


async def _save(
    name: str,
    app: ScoretermApp,
    size: tuple[int, int],
    steps: Callable[[Pilot[Any], ScoretermApp], Awaitable[None]],
) -> Path:
    async with app.run_test(size=size, notifications=True) as pilot:
        await _wait(pilot, lambda: app.board.last_data_at is not None)
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
    replay = app.feed.replay
    assert replay is not None
    replay.clock.jump(GOAL_1 - replay.position + 1)
    await _wait(pilot, lambda: any(n.title.startswith("GOAL") for n in app._notifications))


async def _burst(pilot: Pilot[Any], app: ScoretermApp) -> None:
    # From just before the first goal, play through both goals and the red card in one go (as the
    # first poll after a reconnect brings them): one summary toast.
    replay = app.feed.replay
    assert replay is not None
    replay.clock.jump(SECOND_HALF - replay.position)
    await _wait(pilot, lambda: any("in 1 match" in n.title for n in app._notifications))


async def _table(pilot: Pilot[Any], app: ScoretermApp) -> None:
    # The group table as it stands in the second half, Mexico's match applied (t on its row).
    await _wait(pilot, lambda: "fifa.world" in app.board.tables)
    for _ in range(5):
        if getattr(app.screen, "current_match_id", lambda: None)() == DEMO_MATCH:
            break
        await pilot.press("down")
    await pilot.press("t")


async def _bracket(pilot: Pilot[Any], app: ScoretermApp) -> None:
    await pilot.press("b")


async def _help(pilot: Pilot[Any], app: ScoretermApp) -> None:
    await pilot.press("question_mark")


def _mlb() -> list[Update]:
    matches = normalize_scoreboard(json.loads(MLB.read_text()), "mlb")
    return [
        SnapshotUpdate(
            channel="league:mlb",
            at=datetime(2025, 5, 18, tzinfo=UTC),
            matches=tuple(matches),
        )
    ]


def _knockouts() -> list[Update]:
    matches = normalize_scoreboard(json.loads(KNOCKOUTS.read_text()), "fifa.world")
    at = datetime(2026, 7, 20, tzinfo=UTC)
    return [SnapshotUpdate(channel="league:fifa.world", at=at, matches=tuple(matches))]


def _empty_day() -> list[Update]:
    return [SnapshotUpdate(channel="league:eng.1", at=datetime(2025, 5, 18, tzinfo=UTC), matches=())]


async def _next_saturday(slug: str) -> datetime:
    return datetime(2025, 5, 24, 11, 30, tzinfo=UTC)


async def shoot_centre(name: str, size: tuple[int, int], key: str) -> Path:
    """Mexico v South Africa followed from the first frame (so the engine draws the whole win-probability
    line), played to full time, its match screen on view ``key``; saved to ``screenshots/<name>.svg``."""
    from scoreterm.tui.screens.match import MatchScreen

    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    session.feed.focus(DEMO_MATCH)
    clock = FakeClock(datetime(2026, 6, 11, 21, tzinfo=UTC))
    options = AppOptions(
        settings=Settings(toasts=[]),
        zone=UTC,
        leagues=["fifa.world"],
        clock=clock,
    )
    app = make_app(session.feed, options)

    async def view(pilot: Pilot[Any], app: ScoretermApp) -> None:
        await _wait(pilot, lambda: app.feed_state == "ended", within=120.0)
        await app.push_screen(MatchScreen(DEMO_MATCH))
        await pilot.press(key)

    return await _save(name, app, size, view)


SHOTS: dict[str, Callable[[], Awaitable[Path]]] = {
    "scoreboard": lambda: shoot("scoreboard", SECOND_HALF, (100, 24), _nothing, Settings(win_column=True)),
    "goal-toast": lambda: shoot("goal-toast", GOAL_1 - 30, (100, 24), _goal_toast),
    "toast-burst": lambda: shoot("toast-burst", 0.0, (80, 24), _burst),
    "match-timeline": lambda: shoot("match-timeline", SECOND_HALF, (120, 40), _open_match),
    "match-full-time": lambda: shoot("match-full-time", FULL_TIME, (120, 40), _open_match),
    "scoreboard-80x24": lambda: shoot("scoreboard-80x24", FULL_TIME, (80, 24), _nothing),
    "scoreboard-mlb": lambda: shoot_feed(
        "scoreboard-mlb", _mlb(), (80, 24), {"settings": Settings(leagues=["mlb"]), "leagues": ["mlb"]}
    ),
    "scoreboard-empty": lambda: shoot_feed(
        "scoreboard-empty",
        _empty_day(),
        (80, 24),
        {"settings": Settings(), "leagues": ["eng.1"], "next_kickoff": _next_saturday},
    ),
    "help": lambda: shoot("help", FULL_TIME, (80, 24), _help),
    "table-80x24": lambda: shoot("table-80x24", SECOND_HALF, (80, 24), _table),
    "table": lambda: shoot("table", SECOND_HALF, (120, 30), _table),
    "bracket": lambda: shoot_feed(
        "bracket",
        _knockouts(),
        (100, 40),
        {"settings": Settings(leagues=["fifa.world"]), "leagues": ["fifa.world"]},
        _bracket,
    ),
    "match-win-probability": lambda: shoot_centre("match-win-probability", (120, 40), "2"),
    "match-win-probability-80x24": lambda: shoot_centre("match-win-probability-80x24", (80, 24), "2"),
    "match-lineups": lambda: shoot_centre("match-lineups", (120, 40), "3"),
    "match-lineups-80x24": lambda: shoot_centre("match-lineups-80x24", (80, 24), "3"),
    "match-commentary": lambda: shoot_centre("match-commentary", (120, 40), "4"),
    "match-shots": lambda: shoot_centre("match-shots", (120, 40), "5"),
    "match-stats": lambda: shoot_centre("match-stats", (100, 30), "6"),
}


async def main(names: list[str]) -> None:
    """Write the screenshots named (every one by default)."""
    OUT.mkdir(exist_ok=True)
    unknown = sorted(set(names) - set(SHOTS))
    if unknown:
        raise SystemExit(f"unknown shot(s): {', '.join(unknown)} (known: {', '.join(SHOTS)})")
    for name in names or list(SHOTS):
        path = await SHOTS[name]()
        print(path.relative_to(OUT.parent))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
