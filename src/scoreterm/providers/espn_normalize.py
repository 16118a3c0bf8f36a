"""ESPN site-API JSON (scoreboard and summary) -> domain objects. Pure functions, no I/O.

The provider, the engine and replay all run raw payloads through :func:`normalize_scoreboard`
and :func:`normalize_summary`. Status mapping lives in :mod:`espn_status` and betting lines in
:mod:`espn_odds`; both are re-exported here. Traps of the real payloads handled here: shoot-out
kicks sit in ``details``/``keyEvents`` flagged ``shootout: true`` and are not goals; own goals
carry the benefiting team's id; scoreboard details have no id of their own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import msgspec

from scoreterm.domain.leagues import league_by_provider_id
from scoreterm.domain.model import EventKind, Match, MatchEvent, Phase, Score, Side, Sport, Stat, Team
from scoreterm.providers.base import PayloadError, normalize_each, parse_kickoff
from scoreterm.providers.espn_odds import normalize_odds, parse_american, parse_line
from scoreterm.providers.espn_status import clock_for, phase_for

__all__ = [
    "PROVIDER",
    "event_kind",
    "normalize_details",
    "normalize_event",
    "normalize_key_events",
    "normalize_odds",
    "normalize_scoreboard",
    "normalize_stats",
    "normalize_status",
    "normalize_summary",
    "parse_american",
    "parse_line",
    "sport_of",
]

PROVIDER = "espn"

_Competitors = tuple[Mapping[str, Any], Mapping[str, Any]]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> int | None:
    """An integer from ESPN's score shapes (``"2"``, ``2``, ``{"value": 2.0}``); None if not one."""
    if isinstance(value, Mapping):  # some ESPN endpoints send {"value": 2.0, "displayValue": "2"}
        value = value.get("value", value.get("displayValue"))
    if isinstance(value, str):
        try:
            value = float(value.strip() or "0")
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


def _score(home: Mapping[str, Any], away: Mapping[str, Any], key: str = "score") -> Score:
    """The pair at ``key``; a missing value (scheduled games) is 0, a non-numeric one an error."""
    values = [_number(c.get(key)) if c.get(key) is not None else 0 for c in (home, away)]
    if values[0] is None or values[1] is None:
        raise PayloadError(PROVIDER, f"non-numeric {key}: {home.get(key)!r}-{away.get(key)!r}")
    return Score(values[0], values[1])


def sport_of(league_slug: str) -> Sport | None:
    """Return the sport of an ESPN league slug: from the catalog, else soccer for dotted slugs.

    Every ESPN soccer slug has a dot (``eng.1``, ``fifa.world``, ``concacaf.gold``) and the US
    leagues do not. None means unknown and gets generic period labels.
    """
    league = league_by_provider_id(PROVIDER, league_slug)
    if league is not None:
        return league.sport
    return Sport.SOCCER if "." in league_slug else None


def normalize_status(status: Any, sport: Sport | None, *, shootout: bool = False) -> tuple[Phase, str]:
    """Map an ESPN ``status`` object onto a Phase and the clock text to show.

    See :func:`espn_status.phase_for` for the labels and :func:`espn_status.clock_for` for the
    clock; ``shootout`` says the match has a shoot-out score.
    """
    raw = _dict(status)
    kind = _dict(raw.get("type"))
    short = _str(kind.get("shortDetail")) or _str(kind.get("detail"))
    phase = phase_for(
        _str(kind.get("state")),
        _str(kind.get("name")),
        _number(raw.get("period")) or 0,
        short,
        sport,
        completed=kind.get("completed") is True,
        shootout=shootout,
    )
    return phase, clock_for(phase, _str(raw.get("displayClock")), short, sport)


# -- teams and scores --


def _competitors(competition: Mapping[str, Any]) -> _Competitors:
    by_side = {_str(_dict(c).get("homeAway")): _dict(c) for c in _list(competition.get("competitors"))}
    home, away = by_side.get("home"), by_side.get("away")
    if home is None or away is None:
        raise PayloadError(PROVIDER, "competition lacks a home or an away competitor")
    return home, away


def _team(competitor: Mapping[str, Any]) -> Team:
    team = _dict(competitor.get("team"))
    name = _str(team.get("displayName")) or _str(team.get("name"))
    if not name:
        raise PayloadError(PROVIDER, "competitor without a team name")
    return Team(
        name=name,
        abbrev=_str(team.get("abbreviation")),
        id=_str(team.get("id")) or _str(competitor.get("id")),
        short_name=_str(team.get("shortDisplayName")),
    )


