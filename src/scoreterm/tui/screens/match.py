"""One match: header, timeline, odds and stats (``enter`` on the scoreboard)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from scoreterm.tui.widgets.status_bar import StatusBar


class MatchScreen(Screen[None]):
    """The detail of one match."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, match_id: str) -> None:
        super().__init__()
        self.match_id = match_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="match-header")
        yield StatusBar(id="status")
        yield Footer()
