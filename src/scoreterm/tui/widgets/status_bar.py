"""The always-visible connection status line: who feeds us, how healthy, how fresh.

Everything on it is true now: the age counts from the source's last successful fetch and ticks
every second, the countdown is to the poll that will really happen (or the retry after a
failure), a provider that never answered says so, and when the source is in trouble a second
line carries its whole message.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

NARROW_BELOW = 100
_STYLES = {"ok": "green", "degraded": "yellow", "stale": "yellow", "down": "red", "unreachable": "red"}


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StatusBar(Static):
    """Source, health, data age and next poll (or replay position, speed, pause); the source's
    message on a second line while it is in trouble."""

    def on_mount(self) -> None:
        self.watch(self.app, "version", self._refresh_text)
        # Ages and countdowns tick once a second; nothing faster runs while the feed is quiet.
        self.set_interval(1.0, self._refresh_text)

    def _refresh_text(self, _: object = None) -> None:
        self.update(self.render_status())

    def render_status(self) -> Text:
        """Build the status line(s) from the app's board and replay state."""
        app: ScoretermApp = self.app  # type: ignore[assignment]
        board = app.board
        now = app.options.clock.monotonic()
        text = Text()
        # One space between the parts on a narrow terminal, so the line still fits in 80 columns.
        gap = "  " if self.app.size.width >= NARROW_BELOW else " "  # the terminal's, known at once
        if app.options.delay > 0:
            # Everything on screen is this far behind the source, on purpose (--delay).
            text.append(f"delayed {app.options.delay:g} s", style="bold reverse yellow")
            text.append(gap)
        replay = app.feed.replay
        if replay is not None:
            speed = "max" if math.isinf(replay.clock.speed) else f"{replay.clock.speed:g}x"
            state = "paused" if replay.clock.paused else "playing"
            if app.feed_state == "ended":
                state = "ended"
            elif replay.clock.held:
                state = "catching up"  # playing the tape's past before it goes on (a seek back)
            position = min(replay.position, replay.duration)
            standing = replay.clock.paused or replay.clock.held
            # ■ once over, ‖ while time stands, ▶ while playing: the icon says what is happening,
            # not what a key does.
            icon = "■" if state == "ended" else "‖" if standing else "▶"
            text.append(f"{icon} replay {replay.name} ", style="bold")
            text.append(f"{_clock(position)}/{_clock(replay.duration)} {speed} {state}")
        line = app.feed.describe()
        if line is not None:
            text.append(f"⇄ {line}", style="bold green" if line.startswith("connected") else "bold yellow")
        status = board.status
        trouble = ""
        if status is not None:
            if text:
                text.append(f"{gap}│{gap}")
            style = _STYLES.get(status.state, "")
            connection = board.connection.status.state if board.connection is not None else None
            if connection in ("reconnecting", "offline"):
                # The server's word on its provider is as old as the lost connection: no health
                # and no countdown, as if they were news.
                text.append(f"● {status.provider} unknown while disconnected", style="dim")
            else:
                text.append(f"● {status.provider}", style=f"bold {style}")
                if status.state == "unreachable":
                    text.append(" unreachable", style=f"bold {style}")
                elif status.state == "ok":
                    text.append(f" health {status.health:.0%}")
                else:
                    text.append(f" {status.state}", style=f"bold {style}")
                if status.state != "ok":
                    trouble = status.message
                if replay is None:
                    self._countdown(text, board.next_poll_in(now), status.retrying, gap)
        elif replay is None and line is None:
            # A feed that describes itself (a thin client: "⇄ reconnecting ...") has said it all.
            text.append(f"{app.feed_state}…", style="yellow")
        age = board.data_age(now)
        if age is not None:
            text.append(f"{gap}updated {_age(age)} ago")
        if board.is_stale(now, by_age=replay is None) and app.feed_state != "ended":
            text.append(f"{gap}STALE", style="bold reverse red")
        if app.feed_state == "failed":
            text.append(f"{gap}feed stopped: last data shown", style="bold red")
        if trouble:
            text.append("\n")
            text.append(trouble, style=_STYLES.get(status.state if status else "", ""))
        return text

    @staticmethod
    def _countdown(text: Text, seconds: float | None, retrying: bool, gap: str) -> None:
        if seconds is None:
            return
        if seconds <= 0:
            text.append(f"{gap}polling…")
        elif retrying:
            text.append(f"{gap}retrying in {seconds:.0f}s", style="yellow")
        else:
            text.append(f"{gap}next poll {seconds:.0f}s")
