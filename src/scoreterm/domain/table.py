"""League tables as immutable msgspec Structs: the official standings and the live table.

A :class:`Table` is what a provider publishes (ESPN's standings, football-data.org's, the group
table of an ESPN match summary), normalized; a :class:`LiveTable` is that table with the matches in
play applied, computed by :func:`scoreterm.domain.live_table.live_table`. Everything here is pure
data.

Soccer rows carry played / won / drawn / lost, goals and points (``points`` already includes
``deductions``, as providers publish it); US-sport rows carry the record, the playoff seed, games
behind, win percentage, streak and the clinch marker, and no ``points``. A number the provider did
not send is None, never a made-up 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime

import msgspec


class Zone(msgspec.Struct, frozen=True, kw_only=True):
    """What a row's place in the table is worth (``Champions League``, ``Relegation``).

    ``colour`` is the provider's hex colour (``#81D6AC``), empty when it gave none.
    """

    description: str
    colour: str = ""


class TableEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One team's row.

    Attributes:
        rank: position in its group, 1-based (the playoff seed for US sports).
        team: the team, with the provider's id, abbreviation and short name.
        played, won, drawn, lost: the record (``drawn`` holds NFL ties).
        goals_for, goals_against, goal_difference: goals (points scored for US sports); None when
            the provider does not publish them (the ESPN summary's group table has no goals).
        points: league points, deductions included; None for US sports.
        deductions: points taken off by the league (positive number).
        form: recent results as the provider lists them (``WDLWW``), when it gives them.
        note: the zone the row is in, if the provider marks one.
        seed, games_behind, win_pct, streak, clincher: US sports (``clincher`` is the provider's
            marker: ``z``, ``y``, ``x``, ``e``, ``*``...).
    """

    rank: int
    team: Team
    played: int = 0
    won: int = 0
    drawn: int = 0
    lost: int = 0
    goals_for: int | None = None
    goals_against: int | None = None
    goal_difference: int | None = None
    points: int | None = None
    deductions: int = 0
    form: str = ""
    note: Zone | None = None
    seed: int | None = None
    games_behind: float | None = None
    win_pct: float | None = None
    streak: str = ""
    clincher: str = ""


class TableGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A ranked list of rows: the whole league, one conference, or one tournament group."""

    name: str
    abbrev: str = ""
    entries: tuple[TableEntry, ...] = ()


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """A competition's official standings.

    Attributes:
        league: catalog slug (``eng.1``).
        season: the provider's season label (``2024-25 English Premier League``).
        source: provider name (``espn``, ``footballdata``).
        updated_at: an upper bound on what the table can hold: no result that came after this
            moment is in it. Set it to the time the table was fetched, not to a provider's
            "last updated" stamp, which can predate the standings it ships with (the captured
            World Cup summary says 21:03 on 11 June, yet its group table counts a match that kicked
            off at 02:00 on 12 June). None when unknown.
        groups: the groups or conferences, in the provider's order.
    """

    league: str
    season: str = ""
    source: str = ""
    updated_at: datetime | None = None
    groups: tuple[TableGroup, ...] = ()

    def entries(self) -> Iterator[TableEntry]:
        """Every row of every group, in order."""
        for group in self.groups:
            yield from group.entries

    def group_of(self, team_id: str) -> TableGroup | None:
        """Return the group holding the team with provider id ``team_id``, if any."""
        for group in self.groups:
            if any(entry.team.id == team_id for entry in group.entries):
                return group
        return None


class LiveMatch(msgspec.Struct, frozen=True, kw_only=True):
    """The match applied to a row, seen from that team: score for and against, opponent, clock."""

    match_id: str
    opponent: Team
    home: bool
    goals_for: int
    goals_against: int
    phase: Phase
    clock: str = ""


class LiveEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the live table.

    Attributes:
        entry: the row with the applied results; ``entry.rank`` is the live rank.
        official_rank: the rank in the official table.
        official_played: games played in the official table (the baseline of rule 1).
        move: places gained (positive, ▲) or lost (negative, ▼) against the official table.
        live: the latest match applied to the row (in play, or finished since the table).
        applied: ids of the matches applied on top of the official row, oldest first.
        counted: ids of this team's matches that the official table already counts.
    """

    entry: TableEntry
    official_rank: int
    official_played: int
    move: int = 0
    live: LiveMatch | None = None
    applied: tuple[str, ...] = ()
    counted: tuple[str, ...] = ()


class LiveGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A group of the live table, best first."""

    name: str
    abbrev: str = ""
    entries: tuple[LiveEntry, ...] = ()


class LiveTable(msgspec.Struct, frozen=True, kw_only=True):
    """The official table with the matches in play applied, re-ranked.

    Attributes:
        league, season, source: as in the official table.
        official_updated_at: the official table's ``updated_at``.
        tiebreak: the rule the groups were ranked by.
        groups: the live groups, in the official order of groups.
        applied: ids of the matches applied.
        counted: ids of finished matches left out because the official table counts them.
        skipped: ids of matches that could not be applied (teams not in one group, suspect score).
        official_order_kept: head-to-head was needed but the results between the level teams were
            not all known, so teams level in the official table keep its order.
    """

    league: str
    season: str = ""
    source: str = ""
    official_updated_at: datetime | None = None
    tiebreak: str = ""
    groups: tuple[LiveGroup, ...] = ()
    applied: tuple[str, ...] = ()
    counted: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    official_order_kept: bool = False

    def entry_for(self, team: Team, provider: str = "") -> LiveEntry | None:
        """Return the row of ``team``, if it is in the table.

        The team is found by id when it comes from the table's provider (or ``provider`` is not
        given), else by name, so a football-data table finds an ESPN match's teams.
        """
        rows = [live for group in self.groups for live in group.entries]
        if team.id and (not provider or not self.source or provider == self.source):
            found = next((live for live in rows if live.entry.team.id == team.id), None)
            if found is not None:
                return found
        wanted = {name_key(name) for name in (team.name, team.short_name) if name}
        named = [
            live
            for live in rows
            if wanted & {name_key(live.entry.team.name), name_key(live.entry.team.short_name)}
        ]
        return named[0] if len(named) == 1 else None


_NOISE = frozenset({"fc", "afc", "cf", "sc", "ac", "club", "the"})


def name_key(name: str) -> str:
    """A team name reduced to compare across providers: lower case, no accents, punctuation or club
    words (``Nottingham Forest FC`` and ``Nottingham Forest``, ``Atlético`` and ``Atletico`` agree)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    return " ".join(w for w in words if w not in _NOISE) or " ".join(words)


def team_key(team: Team) -> str:
    """A key for a team within one provider's data: its id, else its normalized name."""
    return f"id:{team.id}" if team.id else f"name:{name_key(team.name)}"


# model.py imports this module at its end (a Match carries one); importing model at the end here
# too lets either module be imported first. msgspec resolves the annotations on first use.
from scoreterm.domain.model import Phase, Team  # noqa: E402
