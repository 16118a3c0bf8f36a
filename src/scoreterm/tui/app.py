"""The Textual app: one worker reads the feed and posts messages; screens render the board.

Build it with :func:`make_app` — the CLI, the tests and the screenshot script all do. Toasts are
calmed here (a burst becomes one summary, :mod:`scoreterm.tui.toasts`), desktop notifications
sent (:mod:`scoreterm.tui.notify`), and what the keys change saved (:mod:`scoreterm.tui.settings`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import reactive

from scoreterm.config import Settings
from scoreterm.engine.clock import Clock, SystemClock
from scoreterm.engine.feed import Feed
from scoreterm.tui.alerts import Alerts
from scoreterm.tui.board import Board
from scoreterm.tui.empty import LOOKUP_FAILED, NO_NEXT, FeedState
from scoreterm.tui.messages import FeedEnded, FeedFailed, FeedUpdate
from scoreterm.tui.notify import Notifier, build_notifier
from scoreterm.tui.settings import SettingsSaver

NextKickoff = Callable[[str], Awaitable[datetime | None]]
"""Looks up a league's next kick-off after the days shown (None: none soon); may raise."""

SPEED_STEPS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)
JUMP_S = 300.0


@dataclass
class AppOptions:
    """Everything the app needs besides its feed."""

    settings: Settings
    zone: tzinfo
    leagues: list[str]
    clock: Clock = field(default_factory=SystemClock)
    delay: float = 0.0
    config_file: Path | None = None
    """Where ``f``, ``s``, ``l`` and ``w`` save their settings (None: not saved)."""
    notifier: Notifier | None = None
    """Desktop notifications (None: the system's or the terminal's, when ``notify`` is on)."""
    next_kickoff: NextKickoff | None = None
    day: str = "today"
    """The days followed, in words, for an empty scoreboard (``today``, ``on Sat 14 Jun``)."""


