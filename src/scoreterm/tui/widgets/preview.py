"""The preview a fan reads before kick-off: when and where, the odds line, both teams' form, and
how their past meetings went. Built from the match centre's ``preview`` and the match itself."""

from __future__ import annotations

from datetime import tzinfo

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from scoreterm.domain.centre import FormGame, Preview
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.widgets.odds import american, chances, which_line

FORM_SHOWN = 5
MEETINGS_SHOWN = 5


def kickoff_line(match: Match, zone: tzinfo) -> str:
    """``Thu 11 Jun 19:00 UTC · Estadio Banorte, Mexico City``: kick-off in the user's zone."""
    local = match.kickoff.astimezone(zone)
    parts = [f"{local:%a %d %b %H:%M} {local:%Z}".strip()]
    preview = match.centre.preview if match.centre is not None else None
    venue = (preview.venue if preview is not None else "") or match.venue
    city = preview.city if preview is not None else ""
    if venue:
        parts.append(f"{venue}, {city}" if city and city not in venue else venue)
    if preview is not None and preview.attendance:
        parts.append(f"crowd {preview.attendance:,}")
    return " · ".join(parts)


def odds_line(match: Match) -> str:
    """``DraftKings pre-match: MEX -230 (68%) · Draw +330 (22%) · RSA +750 (10%)``, or ``""``."""
    odds = match.odds
    if odds is None:
        return ""
    line = odds.moneyline
    home, draw, away = chances(odds)
    labels = (match.home.abbrev or match.home.name, "Draw", match.away.abbrev or match.away.name)
    cells = []
    prices = (line.home, line.draw, line.away)
    for label, price, share in zip(labels, prices, (home, draw, away), strict=True):
        if price is None:
            continue
        cells.append(f"{label} {american(price)}" + (f" ({share})" if share else ""))
    if not cells:
        return ""
    # Before kick-off the book's line is the pre-match line, whatever ESPN names its field.
    moment = which_line(odds, started=match.phase.state is not PhaseState.SCHEDULED)
    return f"{odds.provider} {moment}: " + " · ".join(cells)


def _game(game: FormGame) -> str:
    where = "v" if game.at_home else "@" if game.at_home is False else "v"
    score = ""
    if game.score_for is not None and game.score_against is not None:
        score = f" {game.score_for}-{game.score_against}"
    return f"{game.date}  {game.result or '?'}{score} {where} {game.opponent}"


def preview_body(match: Match, zone: tzinfo, muted: Style, header: Style) -> RenderableType:
    """The whole preview, one block under another (readable at 80 columns)."""
    preview = match.centre.preview if match.centre is not None else None
    home, away = match.home.abbrev or match.home.name, match.away.abbrev or match.away.name
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=header, no_wrap=True)
    grid.add_column()
    grid.add_row("Kick-off", kickoff_line(match, zone))
    odds = odds_line(match)
    grid.add_row("Odds", odds or Text("no odds from this provider", style=muted))
    blocks: list[RenderableType] = [grid]
    if preview is None or preview == Preview():
        blocks += [Text(""), Text("No form or head-to-head from this provider", style=muted)]
        return Group(*blocks)
    form = Table.grid(padding=(0, 2))
    form.add_column(no_wrap=True)
    form.add_column()
    for label, letters in ((home, preview.home_form_text), (away, preview.away_form_text)):
        form.add_row(Text(label, style="bold"), Text(" ".join(letters) or "—", style="bold"))
    blocks += [Text(""), Text("Form (newest first)", style=header), form]
    if preview.head_to_head:
        meetings = Table.grid(padding=(0, 2))
        meetings.add_column(no_wrap=True)
        meetings.add_column(no_wrap=True)
        meetings.add_column()
        for meeting in preview.head_to_head[:MEETINGS_SHOWN]:
            score = (
                f"{meeting.home} {meeting.home_score}-{meeting.away_score} {meeting.away}"
                if meeting.home_score is not None and meeting.away_score is not None
                else f"{meeting.home} v {meeting.away}"
            )
            meetings.add_row(meeting.date, score, Text(meeting.competition, style=muted))
        blocks += [Text(""), Text("Head to head", style=header), meetings]
    games = Table.grid(padding=(0, 2))
    games.add_column(no_wrap=True)
    games.add_column(no_wrap=True)
    games.add_column()
    for label, played in ((home, preview.home_form), (away, preview.away_form)):
        for game in played[:FORM_SHOWN]:
            games.add_row(label, _game(game), Text(game.competition, style=muted))
    if games.row_count:
        blocks += [Text(""), Text("Recent games", style=header), games]
    return Group(*blocks)
