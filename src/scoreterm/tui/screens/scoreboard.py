"""The default screen: today's matches, live first, favourites on top."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from scoreterm.domain.display import kickoff_text, score_text
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.board import is_favourite, ordered
from scoreterm.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

HIDDEN = "? - ?"
COLUMNS = ("fav", "time", "home", "score", "away", "status")


def league_name(slug: str) -> str:
    """The catalog name of ``slug`` (the slug itself if unknown)."""
    try:
        return get_league(slug).name
    except UnknownLeague:
        return slug


class ScoreboardScreen(Screen[None]):
    """Every match of the day, grouped by league."""

    BINDINGS = [
        Binding("enter", "open", "Match"),
        Binding("f", "favourite", "Favourite"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("l", "league", "League"),
        Binding("r", "reveal", "Reveal"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.league: str | None = None
        self.filter_text = ""
        self._redraw_pending = False
        self._cells_shown: dict[str, tuple[Text | str, ...]] = {}

    @property
    def scoreterm(self) -> ScoretermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="●")
        yield Input(placeholder="filter by team (enter to keep, esc to clear)", id="filter")
        table: DataTable[Text | str] = DataTable(id="scoreboard", cursor_type="row", zebra_stripes=True)
        yield table
        yield StatusBar(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # 76 columns in all with cell padding: fits an 80x24 terminal without a scrollbar.
        table.add_column("", key="fav", width=1)
        table.add_column("Time", key="time", width=6)
        table.add_column("Home", key="home", width=20)
        table.add_column("Score", key="score", width=11)
        table.add_column("Away", key="away", width=20)
        table.add_column("", key="status", width=6)
        self.query_one("#filter", Input).display = False
        table.focus()
        self.watch(self.app, "version", self.refresh_rows)
        self._redraw()

    def shown_matches(self) -> list[Match]:
        """The matches shown, in display order."""
        app = self.scoreterm
        return ordered(
            app.board.matches.values(), favourites=app.favourites, text=self.filter_text, league=self.league
        )

    def refresh_rows(self, _: object = None) -> None:
        """Redraw the table soon; a burst of updates costs one redraw per frame."""
        if not self._redraw_pending:
            self._redraw_pending = True
            self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        """Bring the table in line with the board: cells in place when the rows are the same
        matches in the same order, otherwise rebuilt with the cursor kept on its match."""
        self._redraw_pending = False
        app = self.scoreterm
        table: DataTable[Text | str] = self.query_one(DataTable)
        matches = self.shown_matches()
        leagues = list(dict.fromkeys(m.league for m in matches))
        headed = len(leagues) > 1 or len(app.options.leagues) > 1
        rows: list[tuple[str, tuple[Text | str, ...]]] = []
        for slug in leagues:
            if headed:
                header = Text(league_name(slug), style="bold underline")
                rows.append((f"league:{slug}", ("", header, "", "", "", "")))
            rows.extend((m.id, self._cells(m)) for m in matches if m.league == slug)
        keys = [key for key, _ in rows]
        if keys == [row.key.value for row in table.ordered_rows]:
            # Same rows in the same order: touch only the cells that changed, so one goal costs
            # one cell's render rather than the whole table's.
            for key, cells in rows:
                before = self._cells_shown.get(key, ())
                for index, (column, value) in enumerate(zip(COLUMNS, cells, strict=True)):
                    if index >= len(before) or before[index] != value:
                        table.update_cell(key, column, value)
        else:
            current = self.current_match_id()
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
            if current is not None and current in keys:
                table.move_cursor(row=table.get_row_index(current), animate=False)
        self._cells_shown = dict(rows)
        self.sub_title = self._subtitle(len(matches))

    def _subtitle(self, count: int) -> str:
        where = league_name(self.league) if self.league else ", ".join(self.scoreterm.options.leagues)
        shown = f"{count} match{'es' if count != 1 else ''}"
        return f"{where} · {shown}" + (f" · filter: {self.filter_text}" if self.filter_text else "")

    def _cells(self, match: Match) -> tuple[Text | str, ...]:
        app = self.scoreterm
        favourite = is_favourite(match, app.favourites)
        hidden = app.is_hidden(match.id)
        live = match.phase.state in (PhaseState.LIVE, PhaseState.BREAK)
        when = (
            Text(match.clock or match.phase.label, style="bold green")
            if live
            else Text(kickoff_text(match, app.options.zone, with_day=False))
        )
        score_style = "bold reverse" if app.is_flashing(match.id) else ("bold" if live else "")
        score = Text(HIDDEN if hidden else score_text(match), style=score_style, justify="center")
        team_style = "bold dark_orange" if favourite else ""
        status = (
            "hidden" if hidden else ("" if match.phase.state is PhaseState.SCHEDULED else match.phase.label)
        )
        if match.unconfirmed:
            status += " ?"
        return (
            Text("★", style="dark_orange") if favourite else "",
            when,
            Text(match.home.name, style=team_style, justify="right"),
            score,
            Text(match.away.name, style=team_style),
            Text(status, style="green" if live else "dim"),
        )

    def current_match_id(self) -> str | None:
        """The id of the match under the cursor (None on a league header or an empty table)."""
        table: DataTable[Text | str] = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if key and not key.startswith("league:") else None

    def action_open(self) -> None:
        """Open the match under the cursor."""
        from scoreterm.tui.screens.match import MatchScreen

        match_id = self.current_match_id()
        if match_id is not None:
            self.app.push_screen(MatchScreen(match_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or a click on a row opens it."""
        self.action_open()

    def action_favourite(self) -> None:
        """Toggle the teams of the highlighted match as favourites."""
        match = self.scoreterm.board.matches.get(self.current_match_id() or "")
        if match is None:
            return
        favourites = self.scoreterm.favourites
        if is_favourite(match, favourites):
            favourites[:] = [f for f in favourites if not is_favourite(match, [f])]
        else:
            favourites.append(match.home.name)
        self.refresh_rows()

    def action_filter(self) -> None:
        """Show the team filter."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types."""
        self.filter_text = event.value
        self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Keep the filter and go back to the table."""
        event.input.display = False
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        """Drop the filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter_text = ""
        self.query_one(DataTable).focus()
        self.refresh_rows()

    def action_league(self) -> None:
        """Cycle through the leagues (and all of them)."""
        slugs = list(
            dict.fromkeys(
                [*self.scoreterm.options.leagues, *(m.league for m in self.scoreterm.board.matches.values())]
            )
        )
        cycle: list[str | None] = [None, *slugs] if len(slugs) > 1 else [None]
        self.league = cycle[(cycle.index(self.league) + 1) % len(cycle)] if self.league in cycle else None
        self.refresh_rows()

    def action_reveal(self) -> None:
        """Reveal the score of the highlighted match (or every hidden one on a header row)."""
        app = self.scoreterm
        match_id = self.current_match_id()
        if match_id is not None:
            app.revealed.add(match_id)
        else:
            app.revealed.update(app.board.matches)
        self.refresh_rows()
