"""``t``: a league's table as it stands, moving with each goal; ``b``: a tournament's bracket.

Both render what the board holds (the engine computed the live table and published it on
``table:<league>``; the bracket is built from the knock-out matches the board has) and redraw when
it changes. ``l`` cycles through the leagues that have one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from scoreterm.domain.bracket import build_bracket, knockouts_of
from scoreterm.domain.leagues import TIEBREAK_TEXT, UnknownLeague, get_league
from scoreterm.domain.table import LiveEntry, LiveGroup, LiveTable
from scoreterm.domain.table_text import live_text, move_text, team_label, tie_text
from scoreterm.tui.widgets.footer import KeysFooter
from scoreterm.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

NAME_WIDTH = 22
# From this width the team column takes NAME_WIDTH (the table then needs about 70 columns).
WIDE_COLUMNS = 78
SPOILER_TEXT = (
    "The table is hidden: a spoiler-free team's match counts in it. "
    "r on the scoreboard reveals the score (and the table)."
)


def league_title(slug: str) -> str:
    """The league's name (its slug if the catalog does not know it)."""
    try:
        return get_league(slug).name
    except UnknownLeague:
        return slug


def zone_legend(table: LiveTable, width: int) -> Text:
    """What the coloured ranks mean (``■ Champions League  ■ Relegation``), in table order, a zone
    never split across lines of ``width``."""
    zones: dict[str, str] = {}
    for group in table.groups:
        for row in group.entries:
            note = row.entry.note
            if note is not None and note.description:
                zones.setdefault(note.description, note.colour)
    legend, used = Text(), 0
    for description, colour in zones.items():
        size = len(description) + 2
        if used and used + 2 + size > width:
            legend.append("\n")
            used = 0
        elif used:
            legend.append("  ")
            used += 2
        legend.append("■ ", style=colour if colour.startswith("#") else "")
        legend.append(description)
        used += size
    return legend


