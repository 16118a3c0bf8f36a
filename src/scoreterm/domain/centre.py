"""The match centre: lineups, commentary, shots, preview, box score, plays and live situation.

Pure data as frozen msgspec Structs (they ride on ``Match``, the wire and tapes, so every field is
JSON-friendly) plus pure helpers to read them. This module is imported by ``domain/model.py`` and
so must not import it: sides are the plain strings ``"home"`` / ``"away"`` (the values of
``model.Side``) and sports the ESPN sport slugs (the values of ``model.Sport``).

Orders kept from the provider (newest-first is a display choice, made by the screen):

- ``MatchCentre.commentary`` and ``MatchCentre.shots`` run oldest first (ESPN's ``sequence``
  order); the commentary view reverses them.
- ``MatchCentre.plays`` run oldest first; :func:`scoring_first` puts scoring plays on top.
- form games run newest first (ESPN's order, and the order of the ``"WWDLW"`` form strings).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from scoreterm.domain.centre_text import (
    bases_text,
    formation_lines,
    minute_text,
    period_text,
    scoring_first,
    shot_counts,
    situation_text,
)

__all__ = [
    "BoxScore",
    "CommentaryItem",
    "CommentaryKind",
    "FormGame",
    "HeadToHeadGame",
    "InningHalf",
    "Leader",
    "Lineup",
    "LineupPlayer",
    "MatchCentre",
    "PeriodScore",
    "Play",
    "Preview",
    "Shot",
    "ShotOutcome",
    "SideName",
    "Situation",
    "SubSwap",
    "TeamStat",
    "bases_text",
    "formation_lines",
    "minute_text",
    "period_text",
    "scoring_first",
    "shot_counts",
    "situation_text",
]

SideName = Literal["home", "away"]
"""A side as a plain string: the values of ``model.Side`` (which is a StrEnum)."""

CommentaryKind = Literal[
    "goal", "own_goal", "yellow_card", "red_card", "substitution", "shot", "var", "phase", "other"
]
ShotOutcome = Literal["goal", "on_target", "off_target", "blocked", "woodwork"]
InningHalf = Literal["top", "bottom", "middle", "end", ""]


# -- lineups --


class SubSwap(msgspec.Struct, frozen=True, kw_only=True):
    """One side of a substitution: when, and the other player (replaced, or replacing)."""

    minute: str = ""
    player: str = ""
    jersey: str = ""


class LineupPlayer(msgspec.Struct, frozen=True, kw_only=True):
    """A player of a team sheet, with what happened to him so far.

    ``formation_place`` is ESPN's (Opta's) slot 1-11 for starters (1 is the goalkeeper) and 0 on the
    bench. ``came_on`` holds the minute and the player he replaced; ``went_off`` the minute and his
    replacement. The card, goal and assist tuples hold one minute text (``"90+2'"``) per event.
    """

    name: str
    short_name: str = ""
    athlete_id: str = ""
    jersey: str = ""
    position: str = ""
    formation_place: int = 0
    starter: bool = False
    came_on: SubSwap | None = None
    went_off: SubSwap | None = None
    goals: tuple[str, ...] = ()
    own_goals: tuple[str, ...] = ()
    assists: tuple[str, ...] = ()
    yellow_cards: tuple[str, ...] = ()
    red_cards: tuple[str, ...] = ()

    @property
    def sent_off(self) -> bool:
        """True once the player has a red card."""
        return bool(self.red_cards)


class Lineup(msgspec.Struct, frozen=True, kw_only=True):
    """One team's sheet: formation (``"4-1-4-1"``), starters by formation place, then the bench."""

    side: SideName
    team: str
    team_id: str = ""
    formation: str = ""
    starters: tuple[LineupPlayer, ...] = ()
    bench: tuple[LineupPlayer, ...] = ()

    def on_pitch(self) -> tuple[LineupPlayer, ...]:
        """The players on the pitch now: starters and used substitutes not off or sent off."""
        used = tuple(p for p in self.bench if p.came_on is not None)
        return tuple(p for p in (*self.starters, *used) if p.went_off is None and not p.sent_off)


# -- the story so far --


