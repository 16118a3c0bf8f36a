"""TheSportsDB JSON -> domain objects: v1 events, v2 livescore items and v1 timeline entries.

Pure functions, no I/O. TheSportsDB sends every number as a string, leaves ``strStatus`` null on
old events, reports live minutes in ``strProgress`` (``"30"``, ``"90+6"``) and stores kickoffs in
UTC (``strTimestamp`` without an offset, or ``dateEvent`` + ``strTime``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from scoreterm.domain.leagues import league_by_provider_id
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    Team,
)
from scoreterm.providers.base import PayloadError, parse_kickoff
from scoreterm.providers.values import integer, is_blank, parse_score, warn_once

log = logging.getLogger(__name__)

PROVIDER = "thesportsdb"

# A null status only says "we never tracked it live": past this long after kickoff, a scored
# event is over (soccer with extra time and penalties, or an NFL game, fits well inside).
FINISHED_AFTER = timedelta(hours=4)

_S = PhaseState
_STATUSES: dict[str, Phase] = {
    "ns": Phase(state=_S.SCHEDULED),
    "not started": Phase(state=_S.SCHEDULED),
    "tbd": Phase(state=_S.SCHEDULED),
    "time to be defined": Phase(state=_S.SCHEDULED),
    "1h": Phase(state=_S.LIVE, period=1, label="1H"),
    "2h": Phase(state=_S.LIVE, period=2, label="2H"),
    "et": Phase(state=_S.LIVE, period=3, label="ET"),
    "p": Phase(state=_S.LIVE, period=5, label="PEN"),
    "ot": Phase(state=_S.LIVE, label="OT"),
    "ht": Phase(state=_S.BREAK, period=1, label="HT"),
    "bt": Phase(state=_S.BREAK, period=2, label="BT"),
    "ft": Phase(state=_S.FINAL, period=2, label="FT"),
    "match finished": Phase(state=_S.FINAL, period=2, label="FT"),
    "aet": Phase(state=_S.FINAL, period=4, label="AET"),
    "pen": Phase(state=_S.FINAL, period=5, label="PEN"),
    "ap": Phase(state=_S.FINAL, period=5, label="PEN"),
    "aot": Phase(state=_S.FINAL, label="AOT"),
    "awd": Phase(state=_S.FINAL, period=2, label="AWD"),
    "wo": Phase(state=_S.FINAL, period=2, label="WO"),
    "pst": Phase(state=_S.POSTPONED, label="PPD"),
    "postponed": Phase(state=_S.POSTPONED, label="PPD"),
    "canc": Phase(state=_S.CANCELLED, label="CANC"),
    "cancelled": Phase(state=_S.CANCELLED, label="CANC"),
    "abd": Phase(state=_S.CANCELLED, label="ABD"),
    "abandoned": Phase(state=_S.CANCELLED, label="ABD"),
    "susp": Phase(state=_S.SUSPENDED, label="SUSP"),
    "int": Phase(state=_S.SUSPENDED, label="INT"),
    "interrupted": Phase(state=_S.SUSPENDED, label="INT"),
}
_QUARTER = re.compile(r"q([1-4])")
# Live codes of the other sports: periods (P2), innings (IN7), overtime and penalty time.
_OTHER_LIVE = re.compile(r"p([1-9])|in(\d{1,2})|ot|pt|live")


def parse_int(value: Any) -> int | None:
    """Parse one of TheSportsDB's stringly numbers (``"4"``, ``""``, null) into an int or None.

    Raises:
        ValueError: the value is present but is not a whole number.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def phase_for(status: Any, *, scored: bool, kickoff: datetime, now: datetime) -> Phase | None:
    """Map a ``strStatus`` onto a Phase; None for a status we do not know.

    A null or empty status (old events) is derived: a scored event whose kickoff is more than
    :data:`FINISHED_AFTER` ago is final, anything else is scheduled. The live codes of the other
    sports (``Q3``, ``P2``, ``IN7``, ``OT``) are live, labelled with the code. Anything else is
    not a reason to move a match anywhere: the caller keeps its last known phase.
    """
    if not is_blank(status) and not isinstance(status, str):
        return None
    text = (status or "").strip()
    if not text:
        if scored and kickoff + FINISHED_AFTER <= now:
            return Phase(state=PhaseState.FINAL, period=2, label="FT")
        return Phase(state=PhaseState.SCHEDULED)
    key = text.lower()
    known = _STATUSES.get(key)
    if known is not None:
        return known
    quarter = _QUARTER.fullmatch(key)
    if quarter:
        return Phase(state=PhaseState.LIVE, period=int(quarter[1]), label=text.upper())
    other = _OTHER_LIVE.fullmatch(key)
    if other:
        period = int(other[1] or other[2] or 0)
        return Phase(state=PhaseState.LIVE, period=period, label=text.upper())
    warn_once(log, "%s: unknown status %r: keeping the last known phase", PROVIDER, text[:40])
    return None


def clock_from_progress(progress: Any) -> str:
    """Turn ``strProgress`` (``"30"``, ``"90+6"``) into clock text (``"30'"``, ``"90'+6'"``)."""
    if isinstance(progress, int) and not isinstance(progress, bool):
        progress = str(progress) if 0 <= progress < 1000 else ""
    if not isinstance(progress, str):
        return ""
    found = exact_minute(progress)
    if found is None:
        return ""
    minute, added = found
    return f"{minute}'+{added}'" if added else f"{minute}'"


