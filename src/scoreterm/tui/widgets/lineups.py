"""The lineups view: both teams as they stand, on two halves of a pitch when wide, as two lists at 80.

The pitch (100 columns and more) draws each team's formation lines from its goalkeeper to the
halfway line, home attacking right; a substitute takes the place of the player he replaced, a player
sent off stays where he stood, struck through. Under it, and in the lists, who came on for whom and
when, and the unused bench. Goals, cards and substitutions are marked beside each name. While a
spoiler-free match is hidden the team sheets show as they started, unmarked.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from scoreterm.domain.centre import Lineup, LineupPlayer, MatchCentre, formation_lines
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.widgets.adaptive import AdaptiveBody, cut, notice
from scoreterm.tui.widgets.pitch import Canvas

WIDE = 100
NO_LINEUPS = "No lineups from this provider"
NOT_YET = "Lineups not announced yet"
SLOT_ROWS = 3


def surname(player: LineupPlayer) -> str:
    """The name a pitch has room for: ``Quiñones`` from ``J. Quiñones`` / ``Julián Quiñones``."""
    short = player.short_name or player.name
    return short.split(". ", 1)[1] if ". " in short else short.split(" ")[-1]


def occupant(lineup: Lineup, starter: LineupPlayer, hidden: bool) -> LineupPlayer:
    """Who plays in ``starter``'s place now: the substitute who replaced him (and whoever replaced
    that substitute), else the starter himself."""
    player = starter
    for _ in range(len(lineup.bench)):
        if hidden or player.went_off is None:
            return player
        nxt = next((p for p in lineup.bench if _replaced(p, player)), None)
        if nxt is None:
            return player
        player = nxt
    return player


def _replaced(sub: LineupPlayer, player: LineupPlayer) -> bool:
    came_on = sub.came_on
    if came_on is None:
        return False
    if came_on.jersey and player.jersey:
        return came_on.jersey == player.jersey
    return came_on.player == player.name


class LineupsView(VerticalScroll):
    """Both teams' sheets, redrawn for the width they get."""

    COMPONENT_CLASSES = {
        "lineups--home",
        "lineups--away",
        "lineups--muted",
        "lineups--goal",
        "lineups--yellow",
        "lineups--red",
        "lineups--sub",
        "lineups--pitch",
        "lineups--header",
    }

    match: reactive[Match | None] = reactive(None, init=False)
    """The match (its ``centre`` holds the lineups)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True to show the sheets as they started, without goals, cards or substitutions."""

    def compose(self) -> ComposeResult:
        yield AdaptiveBody(self.body, id="lineups-body")

    def watch_match(self) -> None:
        self.query_one("#lineups-body", AdaptiveBody).refresh(layout=True)

    def watch_hidden(self) -> None:
        self.query_one("#lineups-body", AdaptiveBody).refresh(layout=True)

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)

    def lineups(self) -> tuple[Lineup | None, Lineup | None]:
        """The two sheets (None where the provider gave none)."""
        centre = self.match.centre if self.match is not None else None
        centre = centre or MatchCentre()
        return centre.home_lineup, centre.away_lineup

    def body(self, width: int) -> RenderableType:
        """The pitch and the substitutions when wide, else the two lists."""
        home, away = self.lineups()
        muted = self._style("lineups--muted")
        if home is None and away is None:
            scheduled = self.match is not None and self.match.phase.state is PhaseState.SCHEDULED
            return notice(NOT_YET if scheduled else NO_LINEUPS, str(muted))
        if width >= WIDE and home is not None and away is not None and home.starters and away.starters:
            return Group(self.pitch(home, away, width), Text(""), self.lists(home, away, pitch=True))
        return self.lists(home, away, pitch=False)

    # -- marks ------------------------------------------------------------------------------------

    def marks(self, player: LineupPlayer, *, came_on: bool = True) -> Text:
        """``●9' ▮23' ↓66'``: goals, own goals, cards, and when he came on or went off."""
        text = Text()
        if self.hidden:
            return text
        parts: list[tuple[str, Style]] = []
        parts += [(f"●{m}", self._style("lineups--goal")) for m in player.goals]
        parts += [(f"●og {m}", self._style("lineups--red")) for m in player.own_goals]
        parts += [(f"▮{m}", self._style("lineups--yellow")) for m in player.yellow_cards]
        parts += [(f"▮{m}", self._style("lineups--red")) for m in player.red_cards]
        if came_on and player.came_on is not None:
            parts.append((f"↑{player.came_on.minute}", self._style("lineups--sub")))
        if player.went_off is not None:
            parts.append((f"↓{player.went_off.minute}", self._style("lineups--sub")))
        for index, (chunk, style) in enumerate(parts):
            text.append(" " if index else "")
            text.append(chunk, style=style)
        return text

    def _name_style(self, player: LineupPlayer) -> Style:
        if player.sent_off and not self.hidden:
            return self._style("lineups--red") + Style(strike=True)
        return Style(bold=True)

    # -- the pitch --------------------------------------------------------------------------------

    def pitch(self, home: Lineup, away: Lineup, width: int) -> RenderableType:
        """Two halves of a pitch: home's lines left to right, away's right to left."""
        home_lines = formation_lines(home)
        away_lines = formation_lines(away)
        deepest = max(len(line) for line in (*home_lines, *away_lines))
        height = max(deepest, 4) * SLOT_ROWS + 1
        canvas = Canvas(width, height, self._style("lineups--pitch"))
        canvas.frame()
        columns = len(home_lines) + len(away_lines)
        slot = (width - 2) // max(columns, 1)
        for index, line in enumerate(home_lines):
            # Home attacks right: its right flank is at the bottom of the screen.
            self._place(canvas, home, tuple(reversed(line)), 1 + index * slot, slot, height)
        for index, line in enumerate(away_lines):
            x = width - 1 - (index + 1) * slot
            self._place(canvas, away, line, x, slot, height)
        left = Text(f" {home.team} {home.formation} →", style=self._style("lineups--home"))
        right = Text(f"← {away.formation} {away.team} ", style=self._style("lineups--away"))
        title = Text.assemble(left, " " * max(1, width - left.cell_len - right.cell_len), right)
        return Group(title, *canvas.lines())

    def _place(
        self, canvas: Canvas, lineup: Lineup, line: tuple[LineupPlayer, ...], x: int, slot: int, height: int
    ) -> None:
        team = self._style("lineups--home" if lineup.side == "home" else "lineups--away")
        for index, starter in enumerate(line):
            player = occupant(lineup, starter, self.hidden)
            row = 1 + int((index + 0.5) * (height - 2) / len(line)) - 1
            label = Text(f"{player.jersey or '·':>2} ", style=team)
            label.append(cut(surname(player), slot - 4), style=self._name_style(player))
            canvas.write(x + 1, row, label)
            canvas.write(x + 4, row + 1, self._cut(self.marks(player), slot - 4))

    @staticmethod
    def _cut(text: Text, width: int) -> Text:
        text.truncate(max(width, 0), overflow="ellipsis")
        return text

    # -- the lists --------------------------------------------------------------------------------

    def lists(self, home: Lineup | None, away: Lineup | None, *, pitch: bool) -> RenderableType:
        """Both teams side by side: starters by line (unless the pitch shows them), who came on
        for whom, then the unused bench."""
        grid = Table.grid(expand=True, padding=(0, 2))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(self.sheet(home, starters=not pitch), self.sheet(away, starters=not pitch))
        return grid

    def sheet(self, lineup: Lineup | None, *, starters: bool) -> RenderableType:
        """One team's list."""
        muted, header = self._style("lineups--muted"), self._style("lineups--header")
        if lineup is None:
            return Text(NO_LINEUPS, style=muted)
        team = self._style("lineups--home" if lineup.side == "home" else "lineups--away")
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="right", width=2, no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(no_wrap=True, justify="right")
        title = Text(lineup.team, style=team)
        title.append(f"  {lineup.formation}", style=muted)
        table.add_row("", title, "")
        if starters:
            for line in formation_lines(lineup):
                for player in line:
                    name = Text(player.name, style=self._name_style(player))
                    table.add_row(player.jersey, name, self.marks(player))
        used = [p for p in lineup.bench if p.came_on is not None and not self.hidden]
        used.sort(key=lambda p: _minute_key(p.came_on.minute if p.came_on else ""))
        if used:
            table.add_row("", Text("Came on", style=header), "")
            for player in used:
                name = Text(player.name, style=self._name_style(player))
                if player.came_on is not None and player.came_on.player:
                    name.append(f" for {player.came_on.player.split(' ')[-1]}", style=muted)
                table.add_row(player.jersey, name, self.marks(player))
        unused = [p for p in lineup.bench if p not in used]
        if unused:
            table.add_row("", Text("Bench", style=header), "")
            for player in unused:
                table.add_row(player.jersey, Text(player.name, style=muted), "")
        return table


def _minute_key(minute: str) -> tuple[int, int]:
    return exact_minute(minute) or (999, 0)
