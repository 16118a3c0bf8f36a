"""The odds panel: a book's 1X2 moneyline with its chances, the spread, the total, and how the live
line moved.

The match screen sets :attr:`OddsPanel.odds`, :attr:`OddsPanel.previous` (the book's lines before
their last move, for the arrows), :attr:`OddsPanel.moves` and :attr:`OddsPanel.teams`. The chances
are the prices with the bookmaker's margin removed by Shin's method (the one the win probability
uses, see docs/probability.md), so the three add up to 100%. The header says which line it is:
live, pre-match or closing.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from scoreterm.domain.model import Odds, OddsPoint
from scoreterm.domain.prob_market import market_probability, market_probability_two_way
from scoreterm.tui.board import move_arrow

NO_ODDS = "No odds"


def american(price: int | None) -> str:
    """American odds as shown: ``-230``, ``+750``, ``—`` when unknown."""
    return "—" if price is None else f"{price:+d}"


MOVES_SHOWN = 4


def chances(odds: Odds) -> tuple[str, str, str]:
    """Home, draw and away chances of a book's 1X2 line with its margin removed (``69.7%``)."""
    line = odds.moneyline
    prob = market_probability(line) if line.draw is not None else market_probability_two_way(line)
    if prob is None:
        return "", "", ""
    draw = "" if prob.draw is None else f"{prob.draw:.1%}"
    return f"{prob.home:.1%}", draw, f"{prob.away:.1%}"


def which_line(odds: Odds) -> str:
    """What the prices are: the live line, the line before kick-off, or the closing line."""
    if odds.in_play:
        return "live"
    return "closing" if odds.moment == "close" else "pre-match"


def line(value: float | None, signed: bool = False) -> str:
    """A spread or total line: ``-1.5``, ``2.5``."""
    if value is None:
        return "—"
    return f"{value:+g}" if signed else f"{value:g}"


class OddsPanel(Widget):
    """One book's lines for a match; arrows show which way each moved last."""

    COMPONENT_CLASSES = {"odds--up", "odds--down", "odds--muted"}

    odds: reactive[Odds | None] = reactive(None, layout=True)
    """The current lines (None when the provider gives none)."""
    previous: reactive[Odds | None] = reactive(None)
    """The lines before their last move, if they moved while we watched."""
    teams: reactive[tuple[str, str]] = reactive(("Home", "Away"))
    """Home and away labels (abbreviations)."""
    moves: reactive[tuple[OddsPoint, ...]] = reactive(())
    """How the live line moved, oldest first (the match's trend)."""

    def render(self) -> RenderableType:
        """The lines as a small grid, or "No odds"."""
        odds = self.odds
        if odds is None:
            return Text(NO_ODDS, style=self._style("odds--muted"))
        old = self.previous
        home, away = self.teams
        table = Table.grid(padding=(0, 1))
        table.add_column()
        table.add_column(justify="right")
        table.add_column(justify="right")
        table.add_column(justify="right")
        muted = self._style("odds--muted")
        table.add_row(
            Text(odds.provider, style="bold"),
            Text(which_line(odds), style=muted),
            "",
            Text("chance", style=muted),
        )
        money, was = odds.moneyline, old.moneyline if old is not None else None
        shares = chances(odds)
        for (label, price, before), share in zip(
            (
                (home, money.home, was.home if was else None),
                ("Draw", money.draw, was.draw if was else None),
                (away, money.away, was.away if was else None),
            ),
            shares,
            strict=True,
        ):
            if label == "Draw" and price is None:
                continue
            table.add_row(label, "", self._arrowed(american(price), before, price), share)
        if odds.spread is not None or odds.spread_home_odds is not None:
            moved = old.spread if old is not None else None
            spread_line = self._arrowed(f"{home} {line(odds.spread, signed=True)}", moved, odds.spread)
            table.add_row("Spread", spread_line, american(odds.spread_home_odds), "")
        if odds.over_under is not None:
            moved = old.over_under if old is not None else None
            total = self._arrowed(line(odds.over_under), moved, odds.over_under)
            table.add_row("Over", total, american(odds.over_odds), "")
            table.add_row("Under", line(odds.over_under), american(odds.under_odds), "")
        for move in self.moves[-MOVES_SHOWN:] if len(self.moves) > 1 else ():
            prices = move.moneyline
            shown = " ".join(american(p) for p in (prices.home, prices.draw, prices.away) if p is not None)
            table.add_row(Text(move.minute or "·", style=muted), "", Text(shown, style=muted), "")
        return table

    def _arrowed(self, shown: str, old: int | float | None, new: int | float | None) -> Text:
        arrow = move_arrow(old, new)
        text = Text(shown)
        if arrow:
            text.append(f" {arrow}", style=self._style("odds--up" if arrow == "▲" else "odds--down"))
        return text

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)
