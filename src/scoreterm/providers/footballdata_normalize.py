"""football-data.org v4 JSON -> domain objects: matches, and the goals/bookings/substitutions of
the paid tiers.

Pure functions, no I/O. While a match is in play ``score.fullTime`` carries the running score,
``PAUSED`` is half-time, and ``halfTime`` fills in once the first half is over, which is how a
free-tier match (no ``minute``) tells its halves apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from scoreterm.domain.leagues import league_by_provider_id
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import EventKind, Match, MatchEvent, Phase, PhaseState, Score, Side, Team
from scoreterm.providers.base import PayloadError, normalize_each, parse_kickoff
from scoreterm.providers.values import MAX_SCORE

PROVIDER = "footballdata"

_S = PhaseState
_FINAL_BY_DURATION = {
    "REGULAR": Phase(state=_S.FINAL, period=2, label="FT"),
    "EXTRA_TIME": Phase(state=_S.FINAL, period=4, label="AET"),
    "PENALTY_SHOOTOUT": Phase(state=_S.FINAL, period=5, label="PEN"),
}
_FIXED = {
    "SCHEDULED": Phase(state=_S.SCHEDULED),
    "TIMED": Phase(state=_S.SCHEDULED),
    "POSTPONED": Phase(state=_S.POSTPONED, label="PPD"),
    "SUSPENDED": Phase(state=_S.SUSPENDED, label="SUSP"),
    "CANCELLED": Phase(state=_S.CANCELLED, label="CANC"),
}
_SHOOTOUT = Phase(state=_S.LIVE, period=5, label="PEN")
_EVENT_LISTS = ("goals", "bookings", "substitutions")
_CARDS = {"YELLOW": EventKind.YELLOW_CARD, "YELLOW_RED": EventKind.RED_CARD, "RED": EventKind.RED_CARD}


def minute_of(value: Any) -> tuple[int, int] | None:
    """Parse a ``minute`` (``67``, ``"67"``, ``"90+3"``) into (minute, added), or None if absent."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000:
        value = str(value)
    return exact_minute(value) if isinstance(value, str) else None


def clock_text(minute: Any, injury_time: Any = None) -> str:
    """Format ``minute`` and ``injuryTime`` as clock text: ``"67'"``, ``"90'+3'"``; ``""`` if absent."""
    parsed = minute_of(minute)
    if parsed is None:
        return ""
    base, added = parsed
    if isinstance(injury_time, int) and not isinstance(injury_time, bool) and injury_time > 0:
        added = injury_time
    return f"{base}'+{added}'" if added else f"{base}'"


def phase_for(status: str, *, duration: str, minute: Any, first_half_over: bool) -> Phase:
    """Map a v4 ``status`` (refined by ``score.duration``, ``minute`` and half-time) onto a Phase.

    Raises:
        PayloadError: an unknown status (v4's list is closed, so this is a vendor change or junk).
    """
    fixed = _FIXED.get(status)
    if fixed is not None:
        return fixed
    if status in ("FINISHED", "AWARDED"):
        return _FINAL_BY_DURATION.get(duration, _FINAL_BY_DURATION["REGULAR"])
    if status == "PAUSED":
        if duration == "REGULAR":
            return Phase(state=_S.BREAK, period=1, label="HT")
        return Phase(state=_S.BREAK, period=2, label="BT")
    parsed = minute_of(minute)
    if status == "PENALTY_SHOOTOUT" or (status == "IN_PLAY" and duration == "PENALTY_SHOOTOUT"):
        return _SHOOTOUT
    if status == "EXTRA_TIME" or (status == "IN_PLAY" and duration == "EXTRA_TIME"):
        period = 4 if parsed is not None and parsed[0] > 105 else 3
        return Phase(state=_S.LIVE, period=period, label="ET")
    if status in ("IN_PLAY", "LIVE"):
        if first_half_over or (parsed is not None and parsed[0] > 45):
            return Phase(state=_S.LIVE, period=2, label="2H")
        return Phase(state=_S.LIVE, period=1, label="1H")
    raise PayloadError(PROVIDER, f"unknown match status {status!r}")