def _shootout(home: Mapping[str, Any], away: Mapping[str, Any]) -> Score | None:
    if home.get("shootoutScore") is None and away.get("shootoutScore") is None:
        return None
    return _score(home, away, "shootoutScore")


def _sides(home: Mapping[str, Any], away: Mapping[str, Any]) -> dict[str, Side]:
    sides: dict[str, Side] = {}
    for competitor, side in ((home, Side.HOME), (away, Side.AWAY)):
        for team_id in (_str(competitor.get("id")), _str(_dict(competitor.get("team")).get("id"))):
            if team_id:
                sides[team_id] = side
    return sides


# -- match events --


def event_kind(text: str, row: Mapping[str, Any]) -> EventKind | None:
    """Classify an ESPN detail / key event by its ``type.text`` and flags; None to ignore it.

    Shoot-out kicks must be filtered out first (they read ``Penalty - Scored``). Kickoff,
    half-time, delays and other phase markers return None: the engine derives phase changes
    from the match state, so itemising them here would report them twice.
    """
    lowered = text.lower()
    if "disallow" in lowered:
        return EventKind.GOAL_DISALLOWED
    if row.get("ownGoal") is True or "own goal" in lowered:
        return EventKind.OWN_GOAL
    if "penalty" in lowered and ("miss" in lowered or "saved" in lowered):
        return EventKind.PENALTY_MISS
    if lowered.startswith("penalty - scored") or (row.get("penaltyKick") and row.get("scoringPlay")):
        return EventKind.PENALTY_GOAL
    if lowered.startswith("goal") or row.get("scoringPlay") is True:
        return EventKind.GOAL
    if row.get("redCard") is True or "red card" in lowered:
        return EventKind.RED_CARD
    if row.get("yellowCard") is True or "yellow card" in lowered:
        return EventKind.YELLOW_CARD
    if "substitution" in lowered:
        return EventKind.SUBSTITUTION
    return None


def _event(
    row: Mapping[str, Any], sides: Mapping[str, Side], players: list[str], event_id: str
) -> MatchEvent | None:
    if row.get("shootout") is True:
        return None
    text = _str(_dict(row.get("type")).get("text"))
    kind = event_kind(text, row)
    if kind is None:
        return None
    detail = text
    if kind is EventKind.SUBSTITUTION and len(players) >= 2 and all(players[:2]):
        # ESPN lists the player coming on first ("Thalente Mbatha replaces Lyle Foster").
        detail = f"{players[0]} replaces {players[1]}"
    # On an own goal ESPN puts the *benefiting* team on the row (every fixture agrees: goals
    # per row team sum to the competitor scores), which is the side MatchEvent.side wants.
    return MatchEvent(
        kind=kind,
        minute=_str(_dict(row.get("clock")).get("displayValue")),
        side=sides.get(_str(_dict(row.get("team")).get("id"))),
        player=players[0] if players and players[0] else None,
        detail=detail,
        provider=PROVIDER,
        provider_event_id=event_id,
    )


def _event_id(row: Mapping[str, Any], athlete: Mapping[str, Any]) -> str:
    """Scoreboard details have no id, so build one from fields that tell two events apart.

    The summary's key events carry the same four values for the same goal or card (checked on
    MEX-RSA), so both endpoints give one event the same id and the engine sees it once.
    """
    return ":".join(
        (
            _str(_dict(row.get("type")).get("id")),
            _str(_dict(row.get("clock")).get("value")),
            _str(_dict(row.get("team")).get("id")),
            _str(athlete.get("id")),
        )
    )


def _detail_event(row: Any, sides: Mapping[str, Side]) -> MatchEvent | None:
    raw = _dict(row)
    athletes = [_dict(a) for a in _list(raw.get("athletesInvolved"))]
    event_id = _event_id(raw, athletes[0] if athletes else {})
    return _event(raw, sides, [_str(a.get("displayName")) for a in athletes], event_id)


def _key_event(row: Any, sides: Mapping[str, Side]) -> MatchEvent | None:
    raw = _dict(row)
    athletes = [_dict(_dict(p).get("athlete")) for p in _list(raw.get("participants"))]
    event_id = _event_id(raw, athletes[0] if athletes else {})
    return _event(raw, sides, [_str(a.get("displayName")) for a in athletes], event_id)


