"""ESPN US-sport summaries and live scoreboards -> box score, plays and situation. Pure, defensive.

Shapes of the real payloads (``espn_summary_us/*``, ``espn_other/mlb_scoreboard_*``):

- ``boxscore.teams[].statistics``: flat ``{name, label, displayValue}`` rows (NBA, NFL, NHL) or,
  for MLB, groups ``{name: batting|pitching|fielding, stats: [{name, displayValue}]}``.
- ``leaders[]``: per team, categories (``points``, ``passingYards``) with their leading athlete.
  The MLB summary has none.
- ``plays[]`` (NBA, NHL, MLB) in match order; MLB lists every pitch (``summaryType`` ``P``), the
  at-bat start (``A``) and the play results (``N``; ``S`` when runs scored; ``C`` for pitching
  changes), and flags ``scoringPlay`` on the pitches of a scoring at-bat too, so only results
  count. The NFL summary has no ``plays``: they sit in ``drives.previous[].plays``, and
  ``scoringPlays[]`` names the scoring team of each scoring play.
- scoreboard ``competitions[0].situation`` while live: MLB ``balls``, ``strikes``, ``outs``,
  ``onFirst/onSecond/onThird``, ``batter``/``pitcher`` (or ``dueUp`` between half-innings),
  ``lastPlay``; the half-inning is the first word of ``status.type.shortDetail`` (``Bot 1st``).
  NFL ``down``, ``distance``, ``downDistanceText``, ``possession`` (team id), ``isRedZone``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoreterm.domain.centre import (
    BoxScore,
    InningHalf,
    Leader,
    PeriodScore,
    Play,
    SideName,
    Situation,
    TeamStat,
    period_text,
)
from scoreterm.providers.values import as_dict, as_list, dig, flag, integer, name, text

__all__ = ["MAX_PLAYS", "normalize_box", "normalize_plays", "normalize_situation"]

MAX_PLAYS = 200
# MLB team stats worth a row, as (group, stat name, label): ESPN sends ~170 per team.
_MLB_STATS = (
    ("batting", "runs", "Runs"),
    ("batting", "hits", "Hits"),
    ("fielding", "errors", "Errors"),
    ("batting", "homeRuns", "Home Runs"),
    ("batting", "RBIs", "RBIs"),
    ("batting", "walks", "Walks"),
    ("batting", "strikeouts", "Strikeouts"),
    ("batting", "stolenBases", "Stolen Bases"),
    ("batting", "runnersLeftOnBase", "Left on Base"),
    ("batting", "avg", "Batting Average"),
    ("pitching", "pitches", "Pitches Thrown"),
)
_MLB_SKIP = frozenset(("P", "A"))
_HALVES: dict[str, InningHalf] = {
    "top": "top",
    "bot": "bottom",
    "bottom": "bottom",
    "mid": "middle",
    "middle": "middle",
    "end": "end",
}
_HALF_LABELS = {"top": "Top", "bottom": "Bot", "middle": "Mid", "end": "End"}


def _side_of(item: Mapping[str, Any], sides: Mapping[str, SideName]) -> SideName | None:
    by_id = sides.get(text(dig(item, "team", "id"), 20)) or sides.get(text(item.get("id"), 20))
    if by_id is not None:
        return by_id
    home_away = text(item.get("homeAway"), 10)
    return "home" if home_away == "home" else "away" if home_away == "away" else None


# -- box score --


def _team_stats(team: Mapping[str, Any], sport: str) -> dict[str, tuple[str, str]]:
    """Stat key -> (label, display value) for one team."""
    values: dict[str, tuple[str, str]] = {}
    rows = [as_dict(row) for row in as_list(team.get("statistics"))]
    if sport == "baseball":
        groups = {text(row.get("name"), 30): row for row in rows}
        for group, stat_name, label in _MLB_STATS:
            for stat in as_list(groups.get(group, {}).get("stats")):
                if text(dig(stat, "name"), 40) == stat_name:
                    values[f"{group}.{stat_name}"] = (label, text(dig(stat, "displayValue"), 20))
                    break
        return values
    for row in rows:
        key = text(row.get("name"), 80) or text(row.get("label"), 80)
        if key and key not in values and "stats" not in row:
            values[key] = (text(row.get("label"), 80) or key, text(row.get("displayValue"), 20))
    return values


def _stats(boxscore: Mapping[str, Any], sport: str, sides: Mapping[str, SideName]) -> tuple[TeamStat, ...]:
    by_side: dict[SideName, dict[str, tuple[str, str]]] = {}
    for raw in as_list(boxscore.get("teams")):
        team = as_dict(raw)
        side = _side_of(team, sides)
        if side is not None and side not in by_side:
            by_side[side] = _team_stats(team, sport)
    home, away = by_side.get("home", {}), by_side.get("away", {})
    return tuple(
        TeamStat(name=label, home=value, away=away[key][1])
        for key, (label, value) in home.items()
        if key in away
    )


def _leaders(leaders: Any, sides: Mapping[str, SideName]) -> tuple[Leader, ...]:
    found: dict[str, dict[SideName, Leader]] = {}
    for raw in as_list(leaders):
        team = as_dict(raw)
        side = _side_of(team, sides)
        if side is None:
            continue
        for category in (as_dict(c) for c in as_list(team.get("leaders"))):
            label = text(category.get("displayName"), 40) or text(category.get("name"), 40)
            entries = as_list(category.get("leaders"))
            first = as_dict(entries[0]) if entries else {}
            player = name(dig(first, "athlete", "displayName"))
            if not label or not player:
                continue
            leader = Leader(
                side=side,
                category=label,
                player=player,
                value=text(first.get("displayValue"), 60),
                short_name=name(dig(first, "athlete", "shortName")),
            )
            found.setdefault(label, {}).setdefault(side, leader)
    return tuple(
        leader for pair in found.values() for leader in (pair.get("home"), pair.get("away")) if leader
    )


def _linescore(
    header: Mapping[str, Any], sport: str, sides: Mapping[str, SideName]
) -> tuple[PeriodScore, ...]:
    competition = as_dict((as_list(header.get("competitions")) or [None])[0])
    lines: dict[SideName, list[str]] = {}
    for raw in as_list(competition.get("competitors")):
        competitor = as_dict(raw)
        side = _side_of(competitor, sides)
        if side is not None and side not in lines:
            scores = as_list(competitor.get("linescores"))[:30]
            lines[side] = [text(dig(s, "displayValue"), 5) or text(dig(s, "value"), 5) for s in scores]
    home, away = lines.get("home", []), lines.get("away", [])
    columns = max(len(home), len(away))
    if not home or not away:
        return ()
    home += [""] * (columns - len(home))
    away += [""] * (columns - len(away))
    return tuple(
        PeriodScore(period=_column(sport, i + 1), home=h, away=a)
        for i, (h, a) in enumerate(zip(home, away, strict=True))
    )


def _column(sport: str, period: int) -> str:
    label = period_text(sport, period)
    return str(period) if sport == "baseball" or label[1:].isdigit() else label


def normalize_box(summary: Mapping[str, Any], sport: str, sides: Mapping[str, SideName]) -> BoxScore | None:
    """Team stats (``boxscore.teams``), leaders and the line score (``header``); None if none."""
    box = BoxScore(
        stats=_stats(as_dict(summary.get("boxscore")), sport, sides),
        leaders=_leaders(summary.get("leaders"), sides),
        linescore=_linescore(as_dict(summary.get("header")), sport, sides),
    )
    return None if box == BoxScore() else box


# -- plays --


def _raw_plays(summary: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(play, drive) pairs: ``plays[]``, or the NFL's plays inside ``drives``."""
    empty: Mapping[str, Any] = {}
    plays = [(as_dict(p), empty) for p in as_list(summary.get("plays"))]
    if plays:
        return plays
    drives = as_dict(summary.get("drives"))
    found: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    for drive in (*as_list(drives.get("previous")), drives.get("current")):
        for play in as_list(as_dict(drive).get("plays")):
            found.append((as_dict(play), as_dict(drive)))
    return found


