"""Pure display helpers shared by the one-shot table, the headless JSON and the TUI.

Scoreboard rows read as each sport's fans read them: soccer home first (``Mexico 2-0 South
Africa``); US sports away first, at home (``Pirates 0 @ 0 Phillies``), with the live state in full
(``Bot 1 · 1 out · 0-0 · ○○○``, ``Q4 2:11``, ``Q3 5:32 · 3rd & 4 at NE 35 · NE ball``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from scoreterm.domain.centre_text import SEP, clock_text, situation_text
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import EventKind, Match, MatchEvent, PhaseState, Side, Sport, Team, WinProbability

US_SPORTS = frozenset({Sport.BASKETBALL, Sport.FOOTBALL, Sport.HOCKEY, Sport.BASEBALL})
ELLIPSIS = "…"
_NOT_PLAYED = (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def score_text(match: Match) -> str:
    """``2-3``, ``1-1 (4-3 p)`` after a shoot-out, or ``v`` before kick-off."""
    if match.phase.state in (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED):
        return "v"
    text = f"{match.score.home}-{match.score.away}"
    if match.shootout is not None:
        text += f" ({match.shootout.home}-{match.shootout.away} p)"
    return text


def status_text(match: Match) -> str:
    """What the status column shows: the live clock, ``HT``, ``FT``, ``PPD``..."""
    phase = match.phase
    if phase.state is PhaseState.SCHEDULED:
        return ""
    if phase.state is PhaseState.LIVE:
        clock = clock_text(match.clock)
        parts = [phase.label, clock] if clock and clock != phase.label else [phase.label]
        return " ".join(part for part in parts if part)
    return phase.label or clock_text(match.clock) or phase.state.value


def kickoff_text(match: Match, zone: tzinfo, with_day: bool = True) -> str:
    """Kick-off in the user's zone: ``28 Jun 20:00`` (or ``20:00`` without the day)."""
    local = match.kickoff.astimezone(zone)
    return local.strftime("%d %b %H:%M") if with_day else local.strftime("%H:%M")


def match_json(match: Match) -> dict[str, Any]:
    """The stable JSON shape of a match for ``scores --json`` and scripts."""
    return {
        "id": match.id,
        "league": match.league,
        "kickoff": _iso_utc(match.kickoff),
        "home": {"name": match.home.name, "abbrev": match.home.abbrev},
        "away": {"name": match.away.name, "abbrev": match.away.abbrev},
        "score": {"home": match.score.home, "away": match.score.away},
        "shootout": ({"home": match.shootout.home, "away": match.shootout.away} if match.shootout else None),
        "phase": match.phase.state.value,
        "period": match.phase.period,
        "label": match.phase.label,
        "clock": match.clock,
        "provider": match.provider,
        "prob": prob_json(match.prob),
    }


def prob_json(prob: WinProbability | None) -> dict[str, Any] | None:
    """A win probability as JSON (home, draw, away rounded to 0.1 %, its source); None if unknown."""
    if prob is None:
        return None
    draw = None if prob.draw is None else round(prob.draw, 3)
    chances = {"home": round(prob.home, 3), "draw": draw, "away": round(prob.away, 3)}
    return {**chances, "source": prob.source, "advance": prob.advance}


def _iso_utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sport_of(league: str) -> Sport | None:
    """The sport of league ``league`` (None for a league not in the catalog)."""
    try:
        return get_league(league).sport
    except UnknownLeague:
        return None


def away_first(league: str) -> bool:
    """True for the US sports, whose fans read a game away @ home."""
    return sport_of(league) in US_SPORTS


@dataclass(frozen=True)
class RowText:
    """One scoreboard row in reading order: ``first`` and ``second`` are the sides left to right.

    ``when`` is the kick-off, the live clock (``67'``) or where a US game stands (``Bot 1``,
    ``Q4 2:11``); ``status`` the phase (``2H``, ``FT``) or the rest of the live state
    (``1 out · 0-0 · ○○○``).
    """

    first: Side
    second: Side
    when: str
    score: str
    status: str
    live: bool


