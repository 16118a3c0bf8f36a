"""The dashboard a fan keeps open all day, driven with Pilot at 80x24 and 120x40: rows that carry
more (US order and live state, day headers, red cards, scorers, names, headers, win %), keys and
habits (Ctrl-C, Home/End, PageUp/PageDown, j/k, help, the delay indicator) and an empty scoreboard
that says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from textual.app import App
from textual.widgets import DataTable, Static

from scoreterm.commands.common import EXIT_FAILED, EXIT_OK, run_dashboard
from scoreterm.config import Settings
from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    SnapshotUpdate,
    SourceStatus,
    StatusState,
    StatusUpdate,
    Update,
    WinProbability,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.rows import WIN_LEGEND, is_header
from scoreterm.tui.screens.help import HelpScreen
from scoreterm.tui.screens.scoreboard import ScoreboardScreen
from scoreterm.tui.widgets.status_bar import StatusBar
from tests.tui_helpers import AT, FIXTURES, ScriptedFeed, opening_day, scripted_app, snapshot, until

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
MLB_FILE = FIXTURES / "espn_other/mlb_scoreboard_20250518_live_and_scheduled.json"


def mlb() -> list[Match]:
    return normalize_scoreboard(json.loads(MLB_FILE.read_text()), "mlb")


def mlb_app(**settings: Any) -> ScoretermApp:
    board = SnapshotUpdate(channel="league:mlb", at=AT, matches=tuple(mlb()))
    options = AppOptions(settings=Settings(leagues=["mlb"], **settings), zone=UTC, leagues=["mlb"])
    return make_app(ScriptedFeed([board]), options)


def table(app: ScoretermApp) -> DataTable[Any]:
    return app.screen.query_one(DataTable)


def cells(app: ScoretermApp) -> list[tuple[str, list[str]]]:
    """(row key, cells as plain text) of every row, headers included."""
    grid = table(app)
    return [
        (str(row.key.value), [str(c) for c in grid.get_row_at(i)]) for i, row in enumerate(grid.ordered_rows)
    ]


def match_rows(app: ScoretermApp) -> list[list[str]]:
    return [row for key, row in cells(app) if not is_header(key)]


def labels(app: ScoretermApp) -> list[str]:
    return [str(column.label) for column in table(app).ordered_columns]


def empty_text(app: ScoretermApp) -> str:
    """What the scoreboard shows in place of an empty table ("" while it has rows)."""
    box = app.screen.query_one("#empty", Static)
    return str(box.content) if box.display else ""


def live_mexico(minute: str = "67'", **changes: Any) -> Match:
    mex = opening_day()[0]
    goals = (
        MatchEvent(
            kind=EventKind.GOAL, minute="9'", side=Side.HOME, player="Julián Quiñones", key="goal:home:1-0"
        ),
        MatchEvent(
            kind=EventKind.RED_CARD, minute="49'", side=Side.AWAY, player="Sphephelo Sithole", key="red:1"
        ),
        MatchEvent(
            kind=EventKind.PENALTY_GOAL,
            minute="58'",
            side=Side.HOME,
            player="Raúl Jiménez",
            key="goal:home:2-0",
        ),
    )
    return msgspec.structs.replace(
        mex,
        score=Score(2, 0),
        clock=minute,
        events=goals,
        phase=Phase(state=PhaseState.LIVE, period=2, label="2H"),
        **changes,
    )


# -- 1. rows that carry more -----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_us_rows_read_away_at_home_with_the_live_state_in_full(size: tuple[int, int]) -> None:
    app = mlb_app()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 15)
        assert labels(app) == ["★", "Time", "Away", "Score", "Home", "Status"]  # a header on every column
        by_away = {row[2]: row for row in match_rows(app)}
        pirates = by_away["Pittsburgh Pirates"]
        assert pirates[1] == "Bot 1" and pirates[3] == "0 @ 0" and pirates[5] == "1 out · 0-0 · ○○○"
        assert pirates[4] in ("Philadelphia Phillies", "Phillies")  # never "Philadelphia Phillie"
        assert by_away["Cleveland Guardians"][5] == "1 out · ●○●"  # runners on 1st and 3rd
        assert by_away["Houston Astros"][1] == "End 3"
        assert by_away["New York Mets"][3] == "@" and by_away["New York Mets"][4] == "New York Yankees"
        for row in match_rows(app):
            assert not row[1].endswith("s") or row[1][0].isdigit()  # never "Bot 1s"
            assert "…" not in row[5]  # the live state is never cut, even at 80 columns
        assert app.screen.sub_title == "MLB · 15 matches"  # the league's name, not its slug


async def test_names_use_the_width_and_are_cut_with_an_ellipsis() -> None:
    app = mlb_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 15)
        homes = [row[4] for row in match_rows(app)]
        assert "Philadelphia Phillies" in homes and "Arizona Diamondbacks" in homes
    narrow = mlb_app()
    async with narrow.run_test(size=(60, 30)) as pilot:
        await until(pilot, lambda: len(match_rows(narrow)) == 15)
        known = {name for m in mlb() for name in (m.home.name, m.home.short_name, m.home.abbrev)}
        homes = [row[4] for row in match_rows(narrow)]
        # The fullest name that fits: the name, the short name, the abbreviation, never cut blind.
        assert all(name in known or name.endswith("…") for name in homes)
        assert "Philadelphia Phillies" not in homes and "Phillies" in homes


async def test_a_range_of_days_gets_a_header_per_day() -> None:
    base = opening_day(live=False)
    third = msgspec.structs.replace(base[1], id="espn-3", kickoff=base[1].kickoff + timedelta(days=3))
    feed = ScriptedFeed([snapshot([*base, third])])
    app = scripted_app(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 3)
        headers = [row[2] for key, row in cells(app) if key.startswith("day:")]
        assert headers == ["Thu 11 Jun", "Fri 12 Jun", "Mon 15 Jun"]
        assert [row[1] for row in match_rows(app)] == ["19:00", "02:00", "02:00"]
        assert app.screen.sub_title.startswith("FIFA World Cup · 3 matches")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_red_cards_on_the_row_and_scorers_on_a_second_line_when_tall_enough(
    size: tuple[int, int],
) -> None:
    feed = ScriptedFeed([snapshot([live_mexico(), opening_day()[1]])])
    app = scripted_app(feed)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        mexico = next(row for row in match_rows(app) if row[2].startswith("Mexico"))
        assert mexico[4] == "■ South Africa"  # Sithole's red card
        scorers = "Quiñones 9', Jiménez 58' (p)"
        # In full when it fits (120 columns); cut with an ellipsis when not (80).
        assert (
            mexico[2] == f"Mexico\n{scorers}"
            if size[0] >= 100
            else mexico[2] == "Mexico\nQuiñones 9', Jiménez 58'…"
        )
        height = next(r.height for r in table(app).ordered_rows if r.key.value == opening_day()[0].id)
        assert height == 2


async def test_no_second_line_when_the_terminal_is_too_short() -> None:
    many = [
        msgspec.structs.replace(
            live_mexico(),
            id=f"espn-{n}",
            home=msgspec.structs.replace(opening_day()[0].home, name=f"Team {n}"),
        )
        for n in range(12)
    ]
    app = scripted_app(ScriptedFeed([snapshot(many)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 12)
        assert all(row.height == 1 for row in table(app).ordered_rows)
        assert all("\n" not in row[2] for row in match_rows(app))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_w_toggles_a_live_win_column(size: tuple[int, int]) -> None:
    prob = WinProbability(home=0.71, draw=0.2, away=0.09, source="market")
    feed = ScriptedFeed([snapshot([live_mexico(prob=prob), opening_day()[1]])])
    app = scripted_app(feed)
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        assert "Win %" not in labels(app)
        await pilot.press("w")
        await until(pilot, lambda: "Win %" in labels(app))
        mexico = next(row for row in match_rows(app) if row[2].startswith("Mexico"))
        assert mexico[6] == "71 20 9"  # home, draw, away: the order of the row
        assert any(WIN_LEGEND in n.message for n in app._notifications)  # and the toast says so
        korea = next(row for row in match_rows(app) if row[2].startswith("South Korea"))
        assert korea[6] == ""  # no number yet
        await pilot.press("w")
        await until(pilot, lambda: "Win %" not in labels(app))


async def test_the_win_column_hides_a_spoiler_free_match() -> None:
    prob = WinProbability(home=0.71, draw=0.2, away=0.09, source="market")
    feed = ScriptedFeed([snapshot([live_mexico(prob=prob)])])
    app = scripted_app(feed, spoiler_free=["Mexico"], win_column=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 1)
        row = match_rows(app)[0]
        assert (
            row[3] == "? - ?" and row[6] == "\N{EN DASH}" and row[2] == "Mexico" and row[4] == "South Africa"
        )


# -- 5. keys and habits ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_ctrl_c_quits_with_exit_code_0(size: tuple[int, int]) -> None:
    app = scripted_app(ScriptedFeed([snapshot(opening_day())]))
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        await pilot.press("ctrl+c")
    assert app.return_code == 0
    assert not any("ctrl+q" in n.message for n in app._notifications)


async def test_ctrl_c_quits_from_the_filter_box_too() -> None:
    app = scripted_app(ScriptedFeed([snapshot(opening_day())]))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        await pilot.press("slash", "m", "ctrl+c")
    assert app.return_code == 0


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_home_end_page_keys_and_j_k_move_between_matches(size: tuple[int, int]) -> None:
    app = mlb_app()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 15)
        screen = app.screen
        assert isinstance(screen, ScoreboardScreen)
        ids = [key for key, _ in cells(app)]
        await pilot.press("end")
        assert screen.current_match_id() == ids[-1]
        await pilot.press("home")
        assert screen.current_match_id() == ids[0]
        await pilot.press("j", "j")
        assert screen.current_match_id() == ids[2]
        await pilot.press("k")
        assert screen.current_match_id() == ids[1]
        await pilot.press("pagedown")
        assert table(app).cursor_row > 2
        await pilot.press("pageup")
        assert table(app).cursor_row == 0


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_help_lists_every_key_and_wraps_under_its_description(size: tuple[int, int]) -> None:
    app = scripted_app(ScriptedFeed([snapshot(opening_day())]))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        body = app.screen.query_one("#help-body", Static)
        lines = [line.text for line in body.render_lines(body.region.reset_offset)]  # type: ignore[attr-defined]
        text = "\n".join(lines)
        for key in ("j k", "PgUp PgDn", "Home End", "ctrl+c", "w ", "s "):
            assert key in text, key
        star = next(i for i, line in enumerate(lines) if line.lstrip().startswith("f "))
        start = lines[star].index("star")
        # The rest of f's text wraps under its start, not under the key column.
        assert lines[star + 1][:start].strip() == "" and lines[star + 1][start:].strip()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_delay_says_it_holds_data_back(size: tuple[int, int]) -> None:
    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    app = scripted_app(ScriptedFeed([snapshot(opening_day())]), clock=clock)
    app.options.delay = 30.0
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.holding_until is not None)
        await clock.advance(12)
        await pilot.pause()
        assert "delayed 30 s" in str(app.screen.query_one(StatusBar).render_status())
        app.screen.refresh_rows()  # type: ignore[attr-defined]
        await until(pilot, lambda: "show in 18 s" in empty_text(app))
        assert "Delayed 30 s (--delay): the first scores show in 18 s" in empty_text(app)
        await clock.advance(19)
        await until(pilot, lambda: len(match_rows(app)) == 2)
        assert not app.screen.query_one("#empty", Static).display


# -- an empty scoreboard says why ------------------------------------------------------------------


def _status(state: StatusState) -> Update:
    return StatusUpdate(
        channel="league:eng.1",
        at=AT,
        status=SourceStatus(provider="espn", state=state, message="cannot reach espn"),
    )


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_an_empty_day_names_the_league_and_the_next_kick_off(size: tuple[int, int]) -> None:
    asked: list[str] = []

    async def next_kickoff(slug: str) -> datetime:
        asked.append(slug)
        return datetime(2026, 6, 13, 11, 30, tzinfo=UTC)  # Saturday

    feed = ScriptedFeed([SnapshotUpdate(channel="league:eng.1", at=AT, matches=()), _status("ok")])
    options = AppOptions(
        settings=Settings(leagues=["eng.1"]),
        zone=UTC,
        leagues=["eng.1"],
        clock=FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC)),
        next_kickoff=next_kickoff,
    )
    app = make_app(feed, options)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: "next:" in empty_text(app))
        assert "No matches today in English Premier League · next: Sat 11:30" in empty_text(app)
        assert asked == ["eng.1"]  # looked up once


async def test_an_empty_board_offline_suggests_the_demo() -> None:
    async def offline(slug: str) -> datetime:
        raise OSError("no network")

    feed = ScriptedFeed([_status("unreachable")])
    options = AppOptions(settings=Settings(), zone=UTC, leagues=["eng.1"], next_kickoff=offline)
    app = make_app(feed, options)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "replay --demo" in empty_text(app))
        assert "Cannot reach the scores provider · offline? try scoreterm replay --demo" in empty_text(app)


async def test_a_filter_that_matches_nothing_says_so() -> None:
    app = scripted_app(ScriptedFeed([snapshot(opening_day())]))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 2)
        await pilot.press("slash", "x", "y", "z")
        await until(pilot, lambda: "No team matches" in empty_text(app))
        assert "No team matches “xyz” · esc clears the filter" in empty_text(app)


async def test_a_thin_client_without_leagues_names_the_leagues_the_server_sends() -> None:
    """``watch --server`` without ``--league`` follows whatever the server carries."""
    board = SnapshotUpdate(channel="league:mlb", at=AT, matches=tuple(mlb()))
    app = make_app(ScriptedFeed([board]), AppOptions(settings=Settings(), zone=UTC, leagues=[]))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(match_rows(app)) == 15)
        assert app.screen.sub_title == "MLB · 15 matches"


class _CrashesOnMount(App[None]):
    def on_mount(self) -> None:
        raise RuntimeError("a bug in a screen")


class _QuitsOnMount(App[None]):
    def on_mount(self) -> None:
        self.exit()


def test_a_dashboard_that_crashes_exits_1_and_one_that_quits_exits_0() -> None:
    # Textual prints the traceback and returns from run(): the command must not then say "ok".
    assert run_dashboard(_CrashesOnMount(), headless=True) == EXIT_FAILED
    assert run_dashboard(_QuitsOnMount(), headless=True) == EXIT_OK
