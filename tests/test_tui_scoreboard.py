"""The dashboard's scoreboard driven with Pilot: rows, toasts, stale data, favourites, spoilers,
filter, leagues, delay, replay controls."""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    MatchEvent,
    Score,
    Side,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.tui.app import ScoretermApp
from scoreterm.tui.rows import is_header
from scoreterm.tui.screens.help import HelpScreen
from scoreterm.tui.screens.scoreboard import ScoreboardScreen
from scoreterm.tui.widgets.status_bar import StatusBar
from tests.servers import DEMO_MATCH
from tests.tui_helpers import AT, ScriptedFeed, demo_app, opening_day, scripted_app, snapshot, status, until


def rows(app: Any) -> list[list[str]]:
    """The match rows (league and day headers left out), as plain text."""
    table = app.screen.query_one(DataTable)
    return [
        [str(cell) for cell in table.get_row_at(i)]
        for i, row in enumerate(table.ordered_rows)
        if not is_header(str(row.key.value))
    ]


def toasts(app: Any) -> list[str]:
    """Every toast the app showed (Textual drops expired ones from its own list)."""
    return [f"{n.title}|{n.message}" for n in app.toasted]


async def test_demo_rows_goal_toasts_and_full_time() -> None:
    app, _session = demo_app(math.inf)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: app.feed_state == "ended")
        # The tape's other match kicks off at 02:00 UTC the next day: under its own day's header.
        assert [r[2].rstrip(" ■") for r in rows(app)] == ["Mexico", "South Korea"]
        row = rows(app)[0]
        # Red cards on the row: Montes (90+2') for Mexico, Sithole (49') and Zwane (84') for South Africa.
        assert row[2] == "Mexico ■" and row[3] == "2-0" and row[4] == "■■ South Africa" and row[5] == "FT"
        goals = [t for t in toasts(app) if t.startswith("GOAL!")]
        assert len(goals) == 2
        assert "Julián Quiñones 9'" in goals[0] and "MEX 1-0 RSA" in goals[0]
        assert "Raúl Jiménez 67'" in goals[1] and "MEX 2-0 RSA" in goals[1]
        assert any(t.startswith("Red card: South Africa") for t in toasts(app))
        assert any(t.startswith("Full time") and "Mexico 2-0 South Africa" in t for t in toasts(app))
        assert "ended" in str(app.screen.query_one(StatusBar).render_status())


async def test_live_goal_updates_row_and_flashes() -> None:
    feed = ScriptedFeed([snapshot(opening_day()), status()])
    app = scripted_app(feed)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        assert rows(app)[0][2] == "Mexico" and rows(app)[0][3] == "0-0"  # live first
        mex = opening_day()[0]
        goal = MatchEvent(
            kind=EventKind.GOAL,
            minute="9'",
            side=Side.HOME,
            player="Julián Quiñones",
            score=Score(1, 0),
            key="goal:home:1-0",
            seq=2,
        )
        feed.push(EventUpdate(channel="league:fifa.world", at=AT, match_id=mex.id, seq=2, event=goal))
        feed.push(
            DeltaUpdate(
                channel="league:fifa.world",
                at=AT,
                match_id=mex.id,
                seq=3,
                match=msgspec.structs.replace(mex, score=Score(1, 0), seq=3, clock="9'"),
            )
        )
        await until(pilot, lambda: rows(app)[0][3] == "1-0")
        assert app.is_flashing(mex.id)
        assert toasts(app) == ["GOAL! Mexico|MEX 1-0 RSA\nJulián Quiñones 9'"]


async def test_stale_when_the_feed_stalls() -> None:
    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    feed = ScriptedFeed([snapshot(opening_day()), status(interval_s=2.0)])
    app = scripted_app(feed, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.board.status is not None)
        bar = app.screen.query_one(StatusBar)
        assert "STALE" not in str(bar.render_status())
        await clock.advance(7)  # more than 3 poll intervals with no data
        text = str(bar.render_status())
        assert "STALE" in text and "espn" in text
        assert rows(app)[0][3] == "0-0"  # the last good data stays on screen


