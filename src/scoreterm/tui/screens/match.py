"""One match as a match centre (``enter`` on the scoreboard, ``esc`` back).

Under the header, views the number keys switch between (the tab bar shows each one's key): the
match (timeline, odds, stats), the win-probability chart, the lineups, the commentary (the preview
before kick-off), the shots, the stats as bars; for US sports the box score and the plays take the
places of the lineups and the shots. The screen watches the app's ``version`` and copies what it
needs from the board onto its widgets ("attributes down"); it runs no timers of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from scoreterm.domain.model import Match, PhaseState, Sport
from scoreterm.domain.table_text import match_standings
from scoreterm.tui.screens.match_views import SOCCER_VIEWS, US_VIEWS, View, views_for
from scoreterm.tui.widgets.boxscore import BoxScoreView, PlaysView
from scoreterm.tui.widgets.commentary import CommentaryView, SearchInput
from scoreterm.tui.widgets.footer import KeysFooter
from scoreterm.tui.widgets.lineups import LineupsView
from scoreterm.tui.widgets.match_header import MatchHeader
from scoreterm.tui.widgets.odds import OddsPanel
from scoreterm.tui.widgets.shots import ShotsView
from scoreterm.tui.widgets.stats import StatsPanel
from scoreterm.tui.widgets.status_bar import StatusBar
from scoreterm.tui.widgets.timeline import Timeline
from scoreterm.tui.widgets.winchart import WinChart
from scoreterm.tui.widgets.winchart_data import sport_of

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

WIDE = 100
"""Terminal width from which the timeline and the odds/stats column sit side by side."""


class MatchScreen(Screen[None]):
    """The detail of one match."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reveal", "Reveal"),
        Binding("1", "view(1)", "Views", key_display="1-6"),
        *(Binding(str(n), f"view({n})", f"View {n}", show=False) for n in range(2, 7)),
        Binding("slash", "search", "Search", key_display="/"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    def __init__(self, match_id: str) -> None:
        super().__init__()
        self.match_id = match_id
        self.views: tuple[View, ...] = SOCCER_VIEWS

    @property
    def scoreterm(self) -> ScoretermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        zone = self.scoreterm.options.zone
        yield Header(icon="●")
        yield MatchHeader(zone, id="match-header")
        yield Static(id="match-table")
        with TabbedContent(id="match-views"):
            with TabPane("1 Match", id="view-match"), Container(id="match-body"):
                yield Timeline(id="timeline")
                with Container(id="match-side"):
                    yield OddsPanel(id="odds")
                    yield StatsPanel(id="stats")
            with TabPane("2 Win %", id="view-chart"):
                yield WinChart(id="winchart")
            # Panes in an order that suits both sports' numbering (the other sport's are hidden).
            with TabPane("3 Lineups", id="view-lineups"):
                yield LineupsView(id="lineups")
            with TabPane("Box score", id="view-box"):
                yield BoxScoreView(id="box")
            with TabPane("Plays", id="view-plays"):
                yield PlaysView(id="plays")
            with TabPane("4 Commentary", id="view-commentary"), Horizontal(id="commentary-body"):
                yield Timeline(id="commentary-timeline")
                yield CommentaryView(zone=zone, id="commentary")
            with TabPane("5 Shots", id="view-shots"):
                yield ShotsView(id="shots")
            with TabPane("6 Stats", id="view-stats"):
                yield StatsPanel(bars=True, id="stat-bars")
            with TabPane("Preview", id="view-preview"):
                yield CommentaryView(zone=zone, preview_only=True, id="preview")
        yield StatusBar(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#timeline", Timeline).border_title = "Timeline"
        self.query_one("#commentary-timeline", Timeline).border_title = "Timeline"
        self.query_one("#odds", OddsPanel).border_title = "Odds"
        self.query_one("#stats", StatsPanel).border_title = "Stats"
        self.query_one("#timeline", Timeline).focus()
        self._arrange(SOCCER_VIEWS)
        # Someone is looking at this match: the feed keeps its timeline, odds and stats fresh.
        self.scoreterm.feed.focus(self.match_id)
        self.watch(self.app, "version", self.refresh_view)

    def on_unmount(self) -> None:
        self.scoreterm.feed.focus(None)

    def _arrange(self, views: tuple[View, ...]) -> None:
        """Show the views of this sport, numbered in order, and hide the others."""
        tabs = self.query_one("#match-views", TabbedContent)
        self.views = views
        shown = {view.pane for view in views}
        for view in (*SOCCER_VIEWS, *US_VIEWS):
            if view.pane not in shown:
                tabs.hide_tab(view.pane)
        for number, view in enumerate(views, start=1):
            tabs.show_tab(view.pane)
            tabs.get_tab(view.pane).label = f"{number} {view.title}"

    def _show_standings(self, match: Match | None, hidden: bool) -> None:
        """The two teams' rows of the live table, in a line under the header (none when hidden:
        points and places give the score away)."""
        table = self.scoreterm.board.tables.get(match.league) if match is not None else None
        text = match_standings(table, match) if table is not None and match is not None and not hidden else ""
        line = self.query_one("#match-table", Static)
        line.display = bool(text)
        line.update(text)

    def refresh_view(self, _: object = None) -> None:
        """Copy the match's state from the board onto the widgets."""
        app = self.scoreterm
        match = app.board.matches.get(self.match_id)
        hidden = app.is_hidden(self.match_id)
        teams = ("", "")
        if match is not None:
            teams = (match.home.abbrev or match.home.name, match.away.abbrev or match.away.name)
            views = views_for(match)
            if views != self.views:
                self._arrange(views)
                self.refresh_bindings()
            self._label_commentary(match)
        header = self.query_one("#match-header", MatchHeader)
        header.match, header.hidden = match, hidden
        self._show_standings(match, hidden)
        entries = tuple((e.event, e.disallowed) for e in app.board.timeline(self.match_id))
        for timeline in self.query(Timeline):
            timeline.teams, timeline.entries, timeline.hidden = teams, entries, hidden
        odds = self.query_one("#odds", OddsPanel)
        odds.teams = teams
        odds.odds = match.odds if match else None
        odds.started = match is None or match.phase.state is not PhaseState.SCHEDULED
        consensus = match.consensus if match else None
        # An in-play consensus moved with the score: it would give a hidden score away.
        odds.consensus = None if consensus is None or (hidden and consensus.in_play) else consensus
        odds.moves = match.trend.odds if match and match.trend and not hidden else ()
        # Which way the lines moved can give an in-play score away.
        odds.previous = None if hidden else app.board.previous_odds.get(self.match_id)
        us = match is not None and sport_of(match) is not Sport.SOCCER
        for stats in self.query(StatsPanel):
            stats.away_first = us  # before the reactive assignments below redraw it
            stats.teams, stats.stats, stats.hidden = teams, match.stats if match else (), hidden
        chart = self.query_one("#winchart", WinChart)
        chart.match, chart.events, chart.hidden = match, tuple(event for event, _ in entries), hidden
        for view in (
            self.query_one("#lineups", LineupsView),
            self.query_one("#commentary", CommentaryView),
            self.query_one("#preview", CommentaryView),
            self.query_one("#shots", ShotsView),
            self.query_one("#box", BoxScoreView),
            self.query_one("#plays", PlaysView),
        ):
            view.match, view.hidden = match, hidden
        self.sub_title = self.match_id
        if match is not None and sport_of(match) is Sport.SOCCER:
            self.sub_title = f"{match.home.name} v {match.away.name}"
        elif match is not None:
            self.sub_title = f"{match.away.name} @ {match.home.name}"

    def _label_commentary(self, match: Match) -> None:
        """The commentary view is the preview until the first line of commentary."""
        commentary = self.query_one("#commentary", CommentaryView)
        number = next((n for n, v in enumerate(self.views, start=1) if v.pane == "view-commentary"), None)
        if number is None:
            return
        commentary.match = match
        title = "Preview" if commentary.previewing else "Commentary"
        tab = self.query_one("#match-views", TabbedContent).get_tab("view-commentary")
        if str(tab.label) != f"{number} {title}":
            tab.label = f"{number} {title}"

    # -- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``/`` exists (and shows in the footer) only where there is commentary to search."""
        if action == "search":
            return any(v.pane == "view-commentary" for v in self.views)
        return True

    def action_view(self, number: int) -> None:
        """Switch to the ``number``-th view (as numbered in the tab bar)."""
        if 1 <= number <= len(self.views):
            self.show_view(self.views[number - 1].pane)

    def show_view(self, pane: str) -> None:
        """Make ``pane`` (``view-chart``...) the view shown, and give it the keys."""
        self.query_one("#match-views", TabbedContent).active = pane
        target = next((v.focus for v in self.views if v.pane == pane), "")
        if target:
            self.query_one(target).focus()

    def action_search(self) -> None:
        """Search the commentary (switching to it)."""
        if not any(v.pane == "view-commentary" for v in self.views):
            return
        self.show_view("view-commentary")
        self.query_one("#commentary", CommentaryView).open_search()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A view chosen with the mouse gets the keys too."""
        pane = event.pane.id or ""
        target = next((v.focus for v in self.views if v.pane == pane), "")
        if target and not isinstance(self.focused, SearchInput):
            self.query_one(target).focus()

    def action_reveal(self) -> None:
        """Show this match's score (spoiler-free teams stay hidden elsewhere)."""
        app = self.scoreterm
        app.revealed.add(self.match_id)
        # Every screen (the scoreboard underneath too) redraws from ``version``.
        app.version += 1
