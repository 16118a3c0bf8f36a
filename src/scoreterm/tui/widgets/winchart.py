"""The win-probability chart: who is winning across the whole match, home above and away below.

Drawn with textual-plotext: the engine's line (:mod:`scoreterm.tui.widgets.winchart_data` places
it) filled in each team's colour, goals (``●``) and red cards (``▮``) marked where they swung it, the
current numbers and their source in the title. When wide, the swings are listed beside the chart.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static
from textual_plotext import PlotextPlot

from scoreterm.domain.centre_text import minute_text
from scoreterm.domain.model import EventKind, Match, MatchEvent
from scoreterm.tui.board import swing_text
from scoreterm.tui.widgets.adaptive import AdaptiveBody, notice
from scoreterm.tui.widgets.winchart_data import MARKED, axis_for, headline, markers, split, steps

NO_LINE = "No win probability yet"
NO_HISTORY = "The line grows from the moment the match is watched"
HIDDEN_TEXT = "Win probability hidden — press r to reveal"
FILL = 0.35
GOAL_MARK = "●"
CARD_MARK = "▮"


class WinChart(Horizontal):
    """The chart, and the list of swings beside it (shown on wide terminals only, by CSS)."""

    COMPONENT_CLASSES = {"winchart--home", "winchart--away", "winchart--card", "winchart--muted"}

    match: reactive[Match | None] = reactive(None, init=False)
    """The match drawn (its ``prob`` and ``trend.prob``)."""
    events: reactive[tuple[MatchEvent, ...]] = reactive((), init=False)
    """The timeline's events, for the markers and the swings."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True while a spoiler-free match is not revealed."""

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="winchart-plot")
        yield Static(id="winchart-empty")
        with VerticalScroll(id="winchart-swings"):
            yield AdaptiveBody(self.swings, id="winchart-swing-lines")

    def on_mount(self) -> None:
        self.query_one("#winchart-swings").border_title = "Swings"
        # The fill and the line take the theme's colours: redraw when it changes.
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show())
        self._show()

    def watch_match(self) -> None:
        self._show()

    def watch_events(self) -> None:
        self._show()

    def watch_hidden(self) -> None:
        self._show()

    def _colour(self, component: str, strength: float = 1.0) -> tuple[int, int, int]:
        """A component's colour, blended into the chart's background when ``strength`` < 1."""
        colour = self.get_component_rich_style(component).color
        base = Color(128, 128, 128) if colour is None else Color.from_rich_color(colour)
        if strength < 1.0:
            background = Color.parse(self.app.theme_variables.get("surface", "#000000"))
            base = background.blend(base, strength)
        return base.rgb

    def _show(self) -> None:
        if not self.is_mounted:
            return
        plot = self.query_one(PlotextPlot)
        empty = self.query_one("#winchart-empty", Static)
        match = self.match
        line = steps(match, axis_for(match)) if match is not None and not self.hidden else []
        message = HIDDEN_TEXT if self.hidden else NO_LINE
        if not self.hidden and match is not None and match.prob is not None:
            # Joined late (or at the final whistle): the numbers exist, the line has no history yet.
            message = f"{headline(match)}\n{NO_HISTORY}"
        plot.display = bool(line)
        empty.display = not line
        empty.update(notice(message, "dim"))
        self.query_one("#winchart-swing-lines", AdaptiveBody).refresh(layout=True)
        if match is None or not line:
            return
        self.draw(plot, match, line)

    def draw(self, plot: PlotextPlot, match: Match, line: list[tuple[float, float]]) -> None:
        """Draw ``line`` (step vertices) for ``match`` on ``plot``."""
        axis = axis_for(match)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        above, below = split(line)
        for runs, component in ((above, "winchart--home"), (below, "winchart--away")):
            # A dim fill, the line itself drawn over it at full strength.
            for run in runs:
                xs, ys = [x for x, _ in run], [y for _, y in run]
                plt.plot(xs, ys, color=self._colour(component, FILL), marker="hd", fillx=True)
            for run in runs:
                xs, ys = [x for x, _ in run], [y for _, y in run]
                plt.plot(xs, ys, color=self._colour(component), marker="braille")
        plt.hline(0.0, self._colour("winchart--muted"))
        for mark in markers(self.events, axis):
            card = mark.kind is EventKind.RED_CARD
            colour = self._colour("winchart--card") if card else self._colour("winchart--muted")
            plt.scatter([mark.x], [mark.y], marker=CARD_MARK if card else GOAL_MARK, color=colour)
        end = max(axis.length, line[-1][0])
        plt.xlim(0.0, end)
        plt.ylim(-100.0, 100.0)
        plt.xticks(list(axis.ticks), list(axis.labels))
        home_label = match.home.abbrev or match.home.name
        away_label = match.away.abbrev or match.away.name
        plt.yticks([100.0, 50.0, 0.0, -50.0, -100.0], [home_label, "", "even", "", away_label])
        plt.title(headline(match))
        plot.refresh()

    def swings(self, width: int) -> RenderableType:
        """Each goal and red card with the swing it caused, newest first."""
        muted = self.get_component_rich_style("winchart--muted")
        match = self.match
        if match is None or self.hidden:
            return Text("")
        rows: list[RenderableType] = []
        for event in reversed(self.events):
            told = swing_text(match, event) if event.kind in MARKED | {EventKind.GOAL_DISALLOWED} else ""
            if not told:
                continue
            what = {EventKind.RED_CARD: "red card", EventKind.GOAL_DISALLOWED: "goal ruled out"}.get(
                event.kind, "goal"
            )
            head = Text(f"{minute_text(event.minute):>6} ", style=muted)
            head.append(f"{what} {event.player or ''}".rstrip(), style="bold")
            head.truncate(width, overflow="ellipsis")
            rows.append(head)
            rows.append(Text(f"       {told}"))
        if not rows:
            return Text("No goal or red card has moved it yet", style=muted)
        legend = Text(f"{GOAL_MARK} goal  {CARD_MARK} red card", style=muted)
        return Group(*rows, Text(""), legend)