async def test_favourites_sort_to_the_top_and_f_toggles() -> None:
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed, favourites=["Czechia"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        # Two days (UTC): Mexico's match on the 11th, Czechia's on the 12th, under its own header.
        assert rows(app)[1][0] == "★" and rows(app)[1][4] == "Czechia"
        await pilot.press("end")  # the last match: Czechia's
        await pilot.press("f")  # un-favourite it
        await until(pilot, lambda: rows(app)[1][0] == "")
        assert app.favourites == []


async def test_spoiler_free_team_is_hidden_until_revealed() -> None:
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed, spoiler_free=["Mexico"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        mex = opening_day()[0]
        feed.push(
            EventUpdate(
                channel="league:fifa.world",
                at=AT,
                match_id=mex.id,
                seq=2,
                event=MatchEvent(
                    kind=EventKind.GOAL,
                    side=Side.HOME,
                    score=Score(1, 0),
                    minute="9'",
                    key="goal:home:1-0",
                    seq=2,
                ),
            )
        )
        feed.push(
            DeltaUpdate(
                channel="league:fifa.world",
                at=AT,
                match_id=mex.id,
                seq=3,
                match=msgspec.structs.replace(mex, score=Score(1, 0), seq=3),
            )
        )
        await until(pilot, lambda: app.board.matches[mex.id].score == Score(1, 0))
        await pilot.pause()
        assert rows(app)[0][3] == "? - ?" and rows(app)[0][5] == "hidden"
        assert toasts(app) == []  # no goal toast gives it away
        await pilot.press("r")
        await until(pilot, lambda: rows(app)[0][3] == "1-0")


async def test_filter_and_league_switch() -> None:
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("slash", "k", "o", "r")
        await until(pilot, lambda: len(rows(app)) == 1)
        assert rows(app)[0][2] == "South Korea"
        await pilot.press("enter")  # keeps the filter, back to the table
        await pilot.press("escape")  # clears it
        await until(pilot, lambda: len(rows(app)) == 2)
        screen = app.screen
        assert isinstance(screen, ScoreboardScreen)
        await pilot.press("l")
        assert screen.league is None  # a single league: "all" is the only choice


async def test_delay_holds_updates_back() -> None:
    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed, clock=clock)
    app.options.delay = 30.0
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert rows(app) == []  # the snapshot is held back
        await clock.advance(29)
        await pilot.pause(0.1)
        assert rows(app) == []
        await clock.advance(2)
        await until(pilot, lambda: len(rows(app)) == 2)


async def test_replay_pause_speed_and_jump() -> None:
    app, session = demo_app(60.0)
    replay = session.replay
    assert replay is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("space")
        assert replay.clock.paused
        position = replay.position
        await pilot.press("right_square_bracket")
        assert app.feed.replay is not None
        replay = app.feed.replay  # a jump lands on a fresh feed, paused as the old one was
        assert replay.position == pytest.approx(position + 300, abs=1) and replay.clock.paused
        await pilot.press("plus")
        assert replay.clock.speed > 60
        await pilot.press("minus", "minus")
        assert replay.clock.speed < 60
        await pilot.press("space")
        assert not replay.clock.paused
        assert "replay demo" in str(app.screen.query_one(StatusBar).render_status())


@contextlib.asynccontextmanager
async def paused_demo(at: float | None = None) -> AsyncIterator[tuple[ScoretermApp, Pilot[Any]]]:
    """The demo at 60x on a 100x30 dashboard, paused once its matches show (moved to tape second
    ``at`` when given)."""
    app, session = demo_app(60.0)
    replay = session.replay
    assert replay is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        replay.clock.pause()
        if at is not None:
            replay.clock.jump(at - replay.position)
        yield app, pilot


def caught_up(app: ScoretermApp) -> bool:
    """The replay a jump started has played the tape's past and stands where it was aimed."""
    return app.feed.replay is not None and not app.feed.replay.clock.held


async def test_jumping_forward_over_a_goal_keeps_its_swing_on_the_probability_line() -> None:
    async with paused_demo() as (app, pilot):
        for _ in range(4):  # 20 minutes on: past Quiñones' 9' goal (t=820)
            await pilot.press("right_square_bracket")
        await until(pilot, lambda: bool(rows(app)) and rows(app)[0][3] == "1-0", within=90.0)
        match = app.board.matches[DEMO_MATCH]
        assert match.trend is not None
        # The line has every point a watcher from the start saw, not a straight line across the jump.
        assert [p.minute for p in match.trend.prob][:5] == ["", "1'", "4'", "7'", "9'"]


async def test_keys_after_a_jump_made_on_another_screen_still_drive_the_replay() -> None:
    async with paused_demo() as (app, pilot):
        assert app.feed.replay is not None
        start = app.feed.replay.position
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MatchScreen")
        await pilot.press("right_square_bracket")  # jumped from the match screen
        await until(pilot, lambda: caught_up(app), within=90.0)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScoreboardScreen))
        await pilot.press("right_square_bracket")  # a replay key, not a letter for a hidden filter
        screen = app.screen
        assert isinstance(screen, ScoreboardScreen)
        assert screen.filter_text == "" and not screen.query_one("#filter").display
        assert app.feed.replay is not None
        assert app.feed.replay.position == pytest.approx(start + 600, abs=1)


