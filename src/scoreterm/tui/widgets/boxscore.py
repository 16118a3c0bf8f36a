"""US sports as their fans read them: the box score (line score, leaders, team stats) and the
play-by-play (scoring plays first). Away before home, as a US scoreboard reads."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from scoreterm.domain.centre import BoxScore, Leader, Play, scoring_first
from scoreterm.domain.model import Match
from scoreterm.domain.stats_format import format_stats
from scoreterm.tui.widgets.adaptive import AdaptiveBody, notice

HIDDEN_TEXT = "Hidden — press r to reveal"
NO_BOX = "No box score from this provider"
NO_PLAYS = "No plays yet"


def _abbrevs(match: Match) -> tuple[str, str]:
    return match.away.abbrev or match.away.name, match.home.abbrev or match.home.name


class CentreView(VerticalScroll):
    """A scrolling view of one part of the match centre."""

    COMPONENT_CLASSES = {"box--muted", "box--header", "box--home", "box--away", "box--scoring"}

    match: reactive[Match | None] = reactive(None, init=False)
    """The match (its ``centre``)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True while a spoiler-free match is not revealed."""

    def compose(self) -> ComposeResult:
        yield AdaptiveBody(self.body, id=f"{self.id}-body" if self.id else None)

    def watch_match(self) -> None:
        self.query_one(AdaptiveBody).refresh(layout=True)

    def watch_hidden(self) -> None:
        self.query_one(AdaptiveBody).refresh(layout=True)

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)

    def body(self, width: int) -> RenderableType:
        """What the view shows at ``width``."""
        raise NotImplementedError


class BoxScoreView(CentreView):
    """The line score, each team's leaders and the team statistics."""

    def body(self, width: int) -> RenderableType:
        """The three tables, one under another."""
        muted = self._style("box--muted")
        match = self.match
        if self.hidden:
            return notice(HIDDEN_TEXT, str(muted))
        box = match.centre.box if match is not None and match.centre is not None else None
        if match is None or box is None or box == BoxScore():
            return notice(NO_BOX, str(muted))
        parts: list[RenderableType] = []
        if box.linescore:
            parts += [self.line_score(match, box), Text("")]
        if box.leaders:
            header = Text("Leaders", style=self._style("box--header"))
            parts += [header, self.leaders(match, box.leaders), Text("")]
        if box.stats:
            parts += [Text("Team stats", style=self._style("box--header")), self.team_stats(match, box)]
        return Group(*parts)

    def line_score(self, match: Match, box: BoxScore) -> Table:
        """Periods across, away then home, with the total."""
        away, home = _abbrevs(match)
        table = Table(box=None, padding=(0, 1), header_style=self._style("box--header"), show_edge=False)
        table.add_column("", no_wrap=True)
        for column in box.linescore:
            table.add_column(column.period, justify="right", no_wrap=True)
        table.add_column("T", justify="right", no_wrap=True)
        for label, style, cells, total in (
            (away, "box--away", [c.away for c in box.linescore], match.score.away),
            (home, "box--home", [c.home for c in box.linescore], match.score.home),
        ):
            table.add_row(Text(label, style=self._style(style)), *cells, str(total))
        return table

    def leaders(self, match: Match, leaders: tuple[Leader, ...]) -> Table:
        """Category, the away leader and the home leader."""
        away, home = _abbrevs(match)
        header = self._style("box--header")
        table = Table(box=None, padding=(0, 1), header_style=header, show_edge=False, expand=True)
        table.add_column("", no_wrap=True, style=self._style("box--muted"))
        table.add_column(away, ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column(home, ratio=1, overflow="ellipsis", no_wrap=True)
        categories: dict[str, dict[str, Leader]] = {}
        for leader in leaders:
            categories.setdefault(leader.category, {})[leader.side] = leader
        for category, sides in categories.items():
            cells = []
            for side in ("away", "home"):
                found = sides.get(side)
                cells.append(f"{found.short_name or found.player} {found.value}" if found else "")
            table.add_row(category, *cells)
        return table

    def team_stats(self, match: Match, box: BoxScore) -> Table:
        """The team statistics, formatted, away then home."""
        away, home = _abbrevs(match)
        table = Table(box=None, padding=(0, 1), header_style=self._style("box--header"), show_edge=False)
        table.add_column("", no_wrap=True)
        table.add_column(away, justify="right", no_wrap=True)
        table.add_column(home, justify="right", no_wrap=True)
        for row in format_stats(box.stats):
            table.add_row(row.label, row.away, row.home)
        return table


class PlaysView(CentreView):
    """The play-by-play: the scoring plays, then every play, newest first in each."""

    def body(self, width: int) -> RenderableType:
        """Two sections: scoring plays, then the others."""
        muted = self._style("box--muted")
        match = self.match
        if self.hidden:
            return notice(HIDDEN_TEXT, str(muted))
        plays = match.centre.plays if match is not None and match.centre is not None else ()
        if match is None or not plays:
            return notice(NO_PLAYS, str(muted))
        ordered = scoring_first(tuple(reversed(plays)))
        scoring = [p for p in ordered if p.scoring]
        others = [p for p in ordered if not p.scoring]
        parts: list[RenderableType] = []
        for title, group in (("Scoring plays", scoring), ("Plays", others)):
            if group:
                parts += [Text(title, style=self._style("box--header")), self.table(match, group), Text("")]
        return Group(*parts[:-1])

    def table(self, match: Match, plays: list[Play]) -> Table:
        """Period and clock, the team, the play, the score after it (away-home)."""
        away, home = _abbrevs(match)
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True, style=self._style("box--muted"))
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, justify="right")
        for play in plays:
            when = " ".join(part for part in (play.period_label, play.clock) if part)
            team = {"home": home, "away": away}.get(play.side or "", "")
            team_style = self._style("box--home" if play.side == "home" else "box--away")
            score = ""
            if play.away_score is not None and play.home_score is not None:
                score = f"{play.away_score}-{play.home_score}"
            style = self._style("box--scoring") if play.scoring else Style()
            table.add_row(when, Text(team, style=team_style), Text(play.text, style=style), score)
        return table