def row_text(match: Match, zone: tzinfo, *, with_day: bool = False) -> RowText:
    """The cells of ``match``'s scoreboard row (see :class:`RowText`)."""
    us = away_first(match.league)
    first, second = (Side.AWAY, Side.HOME) if us else (Side.HOME, Side.AWAY)
    phase = match.phase
    live = phase.is_active
    if live and us:
        head, _, rest = live_state(match).partition(SEP)
        when, status = head, rest
    elif live:
        when = clock_text(match.clock) or phase.label
        status = phase.label if phase.label != when else ""
    else:
        when = kickoff_text(match, zone, with_day=with_day)
        status = "" if phase.state is PhaseState.SCHEDULED else phase.label
    if match.unconfirmed:
        status = f"{status} ?".strip()
    return RowText(first, second, when, score_in_order(match, us), status, live)


def score_in_order(match: Match, us: bool) -> str:
    """The score in reading order: ``2-0`` (home first), ``3 @ 5`` (away first), ``v`` / ``@`` unplayed."""
    if not us:
        return score_text(match)
    if match.phase.state in _NOT_PLAYED:
        return "@"
    return f"{match.score.away} @ {match.score.home}"


def live_state(match: Match) -> str:
    """A live US game's state in full (``Bot 1 · 1 out · 0-0 · ○○○``); :func:`status_text` otherwise."""
    sport = sport_of(match.league)
    if sport not in US_SPORTS or not match.phase.is_active or sport is None:
        return status_text(match)
    clock = match.clock if match.phase.state is PhaseState.LIVE else ""
    return situation_text(
        sport.value,
        match.situation,
        label=match.phase.label,
        clock=clock,
        period=match.phase.period,
        home=match.home.abbrev,
        away=match.away.abbrev,
    )


def text_width(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters count two, combining marks none)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def ellipsize(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending in ``…`` when cut."""
    if text_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for char in text:
        cells = text_width(char)
        if used + cells > width - 1:
            break
        kept.append(char)
        used += cells
    return "".join(kept).rstrip() + ELLIPSIS


def fit_name(team: Team, width: int) -> str:
    """The fullest name of ``team`` that fits ``width`` cells: its name, its short name
    (``Phillies``), its abbreviation, else the name cut with an ellipsis."""
    for candidate in (team.name, team.short_name, team.abbrev):
        if candidate and text_width(candidate) <= width:
            return candidate
    return ellipsize(team.name, width)


def red_cards(events: Iterable[MatchEvent], side: Side) -> int:
    """How many red cards ``side`` has been shown."""
    return sum(1 for e in events if e.kind is EventKind.RED_CARD and e.side is side)


def scorers(events: Iterable[MatchEvent], side: Side) -> str:
    """Who scored for ``side``, by surname, in order: ``Quiñones 9', Jiménez 12', 67' (p)``.

    An own goal counts for the side it helped and reads ``(og)``; a goal whose scorer is not
    known yet reads ``?``.
    """
    order: dict[str, list[str]] = {}
    for event in events:
        if not event.kind.is_goal or event.side is not side:
            continue
        mark = {EventKind.OWN_GOAL: " (og)", EventKind.PENALTY_GOAL: " (p)"}.get(event.kind, "")
        order.setdefault(surname(event.player or "?"), []).append(f"{event.minute}{mark}".strip())
    return ", ".join(f"{who} {', '.join(m for m in minutes if m)}".strip() for who, minutes in order.items())


def surname(name: str) -> str:
    """The name a scoreboard uses: the last word, keeping a suffix (``Guerrero Jr.``)."""
    words = name.split()
    if len(words) <= 1:
        return name.strip()
    if words[-1].lower() in _SUFFIXES and len(words) > 2:
        return " ".join(words[-2:])
    return words[-1]


def win_numbers(prob: WinProbability, first: Side) -> tuple[str, ...]:
    """Win probability in percent in reading order: first side, draw (when it can end drawn), second.

    A live number is never shown as a certainty it is not: 99.7% reads ``>99``, 0.3% ``<1``.
    """
    a, b = (prob.home, prob.away) if first is Side.HOME else (prob.away, prob.home)
    values = (a, b) if prob.draw is None else (a, prob.draw, b)
    return tuple(_percent(v) for v in values)


def _percent(value: float) -> str:
    if value >= 0.995:
        return ">99"
    if value < 0.005:
        return "<1"
    return str(round(value * 100))


def day_label(day: date, today: date | None = None) -> str:
    """A day header: ``Thu 11 Jun``, ``Today · Thu 11 Jun``."""
    text = f"{day:%a} {day.day} {day:%b}"
    if today is not None and day == today:
        return f"Today · {text}"
    return text