def _finish(events: list[MatchEvent]) -> tuple[MatchEvent, ...]:
    """Stamp the running score on goals and make provider event ids unique within the match."""
    home = away = 0
    seen: Counter[str | None] = Counter()
    finished: list[MatchEvent] = []
    for event in events:
        changes: dict[str, Any] = {}
        seen[event.provider_event_id] += 1
        if seen[event.provider_event_id] > 1:
            changes["provider_event_id"] = f"{event.provider_event_id}#{seen[event.provider_event_id]}"
        if event.kind.is_goal and event.side is not None:
            home, away = (home + 1, away) if event.side is Side.HOME else (home, away + 1)
            changes["score"] = Score(home, away)
        finished.append(msgspec.structs.replace(event, **changes) if changes else event)
    return tuple(finished)


def normalize_details(details: Any, sides: Mapping[str, Side]) -> tuple[MatchEvent, ...]:
    """Turn a scoreboard competition's ``details`` into match events, in match order.

    Shoot-out kicks are left out and goals carry the running score. ``sides`` maps ESPN team
    (and competitor) ids to the side they play on. ``provider_event_id`` is built from the type
    id, clock seconds, team id and athlete id (``"70:2253:448:291281"``), as for key events.
    """
    events = normalize_each(PROVIDER, _list(details), lambda r: _detail_event(r, sides), "detail")
    return _finish(events)


def normalize_key_events(key_events: Any, sides: Mapping[str, Side]) -> tuple[MatchEvent, ...]:
    """Turn a summary's ``keyEvents`` into goals, cards and substitutions, in match order.

    Shoot-out kicks and phase markers are left out. ``provider_event_id`` is built as for
    scoreboard details (not the key event's own id), so a card seen on the scoreboard and again
    in the summary keeps one identity.
    """
    events = normalize_each(PROVIDER, _list(key_events), lambda r: _key_event(r, sides), "key event")
    return _finish(events)


def normalize_stats(boxscore: Any, sides: Mapping[str, Side]) -> tuple[Stat, ...]:
    """Turn ``boxscore.teams[].statistics`` into Stat rows (named by ``label``), in ESPN's order.

    A statistic that only one team reports is dropped.
    """
    by_side: dict[Side, dict[str, tuple[str, str]]] = {}
    for team in _list(_dict(boxscore).get("teams")):
        raw = _dict(team)
        side = {"home": Side.HOME, "away": Side.AWAY}.get(_str(raw.get("homeAway")))
        side = side or sides.get(_str(_dict(raw.get("team")).get("id")))
        if side is None:
            continue
        values: dict[str, tuple[str, str]] = {}
        for stat in _list(raw.get("statistics")):
            item = _dict(stat)
            key = _str(item.get("name")) or _str(item.get("label"))
            if key:
                values[key] = (_str(item.get("label")) or key, _str(item.get("displayValue")))
        by_side[side] = values
    home, away = by_side.get(Side.HOME, {}), by_side.get(Side.AWAY, {})
    return tuple(Stat(label, value, away[key][1]) for key, (label, value) in home.items() if key in away)


# -- matches --


def normalize_event(event: Any, league_slug: str, sport: Sport | None) -> Match:
    """Turn one scoreboard ``events[]`` item into a Match.

    Raises:
        PayloadError: the event lacks an id, a date or a home/away team (ValueError for a
            non-numeric score); :func:`normalize_scoreboard` skips such events.
    """
    raw = _dict(event)
    event_id = _str(raw.get("id"))
    competitions = _list(raw.get("competitions"))
    competition = _dict(competitions[0]) if competitions else {}
    date = raw.get("date") or competition.get("date")
    if not event_id or not isinstance(date, str):
        raise PayloadError(PROVIDER, f"event {event_id or '?'} lacks an id or a date")
    home, away = _competitors(competition)
    shootout = _shootout(home, away)
    status = raw.get("status") or competition.get("status")
    phase, clock = normalize_status(status, sport, shootout=shootout is not None)
    # Only soccer details are itemised plays we understand; other sports send none anyway.
    events = (
        normalize_details(competition.get("details"), _sides(home, away)) if sport is Sport.SOCCER else ()
    )
    venue = _str(_dict(competition.get("venue")).get("fullName"))
    return Match(
        id=f"{PROVIDER}-{event_id}",
        league=league_slug,
        kickoff=parse_kickoff(PROVIDER, date),
        home=_team(home),
        away=_team(away),
        phase=phase,
        score=_score(home, away),
        shootout=shootout,
        clock=clock,
        provider=PROVIDER,
        provider_ids={PROVIDER: event_id},
        events=events,
        odds=normalize_odds(competition.get("odds")),
        venue=venue or _str(_dict(raw.get("venue")).get("displayName")),
    )


