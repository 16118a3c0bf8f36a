"""The live table "as it stands": the official table with the matches in play applied and re-ranked.

:func:`live_table` takes the last official :class:`~scoreterm.domain.table.Table` and the matches
of the day, adds the current score of every match in play (and of matches finished since the
table was made) to the two teams' rows, ranks each group by the competition's rules
(:mod:`scoreterm.domain.tiebreak`) and says how far each team moved against the official table.

Never counting a match twice. A match is applied unless the official table already counts it:

1. If the previous live table (``previous``) applied the match to a team's row on top of an
   official played count ``P0``, the table counts it once that team's official played count has
   risen past ``P0`` (one match per game played, oldest first). A table fetched again before the
   provider caught up still shows ``P0``, so the result stays applied; one that caught up shows
   ``P0 + 1`` and the result is not added again.
2. Otherwise a match in play is applied: official tables count finished matches only.
3. Otherwise (a finished match seen for the first time) it is applied only when the table
   provably lacks it: a team of it has played no game in the table, or the table is older than
   the result, ``table.updated_at < kickoff + rules.min_duration`` (the match could not have
   ended when the table was made).
4. Otherwise it is taken as counted, and listed in :attr:`LiveTable.counted`: a result briefly
   missing from a table that lags is better than one counted twice.

A match is judged once for both teams (counted if either row says so), since an official table
counts a match for both sides or for neither. Matches whose teams are not both in one group, and
matches whose score the provider flagged as suspect, are left out and listed in ``skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import msgspec

from scoreterm.domain.model import Match, PhaseState, Team
from scoreterm.domain.table import (
    LiveEntry,
    LiveGroup,
    LiveMatch,
    LiveTable,
    Table,
    TableEntry,
    name_key,
    team_key,
)
from scoreterm.domain.tiebreak import Result, Standing, TableRules, order, rules_for

__all__ = ["LiveEntry", "LiveGroup", "LiveMatch", "LiveTable", "live_table", "name_key", "team_key"]

_APPLICABLE = (PhaseState.LIVE, PhaseState.BREAK, PhaseState.FINAL)


@dataclass(frozen=True)
class _Row:
    group: int
    key: str
    entry: TableEntry


class _Index:
    """Finds a match's team in the table: by id when both come from one provider, else by name."""

    def __init__(self, table: Table) -> None:
        self._source = table.source
        self._ids: dict[str, _Row] = {}
        names: dict[str, list[_Row]] = {}
        for number, group in enumerate(table.groups):
            for entry in group.entries:
                row = _Row(number, team_key(entry.team), entry)
                if entry.team.id:
                    self._ids.setdefault(entry.team.id, row)
                for name in (entry.team.name, entry.team.short_name):
                    if name_key(name):
                        names.setdefault(name_key(name), []).append(row)
                if entry.team.abbrev:
                    names.setdefault(f"abbrev:{entry.team.abbrev.upper()}", []).append(row)
        # A name two rows share identifies neither.
        self._names = {name: rows[0] for name, rows in names.items() if len(rows) == 1}

    def find(self, team: Team, provider: str) -> _Row | None:
        if team.id and (not self._source or not provider or provider == self._source):
            row = self._ids.get(team.id)
            if row is not None:
                return row
        for name in (name_key(team.name), name_key(team.short_name)):
            if name and name in self._names:
                return self._names[name]
        return self._names.get(f"abbrev:{team.abbrev.upper()}") if team.abbrev else None


def live_table(
    official: Table,
    matches: Iterable[Match],
    rules: TableRules | None = None,
    *,
    results: Iterable[Match] = (),
    previous: LiveTable | None = None,
) -> LiveTable:
    """Apply ``matches`` to ``official`` and rank it: the table as it stands.

    Args:
        official: the last official table.
        matches: the matches of the day(s); those in play or finished are considered (see the
            module docstring for which are applied), scheduled and postponed ones are ignored.
        rules: the competition's rules; :func:`~scoreterm.domain.tiebreak.rules_for` of the
            table's league by default.
        results: earlier finished matches, used only for head-to-head tie-breaks.
        previous: the live table computed before this one, whose per-row baselines decide when
            the official table has caught up with a result (rule 1).
    """
    rules = rules or rules_for(official.league)
    index = _Index(official)
    before = _previous_rows(previous)
    batch = sorted({m.id: m for m in matches}.values(), key=lambda m: (m.kickoff, m.id))
    applied: dict[str, list[tuple[Match, bool]]] = {}
    counted_by_row: dict[str, list[str]] = {}
    applied_ids: list[str] = []
    counted_ids: list[str] = []
    skipped: list[str] = []
    games: dict[str, Result] = {}
    for match in batch:
        if match.phase.state not in _APPLICABLE:
            continue
        rows = _rows_of(match, index)
        if rows is None or "score" in getattr(match, "suspect", ()):
            skipped.append(match.id)
            continue
        home, away = rows
        games[match.id] = Result(home.key, away.key, match.score.home, match.score.away)
        if _already_counted(match, rows, official, rules, before):
            counted_ids.append(match.id)
            for row in rows:
                counted_by_row.setdefault(row.key, []).append(match.id)
            continue
        applied_ids.append(match.id)
        applied.setdefault(home.key, []).append((match, True))
        applied.setdefault(away.key, []).append((match, False))
    for result in results:
        rows = _rows_of(result, index) if result.phase.state is PhaseState.FINAL else None
        if rows is not None and result.id not in games:
            games[result.id] = Result(rows[0].key, rows[1].key, result.score.home, result.score.away)
    groups = []
    kept = False
    for number, group in enumerate(official.groups):
        live_group, fell_back = _rank_group(
            group.name, group.abbrev, [_Row(number, team_key(e.team), e) for e in group.entries],
            applied, counted_by_row, rules, list(games.values()),
        )  # fmt: skip
        groups.append(live_group)
        kept = kept or fell_back
    return LiveTable(
        league=official.league,
        season=official.season,
        source=official.source,
        official_updated_at=official.updated_at,
        tiebreak=rules.tiebreak,
        groups=tuple(groups),
        applied=tuple(applied_ids),
        counted=tuple(counted_ids),
        skipped=tuple(skipped),
        official_order_kept=kept,
    )