def kickoff_of(raw: Mapping[str, Any]) -> datetime:
    """Return an event's kickoff in UTC from ``strTimestamp``, else ``dateEvent`` + time.

    Raises:
        PayloadError: the event carries no usable date.
    """
    stamp = raw.get("strTimestamp")
    if stamp:
        return parse_kickoff(PROVIDER, str(stamp))
    day = raw.get("dateEvent")
    if not day:
        raise PayloadError(PROVIDER, f"event {raw.get('idEvent')!r} has no date")
    time_text = raw.get("strTime") or raw.get("strEventTime")
    if time_text:
        try:
            return parse_kickoff(PROVIDER, f"{day}T{time_text}")
        except PayloadError:
            pass  # "TBD" and friends: the day is still worth showing.
    return parse_kickoff(PROVIDER, f"{day}T00:00:00")


def league_slug(id_league: Any) -> str:
    """Return the catalog slug for a TheSportsDB league id, or ``thesportsdb:<id>`` if not in it."""
    league = league_by_provider_id(PROVIDER, str(id_league))
    return league.slug if league is not None else f"{PROVIDER}:{id_league}"


def normalize_event(raw: Mapping[str, Any], *, now: datetime, league: str | None = None) -> Match:
    """Normalize a v1 event (eventsday, eventspastleague, lookupevent) or a v2 livescore item.

    Args:
        raw: the vendor object.
        now: the current time, used only to settle events whose status is null.
        league: the league slug to set; by default the catalog's slug for ``idLeague``.

    A score that is not one, or missing once the match is under way, and a status we do not know
    are flagged in ``Match.suspect`` (the engine keeps their last good values), never read as 0.

    Raises:
        PayloadError: the event has no id or no date.
        KeyError, ValueError: a field is missing or malformed (``normalize_each`` skips those).
    """
    event_id = raw["idEvent"]
    if not event_id or isinstance(event_id, dict | list):
        raise PayloadError(PROVIDER, "event without idEvent")
    kickoff = kickoff_of(raw)
    raw_home, raw_away = raw.get("intHomeScore"), raw.get("intAwayScore")
    home, away = parse_score(raw_home), parse_score(raw_away)
    blank = is_blank(raw_home) and is_blank(raw_away)
    suspect: list[str] = []
    phase = phase_for(
        raw.get("strStatus"), scored=home is not None and away is not None, kickoff=kickoff, now=now
    )
    if phase is None:
        suspect.append("phase")
        phase = Phase(state=PhaseState.SCHEDULED)
    if str(raw.get("strPostponed") or "").lower() == "yes":
        phase = _STATUSES["pst"]
    scheduled = phase.state in (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED)
    if home is None or away is None:
        if not (blank and scheduled and not suspect):
            suspect.append("score")
        home = away = 0
    return Match(
        id=f"{PROVIDER}-{event_id}",
        league=league or league_slug(raw.get("idLeague")),
        kickoff=kickoff,
        home=Team(name=str(raw["strHomeTeam"]), id=str(raw.get("idHomeTeam") or "")),
        away=Team(name=str(raw["strAwayTeam"]), id=str(raw.get("idAwayTeam") or "")),
        phase=phase,
        score=Score(home or 0, away or 0),
        clock=clock_from_progress(raw.get("strProgress")),
        provider=PROVIDER,
        provider_ids={PROVIDER: str(event_id)},
        venue=str(raw.get("strVenue") or ""),
        suspect=tuple(suspect),
    )


def _goal_kind(detail: str) -> EventKind | None:
    text = detail.lower()
    if "missed" in text:
        return EventKind.PENALTY_MISS
    if "own" in text:
        return EventKind.OWN_GOAL
    if "penalty" in text:
        return EventKind.PENALTY_GOAL
    return EventKind.GOAL


def _card_kind(detail: str) -> EventKind:
    text = detail.lower()
    return EventKind.RED_CARD if "red" in text or "second yellow" in text else EventKind.YELLOW_CARD


def _id(value: Any) -> str:
    """A vendor id as text; empty for null and for anything that is not a short string or number."""
    if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > 40:
        return ""
    return str(value).strip()


def normalize_timeline_item(raw: Mapping[str, Any]) -> MatchEvent | None:
    """Normalize one ``lookuptimeline`` entry into a MatchEvent; None for kinds we do not show.

    The timeline is imported from API-Football: an own goal is listed under the team it counts
    for, and a ``subst`` names the player going off in ``strPlayer`` and the one coming on in
    ``strAssist`` (``strTimelineDetail`` repeats the incoming player's short name).
    """
    kind_text = str(raw["strTimeline"]).strip().lower()
    detail = str(raw.get("strTimelineDetail") or "")
    player = str(raw.get("strPlayer") or "") or None
    player_id = _id(raw.get("idPlayer"))
    other, other_id = str(raw.get("strAssist") or "") or None, _id(raw.get("idAssist"))
    kind: EventKind | None
    if kind_text == "goal":
        kind = _goal_kind(detail)
    elif kind_text == "card":
        kind = _card_kind(detail)
    elif kind_text == "subst":
        kind = EventKind.SUBSTITUTION
        coming_on = other or detail or None
        detail = f"{coming_on} on for {player}" if player else detail
        # strPlayer goes off and strAssist comes on: MatchEvent has the player coming on first.
        player, player_id, other, other_id = coming_on, other_id, player, player_id
    elif kind_text == "var" and "disallow" in detail.lower():
        kind = EventKind.GOAL_DISALLOWED
    else:
        kind = None
    if kind is None:
        return None
    home_flag = str(raw.get("strHome") or "").lower()
    side = Side.HOME if home_flag == "yes" else Side.AWAY if home_flag == "no" else None
    minute = integer(raw.get("intTime"), high=200)
    return MatchEvent(
        kind=kind,
        minute=f"{minute}'" if minute is not None else "",
        side=side,
        player=player,
        player_id=player_id,
        other_player=other,
        other_player_id=other_id,
        detail=detail,
        provider=PROVIDER,
        provider_event_id=str(raw.get("idTimeline") or "") or None,
    )