def normalize_scoreboard(payload: Any, league_slug: str, sport: Sport | None = None) -> list[Match]:
    """Turn an ESPN scoreboard payload into Matches; a malformed event is logged and skipped.

    Args:
        payload: the decoded JSON of ``.../{sport}/{league}/scoreboard``.
        league_slug: the catalog slug the matches belong to (``eng.1``).
        sport: the league's sport; looked up from the slug when None.

    Raises:
        PayloadError: the payload is not an object with an ``events`` list.
    """
    if not isinstance(payload, Mapping) or "events" not in payload:
        raise PayloadError(PROVIDER, "scoreboard payload is not an object with 'events'")
    resolved = sport if sport is not None else sport_of(league_slug)
    return normalize_each(PROVIDER, payload["events"], lambda e: normalize_event(e, league_slug, resolved))


def normalize_summary(payload: Any, match: Match, sport: Sport | None = None) -> Match:
    """Return ``match`` enriched from an ESPN summary payload.

    Events come from ``keyEvents`` (goals with scorer, cards, substitutions with the player
    coming on; shoot-out kicks and phase markers left out), odds from ``pickcenter``/``odds``,
    stats from ``boxscore``, the venue from ``gameInfo``, score and phase from ``header``.
    Whatever the summary lacks keeps the value ``match`` had (the header's status has no period
    or clock, so those come from ``match``).

    Raises:
        PayloadError: the payload is not an object, or is the summary of another event.
    """
    if not isinstance(payload, Mapping):
        raise PayloadError(PROVIDER, f"summary payload is a {type(payload).__name__}, not an object")
    header = _dict(payload.get("header"))
    event_id = match.provider_ids.get(PROVIDER)
    if header.get("id") is not None and event_id and _str(header.get("id")) != event_id:
        raise PayloadError(PROVIDER, f"asked for event {event_id}, got the summary of {header.get('id')}")
    resolved = sport if sport is not None else sport_of(match.league)
    competitions = _list(header.get("competitions"))
    competition = _dict(competitions[0]) if competitions else {}
    sides = {team.id: side for team, side in ((match.home, Side.HOME), (match.away, Side.AWAY)) if team.id}
    changes: dict[str, Any] = {}
    competitors = _competitors_or_none(competition)
    if competitors is not None:
        home, away = competitors
        sides.update(_sides(home, away))
        scores = _scores_or_none(home, away)
        if scores is not None:
            changes["score"], changes["shootout"] = scores
    status = _dict(competition.get("status"))
    if status.get("type"):
        merged = {"period": match.phase.period, "displayClock": match.clock, **status}
        shootout = changes.get("shootout", match.shootout) is not None
        changes["phase"], changes["clock"] = normalize_status(merged, resolved, shootout=shootout)
    events = normalize_key_events(payload.get("keyEvents"), sides) if resolved is Sport.SOCCER else ()
    if events:
        changes["events"] = events
    odds = normalize_odds(payload.get("pickcenter")) or normalize_odds(payload.get("odds"))
    if odds is not None:
        changes["odds"] = odds
    stats = normalize_stats(payload.get("boxscore"), sides)
    if stats:
        changes["stats"] = stats
    venue = _str(_dict(_dict(payload.get("gameInfo")).get("venue")).get("fullName"))
    if venue:
        changes["venue"] = venue
    return msgspec.structs.replace(match, **changes)


def _competitors_or_none(competition: Mapping[str, Any]) -> _Competitors | None:
    try:
        return _competitors(competition)
    except PayloadError:
        return None


def _scores_or_none(home: Mapping[str, Any], away: Mapping[str, Any]) -> tuple[Score, Score | None] | None:
    if home.get("score") is None or away.get("score") is None:
        return None
    try:
        return _score(home, away), _shootout(home, away)
    except PayloadError:
        return None
