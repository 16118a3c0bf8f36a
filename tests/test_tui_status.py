"""Honest freshness and status: the status bar and the JSON status lines tell the truth at each step.

A real local ESPN stand-in is stopped and started again under a running engine and dashboard on a
fake clock: the age counts from the last successful fetch, the countdown is the real next poll (a
retry while the provider is away), a provider that never answered reads "unreachable", the whole
error message can be read, STALE means fetches have failed for three intervals, and the JSON
status lines say ok, degraded/down, ok.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from scoreterm.commands.headless import LinePrinter
from scoreterm.config import Settings
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import SnapshotUpdate, SourceStatus, StatusUpdate, Update
from scoreterm.engine.clock import FakeClock
from scoreterm.session import live_session
from scoreterm.tui.app import AppOptions, make_app
from scoreterm.tui.board import Board, implied_phases
from scoreterm.tui.widgets.status_bar import StatusBar
from tests.httpserver import Reply, ScriptedServer
from tests.tui_helpers import AT, ScriptedFeed, demo_app, opening_day, until

SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
CAPTURE = "espn_soccer/fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json"


def status_update(**fields: Any) -> Update:
    return StatusUpdate(
        channel="league:fifa.world",
        at=AT,
        status=SourceStatus(provider="espn", **fields),
    )


def test_a_source_answering_every_poll_is_never_stale_however_quiet() -> None:
    board = Board()
    board.apply(SnapshotUpdate(channel="league:fifa.world", at=AT, matches=()), 0.0)
    for tick in range(60):  # two minutes of answers that change nothing
        board.apply(status_update(last_ok_age_s=0.0, next_poll_s=2.0, interval_s=2.0), tick * 2.0)
    assert board.data_age(121.0) == 3.0
    assert not board.is_stale(121.0)
    assert board.is_stale(124.5)  # then three intervals with no successful fetch


def test_age_and_countdown_tick_from_when_the_status_arrived() -> None:
    board = Board()
    board.apply(status_update(last_ok_age_s=4.0, next_poll_s=30.0, interval_s=30.0), 100.0)
    assert (board.data_age(100.0), board.next_poll_in(100.0)) == (4.0, 30.0)
    assert (board.data_age(110.0), board.next_poll_in(110.0)) == (14.0, 20.0)
    assert board.next_poll_in(140.0) == 0.0  # due: "polling…", never a negative or frozen count


def test_the_worst_source_of_several_leagues_is_shown() -> None:
    board = Board()
    board.apply(status_update(state="ok"), 1.0)
    down = StatusUpdate(
        channel="league:eng.1",
        at=AT,
        status=SourceStatus(provider="thesportsdb", state="down", message="circuit open"),
    )
    board.apply(down, 2.0)
    assert board.status is not None and board.status.provider == "thesportsdb"


def test_a_match_first_seen_in_the_second_half_shows_its_kick_off_and_half_time() -> None:
    mex = opening_day()[0]
    import msgspec

    from scoreterm.domain.model import Phase, PhaseState

    second_half = msgspec.structs.replace(mex, phase=Phase(state=PhaseState.LIVE, period=2, label="2H"))
    assert [m.key for m in implied_phases(second_half)] == ["phase:1H", "phase:HT", "phase:2H"]
    board = Board()
    board.apply(SnapshotUpdate(channel="league:fifa.world", at=AT, matches=(second_half,)), 0)
    assert [e.event.detail for e in board.timeline(mex.id)] == ["1H", "HT", "2H"]


async def test_provider_stopped_and_restarted_status_tells_the_truth_at_each_step() -> None:
    clock = FakeClock(datetime(2026, 7, 6, 12, tzinfo=UTC))
    with ScriptedServer() as server:
        server.route(SCOREBOARD, Reply.file(CAPTURE))
        port = server.port
        settings = Settings(providers=["espn"], espn_url=server.url, interval=5.0, timeout=5.0)
        session = live_session(
            settings, [get_league("fifa.world")], UTC, date_spec="2026-06-28..2026-07-19", clock=clock
        )
        printer, said = LinePrinter(), []
        spy = session.engine.bus.subscribe(["*"])
        options = AppOptions(settings=settings, zone=UTC, leagues=["fifa.world"], clock=clock)
        app = make_app(session.feed, options)
        async with app.run_test(size=(120, 30)) as pilot:

            def bar() -> str:
                return str(app.screen.query_one(StatusBar).render_status())

            def listen() -> None:
                while spy.pending():
                    line = printer.line(spy._queue.get_nowait())  # type: ignore[arg-type]
                    if line is not None and line["type"] == "status":
                        said.append(line)

            async def state_is(*states: str) -> None:
                await until(pilot, lambda: app.board.status is not None and app.board.status.state in states)
                listen()

            await state_is("ok")
            assert "health" in bar() and "next poll 5s" in bar() and "updated 0s ago" in bar()
            await clock.advance(3)
            await pilot.pause()
            assert "next poll 2s" in bar() and "updated 3s ago" in bar()  # both tick
            # ... the provider goes away.
            server.__exit__(None, None, None)
            await clock.advance(2.01)
            await state_is("degraded", "down")
            text = bar()
            assert "retrying in" in text or "polling" in text
            assert "cannot reach" in text  # the whole message, on its own line
            for _ in range(10):
                wait = app.board.next_poll_in(clock.monotonic()) or 0.5
                await clock.advance(wait + 0.01)
                await pilot.pause()
                listen()
                if "STALE" in bar():
                    break
            assert "STALE" in bar()  # fetches have failed for three intervals
            assert app.board.data_age(clock.monotonic()) is not None
            # ... and comes back on the same port.
            with ScriptedServer(port=port) as again:
                again.route(SCOREBOARD, Reply.file(CAPTURE))
                for _ in range(20):
                    wait = app.board.next_poll_in(clock.monotonic()) or 0.5
                    await clock.advance(wait + 0.01)
                    await pilot.pause()
                    listen()
                    if app.board.status is not None and app.board.status.state == "ok":
                        break
                await state_is("ok")
                assert "STALE" not in bar() and "updated 0s ago" in bar()
        await session.aclose()
    states = [line["state"] for line in said]
    assert states[0] == "ok" and states[-1] == "ok"
    assert {"degraded", "down"} & set(states[1:-1])
    trouble = next(line for line in said if line["state"] != "ok")
    assert trouble["retrying"] is True and "cannot reach" in trouble["message"]


async def test_a_provider_that_never_answered_reads_unreachable() -> None:
    clock = FakeClock(datetime(2026, 7, 6, 12, tzinfo=UTC))
    with ScriptedServer() as server:
        url = server.url
    settings = Settings(providers=["espn"], espn_url=url, timeout=5.0)
    session = live_session(settings, [get_league("fifa.world")], UTC, clock=clock)
    options = AppOptions(settings=settings, zone=UTC, leagues=["fifa.world"], clock=clock)
    app = make_app(session.feed, options)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.board.status is not None)
        text = str(app.screen.query_one(StatusBar).render_status())
        assert "unreachable" in text and "health" not in text and "%" not in text.split("\n")[0]
    await session.aclose()


async def test_a_paused_or_slow_replay_is_never_stale() -> None:
    """A tape has no provider to go stale: while the replay waits (paused, or at 1x between two
    polls recorded 20 s apart), the time since the last frame is the tape's pace, not a failure."""
    app, _ = demo_app(62)
    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    app.options.clock = clock
    async with app.run_test(size=(120, 40)) as pilot:
        await until(
            pilot, lambda: app.board.status is not None and app.board.data_age(clock.monotonic()) is not None
        )
        await pilot.press("space")
        assert app.feed.replay is not None
        await until(pilot, lambda: app.feed.replay is not None and app.feed.replay.clock.paused)
        await clock.advance(300)
        bar = app.screen.query_one(StatusBar).render_status().plain
        assert "paused" in bar and "updated 5m ago" in bar
        assert "STALE" not in bar


