"""Ranking rows by a competition's rules: points first, then the league's tie-breaks.

The rule of each league is named in the catalog (:data:`scoreterm.domain.leagues.TIEBREAKS`):

- ``goal_difference``: points, goal difference, goals scored (the default).
- ``wins``: points, wins, goal difference, goals scored.
- ``head_to_head``: points; then, among the teams level on points, the points and goal difference
  of the games between them, counted only once every pair has met ``h2h_legs`` times (both legs
  in a league); then overall goal difference and goals scored. When a subset is still level the
  head-to-head is applied again to that subset alone.
- ``head_to_head_group``: as ``head_to_head`` with head-to-head goals scored as a third criterion
  and one game per pair (tournament groups).
- ``official``: the official order is kept (US seeding is not computed).

Whatever is still level after the rule keeps the official table's order.

Head-to-head needs the results between the tied teams. In a group, the games played so far count
when every game of the tied teams is known (they had played none before the results given). Else,
when they are not all known (no list of earlier results was given, or a pair has not met yet),
teams that were already level on points in the official table keep its relative order — the
provider ranked them with the full record — and the others are ordered by goal difference and
goals scored; :func:`order` reports that it fell back so the table can say its order of level
teams is the official one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations, groupby

import msgspec

from scoreterm.domain.leagues import (
    TIEBREAK_HEAD_TO_HEAD,
    TIEBREAK_HEAD_TO_HEAD_GROUP,
    TIEBREAK_OFFICIAL,
    TIEBREAK_WINS,
    tiebreak_for,
)
from scoreterm.domain.model import Sport

# The shortest time from kick-off to a result: a soccer match lasts at least 90 minutes plus a
# 15-minute break; other sports get a floor well under their shortest game.
SOCCER_MIN_DURATION = timedelta(minutes=105)
OTHER_MIN_DURATION = timedelta(minutes=60)


class TableRules(msgspec.Struct, frozen=True, kw_only=True):
    """How a competition ranks its table and what a result is worth.

    Attributes:
        tiebreak: one of the ``TIEBREAK_*`` names of :mod:`scoreterm.domain.leagues`.
        win_points, draw_points: league points for a win and a draw.
        h2h_legs: games each pair plays (2 in a league, 1 in a tournament group); head-to-head
            decides only once every tied pair has played them all.
        min_duration: the shortest time from kick-off to a result; a table stamped earlier than
            ``kickoff + min_duration`` cannot hold that match.
    """

    tiebreak: str
    win_points: int = 3
    draw_points: int = 1
    h2h_legs: int = 2
    min_duration: timedelta = SOCCER_MIN_DURATION


def rules_for(league: str, sport: Sport | None = Sport.SOCCER) -> TableRules:
    """Return the table rules of league ``league`` (a catalog slug) in ``sport``."""
    tiebreak = tiebreak_for(league)
    if sport is not Sport.SOCCER:
        return TableRules(tiebreak=TIEBREAK_OFFICIAL, min_duration=OTHER_MIN_DURATION)
    legs = 1 if tiebreak == TIEBREAK_HEAD_TO_HEAD_GROUP else 2
    return TableRules(tiebreak=tiebreak, h2h_legs=legs)


@dataclass(frozen=True)
class Standing:
    """What ranking needs to know of one row; ``key`` identifies the team."""

    key: str
    points: int
    goal_difference: int
    goals_for: int
    wins: int
    official_rank: int
    official_points: int
    all_games_known: bool = False
    """Every game of this team is among the results given (it had played none in the official
    table), so a pair it is in that is missing from them has not met."""


@dataclass(frozen=True)
class Result:
    """A game between two rows (finished, or in play as it stands), for head-to-head."""

    home: str
    away: str
    home_goals: int
    away_goals: int


def order(
    standings: Sequence[Standing], rules: TableRules, results: Sequence[Result] = ()
) -> tuple[list[Standing], bool]:
    """Rank ``standings`` by ``rules``.

    Returns:
        The standings best first, and True when a head-to-head tie could not be decided from
        ``results`` and the official order of level teams was kept instead.
    """
    if rules.tiebreak == TIEBREAK_OFFICIAL:
        return sorted(standings, key=lambda s: s.official_rank), False
    ranked: list[Standing] = []
    fell_back = False
    by_points = sorted(standings, key=lambda s: (-s.points, s.official_rank))
    for _, level in groupby(by_points, key=lambda s: s.points):
        block = list(level)
        if all(_nothing_yet(s) for s in block):
            # Nothing to tell them apart (before a group's first game): the official order, no note.
            ranked.extend(sorted(block, key=lambda s: s.official_rank))
            continue
        if len(block) > 1 and rules.tiebreak in (TIEBREAK_HEAD_TO_HEAD, TIEBREAK_HEAD_TO_HEAD_GROUP):
            block, missing = _head_to_head(block, rules, results)
            fell_back = fell_back or missing
        elif rules.tiebreak == TIEBREAK_WINS:
            block.sort(key=lambda s: (-s.wins, -s.goal_difference, -s.goals_for, s.official_rank))
        else:
            block.sort(key=_overall)
        ranked.extend(block)
    return ranked, fell_back


def _nothing_yet(standing: Standing) -> bool:
    return not (standing.points or standing.goal_difference or standing.goals_for or standing.wins)


def _overall(standing: Standing) -> tuple[int, int, int]:
    return (-standing.goal_difference, -standing.goals_for, standing.official_rank)


def _head_to_head(
    block: list[Standing], rules: TableRules, results: Sequence[Result]
) -> tuple[list[Standing], bool]:
    keys = {s.key for s in block}
    games = [r for r in results if r.home in keys and r.away in keys and r.home != r.away]
    # A group ranks by the games played so far; when every game of these teams is known, the
    # pairs that have not met simply add nothing.
    so_far = rules.tiebreak == TIEBREAK_HEAD_TO_HEAD_GROUP and all(s.all_games_known for s in block)
    if not so_far and not _complete(keys, games, rules.h2h_legs):
        return _keep_official_level(block), True
    table = _mini_league(keys, games, rules)
    with_goals = rules.tiebreak == TIEBREAK_HEAD_TO_HEAD_GROUP

    def h2h_key(standing: Standing) -> tuple[int, ...]:
        points, difference, scored = table[standing.key]
        return (-points, -difference, -scored) if with_goals else (-points, -difference)

    ranked: list[Standing] = []
    fell_back = False
    for _, level in groupby(sorted(block, key=h2h_key), key=h2h_key):
        sub = list(level)
        if 1 < len(sub) < len(block):
            # Still level on the mini-league: apply it again to these teams only.
            sub, missing = _head_to_head(sub, rules, results)
            fell_back = fell_back or missing
        else:
            sub.sort(key=_overall)
        ranked.extend(sub)
    return ranked, fell_back


def _complete(keys: set[str], games: Sequence[Result], legs: int) -> bool:
    met = Counter(frozenset((g.home, g.away)) for g in games)
    return all(met[frozenset(pair)] >= legs for pair in combinations(sorted(keys), 2))


_MiniTable = dict[str, tuple[int, int, int]]


def _mini_league(keys: set[str], games: Sequence[Result], rules: TableRules) -> _MiniTable:
    """Points, goal difference and goals scored of each team in the games between ``keys``."""
    points = dict.fromkeys(keys, 0)
    difference = dict.fromkeys(keys, 0)
    scored = dict.fromkeys(keys, 0)
    for game in games:
        sides = ((game.home, game.home_goals, game.away_goals), (game.away, game.away_goals, game.home_goals))
        for team, own, other in sides:
            scored[team] += own
            difference[team] += own - other
            if own > other:
                points[team] += rules.win_points
            elif own == other:
                points[team] += rules.draw_points
    return {key: (points[key], difference[key], scored[key]) for key in keys}


def _keep_official_level(block: list[Standing]) -> list[Standing]:
    """Order by goal difference and goals, then put teams already level officially back in the
    official order, in the places that group holds."""
    ranked = sorted(block, key=_overall)
    clusters: dict[int, list[int]] = {}
    for index, standing in enumerate(ranked):
        clusters.setdefault(standing.official_points, []).append(index)
    for places in clusters.values():
        if len(places) > 1:
            members = sorted((ranked[i] for i in places), key=lambda s: s.official_rank)
            for place, member in zip(places, members, strict=True):
                ranked[place] = member
    return ranked