def _rows_of(match: Match, index: _Index) -> tuple[_Row, _Row] | None:
    home = index.find(match.home, match.provider)
    away = index.find(match.away, match.provider)
    if home is None or away is None or home.group != away.group or home.key == away.key:
        return None
    return home, away


def _previous_rows(previous: LiveTable | None) -> Mapping[str, LiveEntry]:
    if previous is None:
        return {}
    return {team_key(live.entry.team): live for group in previous.groups for live in group.entries}


def _already_counted(
    match: Match,
    rows: tuple[_Row, _Row],
    official: Table,
    rules: TableRules,
    before: Mapping[str, LiveEntry],
) -> bool:
    known = False
    for row in rows:
        earlier = before.get(row.key)
        if earlier is None:
            continue
        if match.id in earlier.counted:
            return True
        if match.id in earlier.applied:
            known = True
            if row.entry.played - earlier.official_played > earlier.applied.index(match.id):
                return True
    if known or match.phase.is_active or any(row.entry.played == 0 for row in rows):
        return False
    stamp = official.updated_at
    return not (stamp is not None and stamp < match.kickoff + rules.min_duration)


def _rank_group(
    name: str,
    abbrev: str,
    rows: list[_Row],
    applied: Mapping[str, list[tuple[Match, bool]]],
    counted: Mapping[str, list[str]],
    rules: TableRules,
    games: list[Result],
) -> tuple[LiveGroup, bool]:
    updated = {row.key: _with_results(row.entry, applied.get(row.key, []), rules) for row in rows}
    if any(row.key in applied for row in rows):
        updated = _games_behind(updated)
    standings = [_standing(row, updated[row.key]) for row in rows]
    ranked, fell_back = order(standings, rules, games)
    official = {row.key: row.entry for row in rows}
    entries = []
    for rank, standing in enumerate(ranked, start=1):
        before = official[standing.key]
        mine = applied.get(standing.key, [])
        entries.append(
            LiveEntry(
                entry=msgspec.structs.replace(updated[standing.key], rank=rank),
                official_rank=before.rank,
                official_played=before.played,
                move=before.rank - rank,
                live=_live(*mine[-1]) if mine else None,
                applied=tuple(m.id for m, _ in mine),
                counted=tuple(counted.get(standing.key, ())),
            )
        )
    return LiveGroup(name=name, abbrev=abbrev, entries=tuple(entries)), fell_back


def _standing(row: _Row, entry: TableEntry) -> Standing:
    return Standing(
        key=row.key,
        points=entry.points or 0,
        goal_difference=entry.goal_difference or 0,
        goals_for=entry.goals_for or 0,
        wins=entry.won,
        official_rank=row.entry.rank,
        official_points=row.entry.points or 0,
        all_games_known=row.entry.played == 0,
    )


def _with_results(entry: TableEntry, games: list[tuple[Match, bool]], rules: TableRules) -> TableEntry:
    if not games:
        return entry
    won, drawn, lost, scored, conceded = entry.won, entry.drawn, entry.lost, 0, 0
    for match, home in games:
        own, other = (match.score.home, match.score.away) if home else (match.score.away, match.score.home)
        scored, conceded = scored + own, conceded + other
        if own > other:
            won += 1
        elif own == other:
            drawn += 1
        else:
            lost += 1
    played = entry.played + len(games)
    changes: dict[str, object] = {"played": played, "won": won, "drawn": drawn, "lost": lost}
    if entry.goals_for is not None:
        changes["goals_for"] = entry.goals_for + scored
    if entry.goals_against is not None:
        changes["goals_against"] = entry.goals_against + conceded
    if entry.goal_difference is not None:
        changes["goal_difference"] = entry.goal_difference + scored - conceded
    if entry.points is not None:
        gained = (won - entry.won) * rules.win_points + (drawn - entry.drawn) * rules.draw_points
        changes["points"] = entry.points + gained
    if entry.win_pct is not None and played:
        changes["win_pct"] = (won + drawn / 2) / played
    return msgspec.structs.replace(entry, **changes)


def _games_behind(rows: dict[str, TableEntry]) -> dict[str, TableEntry]:
    """Recompute games behind the group's best record, for the groups that publish it."""
    measured = [e for e in rows.values() if e.games_behind is not None]
    if not measured:
        return rows
    leader = max(measured, key=lambda e: e.won - e.lost)
    return {
        key: e if e.games_behind is None else msgspec.structs.replace(
            e, games_behind=((leader.won - e.won) + (e.lost - leader.lost)) / 2
        )
        for key, e in rows.items()
    }  # fmt: skip


def _live(match: Match, home: bool) -> LiveMatch:
    own, other = (match.score.home, match.score.away) if home else (match.score.away, match.score.home)
    return LiveMatch(
        match_id=match.id,
        opponent=match.away if home else match.home,
        home=home,
        goals_for=own,
        goals_against=other,
        phase=match.phase,
        clock=match.clock,
    )