async def test_a_replay_catching_up_after_a_seek_says_so_and_stands_still() -> None:
    app, _ = demo_app(60)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.board.status is not None)
        assert app.feed.replay is not None
        clock = app.feed.replay.clock
        bar = app.screen.query_one(StatusBar)
        assert "▶ replay demo" in bar.render_status().plain
        clock.hold()  # what a seek back does until the tape's past is played
        line = bar.render_status().plain
        assert "‖ replay demo" in line and "catching up" in line and "playing" not in line
        clock.release()
        line = bar.render_status().plain
        assert "▶ replay demo" in line and "playing" in line and "catching up" not in line


async def test_a_replay_played_to_its_end_shows_a_stop_not_a_play_sign() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.feed_state == "ended", within=90.0)
        line = app.screen.query_one(StatusBar).render_status().plain
        assert "■ replay demo 2:03:00/2:03:00 max ended" in line


class _NeverConnected(ScriptedFeed):
    def describe(self) -> str | None:
        return "reconnecting: retry in 1s (attempt 4)"


async def test_a_thin_client_that_never_connected_says_only_that() -> None:
    connection = StatusUpdate(
        channel=CONNECTION,
        at=AT,
        status=SourceStatus(provider="ws://127.0.0.1:8799/v1/ws", state="reconnecting", message="refused"),
    )
    feed = _NeverConnected([connection])
    app = make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=[]))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.board.connection is not None)
        line = app.screen.query_one(StatusBar).render_status().plain
        # Not "...(attempt 4)live…": nothing is live, and the connection line has said it all.
        assert line.splitlines()[0].rstrip() == "⇄ reconnecting: retry in 1s (attempt 4)"


async def test_a_thin_client_cut_off_from_its_server_does_not_show_the_providers_health_as_news() -> None:
    connection = StatusUpdate(
        channel=CONNECTION,
        at=AT,
        status=SourceStatus(provider="ws://127.0.0.1:8765/v1/ws", state="offline", message="refused"),
    )
    feed = ScriptedFeed(
        [
            SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(opening_day())),
            status_update(health=1.0, next_poll_s=20.0, interval_s=20.0),
        ]
    )
    app = make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=["fifa.world"]))
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "health 100%" in bar.render_status().plain)
        assert "next poll" in bar.render_status().plain
        feed.push(connection)
        await until(pilot, lambda: "unknown while disconnected" in bar.render_status().plain)
        shown = bar.render_status().plain
        assert "health" not in shown and "next poll" not in shown and "polling" not in shown
