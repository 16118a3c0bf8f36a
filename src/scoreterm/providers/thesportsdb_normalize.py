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
_PROGRESS = re.compile(r"(\d+)(?:\s*\+\s*(\d+))?'?")


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


def phase_for(status: str | None, *, scored: bool, kickoff: datetime, now: datetime) -> Phase:
    """Map a ``strStatus`` onto a Phase.

    A null or empty status (old events) is derived: a scored event whose kickoff is more than
    :data:`FINISHED_AFTER` ago is final, anything else is scheduled. Unknown statuses (the other
    sports have many: ``IN3``, ``P2``...) are taken as live, labelled with the status itself.
    """
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
    log.debug("%s: unknown status %r taken as live", PROVIDER, text)
    return Phase(state=PhaseState.LIVE, label=text)


def clock_from_progress(progress: Any) -> str:
    """Turn ``strProgress`` (``"30"``, ``"90+6"``) into clock text (``"30'"``, ``"90'+6'"``)."""
    if progress is None:
        return ""
    found = _PROGRESS.fullmatch(str(progress).strip())
    if not found:
        return ""
    minute, added = found.groups()
    return f"{int(minute)}'+{int(added)}'" if added else f"{int(minute)}'"


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

    Raises:
        PayloadError: the event has no id or no date.
        KeyError, ValueError: a field is missing or malformed (``normalize_each`` skips those).
    """
    event_id = raw["idEvent"]
    if not event_id:
        raise PayloadError(PROVIDER, "event without idEvent")
    kickoff = kickoff_of(raw)
    home = parse_int(raw.get("intHomeScore"))
    away = parse_int(raw.get("intAwayScore"))
    phase = phase_for(
        raw.get("strStatus"), scored=home is not None and away is not None, kickoff=kickoff, now=now
    )
    if str(raw.get("strPostponed") or "").lower() == "yes":
        phase = _STATUSES["pst"]
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


def normalize_timeline_item(raw: Mapping[str, Any]) -> MatchEvent | None:
    """Normalize one ``lookuptimeline`` entry into a MatchEvent; None for kinds we do not show.

    The timeline is imported from API-Football: an own goal is listed under the team it counts
    for, and a ``subst`` names the player going off in ``strPlayer`` and the one coming on in
    ``strAssist`` (``strTimelineDetail`` repeats the incoming player's short name).
    """
    kind_text = str(raw["strTimeline"]).strip().lower()
    detail = str(raw.get("strTimelineDetail") or "")
    player = str(raw.get("strPlayer") or "") or None
    kind: EventKind | None
    if kind_text == "goal":
        kind = _goal_kind(detail)
    elif kind_text == "card":
        kind = _card_kind(detail)
    elif kind_text == "subst":
        kind = EventKind.SUBSTITUTION
        coming_on = str(raw.get("strAssist") or "") or detail or None
        detail = f"{coming_on} on for {player}" if player else detail
        player = coming_on
    elif kind_text == "var" and "disallow" in detail.lower():
        kind = EventKind.GOAL_DISALLOWED
    else:
        kind = None
    if kind is None:
        return None
    home_flag = str(raw.get("strHome") or "").lower()
    side = Side.HOME if home_flag == "yes" else Side.AWAY if home_flag == "no" else None
    minute = parse_int(raw.get("intTime"))
    return MatchEvent(
        kind=kind,
        minute=f"{minute}'" if minute is not None else "",
        side=side,
        player=player,
        detail=detail,
        provider=PROVIDER,
        provider_event_id=str(raw.get("idTimeline") or "") or None,
    )
