"""The odds panel: a book's 1X2 moneyline with its chances, the spread, the total, and how the live
line moved.

The match screen sets :attr:`OddsPanel.odds`, :attr:`OddsPanel.previous` (the book's lines before
their last move, for the arrows), :attr:`OddsPanel.moves` and :attr:`OddsPanel.teams`. The chances
are the prices with the bookmaker's margin removed by Shin's method (the one the win probability
uses, see docs/probability.md), so the three add up to 100%. The header says which line it is:
live, pre-match or closing. With The Odds API configured, :attr:`OddsPanel.consensus` adds what
many books agree on: their median chances and the best price for each outcome, with its book.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from scoreterm.domain.consensus import BestPrice, OddsConsensus
from scoreterm.domain.model import MoneyLine, Odds, OddsPoint
from scoreterm.domain.prob_market import market_probability, market_probability_two_way
from scoreterm.tui.board import move_arrow

NO_ODDS = "No odds"
NO_LIVE_PRICE = "no live price yet"
KICKOFF_LINE = "line at kick-off"
BOOK_CHARS = 12


def american(price: int | None) -> str:
    """American odds as shown: ``-230``, ``+750``, ``—`` when unknown."""
    return "—" if price is None else f"{price:+d}"


MOVES_SHOWN = 4


def chances(odds: Odds) -> tuple[str, str, str]:
    """Home, draw and away chances of a book's 1X2 line with its margin removed (``69.7%``)."""
    return line_chances(odds.moneyline)


def line_chances(line: MoneyLine) -> tuple[str, str, str]:
    """Home, draw and away chances of a money line with its margin removed."""
    prob = market_probability(line) if line.draw is not None else market_probability_two_way(line)
    if prob is None:
        return "", "", ""
    draw = "" if prob.draw is None else f"{prob.draw:.1%}"
    return f"{prob.home:.1%}", draw, f"{prob.away:.1%}"


def which_line(odds: Odds, started: bool = True) -> str:
    """What the prices are: the live line, the line before kick-off, or the closing line.

    Before kick-off a book's ``close`` is simply its latest price: "pre-match" until ``started``.
    """
    if odds.in_play:
        return "live"
    return "closing" if started and odds.moment == "close" else "pre-match"


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
    started: reactive[bool] = reactive(True)
    """False before kick-off (the line is then the pre-match one, whatever the book calls it)."""
    consensus: reactive[OddsConsensus | None] = reactive(None, layout=True)
    """Many books' consensus (The Odds API), when configured and found for this match."""

    def render(self) -> RenderableType:
        """The lines as a small grid, or "No odds"."""
        odds, consensus = self.odds, self.consensus
        if odds is None and consensus is None:
            return Text(NO_ODDS, style=self._style("odds--muted"))
        table = Table.grid(padding=(0, 1))
        table.add_column()
        table.add_column(justify="right")
        table.add_column(justify="right")
        table.add_column(justify="right")
        if odds is not None:
            self._book_rows(table, odds)
        if consensus is not None:
            self._consensus_rows(table, consensus)
        return table

    def _book_rows(self, table: Table, odds: Odds) -> None:
        old = self.previous
        home, away = self.teams
        muted = self._style("odds--muted")
        table.add_row(
            Text(odds.provider, style="bold"),
            Text(which_line(odds, self.started), style=muted),
            "",
            Text("chance", style=muted),
        )
        money, was = odds.moneyline, old.moneyline if old is not None else None
        if odds.in_play and money.home is None and money.away is None:
            # The book took its line down (it does after a goal): say so, never show a stale one
            # as live; its line at kick-off, when it still quotes it, is shown for what it is.
            table.add_row(Text(NO_LIVE_PRICE, style=muted), "", "", "")
            if odds.close is not None and (odds.close.home is not None or odds.close.away is not None):
                self._kickoff_rows(table, odds.close, muted)
        else:
            rows = (
                (home, money.home, was.home if was else None),
                ("Draw", money.draw, was.draw if was else None),
                (away, money.away, was.away if was else None),
            )
            for (label, price, before), share in zip(rows, chances(odds), strict=True):
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

    def _kickoff_rows(self, table: Table, close: MoneyLine, muted: Style) -> None:
        home, away = self.teams
        table.add_row(Text(KICKOFF_LINE, style=muted), "", "", "")
        rows = ((home, close.home), ("Draw", close.draw), (away, close.away))
        for (label, price), share in zip(rows, line_chances(close), strict=True):
            if price is not None:
                table.add_row(
                    Text(label, style=muted), "", Text(american(price), style=muted), Text(share, style=muted)
                )

    def _consensus_rows(self, table: Table, consensus: OddsConsensus) -> None:
        muted = self._style("odds--muted")
        home, away = self.teams
        count = len(consensus.books)
        table.add_row(
            Text("Consensus", style="bold"),
            Text(f"{count} book{'s' if count != 1 else ''}", style=muted),
            Text("best", style=muted),
            Text("median", style=muted),
        )
        prob = consensus.prob
        outcomes = (
            (home, consensus.best_home, prob.home),
            ("Draw", consensus.best_draw, prob.draw),
            (away, consensus.best_away, prob.away),
        )
        titles = {book.book: book.title for book in consensus.books}
        for label, best, share in outcomes:
            if share is None:
                continue
            table.add_row(label, *_best(best, titles, muted), f"{share:.1%}")

    def _arrowed(self, shown: str, old: int | float | None, new: int | float | None) -> Text:
        arrow = move_arrow(old, new)
        text = Text(shown)
        if arrow:
            text.append(f" {arrow}", style=self._style("odds--up" if arrow == "▲" else "odds--down"))
        return text

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)


def _best(best: BestPrice | None, titles: dict[str, str], muted: Style) -> tuple[Text, str]:
    """The book offering the best price (its name, shortened) and the decimal price: ``1xBet``, ``1.90``."""
    if best is None:
        return Text(""), "—"
    title = titles.get(best.book, best.book)
    return Text(title[:BOOK_CHARS], style=muted), f"{best.price:.2f}"
