"""The default screen: the day's matches, live first, favourites on top.

Rows come from :func:`scoreterm.tui.rows.build_table`, fitted to the terminal on every redraw;
an empty board says why (:mod:`scoreterm.tui.empty`). ``f`` and ``s`` star a team or keep its
scores hidden, ``l`` picks the league shown and ``w`` the win % column, each saved to the config
file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from scoreterm.domain.display import row_text
from scoreterm.domain.model import Match, MatchEvent
from scoreterm.tui.board import ordered
from scoreterm.tui.empty import EmptyFacts, empty_reason
from scoreterm.tui.rows import WIN_LEGEND, Layout, Row, RowContext, build_table, is_header, league_name
from scoreterm.tui.settings import toggle_team
from scoreterm.tui.widgets.footer import KeysFooter
from scoreterm.tui.widgets.score_table import ScoreTable
from scoreterm.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

# Lines around the rows: the title bar, the column headers and the footer (plus the status bar).
CHROME_LINES = 3

__all__ = ["ScoreboardScreen", "league_name"]


class ScoreboardScreen(Screen[None]):
    """Every match of the day, grouped by league (and by day for a range of days)."""

    BINDINGS = [
        Binding("enter", "open", "Match"),
        Binding("f", "favourite", "Favourite"),
        Binding("s", "spoiler_free", "Spoiler-free", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("l", "league", "League"),
        Binding("w", "win_column", "Win %"),
        Binding("t", "table", "Table"),
        Binding("b", "bracket", "Bracket"),
        Binding("r", "reveal", "Reveal"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.league: str | None = None
        self.filter_text = ""
        self._redraw_pending = False
        self._layout: Layout | None = None
        self._shown: list[Row] = []

    @property
    def scoreterm(self) -> ScoretermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="●")
        yield Input(placeholder="filter by team (enter to keep, esc to clear)", id="filter")
        yield ScoreTable(id="scoreboard", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty")
        yield StatusBar(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        app = self.scoreterm
        view = app.options.settings.view_league
        if view and view in app.options.leagues and len(app.options.leagues) > 1:
            self.league = view
        self.query_one("#filter", Input).display = False
        self.query_one(ScoreTable).focus()
        self.watch(self.app, "version", self.refresh_rows)
        # An empty table's explanation counts down (the delay) without waiting for data.
        self.set_interval(1.0, self._tick_empty)
        self._redraw()

    def _tick_empty(self) -> None:
        if not self._shown:
            self.refresh_rows()

    def on_resize(self, _: Resize) -> None:
        """Fit the columns (and the scorers' second lines) to the new size."""
        self.refresh_rows()

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

    def _row_context(self) -> RowContext:
        app = self.scoreterm
        status_lines = max(1, self.query_one(StatusBar).size.height)
        filter_lines = 3 if self.query_one("#filter", Input).display else 0
        board = app.board

        def events(match: Match) -> list[MatchEvent]:
            return [e.event for e in board.timeline(match.id) if not e.disallowed]

        return RowContext(
            zone=app.options.zone,
            today=app.options.clock.now().astimezone(app.options.zone).date(),
            width=self.size.width,
            height=self.size.height - CHROME_LINES - status_lines - filter_lines,
            favourites=app.favourites,
            hidden=app.is_hidden,
            flashing=app.is_flashing,
            events=events,
            win=app.win_column,
            headed=len({m.league for m in board.matches.values()} | set(app.options.leagues)) > 1
            and self.league is None,
        )

    def _redraw(self) -> None:
        """Bring the table in line with the board: cells in place when the layout and the rows
        are the same, otherwise rebuilt with the cursor kept on its match."""
        self._redraw_pending = False
        table = self.query_one(ScoreTable)
        matches = self.shown_matches()
        layout, rows = build_table(matches, self._row_context())
        before = {row.key: row for row in self._shown}
        if layout != self._layout:
            current = self.current_match_id()
            table.clear(columns=True)
            for key, label, width in zip(layout.keys, layout.labels, layout.widths, strict=True):
                table.add_column(label, key=key, width=width)
            self._fill(table, rows, current)
        elif [(r.key, r.height) for r in rows] == [(r.key, r.height) for r in self._shown]:
            # Same rows in the same order: touch only the cells that changed, so one goal costs
            # one cell's render rather than the whole table's.
            for row in rows:
                old = before[row.key].cells
                for column, value, was in zip(layout.keys, row.cells, old, strict=True):
                    if value != was:
                        table.update_cell(row.key, column, value)
        else:
            current = self.current_match_id()
            table.clear()
            self._fill(table, rows, current)
        self._layout, self._shown = layout, rows
        empty = self.query_one("#empty", Static)
        empty.display = not rows
        table.display = bool(rows)
        if not rows:
            empty.update(Text(empty_reason(self._empty_facts()), justify="center"))
        self.sub_title = self._subtitle(len(matches))

    @staticmethod
    def _fill(table: DataTable[Text | str], rows: list[Row], current: str | None) -> None:
        for row in rows:
            table.add_row(*row.cells, key=row.key, height=row.height)
        keys = [row.key for row in rows]
        if current is not None and current in keys:
            table.move_cursor(row=keys.index(current), animate=False)
        elif rows and is_header(rows[0].key) and table.cursor_row == 0:
            table.move_cursor(row=next((i for i, k in enumerate(keys) if not is_header(k)), 0))

    def _slugs(self) -> list[str]:
        """The leagues shown: the one picked, those asked for, or (a thin client asks the server
        for every league it carries) those on the board."""
        if self.league:
            return [self.league]
        app = self.scoreterm
        return app.options.leagues or sorted({m.league for m in app.board.matches.values()})

    def _empty_facts(self) -> EmptyFacts:
        app = self.scoreterm
        board = app.board
        slugs = self._slugs()
        now = app.options.clock.now()
        held = app.holding_until
        source = board.status
        return EmptyFacts(
            now=now,
            zone=app.options.zone,
            leagues=[league_name(s) for s in slugs],
            day=app.options.day,
            feed_state=app.feed_state,
            source_state=source.state if source is not None else None,
            has_data=board.last_data_at is not None,
            other_matches=len(board.matches),
            filter_text=self.filter_text,
            delay=app.options.delay,
            held_for=None if held is None else held - app.options.clock.monotonic(),
            replay=app.feed.replay is not None,
            next_kickoff={league_name(s): app.next_kickoff(s) for s in slugs}
            if board.last_data_at is not None
            else {},
        )

    def _subtitle(self, count: int) -> str:
        slugs = self._slugs()
        where = ", ".join(league_name(s) for s in slugs)
        shown = f"{count} match{'es' if count != 1 else ''}"
        return f"{where} · {shown}" + (f" · filter: {self.filter_text}" if self.filter_text else "")

    def current_match_id(self) -> str | None:
        """The id of the match under the cursor (None on a header row or an empty table)."""
        table = self.query_one(ScoreTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if key and not is_header(key) else None

    def _current_match(self) -> Match | None:
        return self.scoreterm.board.matches.get(self.current_match_id() or "")

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
        """Star a team of the highlighted match (again: the other team; again: neither); saved."""
        self._toggle("favourites", "★ Favourites", "starred", "unstarred")

    def action_spoiler_free(self) -> None:
        """Keep a team's scores hidden (again: the other team; again: neither); saved."""
        self._toggle("spoiler_free", "Spoiler-free", "scores hidden until r", "scores shown")

    def _toggle(self, key: str, title: str, added_word: str, removed_word: str) -> None:
        app = self.scoreterm
        match = self._current_match()
        if match is None:
            app.say("Move to a match first", title=title)
            return
        names: list[str] = app.favourites if key == "favourites" else app.spoiler_free
        text = row_text(match, app.options.zone)
        first, second = match.team(text.first), match.team(text.second)
        change = toggle_team(first, second, names)
        names[:] = change.names
        parts = [f"{change.added} {added_word}"] if change.added else []
        parts += [f"{name} {removed_word}" for name in change.removed]
        if change.added == first.name:
            parts.append(f"press {'f' if key == 'favourites' else 's'} again for {second.name}")
        self._save(key, list(names), " · ".join(parts), title)
        self.refresh_rows()

    def _save(self, key: str, value: object, message: str, title: str) -> None:
        app = self.scoreterm
        problem = app.saver.save(key, value)
        variable = app.saver.overridden_by(key)
        if problem is None and variable is not None:
            # Saved, but the next start would still use the environment's value: say so now.
            warning = f"{message} (saved to {app.saver.where()}, but {variable} overrides it)"
            app.say(warning, title=title, severity="warning")
        elif problem is None:
            app.say(f"{message} (saved to {app.saver.where()})" if app.saver.file else message, title=title)
        else:
            app.say(f"{message}; not saved: {problem}", title=title, severity="warning")

    def action_filter(self) -> None:
        """Show the team filter."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Never let the hidden filter take the keys: Textual may hand it the focus when the table
        it had is hidden for want of rows (a replay jump, a league with nothing on)."""
        box = self.query_one("#filter", Input)
        if event.widget is box and not box.display:
            self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types."""
        self.filter_text = event.value
        self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Keep the filter and go back to the table."""
        event.input.display = False
        self.query_one(ScoreTable).focus()

    def action_clear_filter(self) -> None:
        """Drop the filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter_text = ""
        self.query_one(ScoreTable).focus()
        self.refresh_rows()

    def action_league(self) -> None:
        """Show the next league (then all of them); saved."""
        app = self.scoreterm
        slugs = list(dict.fromkeys([*app.options.leagues, *(m.league for m in app.board.matches.values())]))
        if len(slugs) <= 1:
            only = league_name(slugs[0]) if slugs else "one league"
            app.say(
                f"Only {only} on this tape: a replay shows the leagues it recorded "
                "(`scoreterm record --league ...` records more)"
                if app.feed.replay is not None
                else f"Only {only} here: follow more with --league, "
                "or `scoreterm config set leagues eng.1,esp.1`",
                title="League",
            )
            return
        cycle: list[str | None] = [None, *slugs]
        self.league = cycle[(cycle.index(self.league) + 1) % len(cycle)] if self.league in cycle else None
        shown = league_name(self.league) if self.league else "every league"
        self._save("view_league", self.league, f"Showing {shown} · l: next", "League")
        self.refresh_rows()

    def action_win_column(self) -> None:
        """Show or hide the live win % column; saved."""
        app = self.scoreterm
        app.win_column = not app.win_column
        said = (
            f"Win % column shown: {WIN_LEGEND} · w toggles"
            if app.win_column
            else "Win % column hidden · w toggles"
        )
        self._save("win_column", app.win_column, said, "Win %")
        self.refresh_rows()

    def _league_in_view(self) -> str | None:
        """The highlighted match's league, else the league shown, else the first followed."""
        match = self._current_match()
        if match is not None:
            return match.league
        return self.league or next(iter(self.scoreterm.options.leagues), None)

    def action_table(self) -> None:
        """Open the table of the highlighted match's league (live while its matches are in play)."""
        from scoreterm.tui.screens.tables import TableScreen

        self.app.push_screen(TableScreen(self._league_in_view()))

    def action_bracket(self) -> None:
        """Open the knock-out bracket of the highlighted match's tournament."""
        from scoreterm.tui.screens.tables import BracketScreen

        self.app.push_screen(BracketScreen(self._league_in_view()))

    def action_reveal(self) -> None:
        """Reveal the score of the highlighted match (or every hidden one on a header row)."""
        app = self.scoreterm
        match_id = self.current_match_id()
        if match_id is not None:
            app.revealed.add(match_id)
        else:
            app.revealed.update(app.board.matches)
        self.refresh_rows()
