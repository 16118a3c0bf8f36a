"""The stats panel: the provider's team statistics as a fan reads them (``format_stats``: Title Case
labels, real percentages), as a small name / home / away table, or with ``bars`` as two-sided bars
(the home share of each stat in the home colour, the rest in the away colour).

The match screen sets :attr:`StatsPanel.stats`, :attr:`StatsPanel.teams` and
:attr:`StatsPanel.hidden` (stats such as shots on goal give a spoiler-free score away).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from scoreterm.domain.stats_format import StatLike, StatRow, format_stats
from scoreterm.tui.widgets.adaptive import AdaptiveBody

NO_STATS = "No stats from this provider"
HIDDEN_TEXT = "Stats hidden — press r to reveal"
BAR = "█"
BAR_MIN = 10
BAR_MAX = 60


def split_bar(share: float, width: int) -> tuple[int, int]:
    """Cells of a ``width``-cell two-sided bar for the home side and the away side.

    A side with any share at all gets at least one cell, so a small number is still seen.
    """
    home = round(min(max(share, 0.0), 1.0) * width)
    if 0.0 < share < 1.0:
        home = min(max(home, 1), width - 1)
    return home, width - home


class StatsPanel(VerticalScroll):
    """Team statistics, scrollable when there are many."""

    COMPONENT_CLASSES = {"stats--muted", "stats--header", "stats--home", "stats--away"}

    stats: reactive[Sequence[StatLike]] = reactive((), init=False)
    """The rows, in the provider's order (``model.Stat`` or ``centre.TeamStat``)."""
    teams: reactive[tuple[str, str]] = reactive(("Home", "Away"), init=False)
    """Home and away column headers (abbreviations)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True to keep the numbers hidden (spoiler-free match not yet revealed)."""

    def __init__(self, *, bars: bool = False, away_first: bool = False, id: str | None = None) -> None:
        """``bars`` draws two-sided bars; ``away_first`` puts the away team on the left (US sports)."""
        super().__init__(id=id)
        self.bars = bars
        self.away_first = away_first
        self.body_id = f"{id}-table" if id and id != "stats" else "stats-table"

    def compose(self) -> ComposeResult:
        yield AdaptiveBody(self.table, id=self.body_id)

    def watch_stats(self) -> None:
        self._show()

    def watch_teams(self) -> None:
        self._show()

    def watch_hidden(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one(f"#{self.body_id}", AdaptiveBody).refresh(layout=True)

    def rows(self) -> tuple[StatRow, ...]:
        """The rows as shown."""
        return format_stats(self.stats)

    def table(self, width: int = 80) -> RenderableType:
        """The table shown (or a one-line notice when hidden or empty)."""
        muted = self.get_component_rich_style("stats--muted")
        if self.hidden:
            return Text(HIDDEN_TEXT, style=muted)
        if not self.stats:
            return Text(NO_STATS, style=muted)
        if self.bars:
            return self.bar_table(width)
        home, away = self.teams
        table = Table(
            box=None,
            expand=True,
            padding=(0, 1),
            show_edge=False,
            header_style=self.get_component_rich_style("stats--header"),
        )
        table.add_column("", ratio=1, no_wrap=True, overflow="ellipsis")
        # US fans read away before home.
        table.add_column(away if self.away_first else home, justify="right", no_wrap=True)
        table.add_column(home if self.away_first else away, justify="right", no_wrap=True)
        for row in self.rows():
            table.add_row(row.label, *((row.away, row.home) if self.away_first else (row.home, row.away)))
        return table

    def bar_table(self, width: int) -> RenderableType:
        """Label, home value, the two-sided bar, away value: one line per stat."""
        rows = self.rows()
        home_style = self.get_component_rich_style("stats--home")
        away_style = self.get_component_rich_style("stats--away")
        header = self.get_component_rich_style("stats--header")
        label_width = min(max(len(r.label) for r in rows), 28)
        value_width = max(max(len(r.home), len(r.away)) for r in rows)
        bar_width = min(BAR_MAX, max(BAR_MIN, width - label_width - 2 * value_width - 6))
        table = Table.grid(padding=(0, 1))
        table.add_column(width=label_width, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        home, away = self.teams
        left, right = (away, home) if self.away_first else (home, away)
        table.add_row(
            "",
            Text(left, style=away_style if self.away_first else home_style),
            Text(""),
            Text(right, style=home_style if self.away_first else away_style),
        )
        for row in rows:
            values = (row.away, row.home) if self.away_first else (row.home, row.away)
            bar = Text()
            if row.home_share is not None:
                share = 1.0 - row.home_share if self.away_first else row.home_share
                first, second = split_bar(share, bar_width)
                bar.append(BAR * first, style=away_style if self.away_first else home_style)
                bar.append(BAR * second, style=home_style if self.away_first else away_style)
            table.add_row(Text(row.label, style=header), values[0], bar, values[1])
        return table