async def test_a_jump_keeps_the_board_until_the_new_position_replaces_it() -> None:
    """No "0 matches" while a jump catches up: the board on screen changes once, to the new position."""
    async with paused_demo(at=1500) as (app, pilot):  # after Quiñones' goal
        await until(pilot, lambda: rows(app)[0][3] == "1-0")
        app.notify("a toast of the timeline left behind")
        seen: list[int] = []
        app.screen.watch(app, "version", lambda _: seen.append(len(rows(app))))
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")  # to 0-0
        await until(pilot, lambda: bool(rows(app)) and rows(app)[0][3] == "0-0", within=90.0)
        assert seen and 0 not in seen
        assert not app._notifications  # what was toasted before the jump went with it


async def test_jump_back_replays_the_tape_to_an_earlier_point() -> None:
    async with paused_demo(at=6000) as (app, pilot):  # after the second goal
        await until(pilot, lambda: rows(app)[0][3] == "2-0")
        await pilot.press("left_square_bracket")  # 5 minutes back: still 2-0 (goal at t=5540)
        await pilot.press("left_square_bracket")  # 10 minutes back: before Jiménez's goal
        # Each jump back replays the tape from its start on a twin engine first (the history of the
        # whole match): seconds of work on a busy machine, while the replay stands still.
        await until(pilot, lambda: bool(rows(app)) and rows(app)[0][3] == "1-0", within=90.0)
        assert app.feed.replay is not None
        assert app.feed.replay.position == pytest.approx(5400, abs=1) and app.feed.replay.clock.paused


async def test_help_and_quit() -> None:
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ScoreboardScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_opening_a_match_asks_the_feed_to_keep_it_fresh() -> None:
    feed = ScriptedFeed([snapshot(opening_day())])
    app = scripted_app(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MatchScreen")
        assert feed.focused == [opening_day()[0].id]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScoreboardScreen))
        assert feed.focused[-1] is None


async def test_jump_back_keeps_the_kick_off_and_half_time_markers() -> None:
    app, session = demo_app(60.0)
    assert session.replay is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(rows(app)) == 2)
        session.replay.clock.jump(6000)  # second half, after the second goal
        await until(pilot, lambda: rows(app)[0][3] == "2-0")
        await pilot.press("left_square_bracket")  # a fresh session replays the tape to t=5700
        mex = next(m for m in app.board.matches.values() if m.home.abbrev == "MEX")
        await until(pilot, lambda: mex.id in app.board.matches and app.board.updates_seen > 0)
        phases = [
            e.event.detail for e in app.board.timeline(mex.id) if e.event.kind is EventKind.PHASE_CHANGE
        ]
        assert phases[:3] == ["1H", "HT", "2H"]


async def test_replay_position_never_runs_past_the_end_of_the_tape() -> None:
    app, session = demo_app(math.inf)
    replay = session.replay
    assert replay is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.feed_state == "ended", within=90.0)
        replay.clock.jump(3600)  # the clock runs on after the last frame
        assert replay.position == replay.duration
        text = str(app.screen.query_one(StatusBar).render_status())
        end = text.split(" replay demo ", 1)[1].split()[0]
        assert end.split("/")[0] == end.split("/")[1], text
