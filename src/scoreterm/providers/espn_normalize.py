"""ESPN site-API JSON (scoreboard and summary) -> domain objects. Pure functions, no I/O.

The provider, the engine and replay all run raw payloads through :func:`normalize_scoreboard`
and :func:`normalize_summary`. Status mapping lives in :mod:`espn_status` and betting lines in
:mod:`espn_odds`; both are re-exported here. Traps of the real payloads handled here: shoot-out
kicks sit in ``details``/``keyEvents`` flagged ``shootout: true`` and are not goals; own goals
carry the benefiting team's id; scoreboard details have no id of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from scoreterm.domain.leagues import league_by_provider_id
from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    Sport,
    Stat,
    Team,
)
from scoreterm.providers.base import PayloadError, match_id, normalize_each, parse_kickoff
from scoreterm.providers.espn_centre import normalize_centre, situation_of
from scoreterm.providers.espn_odds import When, normalize_odds, parse_american, parse_line
from scoreterm.providers.espn_status import KNOWN_STATES, clock_for, phase_for
from scoreterm.providers.espn_winprob import scoreboard_probability
from scoreterm.providers.values import as_dict, as_list, integer, is_blank, parse_score, text

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


_STATUS_NAME = re.compile(r"STATUS_[A-Z0-9_]{1,60}")


def _score(home: Mapping[str, Any], away: Mapping[str, Any], *, scheduled: bool) -> Score | None:
    """The score pair, or None when it is not one.

    Before kick-off a missing or blank value is 0 (nobody has scored); once the match is under
    way it is not a score at all, and neither is anything :func:`parse_score` refuses.
    """
    values: list[int | None] = []
    for competitor in (home, away):
        raw = competitor.get("score")
        if is_blank(raw) and scheduled:
            values.append(0)
            continue
        values.append(parse_score(raw))
    if values[0] is None or values[1] is None:
        return None
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
    clock; ``shootout`` says the match has a shoot-out score. :func:`status_known` tells whether
    the state was one ESPN documents.
    """
    raw = as_dict(status)
    kind = as_dict(raw.get("type"))
    short = text(kind.get("shortDetail")) or text(kind.get("detail"))
    phase = phase_for(
        text(kind.get("state")),
        text(kind.get("name")),
        integer(raw.get("period"), high=99) or 0,
        short,
        sport,
        completed=kind.get("completed") is True,
        shootout=shootout,
    )
    return phase, clock_for(phase, text(raw.get("displayClock")), short, sport)


def odds_moment(phase: Phase) -> When:
    """Which betting line fits a match in ``phase``: pre-match, live or closing."""
    if phase.is_active:
        return "live"
    return "post" if phase.state is PhaseState.FINAL else "pre"


def status_known(status: Any, sport: Sport | None = None) -> bool:
    """True when the status can be read: ``type.state`` is one of ESPN's (``pre``, ``in``,
    ``post``), ``type.name`` is a ``STATUS_...`` name (or absent), and a match under way has a
    period (and, in baseball, whose inning is its text, a ``shortDetail``).

    Anything else is a payload we cannot read, not a reason to move the match to another phase.
    """
    raw = as_dict(status)
    kind = as_dict(raw.get("type"))
    state = kind.get("state")
    if not isinstance(state, str) or state.lower() not in KNOWN_STATES:
        return False
    name = kind.get("name")
    if name is not None and not (isinstance(name, str) and _STATUS_NAME.fullmatch(name)):
        return False
    period = raw.get("period")
    if state.lower() == "in" and integer(period, high=99) is None:
        return False
    short = kind.get("shortDetail")
    inning_unknown = not isinstance(short, str) or not short.strip()
    if sport is Sport.BASEBALL and state.lower() == "in" and inning_unknown:
        return False
    return is_blank(period) or integer(period, high=99) is not None


# -- teams and scores --


def _competitors(competition: Mapping[str, Any]) -> _Competitors:
    by_side = {text(as_dict(c).get("homeAway")): as_dict(c) for c in as_list(competition.get("competitors"))}
    home, away = by_side.get("home"), by_side.get("away")
    if home is None or away is None:
        raise PayloadError(PROVIDER, "competition lacks a home or an away competitor")
    return home, away


def _team(competitor: Mapping[str, Any]) -> Team:
    team = as_dict(competitor.get("team"))
    name = text(team.get("displayName")) or text(team.get("name"))
    if not name:
        raise PayloadError(PROVIDER, "competitor without a team name")
    return Team(
        name=name,
        abbrev=text(team.get("abbreviation")),
        id=text(team.get("id")) or text(competitor.get("id")),
        short_name=text(team.get("shortDisplayName")),
    )


def _shootout(home: Mapping[str, Any], away: Mapping[str, Any]) -> Score | None:
    """The shoot-out score; None when there is none or it cannot be read."""
    if home.get("shootoutScore") is None and away.get("shootoutScore") is None:
        return None
    kicks = [parse_score(c.get("shootoutScore")) for c in (home, away)]
    if kicks[0] is None or kicks[1] is None:
        return None
    return Score(kicks[0], kicks[1])