class _Board(Screen[None]):
    """What both screens share: a scrolling body redrawn from the board, a league to show."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("l", "league", "League")]

    def __init__(self, league: str | None) -> None:
        super().__init__()
        self.league = league

    @property
    def scoreterm(self) -> ScoretermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="●")
        with VerticalScroll(id="board-body"):
            yield Static(id="board-content")
        yield StatusBar(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "version", self.redraw)

    def leagues(self) -> list[str]:
        """The leagues this screen can show."""
        raise NotImplementedError

    def content(self, league: str) -> RenderableType:
        """What the body shows for ``league``."""
        raise NotImplementedError

    def redraw(self, _: object = None) -> None:
        """Render the current league (the first available when none is chosen yet)."""
        leagues = self.leagues()
        if self.league not in leagues:
            self.league = leagues[0] if leagues else self.league
        body = self.query_one("#board-content", Static)
        if self.league is None or self.league not in leagues:
            body.update(Text(self.empty(), style="dim"))
            self.sub_title = ""
            return
        self.sub_title = league_title(self.league)
        body.update(self.content(self.league))

    def empty(self) -> str:
        """What the body says when there is nothing to show."""
        raise NotImplementedError

    def action_league(self) -> None:
        """The next league that has something to show."""
        leagues = self.leagues()
        if len(leagues) > 1 and self.league in leagues:
            self.league = leagues[(leagues.index(self.league) + 1) % len(leagues)]
        elif len(leagues) <= 1:
            self.notify("only one league to show", timeout=3)
        self.redraw()


class TableScreen(_Board):
    """The table as it stands: rank, move against the official table, team, played, goals, points,
    and the match a team is playing now (in bold)."""

    def leagues(self) -> list[str]:
        return list(self.scoreterm.board.tables)

    def empty(self) -> str:
        source = self.scoreterm.board.status
        if source is not None and source.state in ("unreachable", "down"):
            return f"No table: {source.provider} cannot be reached ({source.message or source.state})."
        return "No table yet: the provider has not given one for these leagues (or it is on its way)."

    def content(self, league: str) -> RenderableType:
        table = self.scoreterm.board.tables[league]
        hidden = [match_id for match_id in table.applied if self.scoreterm.is_hidden(match_id)]
        if hidden:
            # Points and places would give the score away: nothing of the table until revealed.
            return Text(SPOILER_TEXT, style="dim")
        wide = self.size.width >= WIDE_COLUMNS
        parts: list[RenderableType] = [self._group(table, group, wide) for group in table.groups]
        legend = zone_legend(table, self.size.width - 4)
        if legend.plain:
            parts.append(legend)
        if table.official_order_kept:
            parts.append(
                Text("Teams level on points keep the official order (head-to-head not known).", style="dim")
            )
        elif table.tiebreak in TIEBREAK_TEXT:
            parts.append(Text(TIEBREAK_TEXT[table.tiebreak], style="dim"))
        return Group(*parts)

    def _group(self, table: LiveTable, group: LiveGroup, wide: bool) -> Table:
        soccer = any(row.entry.points is not None for row in group.entries)
        grid = Table(title=group.name or None, title_justify="left", box=None, padding=(0, 1), expand=False)
        grid.add_column("#", justify="right")
        grid.add_column("", width=3)
        grid.add_column("Team", no_wrap=True, width=NAME_WIDTH if wide else 16, overflow="ellipsis")
        headers = ("P", "W", "D", "L", "GD", "Pts") if soccer else ("W", "L", "PCT", "GB")
        for name in headers:
            grid.add_column(name, justify="right")
        grid.add_column("Now", no_wrap=True, overflow="ellipsis")
        for row in group.entries:
            entry = row.entry
            in_play = row.live is not None and row.live.phase.is_active
            style = "bold" if in_play else ""
            move = move_text(row.move)
            colour = entry.note.colour if entry.note and entry.note.colour else ""
            rank = Text(str(entry.rank), style=f"on {colour}" if colour.startswith("#") else "")
            values: tuple[object, ...]
            if soccer:
                gd = "" if entry.goal_difference is None else f"{entry.goal_difference:+d}".replace("+0", "0")
                values = (entry.played, entry.won, entry.drawn, entry.lost, gd, entry.points)
            else:
                pct = "" if entry.win_pct is None else f"{entry.win_pct:.3f}".lstrip("0")
                gb = "-" if not entry.games_behind else f"{entry.games_behind:g}"
                values = (entry.won, entry.lost, pct, gb)
            grid.add_row(
                rank,
                Text(move, style="green" if row.move > 0 else "red"),
                Text(team_label(entry.team, NAME_WIDTH), style=style),
                *(str(v) if v is not None else "" for v in values),
                Text(live_text(row, self._clock_now(row)), style="bold green" if in_play else "dim"),
            )
        return grid

    def _clock_now(self, row: LiveEntry) -> str | None:
        """The clock of the row's match as the board has it now (the table's is of its last move)."""
        match = self.scoreterm.board.matches.get(row.live.match_id) if row.live is not None else None
        return match.clock if match is not None else None


class BracketScreen(_Board):
    """The knock-out rounds of a tournament, the side that went through marked with ``*``."""

    def leagues(self) -> list[str]:
        return sorted({k.match.league for k in knockouts_of(self.scoreterm.board.matches.values())})

    def empty(self) -> str:
        return "No knock-out matches in what is shown (a bracket needs a cup's knock-out dates)."

    def content(self, league: str) -> RenderableType:
        matches = [k for k in knockouts_of(self.scoreterm.board.matches.values()) if k.match.league == league]
        bracket = build_bracket(league, matches)
        width = max(60, min(self.size.width - 2, 120))
        lines: list[RenderableType] = []
        for round_ in bracket.rounds:
            lines.append(Text(round_.name, style="bold underline"))
            for tie in round_.ties:
                live = tie.phase.is_active
                lines.append(Text(tie_text(tie, width), style="bold green" if live else ""))
            lines.append(Text(""))
        return Group(*lines)
