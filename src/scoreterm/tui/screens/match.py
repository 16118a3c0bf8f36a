"""One match: header, timeline, odds and stats (``enter`` on the scoreboard, ``esc`` back).

The screen watches the app's ``version`` and copies what it needs from the board onto its widgets
("attributes down"); it runs no timers of its own.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header

from scoreterm.domain.display import kickoff_text, status_text
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.widgets.odds import OddsPanel
from scoreterm.tui.widgets.stats import StatsPanel
from scoreterm.tui.widgets.status_bar import StatusBar
from scoreterm.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

HIDDEN_SCORE = "? - ?"
WIDE = 100
"""Terminal width from which the timeline and the odds/stats column sit side by side."""


class MatchHeader(Widget):
    """Teams and score, phase and clock, kick-off and venue."""

    COMPONENT_CLASSES = {"match-header--score", "match-header--muted", "match-header--warning"}

    match: reactive[Match | None] = reactive(None, layout=True)
    """The match shown (None until the board has it)."""
    hidden: reactive[bool] = reactive(False)
    """True to show ``? - ?`` for a spoiler-free match."""

    def __init__(self, zone: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone

    def render(self) -> RenderableType:
        """Three centred lines: teams and score; phase and clock; kick-off and venue."""
        match = self.match
        muted = self._style("match-header--muted")
        if match is None:
            return Text("Waiting for data…", style=muted, justify="center")
        score = Text(f" {self.score_text(match)} ", style=self._style("match-header--score"))
        teams = Table.grid(expand=True, padding=(0, 2))
        teams.add_column(justify="right", ratio=1, no_wrap=True, overflow="ellipsis")
        # Left, not centre: rich strips a centred cell's trailing space, and the score's padding is styled.
        teams.add_column(justify="left", no_wrap=True, width=score.cell_len)
        teams.add_column(justify="left", ratio=1, no_wrap=True, overflow="ellipsis")
        teams.add_row(Text(match.home.name, style="bold"), score, Text(match.away.name, style="bold"))
        phase = Text(justify="center", no_wrap=True)
        phase.append(status_text(match) or "Not started", style="bold")
        if match.shootout is not None and not self.hidden:
            phase.append(f"  ·  penalties {match.shootout.home}-{match.shootout.away}")
        if match.unconfirmed:
            phase.append("  ·  unconfirmed", style=self._style("match-header--warning"))
        local = match.kickoff.astimezone(self.zone)
        where = f"Kick-off {kickoff_text(match, self.zone)} {local.strftime('%Z')}".rstrip()
        if match.venue:
            where += f"  ·  {match.venue}"
        return Group(teams, phase, Text(where, style=muted, justify="center", no_wrap=True))

    def score_text(self, match: Match) -> str:
        """``2 - 0``; ``? - ?`` when hidden; ``v`` before kick-off."""
        if self.hidden:
            return HIDDEN_SCORE
        if match.phase.state in (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED):
            return "v"
        return f"{match.score.home} - {match.score.away}"

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)


class MatchScreen(Screen[None]):
    """The detail of one match."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reveal", "Reveal"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    def __init__(self, match_id: str) -> None:
        super().__init__()
        self.match_id = match_id

    @property
    def scoreterm(self) -> ScoretermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="●")
        yield MatchHeader(self.scoreterm.options.zone, id="match-header")
        with Container(id="match-body"):
            yield Timeline(id="timeline")
            with Container(id="match-side"):
                yield OddsPanel(id="odds")
                yield StatsPanel(id="stats")
        yield StatusBar(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#timeline", Timeline).border_title = "Timeline"
        self.query_one("#odds", OddsPanel).border_title = "Odds"
        self.query_one("#stats", StatsPanel).border_title = "Stats"
        self.query_one("#timeline", Timeline).focus()
        # Someone is looking at this match: the feed keeps its timeline, odds and stats fresh.
        self.scoreterm.feed.focus(self.match_id)
        self.watch(self.app, "version", self.refresh_view)

    def on_unmount(self) -> None:
        self.scoreterm.feed.focus(None)

    def refresh_view(self, _: object = None) -> None:
        """Copy the match's state from the board onto the widgets."""
        app = self.scoreterm
        match = app.board.matches.get(self.match_id)
        hidden = app.is_hidden(self.match_id)
        teams = ("", "")
        if match is not None:
            teams = (match.home.abbrev or match.home.name, match.away.abbrev or match.away.name)
        header = self.query_one("#match-header", MatchHeader)
        header.match, header.hidden = match, hidden
        timeline = self.query_one("#timeline", Timeline)
        timeline.teams = teams
        timeline.entries = tuple((e.event, e.disallowed) for e in app.board.timeline(self.match_id))
        timeline.hidden = hidden
        odds = self.query_one("#odds", OddsPanel)
        odds.teams = teams
        odds.odds = match.odds if match else None
        odds.moves = match.trend.odds if match and match.trend and not hidden else ()
        # Which way the lines moved can give an in-play score away.
        odds.previous = None if hidden else app.board.previous_odds.get(self.match_id)
        stats = self.query_one("#stats", StatsPanel)
        stats.teams, stats.stats, stats.hidden = teams, match.stats if match else (), hidden
        self.sub_title = f"{match.home.name} v {match.away.name}" if match else self.match_id

    def action_reveal(self) -> None:
        """Show this match's score (spoiler-free teams stay hidden elsewhere)."""
        app = self.scoreterm
        app.revealed.add(self.match_id)
        # Every screen (the scoreboard underneath too) redraws from ``version``.
        app.version += 1
