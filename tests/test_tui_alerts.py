"""Calm toasts and desktop notifications: a burst becomes one summary, no toast covers the status
bar, and notifications (through a recording fake) honour the delay, spoiler-free teams and the
favourites filter, and never fire for a hidden match."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.widgets._toast import Toast

from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    Update,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.tui.app import ScoretermApp
from scoreterm.tui.board import Notice, ToastKind
from scoreterm.tui.notify import (
    CommandNotifier,
    NotificationGate,
    RecordingNotifier,
    build_notifier,
    osc_sequence,
    system_argv,
    terminal_kind,
)
from scoreterm.tui.toasts import Show, Summarise, ToastCalmer
from scoreterm.tui.widgets.status_bar import StatusBar
from tests.tui_helpers import AT, ScriptedFeed, opening_day, scripted_app, snapshot, status, until

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


def both_live() -> list[Any]:
    mex, kor = opening_day()
    kor = msgspec.structs.replace(kor, clock="5'", phase=Phase(state=PhaseState.LIVE, period=1, label="1H"))
    return [mex, kor]


def goal(match_id: str, side: Side, home: int, away: int, minute: str = "9'", seq: int = 2) -> Update:
    event = MatchEvent(
        kind=EventKind.GOAL,
        minute=minute,
        side=side,
        player="Someone",
        score=Score(home, away),
        key=f"goal:{side.value}:{home}-{away}",
        seq=seq,
    )
    return EventUpdate(channel="league:fifa.world", at=AT, match_id=match_id, seq=seq, event=event)


def notice(n: int, match: str = "m1", kind: ToastKind = ToastKind.GOAL) -> Notice:
    return Notice(kind, match, f"GOAL! Team {n}", f"AAA {n}-0 BBB\nScorer {n}'")


# -- calm toasts -----------------------------------------------------------------------------------


def test_a_burst_of_three_within_two_seconds_becomes_one_summary() -> None:
    calmer = ToastCalmer()
    assert isinstance(calmer.offer(notice(1, "a"), 0.0), Show)
    assert isinstance(calmer.offer(notice(2, "b"), 0.5), Show)
    third = calmer.offer(notice(3, "a"), 1.9)
    assert isinstance(third, Summarise)
    assert third.title == "3 goals in 2 matches"
    assert third.message == "AAA 3-0 BBB\nAAA 2-0 BBB"  # the latest line of each match, newest first
    red = calmer.offer(notice(4, "c", ToastKind.RED_CARD), 3.5)  # within 2 s of the one before
    assert isinstance(red, Summarise) and red.title == "3 goals, 1 red card in 3 matches"
    assert isinstance(calmer.offer(notice(5, "a"), 6.0), Show)  # a quiet spell ends the burst


def test_two_goals_apart_stay_two_toasts() -> None:
    calmer = ToastCalmer()
    decisions = [calmer.offer(notice(n), n * 2.5) for n in range(5)]
    assert all(isinstance(d, Show) for d in decisions)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_reconnect_burst_shows_one_summary_toast_above_the_status_bar(size: tuple[int, int]) -> None:
    mex, kor = both_live()
    feed = ScriptedFeed([snapshot([mex, kor]), status()])
    app = scripted_app(feed, clock=FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC)))
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: len(app.board.matches) == 2)
        for update in (
            goal(mex.id, Side.HOME, 1, 0, seq=2),
            goal(kor.id, Side.AWAY, 0, 1, seq=2),
            goal(mex.id, Side.HOME, 2, 0, minute="12'", seq=3),
        ):
            feed.push(update)
        await until(pilot, lambda: len(app.toasted) == 3)
        await pilot.pause()
        shown = list(app._notifications)
        assert [n.title for n in shown] == ["3 goals in 2 matches"]
        assert shown[0].message == "MEX 2-0 RSA\nKOR 0-1 CZE"
        await until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        toast = app.screen.query_one(Toast)
        bar = app.screen.query_one(StatusBar)
        assert toast.region.bottom <= bar.region.y  # never over the status bar
        assert toast.region.bottom <= size[1] - 3  # nor over a two-line status bar and the footer


# -- desktop notifications -------------------------------------------------------------------------


def notifying_app(
    notifier: RecordingNotifier, clock: FakeClock | None = None, **settings: Any
) -> tuple[ScoretermApp, ScriptedFeed]:
    feed = ScriptedFeed([snapshot(both_live())])
    app = scripted_app(feed, clock=clock, **settings)
    app.options.notifier = notifier
    return app, feed


async def test_notifications_go_to_favourites_only_by_default() -> None:
    sent = RecordingNotifier()
    mex, kor = both_live()
    app, feed = notifying_app(sent, notify=True, favourites=["Mexico"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed.push(goal(kor.id, Side.AWAY, 0, 1))
        feed.push(goal(mex.id, Side.HOME, 1, 0))
        await until(pilot, lambda: len(app.toasted) == 2)
        assert sent.sent == [("GOAL! Mexico", "MEX 1-0 RSA\nSomeone 9'")]


async def test_notify_for_all_tells_every_match_and_nothing_when_off() -> None:
    sent = RecordingNotifier()
    mex, kor = both_live()
    app, feed = notifying_app(sent, notify=True, notify_for="all")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed.push(goal(kor.id, Side.AWAY, 0, 1))
        feed.push(goal(mex.id, Side.HOME, 1, 0))
        await until(pilot, lambda: len(sent.sent) == 2)
        assert [title for title, _ in sent.sent] == ["GOAL! Czechia", "GOAL! Mexico"]
    off = RecordingNotifier()
    app, feed = notifying_app(off, notify=False, notify_for="all")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed.push(goal(mex.id, Side.HOME, 1, 0))
        await until(pilot, lambda: len(app.toasted) == 1)
        assert off.sent == []


async def test_no_notification_for_a_hidden_match_until_it_is_revealed() -> None:
    sent = RecordingNotifier()
    mex, _ = both_live()
    app, feed = notifying_app(sent, notify=True, favourites=["Mexico"], spoiler_free=["Mexico"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed.push(goal(mex.id, Side.HOME, 1, 0))
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
        assert sent.sent == [] and list(app.toasted) == []  # hidden: no toast, no notification
        await pilot.press("r")  # the cursor is on Mexico's match (live, first)
        feed.push(goal(mex.id, Side.HOME, 2, 0, minute="67'", seq=4))
        await until(pilot, lambda: len(sent.sent) == 1)
        assert sent.sent[0][1].startswith("MEX 2-0 RSA")


async def test_notifications_wait_for_the_spoiler_delay() -> None:
    sent = RecordingNotifier()
    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    mex, _ = both_live()
    app, feed = notifying_app(sent, clock=clock, notify=True, favourites=["Mexico"])
    app.options.delay = 30.0
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.holding_until is not None)
        await clock.advance(30)  # the snapshot shows
        await until(pilot, lambda: len(app.board.matches) == 2)
        feed.push(goal(mex.id, Side.HOME, 1, 0))
        await until(pilot, lambda: app.holding_until is not None)
        await clock.advance(29)
        await pilot.pause()
        assert sent.sent == []  # the TV has not shown it yet
        await clock.advance(1)
        await until(pilot, lambda: len(sent.sent) == 1)
        assert sent.sent[0][0] == "GOAL! Mexico"


def test_a_burst_of_notifications_is_summarised() -> None:
    sent = RecordingNotifier()
    gate = NotificationGate(sent)
    for n in range(1, 5):
        gate.offer(notice(n, f"m{n % 2}"), 0.0)
    assert [title for title, _ in sent.sent] == ["GOAL! Team 1", "GOAL! Team 2", "3 goals in 2 matches"]
    gate.flush()  # the burst is over: one more summary tells the fourth
    assert sent.sent[-1][0] == "4 goals in 2 matches"
    gate.flush()
    assert len(sent.sent) == 4


# -- where notifications go ------------------------------------------------------------------------


def test_the_terminal_is_used_when_it_shows_notifications() -> None:
    assert terminal_kind({"TERM_PROGRAM": "iTerm.app"}) == "osc9"
    assert terminal_kind({"TERM": "xterm-kitty"}) == "osc9"
    assert terminal_kind({"TERM": "foot"}) == "osc777"
    assert terminal_kind({"TERM": "xterm-256color"}) is None
    written: list[str] = []
    notifier = build_notifier({"TERM_PROGRAM": "WezTerm"}, written.append, which=lambda _: None)
    assert notifier is not None
    notifier.send("GOAL! Mexico", "MEX 1-0 RSA\nQuiñones 9'")
    assert written == ["\x1b]9;GOAL! Mexico: MEX 1-0 RSA · Quiñones 9'\x07"]
    assert osc_sequence("osc777", "a;b", "c\x1bd") == "\x1b]777;notify;a,b;cd\x07"
    assert osc_sequence("osc9", "t", "b", tmux=True) == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"


def test_the_system_notifier_is_chosen_by_platform_and_never_over_ssh() -> None:
    found = {"notify-send": "/usr/bin/notify-send", "osascript": "/usr/bin/osascript"}
    linux = system_argv({"DISPLAY": ":0"}, "linux", found.get)
    assert linux is not None
    assert linux("GOAL!", "-1 body") == [
        "/usr/bin/notify-send",
        "--app-name=scoreterm",
        "--",
        "GOAL!",
        "-1 body",
    ]
    mac = system_argv({}, "darwin", found.get)
    assert mac is not None and mac("T", "B")[-2:] == ["T", "B"] and mac("T", "B")[0] == "/usr/bin/osascript"
    assert system_argv({"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, "linux", found.get) is None
    assert system_argv({}, "linux", found.get) is None  # no desktop session
    assert build_notifier({"TERM": "dumb"}, print, platform="linux", which=lambda _: None) is None


@pytest.mark.skipif(sys.platform == "win32", reason="runs /bin/sh")
async def test_the_command_notifier_runs_the_command_in_the_background(tmp_path: Path) -> None:
    out = tmp_path / "notified"
    script = 'printf "%s|%s" "$1" "$2" > "$0"'
    notifier = CommandNotifier(lambda title, body: ["/bin/sh", "-c", script, str(out), title, body])
    notifier.send("GOAL! Mexico", "MEX 1-0 RSA")
    await asyncio.wait_for(asyncio.gather(*notifier._tasks), timeout=10)
    assert out.read_text() == "GOAL! Mexico|MEX 1-0 RSA"
    missing = CommandNotifier(lambda title, body: [os.fspath(tmp_path / "no-such-tool"), title])
    missing.send("x", "y")  # a tool that is gone is ignored, not raised
    await asyncio.wait_for(asyncio.gather(*missing._tasks), timeout=10)
