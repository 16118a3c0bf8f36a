"""``scoreterm record``'s progress: one status line on stderr, not the whole event stream.

On a terminal the line is rewritten in place every second (elapsed time, matches and how many
are live, goals and red cards seen, the source's state, the tape's size); piped to a file or a
log, a new line is printed only when something in it other than the time and size changed.
``record --json`` prints the JSON lines of ``watch --json`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path
from typing import TextIO

from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    SnapshotUpdate,
    StatusUpdate,
    Update,
)
from scoreterm.engine.clock import Clock
from scoreterm.engine.feed import Feed

TICK_S = 1.0


class RecordProgress:
    """Counts what the recording has seen and renders it as one line."""

    def __init__(self, out: TextIO, tape: Path, clock: Clock, leagues: list[str], *, tty: bool) -> None:
        self._out = out
        self._tape = tape
        self._clock = clock
        self._start = clock.monotonic()
        self._leagues = leagues
        self._tty = tty
        self.matches: dict[str, Match] = {}
        self.goals = 0
        self.red_cards = 0
        self.sources: dict[str, str] = {}
        self._last_said = ""
        self.lines_written = 0

    def take(self, update: Update) -> None:
        """Count ``update``."""
        if isinstance(update, SnapshotUpdate):
            self.matches.update((m.id, m) for m in update.matches)
        elif isinstance(update, DeltaUpdate):
            self.matches[update.match.id] = update.match
        elif isinstance(update, EventUpdate):
            event = update.event
            if not event.enriches and not event.revises:
                self.goals += event.kind.is_goal
                self.red_cards += event.kind is EventKind.RED_CARD
        elif isinstance(update, StatusUpdate):
            self.sources[update.channel] = f"{update.status.provider} {update.status.state}"

    def state(self) -> str:
        """The part of the line that changes with the data (not with time)."""
        live = sum(1 for m in self.matches.values() if m.phase.is_active)
        count = len(self.matches)
        parts = [f"{count} match{'es' if count != 1 else ''} ({live} live)"]
        seen = [f"{self.goals} goal{'s' if self.goals != 1 else ''}"]
        if self.red_cards:
            seen.append(f"{self.red_cards} red card{'s' if self.red_cards != 1 else ''}")
        parts.append(", ".join(seen))
        parts.extend(sorted(set(self.sources.values())))
        return " · ".join(parts)

    def line(self) -> str:
        """The whole status line."""
        elapsed = int(self._clock.monotonic() - self._start)
        hours, rest = divmod(elapsed, 3600)
        clock = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        return f"recording {'+'.join(self._leagues)} {clock} · {self.state()} · tape {self._size()}"

    def _size(self) -> str:
        try:
            size = self._tape.stat().st_size
        except OSError:
            return "-"
        if size < 1000:
            return f"{size} B"
        if size < 1_000_000:
            return f"{size / 1000:.1f} KB"
        return f"{size / 1_000_000:.1f} MB"

    def show(self) -> None:
        """Rewrite the line on a terminal; elsewhere print it when the data in it changed."""
        if self._tty:
            width = shutil.get_terminal_size((100, 24)).columns - 1
            self._out.write("\r\x1b[2K" + self.line()[:width])
            self._out.flush()
            return
        state = self.state()
        if state != self._last_said:
            self._last_said = state
            self._out.write(self.line() + "\n")
            self._out.flush()
            self.lines_written += 1

    def finish(self) -> None:
        """End the in-place line so what follows starts on a line of its own."""
        if self._tty:
            self.show()
            self._out.write("\n")
            self._out.flush()


async def show_progress(feed: Feed, progress: RecordProgress, *, tty: bool) -> None:
    """Count every update of ``feed`` until it ends, keeping the status line current."""
    ticker = asyncio.create_task(_tick(progress)) if tty else None
    try:
        progress.show()
        async for update in feed:
            progress.take(update)
            progress.show()
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        progress.finish()


async def _tick(progress: RecordProgress) -> None:
    while True:
        await asyncio.sleep(TICK_S)
        progress.show()
