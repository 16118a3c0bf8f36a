"""Helpers for driving the dashboard in tests: a scripted feed, the demo app, waiting on conditions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from textual.pilot import Pilot

from scoreterm.config import Settings
from scoreterm.domain.model import (
    Match,
    Phase,
    PhaseState,
    Score,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
    Update,
)
from scoreterm.engine.clock import Clock
from scoreterm.engine.feed import QueueFeed
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.replay.tape import demo_tape
from scoreterm.session import Session, replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app

FIXTURES = Path(__file__).parent / "fixtures"
AT = datetime(2026, 6, 11, 19, 30, tzinfo=UTC)


class ScriptedFeed(QueueFeed):
    """A feed that yields what the test pushes, in order, until closed."""


def opening_day(live: bool = True) -> list[Match]:
    """The two real matches of 2026-06-11 (MEX v RSA, KOR v CZE); MEX-RSA live at 0-0 when ``live``."""
    payload = json.loads(
        (FIXTURES / "espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json").read_text()
    )
    matches = normalize_scoreboard(payload, "fifa.world")
    if not live:
        return matches
    mex = next(m for m in matches if m.home.abbrev == "MEX")
    kor = next(m for m in matches if m.home.abbrev == "KOR")
    mex = msgspec.structs.replace(
        mex,
        score=Score(0, 0),
        events=(),
        clock="5'",
        seq=1,
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
    )
    kor = msgspec.structs.replace(
        kor, score=Score(0, 0), events=(), clock="", seq=1, phase=Phase(state=PhaseState.SCHEDULED)
    )
    return [mex, kor]


def snapshot(matches: list[Match]) -> Update:
    return SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(matches))


def status(interval_s: float = 2.0, provider: str = "espn") -> Update:
    return StatusUpdate(
        channel="league:fifa.world",
        at=AT,
        status=SourceStatus(provider=provider, health=0.97, interval_s=interval_s, next_poll_s=interval_s),
    )


def scripted_app(feed: ScriptedFeed, *, clock: Clock | None = None, **settings: Any) -> ScoretermApp:
    options = AppOptions(settings=Settings(**settings), zone=UTC, leagues=["fifa.world"])
    if clock is not None:
        options.clock = clock
    return make_app(feed, options)


def demo_app(speed: float, **settings: Any) -> tuple[ScoretermApp, Session]:
    session = replay_session(demo_tape(), UTC, name="demo", speed=speed)
    options = AppOptions(
        settings=Settings(**settings),
        zone=UTC,
        leagues=["fifa.world"],
    )
    return make_app(session.feed, options), session


async def until(pilot: Pilot[Any], condition: Callable[[], bool], within: float = 15.0) -> None:
    """Let the app run until ``condition`` holds (bounded), checking every 50 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
