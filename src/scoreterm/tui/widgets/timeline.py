"""A match's timeline: one line per event in fixed columns (minute, tag, team, who), then the swing
in win probability the event caused (``MEX 66%→89%``) when the engine gave one.

The match screen sets :attr:`Timeline.teams`, :attr:`Timeline.entries` and :attr:`Timeline.hidden`;
the widget turns them into lines. Tags are plain text so they take the same width in every terminal.
Minutes read as a fan writes them (``90+2'``).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget

from scoreterm.domain.centre_text import minute_text
from scoreterm.domain.model import EventKind, MatchEvent, Side
from scoreterm.domain.prob_series import percent
from scoreterm.tui.board import swing_side

Row = tuple[MatchEvent, bool]
"""A timeline entry as the widget holds it: the event and whether VAR took the goal back."""

HIDDEN_TEXT = "Score hidden — press r to reveal"
UNCONFIRMED = "(unconfirmed scorer)"
MINUTE_WIDTH = 6
TAG_WIDTH = 4

TAGS = {
    EventKind.GOAL: "GOAL",
    EventKind.OWN_GOAL: "OG",
    EventKind.PENALTY_GOAL: "PEN",
    EventKind.PENALTY_MISS: "MISS",
    EventKind.GOAL_DISALLOWED: "VAR",
    EventKind.SCORE_CORRECTION: "FIX",
    EventKind.YELLOW_CARD: "YC",
    EventKind.RED_CARD: "RC",
    EventKind.SUBSTITUTION: "SUB",
}

PHASES = {
    "1H": "Kick-off",
    "HT": "Half-time",
    "2H": "Second half",
    "ET": "Extra time",
    "ET-HT": "Extra-time half-time",
    "FT": "Full time",
    "AET": "Full time (after extra time)",
    "PEN": "Penalties",
}


def separator_label(event: MatchEvent) -> str:
    """The words on a phase change's separator (``Half-time``, ``Second half``...)."""
    if event.kind is EventKind.POSTPONED:
        return "Postponed"
    # A final decided on penalties is keyed without a period ("phase:PEN"); the shoot-out start has one.
    if event.detail == "PEN" and event.key == "phase:PEN":
        return "Full time (penalties)"
    return PHASES.get(event.detail, event.detail or "Phase change")


