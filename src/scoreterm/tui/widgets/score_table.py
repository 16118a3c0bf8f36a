"""The scoreboard's table: a DataTable whose keys move between matches as a fan expects.

``↑``/``↓`` and ``k``/``j`` move a row, PageUp/PageDown a page, Home/End to the first and last
match (DataTable's own Home/End scroll sideways, which a row cursor never needs).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from scoreterm.tui.rows import is_header


class ScoreTable(DataTable[Text | str]):
    """Rows of matches, with league and day headers between them."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home", "first_match", "First", show=False),
        Binding("end", "last_match", "Last", show=False),
    ]

    def _match_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.ordered_rows) if not is_header(str(row.key.value))]

    def action_first_match(self) -> None:
        """Move to the first match (past the headers above it)."""
        rows = self._match_rows()
        self.move_cursor(row=rows[0] if rows else 0)
        self.scroll_home(animate=False)

    def action_last_match(self) -> None:
        """Move to the last match."""
        rows = self._match_rows()
        self.move_cursor(row=rows[-1] if rows else max(0, self.row_count - 1))