def _play(
    play: Mapping[str, Any],
    drive: Mapping[str, Any],
    sport: str,
    sides: Mapping[str, SideName],
    scorers: Mapping[str, str],
) -> Play | None:
    body = text(play.get("text"))
    summary_type = text(play.get("summaryType"), 5)
    if not body or (sport == "baseball" and summary_type in _MLB_SKIP):
        return None
    play_id = text(play.get("id"), 30)
    period = integer(dig(play, "period", "number"), 0, 99) or 0
    team_id = (
        scorers.get(play_id)
        or text(dig(play, "team", "id"), 20)
        or text(dig(play, "start", "team", "id"), 20)
    )
    label = period_text(sport, period)
    if sport == "baseball":
        half = _HALVES.get(text(dig(play, "period", "type"), 10).lower(), "")
        label = f"{_HALF_LABELS[half]} {period}" if half and period else label
    return Play(
        text=body,
        period=period,
        period_label=label,
        clock=text(dig(play, "clock", "displayValue"), 10),
        scoring=flag(play.get("scoringPlay")) and summary_type != "P",
        home_score=integer(play.get("homeScore"), 0, 10**4),
        away_score=integer(play.get("awayScore"), 0, 10**4),
        side=sides.get(team_id) or sides.get(text(dig(drive, "team", "id"), 20)),
        kind=text(dig(play, "type", "text"), 60),
        play_id=play_id,
    )