class RenderedBody(Widget):
    """The content of a scrolling panel, rendered by its owner each time it paints.

    Rendering at paint time (not storing a pre-styled renderable) picks up theme changes.
    """

    DEFAULT_CSS = "RenderedBody { height: auto; }"

    def __init__(self, source: Callable[[], RenderableType], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source

    def render(self) -> RenderableType:
        """Whatever the owner shows now."""
        return self.source()


class Timeline(VerticalScroll):
    """The events of one match, oldest first, kept scrolled to the newest while live."""

    COMPONENT_CLASSES = {
        "timeline--goal",
        "timeline--card-yellow",
        "timeline--card-red",
        "timeline--var",
        "timeline--separator",
        "timeline--muted",
        "timeline--warning",
        "timeline--swing",
    }

    teams: reactive[tuple[str, str]] = reactive(("", ""), init=False)
    """Home and away labels (abbreviations)."""
    entries: reactive[tuple[Row, ...]] = reactive((), init=False)
    """The timeline in match order, as immutable rows (the board mutates its own entries)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True to show the spoiler notice instead of the events."""

    def compose(self) -> ComposeResult:
        yield RenderedBody(self._body, id="timeline-lines")

    def watch_teams(self) -> None:
        self._show()

    def watch_entries(self) -> None:
        self._show()

    def watch_hidden(self) -> None:
        self._show()

    def _show(self) -> None:
        # Follow new events while the reader is at the end; stay put when they scrolled back.
        # (Textual's anchor() would also bottom-align a short timeline.)
        following = self.scroll_y >= self.max_scroll_y
        self.query_one("#timeline-lines", RenderedBody).refresh(layout=True)
        if following:
            self.scroll_end(animate=False)

    def _body(self) -> RenderableType:
        return Group(*self.lines())

    def lines(self) -> list[Text]:
        """The lines shown, one rich Text each (justified left, right or centre by side)."""
        if self.hidden:
            return [Text(HIDDEN_TEXT, style=self._style("timeline--muted"), justify="center")]
        if not self.entries:
            return [Text("No events yet", style=self._style("timeline--muted"), justify="center")]
        return [self.line(event, disallowed) for event, disallowed in self.entries]

    def line(self, event: MatchEvent, disallowed: bool = False) -> Text:
        """One event as a line: a separator for phase changes, else minute, tag, team, player.

        Every line reads left to right in the same fixed columns, so minutes and tags line up
        whichever side the event belongs to; the team column says which.
        """
        if event.kind in (EventKind.PHASE_CHANGE, EventKind.POSTPONED):
            label = f"— {separator_label(event)} —"
            return Text(label, style=self._style("timeline--separator"), justify="center", no_wrap=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (chunk, style) in enumerate(self._parts(event)):
            if chunk:
                text.append("  " if index else "")
                text.append(chunk, style=style)
        if disallowed:
            text.stylize("strike")
            text.append("  ").append_text(Text("VAR: disallowed", style=self._style("timeline--var")))
        return text

    def _parts(self, event: MatchEvent) -> list[tuple[str, Style | str]]:
        """Minute, tag, team, who and what."""
        muted = self._style("timeline--muted")
        team = "" if event.side is None else self.teams[0 if event.side is Side.HOME else 1]
        tag = TAGS.get(event.kind, event.kind.value.upper()).ljust(TAG_WIDTH)
        parts: list[tuple[str, Style | str]] = [
            ((minute_text(event.minute) or "?").rjust(MINUTE_WIDTH), muted),
            (tag, self._tag_style(event.kind)),
            (team.ljust(3), "bold"),
        ]
        if event.kind.is_goal:
            if event.synthetic:
                parts.append((event.player or "?", ""))
                parts.append((UNCONFIRMED, self._style("timeline--warning")))
            else:
                parts.append((event.player or "?", "bold"))
            if " - " in event.detail:
                parts.append((event.detail.split(" - ", 1)[1], muted))
            parts.append((str(event.score) if event.score else "", "bold"))
        elif event.kind is EventKind.SUBSTITUTION:
            parts.append((event.detail or f"{event.player or '?'} on", ""))
        elif event.kind is EventKind.GOAL_DISALLOWED:
            parts.append(("goal ruled out", ""))
        elif event.kind is EventKind.SCORE_CORRECTION:
            parts.append((f"score corrected to {event.score}" if event.score else "score corrected", ""))
        else:
            parts.append((event.player or event.detail, ""))
        parts.append((self.swing(event), self._style("timeline--swing")))
        return parts

    def swing(self, event: MatchEvent) -> str:
        """The event's swing, compact: ``MEX 66%→89%`` (the side that gains from a red card);
        ``""`` when it has none or the chance shown did not move."""
        side, before, after = swing_side(event), event.prob_before, event.prob_after
        if side is None or before is None or after is None:
            return ""
        home = side is Side.HOME
        old, new = percent(before.home if home else before.away), percent(after.home if home else after.away)
        if old == new:
            return ""
        return f"{self.teams[0 if home else 1]} {old}→{new}"

    def _tag_style(self, kind: EventKind) -> Style:
        if kind.is_goal:
            return self._style("timeline--goal")
        name = {
            EventKind.YELLOW_CARD: "timeline--card-yellow",
            EventKind.RED_CARD: "timeline--card-red",
            EventKind.GOAL_DISALLOWED: "timeline--var",
            EventKind.PENALTY_MISS: "timeline--var",
        }.get(kind, "timeline--muted")
        return self._style(name)

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)
