"""Calm toasts: a burst of notices becomes one summary ("3 goals in 2 matches").

The first poll after a reconnect, or a busy evening of ten matches, can bring several goals at
once; a toast each would stack up over the table. :class:`ToastCalmer` decides, notice by notice,
whether to show it on its own or to fold it into a summary of the burst. Plain data and a clock
reading passed in: no Textual import, tested directly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scoreterm.tui.board import Notice, ToastKind

BURST_WINDOW_S = 2.0
"""Notices this close to the one before belong to the same burst."""
BURST_SIZE = 3
"""A burst of this many notices or more is summarised."""
SUMMARY_LINES = 3

_NOUNS = {
    ToastKind.GOAL: ("goal", "goals"),
    ToastKind.GOAL_DISALLOWED: ("disallowed goal", "disallowed goals"),
    ToastKind.RED_CARD: ("red card", "red cards"),
    ToastKind.FULL_TIME: ("full time", "full times"),
}


@dataclass(frozen=True)
class Show:
    """Show ``notice`` as a toast of its own."""

    notice: Notice


@dataclass(frozen=True)
class Summarise:
    """Replace the burst's toasts so far with one summary of ``notices`` (all of the burst)."""

    notices: tuple[Notice, ...]

    @property
    def title(self) -> str:
        """``3 goals in 2 matches``; ``2 goals, 1 red card in 3 matches``."""
        return summary_title(self.notices)

    @property
    def message(self) -> str:
        """The latest line of each match (at most three, then ``+N more``)."""
        return summary_message(self.notices)


Decision = Show | Summarise


@dataclass
class ToastCalmer:
    """Decides how each notice is shown; ``now`` is monotonic seconds."""

    window: float = BURST_WINDOW_S
    size: int = BURST_SIZE
    _burst: list[Notice] = field(default_factory=list)
    _last: float | None = None

    def offer(self, notice: Notice, now: float) -> Decision:
        """Take ``notice`` (arrived at ``now``) and say how to show it."""
        if self._last is None or now - self._last > self.window:
            self._burst = []
        self._last = now
        self._burst.append(notice)
        if len(self._burst) >= self.size:
            return Summarise(tuple(self._burst))
        return Show(notice)

    @property
    def burst_length(self) -> int:
        """Notices in the current burst (1 for a notice that started one)."""
        return len(self._burst)


def summary_title(notices: tuple[Notice, ...]) -> str:
    """What a burst holds, by kind, and over how many matches."""
    counts = Counter(n.kind for n in notices)
    parts = []
    for kind in ToastKind:
        count = counts.get(kind, 0)
        if count:
            singular, plural = _NOUNS[kind]
            parts.append(f"{count} {singular if count == 1 else plural}")
    matches = len({n.match_id for n in notices})
    return f"{', '.join(parts)} in {matches} match{'es' if matches != 1 else ''}"


def summary_message(notices: tuple[Notice, ...]) -> str:
    """One line per match, its latest notice's first line, newest match first."""
    latest: dict[str, Notice] = {}
    for notice in notices:
        latest.pop(notice.match_id, None)
        latest[notice.match_id] = notice
    lines = [_line(n) for n in reversed(latest.values())]
    if len(lines) > SUMMARY_LINES:
        lines = [*lines[: SUMMARY_LINES - 1], f"+{len(lines) - SUMMARY_LINES + 1} more"]
    return "\n".join(lines)


def _line(notice: Notice) -> str:
    first = notice.message.split("\n", 1)[0].strip()
    if notice.kind is ToastKind.GOAL:
        return first  # "MEX 1-0 RSA"
    return f"{notice.title}: {first}" if first else notice.title
