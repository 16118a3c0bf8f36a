"""``t`` and ``b`` through the real app: the live table of the highlighted match's league (real
Premier League final table with a real final-day match put back in play) and the World Cup bracket
from the real knock-out scoreboard, at 80x24 and 120x40, and kept hidden for a spoiler-free team."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from scoreterm.config import Settings
from scoreterm.domain.live_table import live_table
from scoreterm.domain.model import DeltaUpdate, Match, SnapshotUpdate, SourceStatus, StatusUpdate, TableUpdate
from scoreterm.domain.tiebreak import rules_for
from scoreterm.engine.clock import Clock
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.espn_standings import normalize_standings
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.screens.tables import SPOILER_TEXT, BracketScreen, TableScreen
from tests import payloads as pl
from tests.httpserver import FIXTURES
from tests.tui_helpers import ScriptedFeed, until

AT = datetime(2025, 5, 25, 16, 10, tzinfo=UTC)


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def liverpool_in_play() -> Match:
    board = load("espn_soccer/eng.1_scoreboard_20250525_final_day_all_full_time.json")
    event = next(e for e in board["events"] if pl.competitor(e, "home")["team"]["displayName"] == "Liverpool")
    (match,) = normalize_scoreboard({"events": [pl.with_score(pl.live(event, "67'"), 0, 2)]}, "eng.1")
    return match


def table_app(clock: Clock | None = None, **settings: Any) -> tuple[ScoretermApp, ScriptedFeed]:
    match = liverpool_in_play()
    official = normalize_standings(load("espn_standings/eng.1_standings_2024-25_final.json"), "eng.1")
    table = live_table(official, [match], rules_for("eng.1"))
    feed = ScriptedFeed(
        [
            SnapshotUpdate(channel="league:eng.1", at=AT, matches=(match,)),
            TableUpdate(channel="table:eng.1", at=AT, table=table),
        ]
    )
    options = AppOptions(settings=Settings(**settings), zone=UTC, leagues=["eng.1"])
    if clock is not None:
        options.clock = clock
    return make_app(feed, options), feed


def bracket_app(clock: Clock | None = None) -> tuple[ScoretermApp, int]:
    board = load("espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json")
    matches = normalize_scoreboard(board, "fifa.world")
    snapshot = SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(matches))
    options = AppOptions(settings=Settings(), zone=UTC, leagues=["fifa.world"])
    if clock is not None:
        options.clock = clock
    return make_app(ScriptedFeed([snapshot]), options), len(matches)


def body(app: ScoretermApp) -> list[str]:
    region = app.screen.query_one("#board-content")
    return [strip.text for strip in region.render_lines(region.region.reset_offset)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_t_opens_the_live_table_of_the_highlighted_league(size: tuple[int, int]) -> None:
    app, _ = table_app()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: "eng.1" in app.board.tables and app.board.matches)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TableScreen))
        await until(pilot, lambda: any("Liverpool" in line for line in body(app)))
        lines = body(app)
        liverpool = next(line for line in lines if "Liverpool" in line)
        assert "0-2" in liverpool and "67'" in liverpool  # the match in play beside the row
        palace = next(line for line in lines if "Crystal Palace" in line)
        assert "▲1" in palace and "56" in palace.split()  # three points more, a place up
        assert "0" in next(line for line in lines if "Fulham" in line).split()  # level: 0, not +0
        assert any("■ Champions League" in line for line in lines)  # what the coloured ranks mean
        assert any("■ Relegation" in line for line in lines)
        assert all(len(line.rstrip()) <= size[0] for line in lines)
        assert app.screen.sub_title == "English Premier League"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TableScreen))


async def test_a_spoiler_free_team_hides_the_table_until_revealed() -> None:
    app, _ = table_app(spoiler_free=["Liverpool"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "eng.1" in app.board.tables and app.board.matches)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TableScreen))
        shown = " ".join(body(app))
        assert "Crystal Palace" not in shown and "0-2" not in shown
        assert SPOILER_TEXT.split(":")[0] in shown
        await pilot.press("escape", "r", "t")
        await until(pilot, lambda: any("Crystal Palace" in line for line in body(app)))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_b_opens_the_bracket_with_the_winners(size: tuple[int, int]) -> None:
    matches = normalize_scoreboard(
        load("espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json"), "fifa.world"
    )
    feed = ScriptedFeed([SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(matches))])
    app = make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=["fifa.world"]))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: len(app.board.matches) == len(matches))
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, BracketScreen))
        await until(pilot, lambda: any("Round of 32" in line for line in body(app)))
        text = "\n".join(body(app))
        final = text[text.index("Final") :].splitlines()[1]
        assert "Spain*" in final and "Argentina" in final and "AET" in final
        assert all(len(line.rstrip()) <= size[0] for line in body(app))


async def test_without_a_table_the_screen_says_why() -> None:
    match = liverpool_in_play()
    feed = ScriptedFeed([SnapshotUpdate(channel="league:eng.1", at=AT, matches=(match,))])
    app = make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=["eng.1"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.board.matches))
        await pilot.press("t")
        await until(pilot, lambda: any("No table yet" in line for line in body(app)))


async def test_the_match_screen_shows_both_teams_rows_of_the_live_table() -> None:
    app, _ = table_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "eng.1" in app.board.tables and app.board.matches)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MatchScreen")
        line = app.screen.query_one("#match-table")
        await until(pilot, lambda: "Liverpool" in str(line.render()))
        assert str(line.render()) == "Table: 1 Liverpool 84 pts · 11 ▲1 Crystal Palace 56 pts"


async def test_the_match_screen_hides_the_rows_of_a_spoiler_free_match() -> None:
    app, _ = table_app(spoiler_free=["Crystal Palace"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "eng.1" in app.board.tables and app.board.matches)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MatchScreen")
        await pilot.pause()
        assert not app.screen.query_one("#match-table").display


async def test_the_table_shows_the_minute_of_the_match_now_not_of_the_tables_last_move() -> None:
    app, feed = table_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "eng.1" in app.board.tables and app.board.matches)
        await pilot.press("t")
        await until(pilot, lambda: any("67'" in line for line in body(app)))
        (match,) = app.board.matches.values()
        later = msgspec.structs.replace(match, clock="71'", seq=match.seq + 1)
        feed.push(
            DeltaUpdate(
                channel="league:eng.1",
                at=AT,
                match_id=match.id,
                seq=later.seq,
                match=later,
            )
        )
        await until(pilot, lambda: any("0-2 v CRY 71'" in line for line in body(app)))


async def test_without_a_table_because_the_provider_is_unreachable_the_screen_says_that() -> None:
    unreachable = SourceStatus(provider="espn", state="unreachable", message="espn: connection refused")
    feed = ScriptedFeed([StatusUpdate(channel="league:eng.1", at=AT, status=unreachable)])
    app = make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=["eng.1"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.board.status is not None)
        await pilot.press("t")
        await until(pilot, lambda: any("cannot be reached" in line for line in body(app)))
        assert not any("on its way" in line for line in body(app))
