"""The always-visible connection status line: who feeds us, how healthy, how fresh."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    return f"{seconds / 60:.0f}m"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StatusBar(Static):
    """One line: source, health, data age and next poll (or replay position, speed, pause)."""

    def on_mount(self) -> None:
        self.watch(self.app, "version", self._refresh_text)
        # Ages tick once a second; nothing faster runs while the feed is quiet.
        self.set_interval(1.0, self._refresh_text)

    def _refresh_text(self, _: object = None) -> None:
        self.update(self.render_status())

    def render_status(self) -> Text:
        """Build the status line from the app's board and replay state."""
        app: ScoretermApp = self.app  # type: ignore[assignment]
        board = app.board
        now = app.options.clock.monotonic()
        text = Text()
        replay = app.options.replay
        if replay is not None:
            speed = "max" if math.isinf(replay.clock.speed) else f"{replay.clock.speed:g}x"
            state = "paused" if replay.clock.paused else "playing"
            if app.feed_state == "ended":
                state = "ended"
            text.append(f"▶ replay {replay.name} ", style="bold")
            text.append(f"{_clock(replay.position)}/{_clock(replay.duration)} {speed} {state}")
        describe = getattr(app.feed, "describe", None)
        if callable(describe):
            line = str(describe())
            text.append(f"⇄ {line}", style="bold green" if line.startswith("connected") else "bold yellow")
        status = board.status
        if status is not None:
            if text:
                text.append("  │  ")
            style = {"ok": "green", "degraded": "yellow", "down": "red"}.get(status.state, "")
            text.append(f"● {status.provider}", style=f"bold {style}")
            text.append(f" health {status.health:.0%}")
            if status.message and status.state != "ok":
                text.append(f" ({status.message[:60]})", style=style)
            if status.next_poll_s is not None and replay is None:
                text.append(f"  next poll {status.next_poll_s:.0f}s")
        elif replay is None:
            text.append(f"{app.feed_state}…", style="yellow")
        if board.last_data_at is not None:
            text.append(f"  updated {_age(now - board.last_data_at)} ago")
        if board.is_stale(now) and app.feed_state != "ended":
            text.append("  STALE", style="bold reverse red")
        if app.feed_state == "failed":
            text.append("  feed stopped: last data shown", style="bold red")
        return text