def _sides(home: Mapping[str, Any], away: Mapping[str, Any]) -> dict[str, Side]:
    sides: dict[str, Side] = {}
    for competitor, side in ((home, Side.HOME), (away, Side.AWAY)):
        for team_id in (text(competitor.get("id")), text(as_dict(competitor.get("team")).get("id"))):
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
    scored_penalty = row.get("penaltyKick") is True and row.get("scoringPlay") is True
    if lowered.startswith("penalty - scored") or scored_penalty:
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
    row: Mapping[str, Any], sides: Mapping[str, Side], athletes: list[Mapping[str, Any]]
) -> MatchEvent | None:
    if row.get("shootout") is True:
        return None
    label = text(as_dict(row.get("type")).get("text"))
    kind = event_kind(label, row)
    if kind is None:
        return None
    event_id = _event_id(row, athletes[0] if athletes else {})
    names = [text(a.get("displayName")) for a in athletes]
    ids = [text(a.get("id")) for a in athletes]
    detail = label
    if kind is EventKind.SUBSTITUTION and len(names) >= 2 and all(names[:2]):
        # ESPN lists the player coming on first ("Thalente Mbatha replaces Lyle Foster").
        detail = f"{names[0]} replaces {names[1]}"
    # On an own goal ESPN puts the *benefiting* team on the row (every fixture agrees: goals
    # per row team sum to the competitor scores), which is the side MatchEvent.side wants.
    return MatchEvent(
        kind=kind,
        minute=text(as_dict(row.get("clock")).get("displayValue")),
        side=sides.get(text(as_dict(row.get("team")).get("id"))),
        player=names[0] if names and names[0] else None,
        player_id=ids[0] if ids else "",
        other_player=names[1] if len(names) > 1 and names[1] else None,
        other_player_id=ids[1] if len(ids) > 1 else "",
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
            text(as_dict(row.get("type")).get("id")),
            text(as_dict(row.get("clock")).get("value")),
            text(as_dict(row.get("team")).get("id")),
            text(athlete.get("id")),
        )
    )


def _detail_event(row: Any, sides: Mapping[str, Side]) -> MatchEvent | None:
    raw = as_dict(row)
    athletes = [as_dict(a) for a in as_list(raw.get("athletesInvolved"))]
    return _event(raw, sides, athletes)


def _key_event(row: Any, sides: Mapping[str, Side]) -> MatchEvent | None:
    raw = as_dict(row)
    athletes = [as_dict(as_dict(p).get("athlete")) for p in as_list(raw.get("participants"))]
    return _event(raw, sides, athletes)


def _finish(events: list[MatchEvent]) -> tuple[MatchEvent, ...]:
    """Stamp the running score on goals and drop rows listed twice.

    Two rows with the same id (type, clock second, team, athlete) are one event sent twice; kept
    as two they would read as a player's second card, or a second goal.
    """
    home = away = 0
    seen: set[str | None] = set()
    finished: list[MatchEvent] = []
    for event in events:
        if event.provider_event_id in seen:
            continue
        seen.add(event.provider_event_id)
        if event.kind.is_goal and event.side is not None:
            home, away = (home + 1, away) if event.side is Side.HOME else (home, away + 1)
            event = msgspec.structs.replace(event, score=Score(home, away))
        finished.append(event)
    return tuple(finished)


def normalize_details(details: Any, sides: Mapping[str, Side]) -> tuple[MatchEvent, ...]:
    """Turn a scoreboard competition's ``details`` into match events, in match order.

    Shoot-out kicks are left out and goals carry the running score. ``sides`` maps ESPN team
    (and competitor) ids to the side they play on. ``provider_event_id`` is built from the type
    id, clock seconds, team id and athlete id (``"70:2253:448:291281"``), as for key events.
    """
    events = normalize_each(PROVIDER, as_list(details), lambda r: _detail_event(r, sides), "detail")
    return _finish(events)


def normalize_key_events(key_events: Any, sides: Mapping[str, Side]) -> tuple[MatchEvent, ...]:
    """Turn a summary's ``keyEvents`` into goals, cards and substitutions, in match order.

    Shoot-out kicks and phase markers are left out. ``provider_event_id`` is built as for
    scoreboard details (not the key event's own id), so a card seen on the scoreboard and again
    in the summary keeps one identity.
    """
    events = normalize_each(PROVIDER, as_list(key_events), lambda r: _key_event(r, sides), "key event")
    return _finish(events)


