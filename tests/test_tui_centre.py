"""The match centre's views, driven with Pilot on the demo tape (Mexico 2-0 South Africa) and on a
real NBA summary: the number keys, the win-probability chart, the lineups as they started and as the
substitutions happen, the commentary and its search, the preview before kick-off, the shots, the stats
as bars, and the box score and plays of a US game.

Assertions read what the widgets draw (their strips). The tape is paused and moved with its own
clock; nothing waits on wall time except the bounded polling of ``until``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent
from textual.widgets._footer import FooterKey

from scoreterm.config import Settings
from scoreterm.domain.model import Match, Phase, PhaseState, SnapshotUpdate, Team
from scoreterm.domain.prob_series import percent
from scoreterm.providers.espn_normalize import normalize_summary
from scoreterm.replay.tape import demo_tape
from scoreterm.session import Session, replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.screens.match import MatchScreen
from scoreterm.tui.widgets.winchart_data import headline
from tests.test_tui_match import shown
from tests.tui_helpers import ScriptedFeed, until

MEX = "espn-760415"
FIXTURES = Path(__file__).parent / "fixtures"
KICK_OFF_T = 300.0
MBATHA_ON_T = 4890.0  # 20:22:27Z, 56': Thalente Mbatha replaces Lyle Foster


def demo(*, paused: bool = False, **settings: Any) -> tuple[ScoretermApp, Session]:
    """The demo app with Mexico v South Africa followed from the first frame (so the engine sees the
    whole match, and its win-probability line, as a viewer who opened it before kick-off would);
    ``paused`` holds the tape at its start (move it with :func:`play_to`)."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    assert session.replay is not None
    session.feed.focus(MEX)
    if paused:
        session.replay.clock.pause()
    options = AppOptions(
        settings=Settings(**settings),
        zone=UTC,
        leagues=["fifa.world"],
    )
    return make_app(session.feed, options), session


async def play_to(pilot: Pilot[Any], app: ScoretermApp, session: Session, t: float) -> None:
    """Move the paused tape to ``t`` seconds (once the first poll is in, so the engine wakes to it)."""
    assert session.replay is not None
    await until(pilot, lambda: MEX in app.board.matches)
    session.replay.clock.jump(t - session.replay.position)


async def open_demo_match(pilot: Pilot[Any], app: ScoretermApp, *, ended: bool) -> MatchScreen:
    if ended:
        await until(pilot, lambda: app.feed_state == "ended", within=90.0)
    await until(pilot, lambda: MEX in app.board.matches and app.board.matches[MEX].centre is not None)
    await app.push_screen(MatchScreen(MEX))
    await until(pilot, lambda: isinstance(app.screen, MatchScreen))
    assert isinstance(app.screen, MatchScreen)
    await pilot.pause()
    return app.screen


def active(app: ScoretermApp) -> str:
    return app.screen.query_one("#match-views", TabbedContent).active


def tab_labels(app: ScoretermApp) -> list[str]:
    tabs = app.screen.query_one("#match-views", TabbedContent)
    return [
        str(tab.label) for tab in tabs.query("ContentTab") if tab.display and "-hidden" not in tab.classes
    ]


def lines(app: ScoretermApp, selector: str) -> list[str]:
    return [" ".join(line.split()) for line in shown(app, selector).splitlines() if line.strip()]


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.slow  # plays the whole tape (over 2 s)
async def test_number_keys_switch_views_and_the_footer_and_tabs_show_them() -> None:
    app, _ = demo()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_demo_match(pilot, app, ended=True)
        assert tab_labels(app) == ["1 Match", "2 Win %", "3 Lineups", "4 Commentary", "5 Shots", "6 Stats"]
        footer = {(k.key_display, k.description) for k in app.screen.query(FooterKey)}
        assert {("1-6", "Views"), ("/", "Search")} <= footer
        for key, pane in [("2", "view-chart"), ("3", "view-lineups"), ("4", "view-commentary")]:
            await pilot.press(key)
            assert active(app) == pane
        await pilot.press("5", "6", "1")
        assert active(app) == "view-match"
        await pilot.press("9")  # no ninth view: nothing moves
        assert active(app) == "view-match"
        # The first view is the match as before: timeline, odds and stats where they were.
        assert "Julián Quiñones" in shown(app, "#timeline-lines") and "DraftKings" in shown(app, "#odds")


