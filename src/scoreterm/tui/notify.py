"""Desktop notifications (``notify = true``, ``--notify``): goals, disallowed goals, red cards
and full time, through the operating system or the terminal.

Why no library: desktop-notifier (the well-kept choice) brings dbus-fast on Linux and rubicon-objc
on macOS, where it also needs a signed Python to show anything; and over SSH it would notify the
remote machine. The tools every desktop already has do the job with nothing to install:
``notify-send`` (libnotify, Linux and the BSDs) and ``osascript`` (macOS), run in the background
and never waited for; and where the terminal itself can show a notification (iTerm2, WezTerm,
Ghostty and kitty read OSC 9; foot, urxvt and VTE terminals OSC 777), an escape sequence, which
also works over SSH. One channel is used, the terminal's first, so nothing arrives twice.

Everything the app sends goes through the :class:`Notifier` interface; tests use
:class:`RecordingNotifier`. What deserves a notification is :func:`wants_notification` (the
user's switch, the favourites filter, never a hidden match); the spoiler delay holds notices back
before they get here, like toasts. A burst is summarised, like toasts, by :class:`NotificationGate`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from scoreterm.config import Settings
from scoreterm.domain.model import Match
from scoreterm.tui.board import Notice, is_favourite
from scoreterm.tui.toasts import BURST_SIZE, BURST_WINDOW_S, Show, ToastCalmer, summary_message, summary_title

APP_NAME = "scoreterm"
COMMAND_TIMEOUT_S = 5.0
# Terminals that show OSC 9 / OSC 777 notifications, by $TERM_PROGRAM or $TERM.
_OSC9_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "ghostty"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Notifier(Protocol):
    """Something that shows a notification outside the dashboard."""

    def send(self, title: str, body: str) -> None:
        """Show ``title`` and ``body``; never blocks, never raises."""
        ...


@dataclass
class RecordingNotifier:
    """A notifier that only records what it was asked to show (for tests)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, title: str, body: str) -> None:
        """Record the notification."""
        self.sent.append((title, body))


class CommandNotifier:
    """Runs a command per notification (``notify-send``, ``osascript``) in the background.

    A command that hangs is killed after :data:`COMMAND_TIMEOUT_S`; one that fails is ignored
    (a notification is a nicety, the dashboard goes on).
    """

    def __init__(self, argv: Callable[[str, str], list[str]]) -> None:
        self._argv = argv
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, title: str, body: str) -> None:
        """Start the command; must be called on the app's event loop."""
        task = asyncio.get_running_loop().create_task(self._run(self._argv(title, body)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, argv: list[str]) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError:
            return
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT_S):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class TerminalNotifier:
    """Writes an OSC 9 (``ESC ] 9 ; text BEL``) or OSC 777 (``ESC ] 777 ; notify ; title ; body
    BEL``) sequence through ``write``; inside tmux, wrapped for its passthrough."""

    def __init__(self, write: Callable[[str], None], kind: str, *, tmux: bool = False) -> None:
        self._write = write
        self.kind = kind
        self._tmux = tmux

    def send(self, title: str, body: str) -> None:
        """Write the sequence."""
        self._write(osc_sequence(self.kind, title, body, tmux=self._tmux))


def osc_sequence(kind: str, title: str, body: str, *, tmux: bool = False) -> str:
    """The escape sequence for a notification (control characters and ``;`` removed)."""
    title, body = _clean(title), _clean(body)
    if kind == "osc777":
        sequence = f"\x1b]777;notify;{title.replace(';', ',')};{body.replace(';', ',')}\x07"
    else:
        sequence = f"\x1b]9;{title}: {body}\x07" if body else f"\x1b]9;{title}\x07"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def _clean(text: str) -> str:
    return _CONTROL.sub("", " · ".join(line.strip() for line in text.splitlines() if line.strip()))


def terminal_kind(env: Mapping[str, str]) -> str | None:
    """``osc9`` or ``osc777`` when the terminal shows notifications, else None."""
    term = env.get("TERM", "")
    if env.get("TERM_PROGRAM", "") in _OSC9_PROGRAMS or term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "osc9"
    if term.startswith(("foot", "rxvt-unicode")) or env.get("VTE_VERSION"):
        return "osc777"
    return None


def system_argv(
    env: Mapping[str, str], platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which
) -> Callable[[str, str], list[str]] | None:
    """How to run the OS notifier here, or None (none installed, or over SSH: the desktop that
    would show it is not the user's)."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return None
    if platform == "darwin":
        osascript = which("osascript")
        if osascript is None:
            return None
        show = "display notification (item 2 of argv) with title (item 1 of argv)"
        script = [osascript, "-e", "on run argv", "-e", show, "-e", "end run"]
        return lambda title, body: [*script, _clean(title), _clean(body)]
    has_desktop = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("DBUS_SESSION_BUS_ADDRESS")
    tool = which("notify-send")
    if tool is None or not has_desktop:
        return None
    return lambda title, body: [tool, f"--app-name={APP_NAME}", "--", title, body]


def build_notifier(
    env: Mapping[str, str],
    write: Callable[[str], None],
    *,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> Notifier | None:
    """The notifier for this terminal and machine: the terminal's own (OSC) when it has one, else
    the operating system's; None when neither can show anything."""
    kind = terminal_kind(env)
    if kind is not None:
        return TerminalNotifier(write, kind, tmux=bool(env.get("TMUX")))
    argv = system_argv(env, platform, which)
    return CommandNotifier(argv) if argv is not None else None


def wants_notification(
    notice: Notice, match: Match | None, settings: Settings, favourites: Iterable[str], *, hidden: bool
) -> bool:
    """True when ``notice`` deserves a desktop notification.

    Never for a match the user has hidden (a spoiler-free team not revealed), nor when
    notifications are off; with ``notify_for = "favourites"`` (the default) only for matches of
    a favourite team.
    """
    if not settings.notify or hidden or match is None:
        return False
    return settings.notify_for == "all" or is_favourite(match, favourites)


@dataclass
class NotificationGate:
    """Sends notices through ``notifier``, a burst as one summary.

    The first notices of a burst go out as they come; at the third within two seconds one
    summary goes out ("3 goals in 2 matches"), and what else the burst brings is told in one
    more summary when it is over (:meth:`flush`, called on a timer and by the next burst).
    """

    notifier: Notifier
    calmer: ToastCalmer = field(default_factory=lambda: ToastCalmer(BURST_WINDOW_S, BURST_SIZE))
    _told: int = 0
    _pending: tuple[Notice, ...] = ()

    def offer(self, notice: Notice, now: float) -> None:
        """Send ``notice`` now, or fold it into the burst's summary."""
        decision = self.calmer.offer(notice, now)
        if isinstance(decision, Show):
            self.flush()
            self._told = 0
            self.notifier.send(notice.title, notice.message)
            return
        if self._told == 0:
            self._send_summary(decision.notices)
        else:
            self._pending = decision.notices

    def flush(self) -> None:
        """Tell the rest of a summarised burst, if it grew since its summary."""
        if self._pending and len(self._pending) > self._told:
            self._send_summary(self._pending)
        self._pending = ()

    def _send_summary(self, notices: tuple[Notice, ...]) -> None:
        self._told = len(notices)
        self.notifier.send(summary_title(notices), summary_message(notices))