def normalize_stats(boxscore: Any, sides: Mapping[str, Side]) -> tuple[Stat, ...]:
    """Turn ``boxscore.teams[].statistics`` into Stat rows (named by ``label``), in ESPN's order.

    A statistic that only one team reports is dropped.
    """
    by_side: dict[Side, dict[str, tuple[str, str]]] = {}
    for team in as_list(as_dict(boxscore).get("teams")):
        raw = as_dict(team)
        side = {"home": Side.HOME, "away": Side.AWAY}.get(text(raw.get("homeAway")))
        side = side or sides.get(text(as_dict(raw.get("team")).get("id")))
        if side is None:
            continue
        values: dict[str, tuple[str, str]] = {}
        for stat in as_list(raw.get("statistics")):
            item = as_dict(stat)
            key = text(item.get("name")) or text(item.get("label"))
            if key:
                values[key] = (text(item.get("label")) or key, text(item.get("displayValue")))
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
    raw = as_dict(event)
    event_id = text(raw.get("id"))
    competitions = as_list(raw.get("competitions"))
    competition = as_dict(competitions[0]) if competitions else {}
    date = raw.get("date") or competition.get("date")
    if not event_id or not isinstance(date, str):
        raise PayloadError(PROVIDER, f"event {event_id or '?'} lacks an id or a date")
    home, away = _competitors(competition)
    shootout = _shootout(home, away)
    status = raw.get("status") or competition.get("status")
    phase, clock = normalize_status(status, sport, shootout=shootout is not None)
    suspect: list[str] = [] if status_known(status, sport) else ["phase"]
    score = _score(home, away, scheduled=phase.state is PhaseState.SCHEDULED and not suspect)
    kicks_unreadable = shootout is None and not (
        is_blank(home.get("shootoutScore")) and is_blank(away.get("shootoutScore"))
    )
    if score is None or kicks_unreadable:
        suspect.append("score")
    # Only soccer details are itemised plays we understand; other sports send none anyway.
    events = (
        normalize_details(competition.get("details"), _sides(home, away)) if sport is Sport.SOCCER else ()
    )
    venue = text(as_dict(competition.get("venue")).get("fullName"))
    return Match(
        id=f"{PROVIDER}-{event_id}",
        league=league_slug,
        kickoff=parse_kickoff(PROVIDER, date),
        home=_team(home),
        away=_team(away),
        phase=phase,
        score=score or Score(),
        shootout=shootout,
        clock=clock,
        provider=PROVIDER,
        provider_ids={PROVIDER: event_id},
        events=events,
        odds=normalize_odds(competition.get("odds"), odds_moment(phase)),
        venue=venue or text(as_dict(raw.get("venue")).get("displayName")),
        suspect=tuple(suspect),
        stage=text(as_dict(raw.get("season")).get("slug"))[:60],
        prob=None if sport is Sport.SOCCER else scoreboard_probability(raw),
        situation=situation_of(raw, sport.value) if sport is not None and sport is not Sport.SOCCER else None,
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
    return normalize_each(
        PROVIDER, payload["events"], lambda e: normalize_event(e, league_slug, resolved), key=match_id
    )


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
    header = as_dict(payload.get("header"))
    event_id = match.provider_ids.get(PROVIDER)
    if header.get("id") is not None and event_id and text(header.get("id")) != event_id:
        raise PayloadError(PROVIDER, f"asked for event {event_id}, got the summary of {header.get('id')}")
    resolved = sport if sport is not None else sport_of(match.league)
    competitions = as_list(header.get("competitions"))
    competition = as_dict(competitions[0]) if competitions else {}
    sides = {team.id: side for team, side in ((match.home, Side.HOME), (match.away, Side.AWAY)) if team.id}
    changes: dict[str, Any] = {}
    competitors = _competitors_or_none(competition)
    if competitors is not None:
        home, away = competitors
        sides.update(_sides(home, away))
        # The summary only adds to what the scoreboard said: a score it cannot read is left out.
        score = _score(home, away, scheduled=False)
        if score is not None:
            changes["score"], changes["shootout"] = score, _shootout(home, away)
    status = as_dict(competition.get("status"))
    if status.get("type") and status_known(status, resolved):
        merged = {"period": match.phase.period, "displayClock": match.clock, **status}
        shootout = changes.get("shootout", match.shootout) is not None
        changes["phase"], changes["clock"] = normalize_status(merged, resolved, shootout=shootout)
    events = normalize_key_events(payload.get("keyEvents"), sides) if resolved is Sport.SOCCER else ()
    if events:
        changes["events"] = events
    when = odds_moment(changes.get("phase", match.phase))
    odds = normalize_odds(payload.get("pickcenter"), when) or normalize_odds(payload.get("odds"), when)
    if odds is not None:
        changes["odds"] = odds
    stats = normalize_stats(payload.get("boxscore"), sides)
    if stats:
        changes["stats"] = stats
    venue = text(as_dict(as_dict(payload.get("gameInfo")).get("venue")).get("fullName"))
    if venue:
        changes["venue"] = venue
    if resolved is not None:
        centre = normalize_centre(
            payload, resolved.value, home_team_id=match.home.id, away_team_id=match.away.id
        )
        changes["centre"] = None if centre.is_empty else centre
    return msgspec.structs.replace(match, **changes)


def _competitors_or_none(competition: Mapping[str, Any]) -> _Competitors | None:
    try:
        return _competitors(competition)
    except PayloadError:
        return None
