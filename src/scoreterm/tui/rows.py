"""The scoreboard's rows and columns, fitted to the terminal: plain data and rich Text, no Textual.

:func:`build_table` turns the matches to show into a :class:`Layout` (the columns, their headers
and widths) and :class:`Row` s: a header per league when there are several, a header per day for a
range of days, each match in its sport's reading order (:func:`scoreterm.domain.display.row_text`)
with red-card markers, its scorers on a second, dim line when the terminal is tall enough, names
as full as the width allows, and the live win probability when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from rich.text import Text

from scoreterm.domain.display import (
    away_first,
    day_label,
    ellipsize,
    fit_name,
    red_cards,
    row_text,
    scorers,
    text_width,
    win_numbers,
)
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import Match, MatchEvent, PhaseState, Side
from scoreterm.tui.board import is_favourite

HIDDEN = "? - ?"
NO_WIN = "\N{EN DASH}"
WIN_LEGEND = "the chances of the first team, a draw (soccer) and the second team, as the row reads"
RED_CARD = "■"
HEADER_PREFIXES = ("league:", "day:")
PADDING = 2
"""Cells a DataTable column takes besides its width (one each side)."""
SCROLLBAR = 2
MIN_NAME = 8
MAX_STATUS = 40


def league_name(slug: str) -> str:
    """The catalog name of ``slug`` (the slug itself if unknown)."""
    try:
        return get_league(slug).name
    except UnknownLeague:
        return slug


def is_header(key: str) -> bool:
    """True for the key of a league or day header row."""
    return key.startswith(HEADER_PREFIXES)


@dataclass(frozen=True)
class Layout:
    """The table's columns: keys, header labels and widths (cells, without padding)."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    widths: tuple[int, ...]


@dataclass(frozen=True)
class Row:
    """One table row: its key (a match id, or a header's), its cells and its height in lines."""

    key: str
    cells: tuple[Text | str, ...]
    height: int = 1


@dataclass
class RowContext:
    """What the rows depend on besides the matches."""

    zone: tzinfo
    today: date
    width: int
    """Cells available to the table."""
    height: int
    """Lines available to the rows (below the column headers)."""
    favourites: Sequence[str] = ()
    hidden: Callable[[str], bool] = lambda _: False
    flashing: Callable[[str], bool] = lambda _: False
    events: Callable[[Match], list[MatchEvent]] = lambda m: list(m.events)
    win: bool = False
    headed: bool = False
    """Head each league (several leagues followed)."""


@dataclass(frozen=True)
class _Parts:
    match: Match
    when: str
    score: str
    status: str
    live: bool
    first: Side
    second: Side
    cards: tuple[int, int]
    goals: tuple[str, str]
    win: str


def build_table(matches: Sequence[Match], ctx: RowContext) -> tuple[Layout, list[Row]]:
    """Lay out ``matches`` (already in display order) for a terminal of ``ctx``'s size."""
    days = sorted({_day(m, ctx) for m in matches})
    by_day = len(days) > 1
    parts = [_parts(m, ctx) for m in matches]
    leagues = list(dict.fromkeys(m.league for m in matches))
    headers = (len(leagues) if ctx.headed else 0) + (len(days) * len(leagues) if by_day else 0)
    scored = [p for p in parts if p.live and any(p.goals)]
    lines = len(parts) + headers
    two_line = bool(scored) and lines + len(scored) <= ctx.height
    if two_line:
        lines += len(scored)
    titles = [league_name(slug) for slug in leagues] if ctx.headed else []
    titles += [day_label(day, ctx.today) for day in days] if by_day else []
    layout = _layout(parts, leagues, ctx, scrollbar=lines > ctx.height, two_line=two_line, titles=titles)
    name_width = layout.widths[2]
    rows: list[Row] = []
    for slug in leagues:
        if ctx.headed:
            rows.append(_header(f"league:{slug}", Text(league_name(slug), style="bold"), layout, name_width))
        in_league = [p for p in parts if p.match.league == slug]
        for day in days if by_day else [None]:
            in_day = [p for p in in_league if day is None or _day(p.match, ctx) == day]
            if day is not None and in_day:
                label = Text(day_label(day, ctx.today), style="bold italic")
                rows.append(_header(f"day:{slug}:{day.isoformat()}", label, layout, name_width))
            rows.extend(_row(p, layout, ctx, two_line) for p in in_day)
    return layout, rows


def _day(match: Match, ctx: RowContext) -> date:
    return match.kickoff.astimezone(ctx.zone).date()


def _parts(match: Match, ctx: RowContext) -> _Parts:
    text = row_text(match, ctx.zone)
    hidden = ctx.hidden(match.id)
    events = [] if hidden else ctx.events(match)
    win = ""
    if ctx.win and match.prob is not None and match.phase.state is not PhaseState.FINAL:
        win = NO_WIN if hidden else " ".join(win_numbers(match.prob, text.first))
    return _Parts(
        match=match,
        when=text.when,
        score=HIDDEN if hidden else text.score,
        status="hidden" if hidden else text.status,
        live=text.live,
        first=text.first,
        second=text.second,
        cards=(red_cards(events, text.first), red_cards(events, text.second)),
        goals=(scorers(events, text.first), scorers(events, text.second)) if text.live else ("", ""),
        win=win,
    )


