"""Plain-text renderings of a live table and a bracket that fit a given width (80 columns by default).

Pure functions returning lines; colour (zones, the rows in play) is the caller's business: each
row's zone is on :attr:`TableEntry.note`. Soccer tables show ``#  move team P W D L GF:GA GD Pts``
and the match in play; US tables ``# team W L PCT GB STRK`` with the clinch marker.
"""

from __future__ import annotations

from scoreterm.domain.bracket import Bracket, Tie
from scoreterm.domain.centre_text import clock_text
from scoreterm.domain.display import away_first
from scoreterm.domain.leagues import TIEBREAK_TEXT
from scoreterm.domain.model import Match, Side, Team
from scoreterm.domain.table import LiveEntry, LiveGroup, LiveTable, TableEntry

_SOCCER_FIXED = 44  # every soccer column but the team name and the live match
_US_FIXED = 33
_MIN_NAME = 3
_TIE_FIXED = 30  # indent, score, spaces, the winner's mark and a shoot-out status


def move_text(move: int) -> str:
    """``▲2``, ``▼1``, or blank for no move."""
    if move > 0:
        return f"▲{move}"
    return f"▼{-move}" if move < 0 else ""


def team_label(team: Team, width: int) -> str:
    """The longest of the team's names that fits ``width``: full, short, abbreviation, or cut."""
    for name in (team.name, team.short_name, team.abbrev):
        if name and len(name) <= width:
            return name
    return (team.short_name or team.name)[:width]


def live_text(live: LiveEntry, clock: str | None = None) -> str:
    """The match applied to a row: ``1-0 v NFO 74'`` (``@`` away), with the clock or final label.

    ``clock`` is the match's clock now, when the reader has it (a table is not sent again for every
    minute of a match, so its own clock is the one of its last change).
    """
    match = live.live
    if match is None:
        return ""
    opponent = match.opponent.abbrev or match.opponent.short_name or match.opponent.name
    shown = clock_text(clock or match.clock) if match.phase.is_active else match.phase.label
    return f"{match.goals_for}-{match.goals_against} {'v' if match.home else '@'} {opponent} {shown}".rstrip()


def standing_text(live: LiveEntry) -> str:
    """One team's place in a line: ``3 ▲1 Mexico 4 pts`` (soccer) or ``3 Knicks 50-32`` (US)."""
    entry = live.entry
    move = move_text(live.move)
    place = f"{entry.rank} {move} " if move else f"{entry.rank} "
    team = entry.team.name
    if entry.points is not None:
        unit = "pt" if entry.points == 1 else "pts"
        return f"{place}{team} {entry.points} {unit}"
    return f"{place}{team} {entry.won}-{entry.lost}"


def match_standings(table: LiveTable, match: Match) -> str:
    """Where the two teams of ``match`` stand in ``table``, in one line (empty when neither is in it):
    ``Group A: 1 Mexico 3 pts · 4 South Africa 0 pts``."""
    sides = [match.away, match.home] if away_first(match.league) else [match.home, match.away]
    found = [row for team in sides if (row := table.entry_for(team, match.provider)) is not None]
    if not found:
        return ""
    groups = {group.name for group in table.groups for row in group.entries if row in found}
    label = next(iter(groups)) if len(groups) == 1 and len(table.groups) > 1 else "Table"
    return f"{label}: " + " · ".join(standing_text(row) for row in found)


def render_live_table(table: LiveTable, width: int = 80) -> list[str]:
    """Render every group of ``table`` into lines no wider than ``width``."""
    lines: list[str] = []
    for group in table.groups:
        if lines:
            lines.append("")
        if group.name:
            lines.append(group.name[:width])
        lines.extend(_group_lines(group, width))
    if table.official_order_kept:
        lines.append("Teams level on points keep the official order (head-to-head not known).")
    elif table.tiebreak in TIEBREAK_TEXT:
        lines.append(TIEBREAK_TEXT[table.tiebreak])
    return [line[:width] for line in lines]


def _group_lines(group: LiveGroup, width: int) -> list[str]:
    soccer = any(e.entry.points is not None for e in group.entries)
    lives = [live_text(e) for e in group.entries]
    extra = max((len(text) for text in lives), default=0)
    fixed = _SOCCER_FIXED if soccer else _US_FIXED
    name_width = max(
        _MIN_NAME, min(max(len(e.entry.team.name) for e in group.entries), width - fixed - extra - 1)
    )
    if soccer:
        header = f"{'#':>2}     {'Team':<{name_width}}   P   W   D   L   GF:GA    GD  Pts"
    else:
        header = f"{'#':>2}     {'Team':<{name_width}}    W    L   PCT    GB  STRK"
    rows = [header]
    for live, text in zip(group.entries, lives, strict=True):
        columns = _soccer(live.entry) if soccer else _us(live.entry)
        name = team_label(live.entry.team, name_width)
        rows.append(
            f"{live.entry.rank:>2} {move_text(live.move):<3} {name:<{name_width}} {columns} {text}".rstrip()
        )
    return rows


def _soccer(entry: TableEntry) -> str:
    goals = "  -:-  " if entry.goals_for is None else f"{entry.goals_for:>3}:{entry.goals_against or 0:<3}"
    difference = "" if entry.goal_difference is None else f"{entry.goal_difference:+d}".replace("+0", "0")
    points = "" if entry.points is None else str(entry.points)
    record = f"{entry.played:>3} {entry.won:>3} {entry.drawn:>3} {entry.lost:>3}"
    return f"{record} {goals} {difference:>5} {points:>4}"


def _us(entry: TableEntry) -> str:
    pct = "" if entry.win_pct is None else f"{entry.win_pct:.3f}".lstrip("0")
    behind = (
        "" if entry.games_behind is None else ("-" if entry.games_behind == 0 else f"{entry.games_behind:g}")
    )
    marker = f" {entry.clincher}" if entry.clincher else ""
    return f"{entry.won:>4} {entry.lost:>4} {pct:>5} {behind:>5} {entry.streak:>5}{marker}"


def render_bracket(bracket: Bracket, width: int = 80) -> list[str]:
    """Render ``bracket`` round by round, one tie a line: ``Spain 1-0 Argentina  AET``."""
    lines: list[str] = []
    for number, round_ in enumerate(bracket.rounds):
        if number:
            lines.append("")
        lines.append(round_.name)
        lines.extend(tie_text(tie, width) for tie in round_.ties)
    return lines


def tie_text(tie: Tie, width: int = 80) -> str:
    """One tie on one line, the side that went through marked with ``*``."""
    clock = tie.clock if tie.clock != tie.phase.label else ""
    status = tie.phase.label if not tie.phase.is_active else f"{tie.phase.label} {clock}".strip()
    score = "v" if tie.phase.label == "" else f"{tie.score.home}-{tie.score.away}"
    if tie.shootout is not None:
        status = f"{status} ({tie.shootout.home}-{tie.shootout.away} pens)".strip()
    # Names get the same room on every line so that the scores line up; the status takes the rest.
    room = max(_MIN_NAME, (width - _TIE_FIXED) // 2)
    home = _side_name(tie, Side.HOME, room)
    away = _side_name(tie, Side.AWAY, room)
    return f"  {home:>{room + 1}} {score:^5} {away:<{room + 1}} {status}".rstrip()[:width]


def _side_name(tie: Tie, side: Side, room: int) -> str:
    name = team_label(tie.side(side).team, room)
    return f"{name}*" if tie.winner is side else name
