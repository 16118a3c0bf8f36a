"""The shots view: every attempt on a small text pitch, goals marked, and the shots per team over time.

ESPN places each shot from the shooter's point of view (see :class:`scoreterm.domain.centre.Shot`):
here home attacks the right-hand goal and away the left, so an away shot is mirrored along the
pitch. These are shots as ESPN logged them, not expected goals (ESPN gives no per-shot xG).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive

from scoreterm.domain.centre import Shot, shot_counts
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.widgets.adaptive import AdaptiveBody, notice
from scoreterm.tui.widgets.pitch import Canvas

HIDDEN_TEXT = "Shots hidden — press r to reveal"
NO_SHOTS = "No shots logged yet"
GLYPHS = {"goal": "●", "on_target": "○", "woodwork": "◇", "off_target": "·", "blocked": "x"}
LEGEND = (
    ("goal", "goal"),
    ("on_target", "saved"),
    ("woodwork", "post"),
    ("off_target", "off"),
    ("blocked", "blocked"),
)
# When several shots fall in one cell, the one shown is the most telling.
_RANK = {"goal": 4, "woodwork": 3, "on_target": 2, "off_target": 1, "blocked": 0}
SLICE = 15
SIDE_WIDTH = 30
PITCH_MIN = 40
PITCH_MAX = 84
PITCH_ROWS = 21


def place(shot: Shot, width: int, height: int) -> tuple[int, int] | None:
    """The cell of ``shot`` on a ``width`` x ``height`` pitch (home attacking right), or None."""
    if shot.x is None or shot.y is None:
        return None
    x = min(max(shot.x, 0.0), 100.0) / 100.0
    y = min(max(shot.y, 0.0), 100.0) / 100.0
    if shot.side == "home":
        # Facing right, the attacker's right touchline (y = 0) is at the bottom of the screen.
        return round(x * (width - 1)), round((1.0 - y) * (height - 1))
    return round((1.0 - x) * (width - 1)), round(y * (height - 1))


def played_slices(match: Match, rows: tuple[tuple[int, int, int], ...]) -> tuple[tuple[int, int, int], ...]:
    """``rows`` run on with empty slices to the minute played (90' once over): a quiet last
    quarter of an hour shows as none, not as nothing."""
    minute = exact_minute(match.clock)
    played = 90 if match.phase.state is PhaseState.FINAL else minute[0] if minute is not None else 0
    last = (max(played, 1) - 1) // SLICE
    known = {start: (start, home, away) for start, home, away in rows}
    end = max([last, *(start // SLICE for start in known)])
    return tuple(known.get(index * SLICE, (index * SLICE, 0, 0)) for index in range(end + 1))


class ShotsView(VerticalScroll):
    """The shot map and the shots per slice of 15 minutes."""

    COMPONENT_CLASSES = {"shots--home", "shots--away", "shots--muted", "shots--pitch", "shots--header"}

    match: reactive[Match | None] = reactive(None, init=False)
    """The match (its ``centre.shots``)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True while a spoiler-free match is not revealed."""

    def compose(self) -> ComposeResult:
        yield AdaptiveBody(self.body, id="shots-body")

    def watch_match(self) -> None:
        self.query_one("#shots-body", AdaptiveBody).refresh(layout=True)

    def watch_hidden(self) -> None:
        self.query_one("#shots-body", AdaptiveBody).refresh(layout=True)

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)

    def body(self, width: int) -> RenderableType:
        """The pitch with the over-time table beside it (below it when narrow)."""
        muted = self._style("shots--muted")
        match = self.match
        if self.hidden:
            return notice(HIDDEN_TEXT, str(muted))
        shots = match.centre.shots if match is not None and match.centre is not None else ()
        if match is None or not shots:
            return notice(NO_SHOTS, str(muted))
        side_by_side = width >= PITCH_MIN + SIDE_WIDTH + 2
        pitch_width = min(PITCH_MAX, width - SIDE_WIDTH - 2 if side_by_side else width)
        pitch = self.pitch(match, shots, pitch_width)
        table = self.over_time(match, shots)
        if not side_by_side:
            return Group(pitch, Text(""), table)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=pitch_width)
        grid.add_column(width=SIDE_WIDTH)
        grid.add_row(pitch, table)
        return grid

    def pitch(self, match: Match, shots: tuple[Shot, ...], width: int) -> RenderableType:
        """The shot map: a text pitch, a mark per shot in the shooting team's colour."""
        # A cell is about twice as tall as it is wide: a 105 x 68 pitch is half as many rows.
        height = max(7, min(PITCH_ROWS, round(width * 68 / 105 / 2.2)) | 1)
        canvas = Canvas(width, height, self._style("shots--pitch"))
        canvas.frame()
        best: dict[tuple[int, int], Shot] = {}
        for shot in shots:
            cell = place(shot, canvas.width, canvas.height)
            if cell is not None and (cell not in best or _RANK[shot.outcome] > _RANK[best[cell].outcome]):
                best[cell] = shot
        for (x, y), shot in best.items():
            style = self._style("shots--home" if shot.side == "home" else "shots--away")
            if shot.outcome == "goal":
                style += Style(bold=True)
            canvas.put(x, y, GLYPHS[shot.outcome], style)
        home, away = match.home.abbrev or match.home.name, match.away.abbrev or match.away.name
        heading = Text()
        heading.append(f"{away} attack ←", style=self._style("shots--away"))
        heading.append(" " * max(1, canvas.width - len(home) - len(away) - 18))
        heading.append(f"→ {home} attack", style=self._style("shots--home"))
        legend = Text(style=self._style("shots--muted"))
        for index, (outcome, label) in enumerate(LEGEND):
            legend.append("  " if index else "")
            legend.append(f"{GLYPHS[outcome]} {label}")
        return Group(heading, *canvas.lines(), legend)

    def over_time(self, match: Match, shots: tuple[Shot, ...]) -> RenderableType:
        """Shots per team per 15 minutes (added time with its half's last slice), then the totals."""
        home, away = match.home.abbrev or match.home.name, match.away.abbrev or match.away.name
        home_style, away_style = self._style("shots--home"), self._style("shots--away")
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        rows = played_slices(match, shot_counts(shots, SLICE))
        most = max([1, *(max(h, a) for _, h, a in rows)])
        header = self._style("shots--header")
        table.add_row(
            Text("Shots", style=header), Text(home, style=home_style), "", Text(away, style=away_style), ""
        )
        for start, home_count, away_count in rows:
            bar = max(1, 8 * home_count // most) if home_count else 0
            away_bar = max(1, 8 * away_count // most) if away_count else 0
            table.add_row(
                Text(f"{start + 1}-{start + SLICE}'", style=self._style("shots--muted")),
                str(home_count),
                Text("█" * bar, style=home_style),
                str(away_count),
                Text("█" * away_bar, style=away_style),
            )
        totals = {side: [s for s in shots if s.side == side] for side in ("home", "away")}
        table.add_row("", "", "", "", "")
        for label, outcomes in (("Total", None), ("On target", ("goal", "on_target")), ("Goals", ("goal",))):
            counts = [
                sum(1 for s in totals[side] if outcomes is None or s.outcome in outcomes)
                for side in ("home", "away")
            ]
            table.add_row(Text(label, style=header), str(counts[0]), "", str(counts[1]), "")
        return table