def normalize_plays(
    summary: Mapping[str, Any], sport: str, sides: Mapping[str, SideName], max_plays: int = MAX_PLAYS
) -> tuple[Play, ...]:
    """The play-by-play in match order; when longer than ``max_plays``, every scoring play and the
    latest others are kept (so the wire carries a bounded list)."""
    scorers = {
        text(dig(s, "id"), 30): text(dig(s, "team", "id"), 20) for s in as_list(summary.get("scoringPlays"))
    }
    plays = [
        p for p in (_play(play, drive, sport, sides, scorers) for play, drive in _raw_plays(summary)) if p
    ]
    if len(plays) <= max_plays:
        return tuple(plays)
    budget = max(max_plays - sum(p.scoring for p in plays), 0)
    others = [i for i, p in enumerate(plays) if not p.scoring]
    keep = set(others[len(others) - budget :]) if budget else set()
    return tuple(p for i, p in enumerate(plays) if p.scoring or i in keep)


# -- live situation --


def normalize_situation(event: Any, sport: str) -> Situation | None:
    """The live situation of a scoreboard ``events[]`` item; None unless live and given."""
    raw = as_dict(event)
    competition = as_dict((as_list(raw.get("competitions")) or [None])[0])
    status = as_dict(raw.get("status")) or as_dict(competition.get("status"))
    situation = as_dict(competition.get("situation"))
    if text(dig(status, "type", "state"), 10) != "in" or not situation:
        return None
    sides = {
        text(as_dict(c).get("id"), 20): side
        for c in as_list(competition.get("competitors"))
        if (side := _side_of(as_dict(c), {}))
    }
    last_play = text(dig(situation, "lastPlay", "text"))
    if sport == "baseball":
        detail = text(dig(status, "type", "shortDetail"), 40) or text(dig(status, "type", "detail"), 40)
        words = detail.split()
        return Situation(
            inning_half=_HALVES.get(words[0].lower(), "") if words else "",
            inning=integer(status.get("period"), 0, 99) or 0,
            balls=integer(situation.get("balls"), 0, 4),
            strikes=integer(situation.get("strikes"), 0, 3),
            outs=integer(situation.get("outs"), 0, 3),
            on_first=flag(situation.get("onFirst")),
            on_second=flag(situation.get("onSecond")),
            on_third=flag(situation.get("onThird")),
            batter=name(dig(situation, "batter", "athlete", "displayName")),
            pitcher=name(dig(situation, "pitcher", "athlete", "displayName")),
            due_up=tuple(
                n
                for n in (name(dig(d, "athlete", "displayName")) for d in as_list(situation.get("dueUp"))[:9])
                if n
            ),
            last_play=last_play,
        )
    if sport == "football":
        return Situation(
            down=integer(situation.get("down"), 1, 4),
            distance=integer(situation.get("distance"), 0, 100),
            yard_line_text=text(situation.get("downDistanceText"), 60)
            or text(situation.get("shortDownDistanceText"), 60),
            possession=sides.get(text(situation.get("possession"), 20)),
            red_zone=flag(situation.get("isRedZone")),
            last_play=last_play,
        )
    return Situation(last_play=last_play) if last_play else None
