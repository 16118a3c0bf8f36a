"""The match screen, driven through the real app: the demo tape (Mexico 2-0 South Africa) and scripted feeds.

Assertions read what the widgets render (their strips), not the board behind them.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from scoreterm.config import Settings
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    MoneyLine,
    Odds,
    Phase,
    PhaseState,
    Score,
    Side,
    SnapshotUpdate,
    Team,
    Update,
)
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.board import Board
from scoreterm.tui.screens.match import MatchScreen
from scoreterm.tui.screens.scoreboard import ScoreboardScreen
from scoreterm.tui.widgets.timeline import Timeline
from tests.tui_helpers import ScriptedFeed, demo_app

DEMO_MATCH = "espn-760415"
AT = datetime(2026, 6, 11, 19, 30, tzinfo=UTC)
CHANNEL = "league:fifa.world"


# -- harness -----------------------------------------------------------------------------------


def scripted(feed: ScriptedFeed) -> ScoretermApp:
    return make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=["fifa.world"]))


def live_match(**changes: Any) -> Match:
    match = Match(
        id="m1",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, 0, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        clock="25'",
        venue="Estadio Banorte",
        seq=1,
    )
    return msgspec.structs.replace(match, **changes)


def snapshot(*matches: Match) -> Update:
    return SnapshotUpdate(channel=CHANNEL, at=AT, matches=matches)


def delta(match: Match) -> Update:
    return DeltaUpdate(channel=CHANNEL, at=AT, match_id=match.id, seq=match.seq, match=match)


def event(match_id: str, item: MatchEvent) -> Update:
    return EventUpdate(channel=CHANNEL, at=AT, match_id=match_id, seq=item.seq, event=item)


async def until(pilot: Pilot[Any], predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Let the app run until ``predicate`` holds, polling every 50 ms; fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await pilot.pause(0.05)


async def played_out(pilot: Pilot[Any], app: ScoretermApp) -> None:
    """Wait for the demo tape to end (at max speed the app takes seconds, longer on a busy machine)."""
    await until(pilot, lambda: app.feed_state == "ended", within=90.0)


def shown(app: ScoretermApp, selector: str) -> str:
    """The text a widget renders (all of it, borders included, scrolled out of view or not)."""
    widget = app.screen.query_one(selector, Widget)
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, *widget.outer_size)))


def timeline_lines(app: ScoretermApp) -> list[str]:
    return [line.strip() for line in shown(app, "#timeline-lines").splitlines() if line.strip()]


def line_with(app: ScoretermApp, needle: str) -> str:
    found = [line for line in timeline_lines(app) if needle in line]
    assert len(found) == 1, (needle, timeline_lines(app))
    return found[0]


async def open_match(pilot: Pilot[Any], app: ScoretermApp, match_id: str) -> MatchScreen:
    await until(pilot, lambda: match_id in app.board.matches)
    app.feed.focus(match_id)  # as the scoreboard does when it opens a match
    await app.push_screen(MatchScreen(match_id))
    await until(
        pilot, lambda: isinstance(app.screen, MatchScreen) and "Waiting" not in shown(app, "#match-header")
    )
    assert isinstance(app.screen, MatchScreen)
    return app.screen


# -- the demo tape -----------------------------------------------------------------------------


@pytest.mark.slow  # over 2 s
async def test_full_time_screen_shows_header_timeline_odds_and_stats_then_esc_goes_back() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await played_out(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MatchScreen))
        assert isinstance(app.screen, MatchScreen) and app.screen.match_id == DEMO_MATCH
        await until(pilot, lambda: "Full time" in shown(app, "#timeline-lines"))

        header = shown(app, "#match-header")
        for text in ("Mexico", "2 - 0", "South Africa", "FT", "Kick-off 11 Jun 19:00 UTC", "Estadio Banorte"):
            assert text in header
        assert "unconfirmed" not in header

        lines = timeline_lines(app)
        order = [
            "— Kick-off —",
            "9'  GOAL  MEX  Julián Quiñones  1-0",
            "— Half-time —",
            "— Second half —",
            "49'  RC    RSA  Sphephelo Sithole",
            "67'  GOAL  MEX  Raúl Jiménez  Header  2-0",
            "84'  RC    RSA  Themba Zwane",
            "90+2'  RC    MEX  César Montes",  # minutes as fans write them, not ESPN's 90'+2'
            "— Full time —",
        ]
        positions = [next(i for i, line in enumerate(lines) if text in line) for text in order]
        assert positions == sorted(positions), lines
        assert "56'  SUB   RSA  Thalente Mbatha replaces Lyle Foster" in lines
        assert "66'  SUB   MEX  Luis Chávez replaces Brian Gutiérrez" in lines
        assert "17'" in line_with(app, "Teboho Mokoena") and "YC" in line_with(app, "Teboho Mokoena")

        odds = shown(app, "#odds")
        assert "DraftKings" in odds
        # The prices' chances with the margin removed (Shin): 67.7 + 21.8 + 10.5 = 100, not 104.8.
        assert "closing" in odds  # a finished match: the closing line, and the panel says so
        for row in (("MEX", "-230", "67.7%"), ("Draw", "+330", "21.8%"), ("RSA", "+750", "10.5%")):
            assert any(all(cell in line for cell in row) for line in odds.splitlines()), (row, odds)
        assert "MEX -1.5" in odds and "+140" in odds and "2.5" in odds and "+130" in odds and "-160" in odds

        stats = shown(app, "#stats-table")
        rows = [line.split() for line in stats.splitlines()]
        assert ["Possession", "60.5%", "39.5%"] in rows, stats
        assert ["Shots", "16", "3"] in rows and ["Shots", "on", "Target", "4", "2"] in rows, stats
        assert ["On", "Target", "%", "25%", "67%"] in rows, stats  # 4 of 16, 2 of 3: not "0.3 0.7"
        assert "SHOTS" not in stats

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScoreboardScreen))


async def test_goals_appear_on_the_timeline_as_the_tape_plays() -> None:
    app, session = demo_app(1.0)
    assert session.replay is not None
    clock = session.replay.clock
    clock.pause()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_match(pilot, app, DEMO_MATCH)
        clock.jump(820)
        await until(pilot, lambda: "Julián Quiñones" in shown(app, "#timeline-lines"))
        assert "1 - 0" in shown(app, "#match-header")
        assert "Julián Quiñones  1-0" in line_with(app, "Julián Quiñones")
        assert "Jiménez" not in shown(app, "#timeline-lines")

        clock.jump(3300 - 820)  # half-time runs from t=3240 to t=4234
        await until(pilot, lambda: "— Half-time —" in timeline_lines(app))
        assert timeline_lines(app)[-1] == "— Half-time —"
        assert "HT" in shown(app, "#match-header").splitlines()[1]

        clock.jump(5540 - 3300)
        await until(pilot, lambda: "Raúl Jiménez" in shown(app, "#timeline-lines"))
        assert "2 - 0" in shown(app, "#match-header")
        assert "Header  2-0" in line_with(app, "Raúl Jiménez")
        assert "Julián Quiñones  1-0" in line_with(app, "Julián Quiñones")
        assert "49'  RC    RSA" in line_with(app, "Sphephelo Sithole")
        lines = timeline_lines(app)
        assert (
            lines.index("— Half-time —")
            < lines.index("— Second half —")
            < lines.index(line_with(app, "Sphephelo Sithole"))
        )
        assert "Full time" not in shown(app, "#timeline-lines")


@pytest.mark.slow  # over 2 s
async def test_spoiler_free_match_stays_hidden_until_r() -> None:
    app, _ = demo_app(math.inf, spoiler_free=["Mexico"])
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await played_out(pilot, app)
        await open_match(pilot, app, DEMO_MATCH)
        header = shown(app, "#match-header")
        assert "? - ?" in header and "2 - 0" not in header and "Mexico" in header
        timeline = shown(app, "#timeline-lines")
        assert "Score hidden — press r to reveal" in timeline and "Quiñones" not in timeline
        assert "hidden" in shown(app, "#stats-table")

        await pilot.press("r")
        await until(
            pilot,
            lambda: (
                "2 - 0" in shown(app, "#match-header")
                and "Julián Quiñones" in shown(app, "#timeline-lines")
                and "Possession" in shown(app, "#stats-table")
            ),
        )


@pytest.mark.slow  # over 2 s
async def test_80x24_stacks_the_panels_and_keeps_the_header() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await played_out(pilot, app)
        screen = await open_match(pilot, app, DEMO_MATCH)
        await pilot.pause()
        assert screen.has_class("-narrow")
        header = shown(app, "#match-header")
        assert "Mexico" in header and "2 - 0" in header and "South Africa" in header
        timeline, odds, stats = (screen.query_one(s, Widget) for s in ("#timeline", "#odds", "#stats"))
        assert timeline.region.height >= 5 and timeline.region.width == 80
        assert odds.region.y == stats.region.y > timeline.region.y
        assert odds.region.bottom <= 22 and "DraftKings" in shown(app, "#odds")


async def test_wide_terminal_puts_odds_and_stats_beside_the_timeline() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_match(pilot, app, DEMO_MATCH)
        await pilot.pause()
        assert screen.has_class("-wide")
        timeline, odds, stats = (screen.query_one(s, Widget) for s in ("#timeline", "#odds", "#stats"))
        assert timeline.region.right <= odds.region.x == stats.region.x
        assert odds.region.bottom <= stats.region.y


def luminance(red: int, green: int, blue: int) -> float:
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def colours(app: ScoretermApp, selector: str, text: str) -> tuple[float, float]:
    """Luminance (0-1) of the foreground and background ``text`` is drawn in."""
    widget = app.screen.query_one(selector, Widget)
    for strip in widget.render_lines(Region(0, 0, *widget.outer_size)):
        for segment in strip:
            style = segment.style
            if segment.text.strip() == text and style and style.color and style.bgcolor:
                fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
                return luminance(fg.red, fg.green, fg.blue), luminance(bg.red, bg.green, bg.blue)
    raise AssertionError(f"{text!r} not drawn in {selector}")


@pytest.mark.slow  # over 2 s
async def test_a_light_theme_recolours_every_panel_legibly() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(120, 36)) as pilot:
        await played_out(pilot, app)
        await open_match(pilot, app, DEMO_MATCH)
        drawn = [
            ("#match-header", "Kick-off 11 Jun 19:00 UTC  ·  Estadio Banorte"),
            ("#match-header", "2 - 0"),
            ("#timeline-lines", "GOAL"),
            ("#timeline-lines", "— Half-time —"),
            ("#odds", "chance"),
            ("#stats-table", "Possession"),
        ]
        dark = [colours(app, selector, text) for selector, text in drawn]
        app.theme = "textual-light"
        await until(pilot, lambda: colours(app, "#timeline-lines", "GOAL") != dark[2])
        light = [colours(app, selector, text) for selector, text in drawn]
        for (selector, text), (fg, bg) in zip(drawn + drawn, dark + light, strict=True):
            assert abs(fg - bg) > 0.3, (selector, text, fg, bg)


# -- scripted feeds ----------------------------------------------------------------------------


def goal(minute: str, score: Score, player: str | None, seq: int, **changes: Any) -> MatchEvent:
    key = f"goal:home:{score}"
    return MatchEvent(
        kind=EventKind.GOAL,
        minute=minute,
        side=Side.HOME,
        player=player,
        score=score,
        key=key,
        seq=seq,
        **changes,
    )


async def test_disallowed_goal_is_struck_through_with_var() -> None:
    start = live_match()
    feed = ScriptedFeed([snapshot(start)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_match(pilot, app, "m1")
        assert "No odds" in shown(app, "#odds")
        assert "No stats from this provider" in shown(app, "#stats-table")
        feed.push(event("m1", goal("30'", Score(1, 0), "Raúl Jiménez", 2, detail="Goal")))
        feed.push(delta(msgspec.structs.replace(start, score=Score(1, 0), clock="30'", seq=3)))
        # The header and the timeline redraw on their own schedules (the timeline's is coalesced).
        await until(
            pilot,
            lambda: (
                "1 - 0" in shown(app, "#match-header")
                and any("Raúl Jiménez" in line for line in timeline_lines(app))
            ),
        )
        assert "VAR" not in line_with(app, "Raúl Jiménez")

        taken_back = MatchEvent(
            kind=EventKind.GOAL_DISALLOWED,
            minute="32'",
            side=Side.HOME,
            score=Score(1, 0),
            key="disallowed:home:1-0",
            seq=4,
        )
        feed.push(event("m1", taken_back))
        feed.push(delta(msgspec.structs.replace(start, score=Score(0, 0), clock="33'", seq=5)))
        await until(pilot, lambda: "VAR: disallowed" in shown(app, "#timeline-lines"))
        assert "0 - 0" in shown(app, "#match-header")
        assert "Raúl Jiménez  1-0  VAR: disallowed" in line_with(app, "Raúl Jiménez")
        assert "goal ruled out" in line_with(app, "32'")

        # The strike is in what is drawn: every cell of the goal itself, none of the VAR note.
        lines = app.screen.query_one(Timeline).lines()
        struck = next(line for line in lines if "Raúl Jiménez" in line.plain)
        assert any("strike" in str(span.style) for span in struck.spans)
        body = app.screen.query_one("#timeline-lines", Widget)
        strip = next(s for s in body.render_lines(Region(0, 0, *body.outer_size)) if "Raúl Jiménez" in s.text)
        styles = {seg.text.strip(): seg.style for seg in strip if seg.text.strip()}
        assert styles["Raúl Jiménez"] is not None and styles["Raúl Jiménez"].strike
        assert styles["VAR: disallowed"] is not None and not styles["VAR: disallowed"].strike


async def test_synthetic_goal_is_marked_until_the_provider_names_the_scorer() -> None:
    start = live_match()
    feed = ScriptedFeed([snapshot(start)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_match(pilot, app, "m1")
        feed.push(event("m1", goal("12'", Score(1, 0), None, 2, synthetic=True)))
        feed.push(
            delta(msgspec.structs.replace(start, score=Score(1, 0), clock="12'", unconfirmed=True, seq=3))
        )
        await until(pilot, lambda: "(unconfirmed scorer)" in shown(app, "#timeline-lines"))
        assert line_with(app, "12'").startswith("12'  GOAL  MEX  ?  (unconfirmed scorer)  1-0")
        assert "unconfirmed" in shown(app, "#match-header")

        enriched = goal("9'", Score(1, 0), "Julián Quiñones", 4, detail="Goal", enriches=True)
        feed.push(event("m1", enriched))
        feed.push(delta(msgspec.structs.replace(start, score=Score(1, 0), clock="13'", seq=5)))
        await until(pilot, lambda: "Julián Quiñones" in shown(app, "#timeline-lines"))
        assert line_with(app, "Julián Quiñones") == "9'  GOAL  MEX  Julián Quiñones  1-0"
        assert "unconfirmed" not in shown(app, "#timeline-lines")
        await until(pilot, lambda: "unconfirmed" not in shown(app, "#match-header"))


async def test_odds_moves_show_arrows() -> None:
    opening = Odds(provider="DraftKings", moneyline=MoneyLine(home=-230, draw=330, away=750), over_under=2.5)
    start = live_match(odds=opening)
    feed = ScriptedFeed([snapshot(start)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        assert "▲" not in shown(app, "#odds") and "▼" not in shown(app, "#odds")
        moved = msgspec.structs.replace(opening, moneyline=MoneyLine(home=-250, draw=330, away=800))
        feed.push(delta(msgspec.structs.replace(start, odds=moved, seq=2)))
        await until(pilot, lambda: "-250" in shown(app, "#odds"))
        rows = shown(app, "#odds").splitlines()
        assert any("MEX" in row and "-250 ▼" in row and "69.0%" in row for row in rows), rows
        assert any("RSA" in row and "+800 ▲" in row and "9.5%" in row for row in rows), rows
        assert any("Draw" in row and "+330" in row and "▲" not in row and "▼" not in row for row in rows)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_waiting_for_an_unknown_match_does_not_crash(size: tuple[int, int]) -> None:
    feed = ScriptedFeed([snapshot(live_match())])
    app = scripted(feed)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: "m1" in app.board.matches)
        await app.push_screen(MatchScreen("nope"))
        await pilot.pause()
        assert "Waiting for data" in shown(app, "#match-header")
        assert "No events yet" in shown(app, "#timeline-lines")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScoreboardScreen))


def test_board_timeline_puts_breaks_where_they_belong_even_when_seen_late() -> None:
    board = Board()
    board.apply(snapshot(live_match()), 0.0)
    phases = [("1H", "1'"), ("HT", "HT"), ("2H", "67'"), ("FT", "FT")]  # 2H noticed late, as after a gap
    items = [
        MatchEvent(kind=EventKind.PHASE_CHANGE, detail=label, minute=minute, key=f"phase:{label}", seq=seq)
        for seq, (label, minute) in zip((1, 3, 4, 7), phases, strict=True)
    ]
    items += [
        goal("45'+2'", Score(1, 0), "A", 2),
        goal("52'", Score(2, 0), "B", 5),
        goal("90'+6'", Score(3, 0), "C", 6),
    ]
    for item in items:
        board.apply(event("m1", item), 0.0)
    order = [
        e.event.detail if e.event.kind is EventKind.PHASE_CHANGE else e.event.player
        for e in board.timeline("m1")
    ]
    assert order == ["1H", "A", "HT", "2H", "B", "C", "FT"]


def test_a_snapshot_that_starts_the_history_over_replaces_the_timeline_and_goals_toast_again() -> None:
    """A server that restarted with a new history sends a snapshot (``recovered: false``) of a match
    further back than we hold: what we showed of the lost history must go, and a goal scored again
    in the new one is news (a thin client kept the full-time timeline at 1-0 and toasted nothing)."""
    first, second = goal("9'", Score(1, 0), "Quiñones", 16), goal("67'", Score(2, 0), "Jiménez", 120)
    full_time = live_match(
        score=Score(2, 0),
        phase=Phase(state=PhaseState.FINAL, period=2, label="FT"),
        clock="FT",
        events=(first, second),
        seq=178,
    )
    board = Board()
    board.apply(snapshot(full_time), 0.0)
    assert [e.event.player for e in board.timeline("m1") if e.event.kind is EventKind.GOAL] == [
        "Quiñones",
        "Jiménez",
    ]
    restarted = live_match(
        score=Score(1, 0), clock="33'", events=(msgspec.structs.replace(first, seq=5),), seq=9
    )
    board.apply(snapshot(restarted), 1.0)
    entries = board.timeline("m1")
    assert [e.event.player for e in entries if e.event.kind is EventKind.GOAL] == ["Quiñones"]
    assert not any(e.event.key == "phase:FT" for e in entries)
    notices = board.apply(event("m1", msgspec.structs.replace(second, seq=12)), 2.0)
    assert [n.title for n in notices] == ["GOAL! Mexico"]


def test_a_snapshot_that_continues_the_history_keeps_the_timeline() -> None:
    first = goal("9'", Score(1, 0), "Quiñones", 3)
    board = Board()
    board.apply(snapshot(live_match(score=Score(1, 0), events=(first,), seq=4)), 0.0)
    kick_off = MatchEvent(kind=EventKind.PHASE_CHANGE, detail="1H", minute="1'", key="phase:1H", seq=1)
    board.apply(event("m1", kick_off), 0.0)
    board.apply(snapshot(live_match(score=Score(1, 0), clock="30'", events=(first,), seq=6)), 1.0)  # a resync
    assert [e.event.key for e in board.timeline("m1")] == ["phase:1H", "goal:home:1-0"]
    assert board.apply(event("m1", first), 2.0) == []  # known: no second toast