def _labels(leagues: list[str]) -> tuple[str, str]:
    us = {away_first(slug) for slug in leagues}
    if us == {True}:
        return "Away", "Home"
    if us == {False} or not us:
        return "Home", "Away"
    return "Home/Away", "Away/Home"


def _layout(
    parts: list[_Parts],
    leagues: list[str],
    ctx: RowContext,
    *,
    scrollbar: bool,
    two_line: bool,
    titles: list[str],
) -> Layout:
    first_label, second_label = _labels(leagues)
    when = max([4, *(text_width(p.when) for p in parts)])
    score = max([5, *(text_width(p.score) for p in parts)])
    status = min(MAX_STATUS, max([6, *(text_width(p.status) for p in parts)]))
    keys = ["fav", "time", "first", "score", "second", "status"]
    labels = ["★", "Time", first_label, "Score", second_label, "Status"]
    fixed = [1, when, score, status]
    if ctx.win:
        keys.append("win")
        labels.append("Win %")
        fixed.append(max([5, *(text_width(p.win) for p in parts)]))
    spare = ctx.width - sum(fixed) - PADDING * len(keys) - (SCROLLBAR if scrollbar else 0)
    if spare < 2 * MIN_NAME:
        # Too narrow for the names: the status gives way first (it ellipsizes).
        cut = min(status - 6, 2 * MIN_NAME - spare)
        status -= cut
        spare += cut
        fixed[3] = status
    natural = max(
        [
            len(first_label),
            len(second_label),
            *map(text_width, titles),
            *(_natural(p, two_line) for p in parts),
        ]
    )
    name = max(4, min(natural, spare // 2))
    widths = [1, when, name, score, name, status, *fixed[4:]]
    return Layout(tuple(keys), tuple(labels), tuple(widths))


def _natural(p: _Parts, two_line: bool) -> int:
    marks = max(p.cards) + 1 if any(p.cards) else 0
    longest = max(text_width(p.match.home.name), text_width(p.match.away.name)) + marks
    if two_line:
        longest = max(longest, *(text_width(goals) for goals in p.goals))
    return longest


def _header(key: str, label: Text, layout: Layout, width: int) -> Row:
    label.truncate(width, overflow="ellipsis")
    cells: list[Text | str] = ["" for _ in layout.keys]
    cells[2] = label
    return Row(key, tuple(cells))


def _row(p: _Parts, layout: Layout, ctx: RowContext, two_line: bool) -> Row:
    match = p.match
    widths = dict(zip(layout.keys, layout.widths, strict=True))
    favourite = is_favourite(match, ctx.favourites)
    team_style = "bold dark_orange" if favourite else ""
    height = 2 if two_line and p.live and any(p.goals) else 1
    first = _team(match, p.first, p.cards[0], p.goals[0], widths["first"], team_style, height, right=True)
    second = _team(match, p.second, p.cards[1], p.goals[1], widths["second"], team_style, height, right=False)
    score_style = "bold reverse" if ctx.flashing(match.id) else ("bold" if p.live else "")
    cells: list[Text | str] = [
        Text("★", style="dark_orange") if favourite else "",
        Text(p.when, style="bold green") if p.live else Text(p.when),
        first,
        Text(p.score, style=score_style, justify="center"),
        second,
        Text(ellipsize(p.status, widths["status"]), style="green" if p.live else "dim"),
    ]
    if "win" in widths:
        cells.append(_win(p.win))
    return Row(match.id, tuple(cells), height)


def _team(
    match: Match, side: Side, cards: int, goals: str, width: int, style: str, height: int, *, right: bool
) -> Text:
    marks = RED_CARD * cards
    name = fit_name(match.team(side), width - (len(marks) + 1 if marks else 0))
    text = Text(justify="right" if right else "left", no_wrap=True, overflow="ellipsis")
    if marks and not right:
        text.append(f"{marks} ", style="bold red")
    text.append(name, style=style)
    if marks and right:
        text.append(f" {marks}", style="bold red")
    if height > 1 and goals:
        text.append("\n")
        text.append(ellipsize(goals, width), style="dim")
    return text


def _win(win: str) -> Text:
    if not win or win == NO_WIN:
        return Text(win, style="dim")
    numbers = win.split(" ")
    best = max(
        range(len(numbers)), key=lambda i: int(numbers[i].strip("<>")) + (0.5 if ">" in numbers[i] else 0)
    )
    text = Text()
    for index, number in enumerate(numbers):
        if index:
            text.append(" ")
        text.append(number, style="bold" if index == best else "")
    return text