# -- win probability ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_win_probability_chart_on_the_demo(size: tuple[int, int]) -> None:
    app, _ = demo()
    async with app.run_test(size=size) as pilot:
        await open_demo_match(pilot, app, ended=True)
        await pilot.press("2")
        await until(pilot, lambda: app.screen.query_one("#winchart-plot").display is True)
        match = app.board.matches[MEX]
        assert match.trend is not None and len(match.trend.prob) > 3
        plot = shown(app, "#winchart-plot")
        assert headline(match) in plot and headline(match).endswith(match.prob.source)  # type: ignore[union-attr]
        rows = plot.splitlines()
        assert rows[2].lstrip().startswith("MEX") and any(r.lstrip().startswith("RSA") for r in rows)
        assert any(r.lstrip().startswith("even") for r in rows)
        assert all(tick in rows[-1] for tick in ("0'", "HT", "90'"))
        assert plot.count("●") == 2  # the two goals
        assert plot.count("▮") >= 1  # the red cards that carry a swing
        plot_height = app.screen.query_one("#winchart-plot").region.height
        swings = app.screen.query_one("#winchart-swings")
        if size[0] >= 100:
            told = lines(app, "#winchart-swing-lines")
            goals = [e.event for e in app.board.timeline(MEX) if e.event.kind.is_goal]
            first = goals[0]
            assert first.prob_before is not None and first.prob_after is not None
            expected = f"Mexico win {percent(first.prob_before.home)} → {percent(first.prob_after.home)}"
            assert expected in told and "9' goal Julián Quiñones" in told
            assert any("red card Sphephelo Sithole" in line for line in told)
            assert plot_height >= 25
        else:
            assert swings.display is False or swings.region.width == 0
            assert plot_height >= 15


async def test_chart_says_so_when_there_is_no_line_and_hides_for_spoilers() -> None:
    start = Match(
        id="m1",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        clock="5'",
        seq=1,
    )
    update = SnapshotUpdate(channel="league:fifa.world", at=start.kickoff, matches=(start,))
    feed = ScriptedFeed([update])
    options = AppOptions(settings=Settings(spoiler_free=["Mexico"]), zone=UTC, leagues=["fifa.world"])
    app = make_app(feed, options)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "m1" in app.board.matches)
        await app.push_screen(MatchScreen("m1"))
        await pilot.press("2")
        await until(pilot, lambda: "hidden" in shown(app, "#winchart-empty"))
        await pilot.press("r")
        await until(pilot, lambda: "No win probability yet" in shown(app, "#winchart-empty"))
        assert app.screen.query_one("#winchart-plot").display is False


# -- lineups -----------------------------------------------------------------------------------


def real_starters(side: str) -> list[str]:
    summary = json.loads(
        (
            FIXTURES / "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
        ).read_text()
    )
    roster = next(r for r in summary["rosters"] if r["homeAway"] == side)
    return [p["athlete"]["displayName"] for p in roster["roster"] if p["starter"]]


