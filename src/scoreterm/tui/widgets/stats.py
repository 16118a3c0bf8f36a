"""The stats panel: the provider's team statistics as a small name / home / away table.

The match screen sets :attr:`StatsPanel.stats`, :attr:`StatsPanel.teams` and
:attr:`StatsPanel.hidden` (stats such as shots on goal give a spoiler-free score away).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from scoreterm.domain.model import Stat
from scoreterm.tui.widgets.timeline import RenderedBody

NO_STATS = "No stats from this provider"
HIDDEN_TEXT = "Stats hidden — press r to reveal"


class StatsPanel(VerticalScroll):
    """Team statistics, scrollable when there are many."""

    COMPONENT_CLASSES = {"stats--muted", "stats--header"}

    stats: reactive[tuple[Stat, ...]] = reactive((), init=False)
    """The rows, in the provider's order."""
    teams: reactive[tuple[str, str]] = reactive(("Home", "Away"), init=False)
    """Home and away column headers (abbreviations)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True to keep the numbers hidden (spoiler-free match not yet revealed)."""

    def compose(self) -> ComposeResult:
        yield RenderedBody(self.table, id="stats-table")

    def watch_stats(self) -> None:
        self._show()

    def watch_teams(self) -> None:
        self._show()

    def watch_hidden(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one("#stats-table", RenderedBody).refresh(layout=True)

    def table(self) -> RenderableType:
        """The table shown (or a one-line notice when hidden or empty)."""
        muted = self.get_component_rich_style("stats--muted")
        if self.hidden:
            return Text(HIDDEN_TEXT, style=muted)
        if not self.stats:
            return Text(NO_STATS, style=muted)
        home, away = self.teams
        table = Table(
            box=None,
            expand=True,
            padding=(0, 1),
            show_edge=False,
            header_style=self.get_component_rich_style("stats--header"),
        )
        table.add_column("", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(home, justify="right", no_wrap=True)
        table.add_column(away, justify="right", no_wrap=True)
        for stat in self.stats:
            table.add_row(stat.name, stat.home, stat.away)
        return table