def _goals(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SCORE


def _pair(raw: Any) -> tuple[int, int] | None:
    """Return a {home, away} score object as ints, or None unless both sides are valid scores."""
    if not isinstance(raw, Mapping):
        return None
    home, away = raw.get("home"), raw.get("away")
    if not _goals(home) or not _goals(away):
        return None
    return home, away


def _unset(raw: Any) -> bool:
    """True for a score object that says "no score yet" (both sides null, or absent)."""
    return raw is None or (isinstance(raw, Mapping) and raw.get("home") is None and raw.get("away") is None)


def scores_of(score: Mapping[str, Any]) -> tuple[Score, Score | None]:
    """Return (match score, shoot-out score) from a v4 ``score`` object.

    After a shoot-out v4 folds the kicks into ``fullTime`` (7-5 for a 3-3 won 4-2 on penalties),
    so the match score is ``regularTime`` + ``extraTime`` when given, else ``fullTime`` minus
    ``penalties`` — unless that would go negative, i.e. the kicks were not folded in after all.
    """
    full = _pair(score.get("fullTime")) or (0, 0)
    penalties = _pair(score.get("penalties"))
    if score.get("duration") != "PENALTY_SHOOTOUT" or penalties is None:
        return Score(*full), None
    regular = _pair(score.get("regularTime"))
    if regular is not None:
        extra = _pair(score.get("extraTime")) or (0, 0)
        return Score(regular[0] + extra[0], regular[1] + extra[1]), Score(*penalties)
    home, away = full[0] - penalties[0], full[1] - penalties[1]
    if home < 0 or away < 0:
        return Score(*full), Score(*penalties)
    return Score(home, away), Score(*penalties)


def _team(raw: Mapping[str, Any]) -> Team:
    team_id = raw.get("id")
    return Team(
        name=str(raw.get("name") or "TBD"),
        abbrev=str(raw.get("tla") or ""),
        id=str(team_id) if team_id is not None else "",
        short_name=str(raw.get("shortName") or ""),
    )


def league_slug(code: Any) -> str:
    """Return the catalog slug for a competition code, or ``footballdata:<code>`` if not in it."""
    league = league_by_provider_id(PROVIDER, str(code))
    return league.slug if league is not None else f"{PROVIDER}:{code}"


def normalize_match(raw: Mapping[str, Any], *, league: str | None = None) -> Match:
    """Normalize one v4 match object.

    Args:
        raw: the match object (from ``/matches``, ``/competitions/{code}/matches`` or
            ``/matches/{id}``).
        league: the league slug to set; by default the catalog's slug for the competition code.

    Raises:
        PayloadError: unknown status or bad timestamp.
        KeyError, TypeError, ValueError: a required field is missing or malformed.
    """
    score = raw["score"]
    status = raw["status"]
    minute = raw.get("minute")
    suspect: list[str] = []
    duration = score.get("duration")
    try:
        if duration is not None and duration not in _FINAL_BY_DURATION:
            raise PayloadError(PROVIDER, f"unknown duration {str(duration)[:40]!r}")
        phase = phase_for(
            status if isinstance(status, str) else "",
            duration=duration or "REGULAR",
            minute=minute,
            first_half_over=_pair(score.get("halfTime")) is not None,
        )
    except PayloadError:
        suspect.append("phase")
        phase = _FIXED["SCHEDULED"]
    current, shootout = scores_of(score)
    unreadable = _pair(score.get("fullTime")) is None and (phase.state is not _S.SCHEDULED or suspect)
    called_off = _unset(score.get("fullTime")) and phase.state in (_S.POSTPONED, _S.CANCELLED)
    if unreadable and not called_off:
        suspect.append("score")
    updated = raw.get("lastUpdated")
    return Match(
        id=f"{PROVIDER}-{raw['id']}",
        league=league or league_slug((raw.get("competition") or {}).get("code")),
        kickoff=parse_kickoff(PROVIDER, str(raw["utcDate"])),
        home=_team(raw["homeTeam"]),
        away=_team(raw["awayTeam"]),
        phase=phase,
        score=current,
        shootout=shootout,
        clock=clock_text(minute, raw.get("injuryTime")),
        provider=PROVIDER,
        provider_ids={PROVIDER: str(raw["id"])},
        venue=str(raw.get("venue") or ""),
        updated_at=parse_kickoff(PROVIDER, str(updated)) if updated else None,
        suspect=tuple(suspect),
    )


def has_events(raw: Mapping[str, Any]) -> bool:
    """True when the payload itemises goals, bookings or substitutions (paid tiers only)."""
    return any(isinstance(raw.get(name), list) for name in _EVENT_LISTS)


def _side(team: Any, home_id: Any, away_id: Any) -> Side | None:
    team_id = team.get("id") if isinstance(team, Mapping) else None
    if team_id is None:
        return None
    return Side.HOME if team_id == home_id else Side.AWAY if team_id == away_id else None


def _name(person: Any) -> str | None:
    return str(person["name"]) if isinstance(person, Mapping) and person.get("name") else None


def _person_id(person: Any) -> str:
    value = person.get("id") if isinstance(person, Mapping) else None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def events_of(raw: Mapping[str, Any]) -> list[MatchEvent]:
    """Return the goals, bookings and substitutions of a v4 match in match order.

    A goal's side comes from its running ``score`` (the side whose count went up), which settles
    own goals whichever team v4 files them under; the team id is the fallback.
    """
    home_id, away_id = raw["homeTeam"].get("id"), raw["awayTeam"].get("id")
    previous = Score()

    def goal(item: Mapping[str, Any]) -> MatchEvent:
        nonlocal previous
        kind = {"OWN": EventKind.OWN_GOAL, "PENALTY": EventKind.PENALTY_GOAL}.get(
            str(item.get("type")), EventKind.GOAL
        )
        side = _side(item.get("team"), home_id, away_id)
        running = _pair(item.get("score"))
        now = Score(*running) if running is not None else None
        if now is not None:
            if now.home > previous.home and now.away == previous.away:
                side = Side.HOME
            elif now.away > previous.away and now.home == previous.home:
                side = Side.AWAY
            previous = now
        scorer, assist = item.get("scorer"), item.get("assist")
        return _event(item, kind, side, scorer, score=now, other=assist)

    def booking(item: Mapping[str, Any]) -> MatchEvent:
        card = str(item["card"])
        kind = _CARDS.get(card)
        if kind is None:
            raise ValueError(f"unknown card {card!r}")
        side = _side(item.get("team"), home_id, away_id)
        return _event(item, kind, side, item.get("player"), detail=card)

    def substitution(item: Mapping[str, Any]) -> MatchEvent:
        coming_on, going_off = item.get("playerIn"), item.get("playerOut")
        names = _name(coming_on), _name(going_off)
        detail = f"{names[0]} on for {names[1]}" if all(names) else ""
        side = _side(item.get("team"), home_id, away_id)
        return _event(item, EventKind.SUBSTITUTION, side, coming_on, detail=detail, other=going_off)

    events: list[MatchEvent] = []
    goals = sorted(raw.get("goals") or [], key=_order)
    events += normalize_each(PROVIDER, goals, goal, what="goal")
    events += normalize_each(PROVIDER, raw.get("bookings") or [], booking, what="booking")
    events += normalize_each(PROVIDER, raw.get("substitutions") or [], substitution, what="substitution")
    return sorted(events, key=lambda event: minute_of(event.minute.replace("'", "")) or (999, 0))


def _order(item: Any) -> tuple[int, int]:
    if not isinstance(item, Mapping):
        return (999, 0)
    parsed = minute_of(item.get("minute")) or (999, 0)
    injury = item.get("injuryTime")
    return parsed[0], injury if isinstance(injury, int) else parsed[1]


def _event(
    item: Mapping[str, Any],
    kind: EventKind,
    side: Side | None,
    player: Any,
    *,
    detail: str = "",
    score: Score | None = None,
    other: Any = None,
) -> MatchEvent:
    return MatchEvent(
        kind=kind,
        minute=clock_text(item.get("minute"), item.get("injuryTime")),
        side=side,
        player=_name(player),
        player_id=_person_id(player),
        other_player=_name(other),
        other_player_id=_person_id(other),
        detail=detail,
        score=score,
        provider=PROVIDER,
    )
