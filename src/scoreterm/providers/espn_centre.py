"""ESPN summary / scoreboard -> :class:`MatchCentre`: the entry points the engine calls.

:func:`normalize_centre` reads a summary (soccer: lineups, commentary, shots, preview; US sports:
box score, plays, venue), :func:`situation_of` and :func:`form_of` read one scoreboard event.
Everything is read defensively: a malformed part is skipped (and logged), so one bad field
costs that part only; only a payload that is not a JSON object raises :class:`PayloadError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from scoreterm.domain.centre import (
    FormGame,
    HeadToHeadGame,
    Lineup,
    MatchCentre,
    Preview,
    SideName,
    Situation,
)
from scoreterm.providers.base import PayloadError
from scoreterm.providers.espn_commentary import normalize_commentary, normalize_shots
from scoreterm.providers.espn_lineups import normalize_lineups
from scoreterm.providers.espn_us import MAX_PLAYS, normalize_box, normalize_plays, normalize_situation
from scoreterm.providers.values import as_dict, as_list, dig, integer, name, text

__all__ = ["MAX_PLAYS", "form_of", "normalize_centre", "normalize_preview", "situation_of"]

log = logging.getLogger(__name__)

PROVIDER = "espn"
MAX_FORM = 10
_FORM = re.compile(r"^[WDL]{1,10}$")
_RESULTS: dict[str, Literal["W", "D", "L", ""]] = {"W": "W", "D": "D", "L": "L"}
T = TypeVar("T")
# What a defensive reader can still trip over in hostile JSON; anything else is a bug to surface.
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError)


def _guarded(part: str, build: Callable[[], T], default: T) -> T:
    try:
        return build()
    except _MALFORMED as exc:
        log.warning("%s: skipping the match centre's %s that does not parse: %r", PROVIDER, part, exc)
        return default


def _sides(
    summary: Mapping[str, Any], home_team_id: str, away_team_id: str
) -> tuple[dict[str, SideName], dict[str, SideName]]:
    """Team id -> side and team name -> side, from the ids the caller knows and the summary."""
    by_id: dict[str, SideName] = {}
    if home_team_id:
        by_id[home_team_id] = "home"
    if away_team_id and away_team_id != home_team_id:
        by_id[away_team_id] = "away"
    teams: list[Mapping[str, Any]] = []
    competition = as_dict((as_list(dig(summary, "header", "competitions")) or [None])[0])
    teams += [as_dict(c) for c in as_list(competition.get("competitors"))]
    teams += [as_dict(r) for r in as_list(summary.get("rosters"))]
    teams += [as_dict(t) for t in as_list(dig(summary, "boxscore", "teams"))]
    by_name: dict[str, SideName] = {}
    for entry in teams:
        team = as_dict(entry.get("team"))
        team_id = text(team.get("id"), 20) or text(entry.get("id"), 20)
        side = by_id.get(team_id)
        home_away = text(entry.get("homeAway"), 10)
        if side is None and not (home_team_id or away_team_id) and home_away in ("home", "away"):
            side = "home" if home_away == "home" else "away"
            by_id[team_id] = side
        if side is not None:
            for key in ("displayName", "name", "shortDisplayName"):
                if name(team.get(key)):
                    by_name.setdefault(name(team.get(key)), side)
    return by_id, by_name


def normalize_centre(
    summary: Any,
    sport: str,
    *,
    home_team_id: str,
    away_team_id: str,
    event_id: str = "",
    max_plays: int = MAX_PLAYS,
) -> MatchCentre:
    """Build the match centre from an ESPN ``.../summary?event=ID`` payload.

    Args:
        summary: the decoded summary JSON.
        sport: ESPN sport slug (``soccer``, ``basketball``, ``football``, ``hockey``, ``baseball``;
            ``model.Sport`` values work as they are strings).
        home_team_id: ESPN id of the home team (``Match.home.id``); sides are keyed on it.
        away_team_id: ESPN id of the away team.
        event_id: ESPN event id the summary was asked for; when given, a summary whose
            ``header.id`` names another event is refused.
        max_plays: bound on the play-by-play kept (every scoring play stays).

    Raises:
        PayloadError: the payload is not a JSON object, or is the summary of another event.
    """
    if not isinstance(summary, Mapping):
        raise PayloadError(PROVIDER, f"summary payload is a {type(summary).__name__}, not an object")
    header_id = text(dig(summary, "header", "id"), 20)
    if event_id and header_id and header_id != event_id:
        raise PayloadError(PROVIDER, f"asked for event {event_id}, got the summary of {header_id}")
    no_sides: tuple[dict[str, SideName], dict[str, SideName]] = ({}, {})
    by_id, by_name = _guarded("teams", lambda: _sides(summary, home_team_id, away_team_id), no_sides)
    preview = _guarded("preview", lambda: normalize_preview(summary, by_id), None)
    if sport != "soccer":
        return MatchCentre(
            preview=preview,
            box=_guarded("box score", lambda: normalize_box(summary, sport, by_id), None),
            plays=_guarded("plays", lambda: normalize_plays(summary, sport, by_id, max_plays), ()),
        )
    no_lineups: tuple[Lineup | None, Lineup | None] = (None, None)
    home, away = _guarded("lineups", lambda: normalize_lineups(summary.get("rosters"), by_id), no_lineups)
    return MatchCentre(
        home_lineup=home,
        away_lineup=away,
        commentary=_guarded(
            "commentary", lambda: normalize_commentary(summary.get("commentary"), by_id, by_name), ()
        ),
        shots=_guarded(
            "shots",
            lambda: normalize_shots(summary.get("commentary"), summary.get("keyEvents"), by_id, by_name),
            (),
        ),
        preview=preview,
    )


# -- preview --


def _score_pair(game: Mapping[str, Any], team_id: str) -> tuple[int | None, int | None]:
    home = integer(game.get("homeTeamScore"), 0, 999)
    away = integer(game.get("awayTeamScore"), 0, 999)
    if team_id and team_id == text(game.get("homeTeamId"), 20):
        return home, away
    if team_id and team_id == text(game.get("awayTeamId"), 20):
        return away, home
    return None, None


def _form_game(raw: Any, team_id: str) -> FormGame | None:
    game = as_dict(raw)
    date = text(game.get("gameDate"), 30)[:10]
    opponent = as_dict(game.get("opponent"))
    rival = text(opponent.get("abbreviation"), 10) or name(opponent.get("displayName"))
    if not date or not rival:
        return None
    at_vs = text(game.get("atVs"), 4)
    scored, conceded = _score_pair(game, team_id)
    return FormGame(
        date=date,
        opponent=rival,
        result=_RESULTS.get(text(game.get("gameResult"), 2), ""),
        at_home=True if at_vs == "vs" else False if at_vs == "@" else None,
        score_for=scored,
        score_against=conceded,
        competition=name(game.get("competitionName")) or name(game.get("leagueName")),
    )


def _head_to_head(entries: Any) -> tuple[HeadToHeadGame, ...]:
    games: dict[str, HeadToHeadGame] = {}
    for entry in (as_dict(e) for e in as_list(entries)):
        team = as_dict(entry.get("team"))
        team_id, abbrev = text(team.get("id"), 20), text(team.get("abbreviation"), 10)
        for game in (as_dict(g) for g in as_list(entry.get("events"))[:MAX_FORM]):
            rival = text(dig(game, "opponent", "abbreviation"), 10)
            date = text(game.get("gameDate"), 30)[:10]
            home_id = text(game.get("homeTeamId"), 20)
            if not (team_id and abbrev and rival and date and home_id):
                continue
            key = text(game.get("id"), 20) or date
            games.setdefault(
                key,
                HeadToHeadGame(
                    date=date,
                    home=abbrev if home_id == team_id else rival,
                    away=rival if home_id == team_id else abbrev,
                    home_score=integer(game.get("homeTeamScore"), 0, 999),
                    away_score=integer(game.get("awayTeamScore"), 0, 999),
                    competition=name(game.get("competitionName")) or name(game.get("leagueName")),
                ),
            )
    return tuple(sorted(games.values(), key=lambda g: g.date, reverse=True))


def normalize_preview(summary: Mapping[str, Any], sides: Mapping[str, SideName]) -> Preview | None:
    """Recent form (``boxscore.form``), head-to-head (``headToHeadGames``), venue and crowd
    (``gameInfo``); None when the summary has none of them. An attendance of 0 is "not given"."""
    form: dict[SideName, tuple[FormGame, ...]] = {}
    for entry in (as_dict(e) for e in as_list(dig(summary, "boxscore", "form"))):
        team_id = text(dig(entry, "team", "id"), 20)
        side = sides.get(team_id)
        if side is not None and side not in form:
            games = (_form_game(g, team_id) for g in as_list(entry.get("events"))[:MAX_FORM])
            form[side] = tuple(g for g in games if g is not None)
    venue = as_dict(dig(summary, "gameInfo", "venue"))
    preview = Preview(
        home_form=form.get("home", ()),
        away_form=form.get("away", ()),
        home_form_text="".join(g.result for g in form.get("home", ())),
        away_form_text="".join(g.result for g in form.get("away", ())),
        head_to_head=_head_to_head(summary.get("headToHeadGames")),
        venue=name(venue.get("fullName")) or name(venue.get("shortName")),
        city=name(dig(venue, "address", "city")),
        attendance=integer(dig(summary, "gameInfo", "attendance"), 1, 500_000),
    )
    return None if preview == Preview() else preview


# -- scoreboard --


def situation_of(scoreboard_event: Any, sport: str) -> Situation | None:
    """The live situation of one scoreboard ``events[]`` item (MLB count and bases, NFL down and
    distance); None when the game is not live or ESPN gives no situation."""
    return _guarded("situation", lambda: normalize_situation(scoreboard_event, sport), None)


def form_of(scoreboard_event: Any) -> tuple[str, str]:
    """The ``(home, away)`` form strings of a scoreboard event (``"WWWWD"``, newest first, and
    including the game itself once it is over); ``""`` where missing or not W/D/L letters."""
    competition = as_dict((as_list(dig(scoreboard_event, "competitions")) or [None])[0])
    found = {"home": "", "away": ""}
    for competitor in (as_dict(c) for c in as_list(competition.get("competitors"))):
        side, form = text(competitor.get("homeAway"), 10), text(competitor.get("form"), 20).upper()
        if side in found and _FORM.match(form):
            found[side] = form
    return found["home"], found["away"]
