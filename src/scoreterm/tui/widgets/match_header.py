"""The match screen's header: teams and score, phase and clock, kick-off and venue.

Soccer reads home - away; the US sports away @ home, with a live game's state in full
(``Top 7 · 2 out · 1-2 · ●○●``, ``Q3 5:32 · 3rd & 4 at NE 35``).
"""

from __future__ import annotations

from datetime import tzinfo

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from scoreterm.domain.display import kickoff_text, live_state, status_text
from scoreterm.domain.model import Match, PhaseState, Sport
from scoreterm.tui.widgets.winchart_data import sport_of

HIDDEN_SCORE = "? - ?"


class MatchHeader(Widget):
    """Teams and score, phase and clock (a US game's live state in full), kick-off and venue."""

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
        # US fans read a game away @ home.
        us = sport_of(match) is not Sport.SOCCER
        first, second = (match.away, match.home) if us else (match.home, match.away)
        teams = Table.grid(expand=True, padding=(0, 2))
        teams.add_column(justify="right", ratio=1, no_wrap=True, overflow="ellipsis")
        # Left, not centre: rich strips a centred cell's trailing space, and the score's padding is styled.
        teams.add_column(justify="left", no_wrap=True, width=score.cell_len)
        teams.add_column(justify="left", ratio=1, no_wrap=True, overflow="ellipsis")
        teams.add_row(Text(first.name, style="bold"), score, Text(second.name, style="bold"))
        phase = Text(justify="center", no_wrap=True)
        phase.append(self.phase_text(match) or "Not started", style="bold")
        if match.shootout is not None and not self.hidden:
            phase.append(f"  ·  penalties {match.shootout.home}-{match.shootout.away}")
        if match.unconfirmed:
            phase.append("  ·  unconfirmed", style=self._style("match-header--warning"))
        local = match.kickoff.astimezone(self.zone)
        where = f"Kick-off {kickoff_text(match, self.zone)} {local.strftime('%Z')}".rstrip()
        if match.venue:
            where += f"  ·  {match.venue}"
        return Group(teams, phase, Text(where, style=muted, justify="center", no_wrap=True))

    def phase_text(self, match: Match) -> str:
        """The phase and clock; a live US game's state in full (``Top 7 · 2 out · 1-2 · ●○●``)."""
        return status_text(match) if self.hidden else live_state(match)

    def score_text(self, match: Match) -> str:
        """``2 - 0``; ``? - ?`` when hidden; ``v`` before kick-off; a US game away first,
        ``108 @ 125`` (``@`` before it starts)."""
        us = sport_of(match) is not Sport.SOCCER
        if self.hidden:
            return HIDDEN_SCORE
        if match.phase.state in (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED):
            return "@" if us else "v"
        if us:
            return f"{match.score.away} @ {match.score.home}"
        return f"{match.score.home} - {match.score.away}"

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)
