"""ESPN soccer summary ``rosters[]`` -> :class:`Lineup` per side. Pure, defensive.

What the real payload carries (fifa.world MEX-RSA): per team ``formation`` (``"4-1-4-1"``) and
``roster[]`` entries with ``starter``, ``formationPlace`` (``"1"``..``"11"``, ``"0"`` on the
bench), ``jersey``, ``position.abbreviation`` (``CD-L``, ``DM``, ``SUB``...), ``subbedIn`` /
``subbedOut`` with ``subbedInFor`` / ``subbedOutFor`` naming the other player, and ``plays[]``:
the player's own goals, assists, cards and substitutions as flags with a clock, in match order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoreterm.domain.centre import Lineup, LineupPlayer, SideName, SubSwap, minute_text
from scoreterm.providers.values import as_dict, as_list, dig, flag, integer, name, text

__all__ = ["normalize_lineups", "roster_side"]

MAX_PLAYERS = 60


def roster_side(roster: Mapping[str, Any], sides: Mapping[str, SideName]) -> SideName | None:
    """The side of a roster: by team id when the caller knows the ids, else by ``homeAway``."""
    by_id = sides.get(text(dig(roster, "team", "id")))
    if by_id is not None:
        return by_id
    home_away = text(roster.get("homeAway"))
    return "home" if home_away == "home" else "away" if home_away == "away" else None


def normalize_lineups(rosters: Any, sides: Mapping[str, SideName]) -> tuple[Lineup | None, Lineup | None]:
    """Turn ``rosters[]`` into the home and the away lineup (None for a side that has none).

    Args:
        rosters: the summary's ``rosters`` value (anything; non-lists give no lineups).
        sides: ESPN team id -> side, from the match the summary belongs to.
    """
    found: dict[SideName, Lineup] = {}
    for raw in as_list(rosters):
        roster = as_dict(raw)
        side = roster_side(roster, sides)
        if side is None or side in found:
            continue
        lineup = _lineup(roster, side)
        if lineup is not None:
            found[side] = lineup
    return found.get("home"), found.get("away")


def _lineup(roster: Mapping[str, Any], side: SideName) -> Lineup | None:
    players = [p for p in (_player(as_dict(e)) for e in as_list(roster.get("roster"))[:MAX_PLAYERS]) if p]
    formation = text(roster.get("formation"), 20)
    if not players and not formation:
        return None
    team = as_dict(roster.get("team"))
    starters = sorted(
        (p for p in players if p.starter), key=lambda p: (p.formation_place == 0, p.formation_place)
    )
    return Lineup(
        side=side,
        team=name(team.get("displayName")) or name(team.get("name")),
        team_id=text(team.get("id"), 20),
        formation=formation,
        starters=tuple(starters),
        bench=tuple(p for p in players if not p.starter),
    )


def _swap(entry: Any, minute: str) -> SubSwap:
    other = as_dict(entry)
    return SubSwap(
        minute=minute,
        player=name(dig(other, "athlete", "displayName")),
        jersey=text(other.get("jersey"), 5),
    )


def _player(entry: Mapping[str, Any]) -> LineupPlayer | None:
    athlete = as_dict(entry.get("athlete"))
    display = name(athlete.get("displayName")) or name(athlete.get("fullName"))
    if not display:
        return None
    marks: dict[str, list[str]] = {k: [] for k in ("sub", "goal", "own", "assist", "yellow", "red")}
    for raw in as_list(entry.get("plays")):
        play = as_dict(raw)
        kind = _mark(play)
        if kind:
            marks[kind].append(minute_text(text(dig(play, "clock", "displayValue"), 20)))
    subs = marks["sub"]
    came_on = went_off = None
    if flag(entry.get("subbedIn")) or entry.get("subbedInFor") is not None:
        came_on = _swap(entry.get("subbedInFor"), subs[0] if subs else "")
    if flag(entry.get("subbedOut")) or entry.get("subbedOutFor") is not None:
        # A substitute who came on and went off has two substitution plays, in match order.
        off_minute = subs[-1] if subs and (came_on is None or len(subs) > 1) else ""
        went_off = _swap(entry.get("subbedOutFor"), off_minute)
    starter = flag(entry.get("starter"))
    return LineupPlayer(
        name=display,
        short_name=name(athlete.get("shortName")),
        athlete_id=text(athlete.get("id"), 20),
        jersey=text(entry.get("jersey"), 5),
        position=text(dig(entry, "position", "abbreviation"), 10),
        formation_place=(integer(entry.get("formationPlace"), 0, 11) or 0) if starter else 0,
        starter=starter,
        came_on=came_on,
        went_off=went_off,
        goals=tuple(marks["goal"]),
        own_goals=tuple(marks["own"]),
        assists=tuple(marks["assist"]),
        yellow_cards=tuple(marks["yellow"]),
        red_cards=tuple(marks["red"]),
    )


def _mark(play: Mapping[str, Any]) -> str:
    """What one of the player's ``plays`` says about him; ``""`` for nothing we show."""
    if flag(play.get("shootout")):
        return ""
    if flag(play.get("substitution")):
        return "sub"
    if flag(play.get("redCard")):
        return "red"
    if flag(play.get("yellowCard")):
        return "yellow"
    if flag(play.get("ownGoal")) and not flag(play.get("didAssist")):
        return "own"
    if flag(play.get("scoringPlay")):
        if flag(play.get("didScore")):
            return "goal"
        if flag(play.get("didAssist")):
            return "assist"
    return ""