async def test_lineups_before_kick_off_are_the_starting_elevens_in_two_lists_at_80() -> None:
    app, session = demo(paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to(pilot, app, session, 100.0)
        await open_demo_match(pilot, app, ended=False)
        await pilot.press("3")
        await until(pilot, lambda: "Mexico" in shown(app, "#lineups-body"))
        text = shown(app, "#lineups-body")
        assert "4-1-4-1" in text and "5-3-2" in text
        for name in real_starters("home") + real_starters("away"):
            assert name in text, name
        assert "Came on" not in text and "↓" not in text and "●" not in text
        assert "Bench" in text
        rows = lines(app, "#lineups-body")
        # Two lists side by side: each row holds a Mexico player and a South Africa player.
        assert any("Raúl Rangel" in row and "Ronwen Williams" in row for row in rows)


async def test_substitutions_appear_on_the_pitch_as_they_happen() -> None:
    app, session = demo(paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await play_to(pilot, app, session, MBATHA_ON_T - 60)
        await open_demo_match(pilot, app, ended=False)
        await pilot.press("3")
        await until(pilot, lambda: "Foster" in pitch_of(app))
        pitch = pitch_of(app)
        assert "Mexico 4-1-4-1 →" in pitch and "← 5-3-2 South Africa" in pitch
        assert "Rangel" in pitch and "Williams" in pitch and "┃" in pitch  # goalkeepers by their goals
        assert "Mbatha" not in pitch and "Thalente Mbatha" in shown(app, "#lineups-body")  # on the bench
        await play_to(pilot, app, session, MBATHA_ON_T + 60)
        await until(pilot, lambda: "Mbatha" in pitch_of(app))
        # On the pitch the substitute stands where Foster stood; the list says for whom and when.
        assert "Foster" not in pitch_of(app)
        listed = lines(app, "#lineups-body")
        assert any("Thalente Mbatha for Foster" in row and "↑56'" in row for row in listed)


def pitch_of(app: ScoretermApp) -> str:
    """The pitch part of the lineups view (everything above the lists)."""
    text = shown(app, "#lineups-body")
    return text.split("Came on")[0].split("Bench")[0]


@pytest.mark.slow
async def test_spoiler_free_lineups_show_the_sheets_as_they_started() -> None:
    app, _ = demo(spoiler_free=["Mexico"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_demo_match(pilot, app, ended=True)
        await pilot.press("3")
        await until(pilot, lambda: "Julián Quiñones" in shown(app, "#lineups-body"))
        text = shown(app, "#lineups-body")
        assert "●" not in text and "Came on" not in text and "↓" not in text and "▮" not in text
        for key, body in (
            ("2", "#winchart-empty"),
            ("4", "#commentary #commentary-lines"),
            ("5", "#shots-body"),
        ):
            await pilot.press(key)
            await until(pilot, lambda body=body: "press r to reveal" in shown(app, body))
        await pilot.press("6")
        await until(pilot, lambda: "press r to reveal" in shown(app, "#stat-bars-table"))
        await pilot.press("r", "3")
        await until(pilot, lambda: "●9'" in shown(app, "#lineups-body"))
        assert "Came on" in shown(app, "#lineups-body")


# -- commentary and preview --------------------------------------------------------------------


@pytest.mark.slow
async def test_commentary_newest_first_and_searchable() -> None:
    app, _ = demo()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_demo_match(pilot, app, ended=True)
        await pilot.press("4")
        await until(pilot, lambda: "Match ends" in shown(app, "#commentary #commentary-lines"))
        rows = lines(app, "#commentary #commentary-lines")
        assert rows[0] == "Match ends, Mexico 2, South Africa 0."
        assert rows.index(next(r for r in rows if "Second Half ends" in r)) < rows.index(
            next(r for r in rows if r.startswith("9'"))
        )
        # Wide: the timeline sits beside the commentary.
        assert "Julián Quiñones" in shown(app, "#commentary-timeline #timeline-lines")
        await pilot.press("slash")
        await pilot.press(*"quinones")
        await until(pilot, lambda: "lines match" in shown(app, "#commentary #commentary-lines"))
        found = lines(app, "#commentary #commentary-lines")
        items = app.board.matches[MEX].centre.commentary  # type: ignore[union-attr]
        about = [item for item in items if "Quiñones" in item.text]
        assert found[0] == f"{len(about)} of {len(items)} lines match “quinones”" and 3 <= len(about) < 20
        text = " ".join(found)
        assert all(item.text in text for item in about)
        assert "Alexis Vega replaces Julián Quiñones" in text and "Match ends" not in text
        await pilot.press("r")  # typed into the search, not the reveal key
        await until(pilot, lambda: "“quinonesr”" in shown(app, "#commentary #commentary-lines"))
        assert lines(app, "#commentary #commentary-lines")[0].startswith("0 of ")
        await pilot.press("escape")  # closes the search, not the screen
        await until(pilot, lambda: "lines match" not in shown(app, "#commentary #commentary-lines"))
        assert isinstance(app.screen, MatchScreen)
        assert lines(app, "#commentary #commentary-lines")[0] == "Match ends, Mexico 2, South Africa 0."


async def test_preview_before_kick_off() -> None:
    app, session = demo(paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to(pilot, app, session, 100.0)
        await open_demo_match(pilot, app, ended=False)
        await until(pilot, lambda: "4 Preview" in tab_labels(app))
        await pilot.press("4")
        await until(pilot, lambda: "Head to head" in shown(app, "#commentary #commentary-lines"))
        text = " ".join(shown(app, "#commentary #commentary-lines").split())
        assert "Kick-off Thu 11 Jun 19:00 UTC · Estadio Banorte, Mexico City Odds" in text  # no crowd yet
        assert "DraftKings pre-match: MEX -230 (67.7%) · Draw +330 (21.8%) · RSA +750 (10.5%)" in text
        assert "Form (newest first)" in text and "2010-06-11 RSA 1-1 MEX" in text
        preview = app.board.matches[MEX].centre.preview  # type: ignore[union-attr]
        assert preview is not None and " ".join(preview.home_form_text) in text


# -- shots and stats ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_shots_map_and_shots_over_time(size: tuple[int, int]) -> None:
    app, _ = demo()
    async with app.run_test(size=size) as pilot:
        await open_demo_match(pilot, app, ended=True)
        await pilot.press("5")
        await until(pilot, lambda: "attack" in shown(app, "#shots-body"))
        text = shown(app, "#shots-body")
        assert "RSA attack ←" in text and "→ MEX attack" in text
        assert text.count("●") == 3  # two goals on the pitch, one in the legend
        rows = lines(app, "#shots-body")
        assert any(row.endswith("Total 16 3") or "Total 16 3" in row for row in rows)
        assert any("Goals 2 0" in row for row in rows)
        assert any("1-15' 4" in row for row in rows)
        assert "xG" not in text


@pytest.mark.slow
async def test_stats_as_two_sided_bars() -> None:
    app, _ = demo()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_demo_match(pilot, app, ended=True)
        await pilot.press("6")
        await until(pilot, lambda: "Possession" in shown(app, "#stat-bars-table"))
        body = app.screen.query_one("#stat-bars-table")
        from textual.geometry import Region

        for strip in body.render_lines(Region(0, 0, *body.outer_size)):
            if "Possession" not in strip.text:
                continue
            assert "60.5%" in strip.text and "39.5%" in strip.text
            colours = [
                seg.style.color for seg in strip if seg.text.strip("█") == "" and seg.text and seg.style
            ]
            home, away = (len(seg.text) for seg in strip if seg.text and set(seg.text) == {"█"})
            assert len(set(colours)) >= 2
            assert abs(home / (home + away) - 0.605) < 0.05
            break
        else:
            raise AssertionError("no Possession row")
        text = shown(app, "#stat-bars-table")
        assert "Shots on Target" in text and "SHOTS" not in text and "25%" in text


# -- a US game ---------------------------------------------------------------------------------


def nba_match() -> Match:
    summary = json.loads((FIXTURES / "espn_summary_us/nba_summary_401772994_winprobability.json").read_text())
    competitors = summary["header"]["competitions"][0]["competitors"]
    teams = {c["homeAway"]: c["team"] for c in competitors}
    base = Match(
        id="espn-401772994",
        league="nba",
        kickoff=datetime(2025, 6, 1, tzinfo=UTC),
        home=Team(
            name=teams["home"]["displayName"], abbrev=teams["home"]["abbreviation"], id=teams["home"]["id"]
        ),
        away=Team(
            name=teams["away"]["displayName"], abbrev=teams["away"]["abbreviation"], id=teams["away"]["id"]
        ),
        phase=Phase(state=PhaseState.FINAL, period=4, label="FT"),
        provider_ids={"espn": "401772994"},
        seq=1,
    )
    return normalize_summary(summary, base)


async def test_us_game_shows_box_score_and_scoring_plays_first() -> None:
    match = nba_match()
    assert match.centre is not None and match.centre.box is not None and match.centre.plays
    update = SnapshotUpdate(channel="league:nba", at=match.kickoff, matches=(match,))
    app = make_app(ScriptedFeed([update]), AppOptions(settings=Settings(), zone=UTC, leagues=["nba"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: match.id in app.board.matches)
        await app.push_screen(MatchScreen(match.id))
        await until(pilot, lambda: "3 Box score" in tab_labels(app))
        assert tab_labels(app) == ["1 Match", "2 Win %", "3 Box score", "4 Plays", "5 Stats", "6 Preview"]
        await pilot.press("6")
        await until(pilot, lambda: "Kick-off" in shown(app, "#preview #commentary-lines"))
        assert "Commentary" not in " ".join(tab_labels(app))
        await pilot.press("3")
        await until(pilot, lambda: "Leaders" in shown(app, "#box-body"))
        box = lines(app, "#box-body")
        away, home = match.away.abbrev, match.home.abbrev
        away_row = next(row for row in box if row.startswith(f"{away} "))
        home_row = next(row for row in box if row.startswith(f"{home} "))
        assert box.index(away_row) < box.index(home_row)  # away @ home
        assert away_row.split()[-1] == str(match.score.away) and home_row.split()[-1] == str(match.score.home)
        periods = [c.away for c in match.centre.box.linescore]
        assert away_row.split()[1 : 1 + len(periods)] == periods
        await pilot.press("5")
        await until(pilot, lambda: "FG" in shown(app, "#stat-bars-table"))
        stat_rows = lines(app, "#stat-bars-table")
        assert stat_rows[0] == f"{away} {home}"  # away on the left, as in the line score
        await pilot.press("4")
        await until(pilot, lambda: "Scoring plays" in shown(app, "#plays-body"))
        plays = lines(app, "#plays-body")
        assert plays[0] == "Scoring plays"
        scoring = [p for p in match.centre.plays if p.scoring]
        assert scoring[-1].text[:30] in plays[1]  # the latest scoring play on top
        assert plays.index("Plays") > len(scoring)
        assert msgspec.json.encode(match.centre)  # the centre rides on the wire as built