class CommentaryItem(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the minute-by-minute commentary.

    ``minute`` is display text (``"45+2'"``, empty before kick-off and after the whistle);
    ``sequence`` is the provider's running number, ``side`` is None when no team is named.
    """

    sequence: int
    minute: str
    text: str
    period: int = 0
    kind: CommentaryKind = "other"
    side: SideName | None = None
    play_id: str = ""


class Shot(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt on goal, placed as ESPN places it.

    Coordinates are percentages of the pitch *from the shooting team's point of view*, as ESPN's
    ``fieldPositionX/Y`` give them (checked on MEX-RSA, where both teams' shots sit at high X):
    ``x`` runs 0-100 from the shooter's own goal line to the goal he attacks (100), ``y`` runs
    0-100 across the pitch from the attacker's right touchline to his left (50 is the middle; a
    shot "from the left side of the box" has y near 70). ``end_x``/``end_y`` are where the ball
    ended (blocked, saved, or the goal line at 100), ``goal_y`` where it crossed the goal line
    (the goal mouth spans about 45-55). Any of them is None when ESPN gave none.
    """

    side: SideName
    player: str
    minute: str
    outcome: ShotOutcome
    period: int = 0
    x: float | None = None
    y: float | None = None
    end_x: float | None = None
    end_y: float | None = None
    goal_y: float | None = None
    play_id: str = ""


# -- before kick-off --


class FormGame(msgspec.Struct, frozen=True, kw_only=True):
    """A recent game of one team, from that team's point of view."""

    date: str
    opponent: str
    result: Literal["W", "D", "L", ""] = ""
    at_home: bool | None = None
    score_for: int | None = None
    score_against: int | None = None
    competition: str = ""


class HeadToHeadGame(msgspec.Struct, frozen=True, kw_only=True):
    """A past meeting of the two teams (``home``/``away`` are team abbreviations)."""

    date: str
    home: str
    away: str
    home_score: int | None = None
    away_score: int | None = None
    competition: str = ""


class Preview(msgspec.Struct, frozen=True, kw_only=True):
    """What a fan reads before kick-off: form, head-to-head, venue and crowd.

    ``home_form_text``/``away_form_text`` are result letters newest first (``"WWWDD"``).
    """

    home_form: tuple[FormGame, ...] = ()
    away_form: tuple[FormGame, ...] = ()
    home_form_text: str = ""
    away_form_text: str = ""
    head_to_head: tuple[HeadToHeadGame, ...] = ()
    venue: str = ""
    city: str = ""
    attendance: int | None = None


# -- US sports --


class TeamStat(msgspec.Struct, frozen=True, kw_only=True):
    """A team statistic as display strings; the same shape as ``model.Stat``."""

    name: str
    home: str
    away: str


class Leader(msgspec.Struct, frozen=True, kw_only=True):
    """A team's leader in one category (``"Points"``, ``"Passing Yards"``)."""

    side: SideName
    category: str
    player: str
    value: str
    short_name: str = ""


class PeriodScore(msgspec.Struct, frozen=True, kw_only=True):
    """One column of the line score (``"1"``..``"4"``, ``"OT"``, innings); ``""`` if not played."""

    period: str
    home: str
    away: str


class BoxScore(msgspec.Struct, frozen=True, kw_only=True):
    """Team statistics, leading players and the line score."""

    stats: tuple[TeamStat, ...] = ()
    leaders: tuple[Leader, ...] = ()
    linescore: tuple[PeriodScore, ...] = ()


class Play(msgspec.Struct, frozen=True, kw_only=True):
    """One play of the play-by-play; the score is the score after it (None when not given)."""

    text: str
    period: int = 0
    period_label: str = ""
    clock: str = ""
    scoring: bool = False
    home_score: int | None = None
    away_score: int | None = None
    side: SideName | None = None
    kind: str = ""
    play_id: str = ""


class Situation(msgspec.Struct, frozen=True, kw_only=True):
    """The live state between plays, as the scoreboard gives it.

    Baseball: ``inning_half`` (``top``/``bottom``/``middle``/``end``), ``inning``, the count,
    ``outs``, runners, batter and pitcher (``due_up`` between half-innings). Football: ``down``,
    ``distance``, ``yard_line_text`` (``"3rd & 4 at NE 35"``), ``possession`` and ``red_zone``.
    Unknown numbers are None, never 0.
    """

    inning_half: InningHalf = ""
    inning: int = 0
    balls: int | None = None
    strikes: int | None = None
    outs: int | None = None
    on_first: bool = False
    on_second: bool = False
    on_third: bool = False
    batter: str = ""
    pitcher: str = ""
    due_up: tuple[str, ...] = ()
    down: int | None = None
    distance: int | None = None
    yard_line_text: str = ""
    possession: SideName | None = None
    red_zone: bool = False
    last_play: str = ""


class MatchCentre(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the match screen shows beyond the score; each part empty when not provided."""

    home_lineup: Lineup | None = None
    away_lineup: Lineup | None = None
    commentary: tuple[CommentaryItem, ...] = ()
    shots: tuple[Shot, ...] = ()
    preview: Preview | None = None
    box: BoxScore | None = None
    plays: tuple[Play, ...] = ()
    situation: Situation | None = None

    @property
    def is_empty(self) -> bool:
        """True when the provider gave nothing for any part."""
        return self == MatchCentre()