class ScoretermApp(App[None]):
    """scoreterm's dashboard."""

    CSS_PATH = "scoreterm.tcss"
    TITLE = "scoreterm"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        # Ctrl-C quits at once with exit 0, as the README says (Textual's own asks for ctrl+q).
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("space", "pause", "Pause"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("right_square_bracket", "jump(1)", "+5m", key_display="]"),
        Binding("left_square_bracket", "jump(-1)", "-5m", key_display="["),
    ]
    REPLAY_ACTIONS = frozenset({"pause", "faster", "slower", "jump"})

    version: reactive[int] = reactive(0, init=False)
    """Bumped after every change to the board; screens watch it."""

    def __init__(self, feed: Feed, options: AppOptions) -> None:
        super().__init__()
        self.feed = feed
        self.options = options
        self.board = Board()
        self.revealed: set[str] = set()
        settings = options.settings
        self.favourites: list[str] = list(settings.favourites)
        self.spoiler_free: list[str] = list(settings.spoiler_free)
        self.win_column = settings.win_column
        self.saver = SettingsSaver(options.config_file, os.environ)
        self.flash_until: dict[str, float] = {}
        self.alerts = Alerts(self)
        self.toasted = self.alerts.toasted
        """Every notice toasted, alone or in a summary (newest last), for tests and the curious."""
        self.feed_state: FeedState = "connecting"
        self.holding_until: float | None = None
        """Monotonic time the update held back by the delay will show (None: none held)."""
        self.next_kickoffs: dict[str, datetime | object | None] = {}
        self._lookups: set[asyncio.Task[None]] = set()
        self._pump_task: asyncio.Task[None] | None = None
        self._new_board_due = False

    def on_mount(self) -> None:
        from scoreterm.tui.screens.scoreboard import ScoreboardScreen

        self.push_screen(ScoreboardScreen())
        notifier = self.options.notifier
        if notifier is None and self.options.settings.notify:
            notifier = build_notifier(os.environ, self._write_terminal)
        self.alerts.notify_with(notifier)
        self._start_pump()

    def _write_terminal(self, sequence: str) -> None:
        # An OSC notification goes to the terminal itself, as the bell does.
        if not self.is_headless and self._driver is not None:
            self._driver.write(sequence)

    def _start_pump(self) -> None:
        self._pump_task = asyncio.get_running_loop().create_task(self._pump(self.feed))

    async def _pump(self, feed: Feed) -> None:
        """The one worker: read the feed, hold updates back by ``delay``, post them as messages."""
        clock, delay = self.options.clock, self.options.delay
        try:
            await feed.start()
            async for update in feed:
                if delay > 0:
                    arrived = clock.monotonic()
                    self.holding_until = arrived + delay
                    await clock.sleep(max(0.0, arrived + delay - clock.monotonic()))
                    self.holding_until = None
                self.post_message(FeedUpdate(update, feed))
            self.post_message(FeedEnded(feed))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the last good data stays; the status bar says what broke
            self.post_message(FeedFailed(exc, feed))

    def on_feed_update(self, message: FeedUpdate) -> None:
        """Apply an update to the board, toast what deserves it, and tell the screens."""
        if message.feed is not self.feed:
            return  # queued by a feed a replay jump closed
        if self._new_board_due:
            # The first word of the feed a jump started: the old board stayed on screen until now.
            self.board, self._new_board_due = Board(), False
        now = self.options.clock.monotonic()
        self.feed_state = "live"
        for notice in self.board.apply(message.update, now):
            self.alerts.take(notice, now)
        self.version += 1

    def on_feed_ended(self, message: FeedEnded) -> None:
        if message.feed is not self.feed:
            return
        self.feed_state = "ended"
        self.version += 1

    def on_feed_failed(self, message: FeedFailed) -> None:
        if message.feed is not self.feed:
            return
        self.feed_state = "failed"
        if getattr(message.error, "fatal", False):
            # Refused for good (a league the server does not carry, a bad token): the command says
            # why in one line and exits, rather than a dashboard that will never get data.
            self.exit()
            return
        self.notify(str(message.error), title="Feed stopped", severity="error", timeout=10)
        self.version += 1

    def say(self, message: str, title: str = "", severity: SeverityLevel = "information") -> None:
        """A short toast answering a key (``f`` starred Mexico)."""
        self.notify(message, title=title, severity=severity, timeout=4)

    def bump(self) -> None:
        """Tell the screens something changed (a flash ended)."""
        self.version += 1

    def is_hidden(self, match_id: str) -> bool:
        """True when a spoiler-free team plays in ``match_id`` and ``r`` has not revealed it."""
        from scoreterm.tui.board import spoiler_hidden

        match = self.board.matches.get(match_id)
        return match is not None and spoiler_hidden(match, self.spoiler_free, self.revealed)

    def is_flashing(self, match_id: str) -> bool:
        """True for a few seconds after a goal in ``match_id``."""
        return self.flash_until.get(match_id, 0.0) > self.options.clock.monotonic()

    def next_kickoff(self, slug: str) -> datetime | object | None:
        """The next kick-off of league ``slug`` after the days shown, looked up once in the
        background: None until known (or without a way to look), ``NO_NEXT`` when there is none
        soon, ``LOOKUP_FAILED`` when the lookup failed."""
        lookup = self.options.next_kickoff
        if lookup is None:
            return None
        if slug not in self.next_kickoffs:
            self.next_kickoffs[slug] = None
            task = asyncio.get_running_loop().create_task(self._look_up(lookup, slug))
            self._lookups.add(task)
            task.add_done_callback(self._lookups.discard)
        return self.next_kickoffs[slug]

    async def _look_up(self, lookup: NextKickoff, slug: str) -> None:
        try:
            found = await lookup(slug)
        except asyncio.CancelledError:
            raise
        except Exception:  # offline, or the provider refused: the screen says so
            self.next_kickoffs[slug] = LOOKUP_FAILED
        else:
            self.next_kickoffs[slug] = found if found is not None else NO_NEXT
        self.version += 1

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Replay keys exist (and show in the footer) only when playing a tape."""
        if action in self.REPLAY_ACTIONS:
            return self.feed.replay is not None
        return True

    def action_help(self) -> None:
        """Show every key."""
        from scoreterm.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_pause(self) -> None:
        """Pause or resume a replay."""
        replay = self.feed.replay
        if replay is None:
            return
        if replay.clock.paused:
            replay.clock.resume()
        else:
            replay.clock.pause()
        self.version += 1

    def action_faster(self) -> None:
        """Play a replay faster."""
        self._step_speed(+1)

    def action_slower(self) -> None:
        """Play a replay slower."""
        self._step_speed(-1)

    def _step_speed(self, direction: int) -> None:
        replay = self.feed.replay
        if replay is None:
            return
        current = replay.clock.speed
        steps = [s for s in SPEED_STEPS if (s > current if direction > 0 else s < current)]
        if steps:
            replay.clock.set_speed(steps[0] if direction > 0 else steps[-1])
            self.version += 1

    async def action_jump(self, direction: int) -> None:
        """Jump a replay 5 minutes forward or back, on a fresh feed that plays the tape up to there
        first: an engine cannot run backwards, and one that skipped ahead would miss what the
        skipped frames held (the swing of a goal on the probability line)."""
        replay = self.feed.replay
        if replay is None:
            return
        target = min(max(0.0, replay.position + direction * JUMP_S), replay.duration)
        if target == replay.position:
            return
        paused = replay.clock.paused
        feed = replay.restart_at(target)
        if self._pump_task is not None:
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump_task
        await self._close_feed()
        self.feed = feed
        if paused and feed.replay is not None:
            feed.replay.clock.pause()
        # The board stays until the new feed's first update (the status bar says "catching up"),
        # rather than "0 matches" for the seconds the catch-up takes; toasts of the left timeline go.
        self._new_board_due = True
        self.feed_state = "connecting"
        self.clear_notifications()
        self._start_pump()
        self.version += 1

    async def _close_feed(self) -> None:
        with contextlib.suppress(Exception):
            await self.feed.close()

    async def on_unmount(self) -> None:
        if self._pump_task is not None:
            self._pump_task.cancel()
        for task in list(self._lookups):
            task.cancel()
        await self._close_feed()


def make_app(feed: Feed, options: AppOptions) -> ScoretermApp:
    """Build the dashboard on ``feed`` (live engine, remote server or replay)."""
    return ScoretermApp(feed, options)
