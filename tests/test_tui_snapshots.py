"""SVG snapshots of the main screens (pytest-textual-snapshot), at 120x40 and 80x24.

Fixed inputs: the demo tape played to full time (paused), UTC, a fake clock for ages, no toasts.
Regenerate on purpose with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate UI change or a Textual upgrade, and look at the diff.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot

from scoreterm.config import Settings
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    SnapshotUpdate,
    Update,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from tests.tui_helpers import AT, FIXTURES, ScriptedFeed, opening_day, snapshot, status, until

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


# -- the dashboard a fan keeps open all day (issue 15; US rows, issue 14; win %, issue 12) ------------

SECOND_HALF = 6300.0  # 2-0 at 80', scorers and red cards on the board


def live_app(**settings: Any) -> ScoretermApp:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.replay.clock.pause()
    session.replay.clock.jump(SECOND_HALF)
    options = AppOptions(
        settings=Settings(toasts=[], **settings),
        zone=UTC,
        leagues=["fifa.world"],
        clock=FakeClock(datetime(2026, 6, 11, 20, 45, tzinfo=UTC)),
    )
    return make_app(session.feed, options)


def scripted(updates: list[Update], leagues: list[str], **options: Any) -> ScoretermApp:
    settings = options.pop("settings", Settings(leagues=leagues))
    feed = ScriptedFeed(updates)
    clock = FakeClock(datetime(2026, 6, 11, 19, 5, tzinfo=UTC))
    return make_app(feed, AppOptions(settings=settings, zone=UTC, leagues=leagues, clock=clock, **options))


def mlb_board() -> Update:
    payload = json.loads(
        (FIXTURES / "espn_other/mlb_scoreboard_20250518_live_and_scheduled.json").read_text()
    )
    matches = normalize_scoreboard(payload, "mlb")
    return SnapshotUpdate(channel="league:mlb", at=AT, matches=tuple(matches))


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_scoreboard_us_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """MLB, captured live: away @ home, inning, outs, count and bases in full, the win % column on."""
    app = scripted([mlb_board()], ["mlb"], settings=Settings(leagues=["mlb"], win_column=True))

    async def ready(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: len(app.board.matches) == 15)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_scoreboard_live_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """The demo at 80': scorers on a second line, red cards, a header per day, win %."""

    async def ready(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ScoretermApp)
        await until(pilot, lambda: MEXICO in app.board.matches and app.board.matches[MEXICO].prob is not None)
        await until(pilot, lambda: len(app.board.timeline(MEXICO)) > 5)
        await pilot.pause()

    assert snap_compare(live_app(win_column=True), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_toast_burst_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """Three goals at once (a reconnect): one summary toast, above the status bar."""
    mex, kor = opening_day()
    kor = msgspec.structs.replace(kor, clock="5'", phase=Phase(state=PhaseState.LIVE, period=1, label="1H"))
    app = scripted([snapshot([mex, kor]), status()], ["fifa.world"], settings=Settings())

    async def burst(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed = app.feed
        assert isinstance(feed, ScriptedFeed)
        burst = (
            (mex, Side.HOME, (1, 0), "9'"),
            (kor, Side.AWAY, (0, 1), "11'"),
            (mex, Side.HOME, (2, 0), "12'"),
        )
        for seq, (match, side, (home, away), minute) in enumerate(burst, start=2):
            event = MatchEvent(
                kind=EventKind.GOAL,
                minute=minute,
                side=side,
                player="Julián Quiñones" if side is Side.HOME else "Adam Hložek",
                score=Score(home, away),
                key=f"goal:{side.value}:{home}-{away}",
                seq=seq,
            )
            channel = "league:fifa.world"
            feed.push(EventUpdate(channel=channel, at=AT, match_id=match.id, seq=seq, event=event))
            now = msgspec.structs.replace(match, score=Score(home, away), clock=minute, seq=seq)
            feed.push(DeltaUpdate(channel=channel, at=AT, match_id=match.id, seq=seq, match=now))
        await until(pilot, lambda: len(app.toasted) == 3)
        await pilot.pause(0.5)  # the toast's fade-in

    assert snap_compare(app, terminal_size=size, run_before=burst)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_empty_scoreboard_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """No match today: the league's name and its next kick-off."""

    async def next_kickoff(slug: str) -> datetime:
        return datetime(2026, 6, 13, 11, 30, tzinfo=UTC)

    empty = SnapshotUpdate(channel="league:eng.1", at=AT, matches=())
    app = scripted([empty, status()], ["eng.1"], next_kickoff=next_kickoff)

    async def ready(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: bool(app.next_kickoffs.get("eng.1")))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_delayed_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """--delay 30: the status bar says so, and the empty table says when the first scores show."""
    app = scripted([snapshot(opening_day())], ["fifa.world"], delay=30.0)

    async def ready(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.holding_until is not None)
        app.screen.refresh_rows()  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


# -- the match centre (issues 12 and 14): each view of Mexico v South Africa, followed from the start --

CENTRE_VIEWS = {"chart": "2", "lineups": "3", "commentary": "4", "shots": "5", "stats": "6"}


def followed_app(*, paused: bool = False) -> ScoretermApp:
    """The demo with the match followed from the first frame: the engine sees all of it (the whole
    win-probability line), as for a viewer who opened it before kick-off."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.feed.focus(MEXICO)
    if paused:
        session.replay.clock.pause()
    options = AppOptions(
        settings=Settings(toasts=[]),
        zone=UTC,
        leagues=["fifa.world"],
        clock=FakeClock(datetime(2026, 6, 11, 21, tzinfo=UTC)),
    )
    return make_app(session.feed, options)


async def open_view(pilot: Pilot[Any], key: str) -> None:
    from scoreterm.tui.screens.match import MatchScreen

    app = pilot.app
    assert isinstance(app, ScoretermApp)
    await until(pilot, lambda: MEXICO in app.board.matches and app.board.matches[MEXICO].centre is not None)
    await app.push_screen(MatchScreen(MEXICO))
    await pilot.press(key)
    await pilot.pause(0.2)


@pytest.mark.parametrize("view", list(CENTRE_VIEWS))
@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_match_centre_snapshot(snap_compare: Any, size: tuple[int, int], view: str) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ScoretermApp)
        await until(pilot, lambda: app.feed_state == "ended", within=90.0)
        await open_view(pilot, CENTRE_VIEWS[view])

    assert snap_compare(followed_app(), terminal_size=size, run_before=ready)


def test_match_preview_snapshot(snap_compare: Any) -> None:
    """Five minutes before kick-off: form, head-to-head, venue, kick-off and the odds line."""

    async def ready(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ScoretermApp) and app.feed.replay is not None
        await until(pilot, lambda: MEXICO in app.board.matches)
        app.feed.replay.clock.jump(100.0)
        await until(pilot, lambda: app.feed.replay is not None and app.feed.replay.position == 100.0)
        await until(pilot, lambda: app.board.matches[MEXICO].centre is not None)
        await until(pilot, lambda: app.board.matches[MEXICO].centre.preview is not None)  # type: ignore[union-attr]
        await open_view(pilot, "4")

    assert snap_compare(followed_app(paused=True), terminal_size=(80, 24), run_before=ready)


def test_us_box_score_snapshot(snap_compare: Any) -> None:
    """A real NBA summary: the line score (away @ home), leaders and team stats."""
    from scoreterm.tui.screens.match import MatchScreen
    from tests.test_tui_centre import nba_match

    match = nba_match()
    app = scripted([SnapshotUpdate(channel="league:nba", at=AT, matches=(match,))], ["nba"])

    async def ready(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: match.id in app.board.matches)
        await app.push_screen(MatchScreen(match.id))
        await pilot.press("3")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
