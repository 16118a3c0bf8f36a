"""The domain model: leagues, teams, matches, events and odds as immutable msgspec Structs.

Everything here is pure data. Providers produce these objects, the engine diffs them, the wire
protocol and tapes encode them with msgspec, and the TUI renders them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar, Literal, TypeAlias

import msgspec

from scoreterm.domain.centre import MatchCentre, Situation


class Sport(enum.StrEnum):
    """The sports scoreterm knows how to show (ESPN's sport slugs)."""

    SOCCER = "soccer"
    BASKETBALL = "basketball"
    FOOTBALL = "football"
    HOCKEY = "hockey"
    BASEBALL = "baseball"


class League(msgspec.Struct, frozen=True, kw_only=True):
    """A competition, keyed by its ESPN slug (``eng.1``), with its id at every provider that has it."""

    slug: str
    name: str
    sport: Sport
    country: str
    provider_ids: dict[str, str] = msgspec.field(default_factory=dict)

    def provider_id(self, provider: str) -> str | None:
        """Return this league's id at ``provider``, or None when the provider does not carry it."""
        return self.provider_ids.get(provider)


class PhaseState(enum.StrEnum):
    """Coarse state of a match; vendor statuses map onto these first, then refine the label."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    BREAK = "break"
    FINAL = "final"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


class Phase(msgspec.Struct, frozen=True, kw_only=True):
    """Where a match stands: its state, the period number and a short display label.

    Labels: ``1H``, ``HT``, ``2H``, ``ET``, ``PEN``, ``FT``, ``AET``, ``Q3``, ``OT``...
    """

    state: PhaseState
    period: int = 0
    label: str = ""

    @property
    def is_active(self) -> bool:
        """True while the match is under way (in play or at a break)."""
        return self.state in (PhaseState.LIVE, PhaseState.BREAK)

    @property
    def is_over(self) -> bool:
        """True once nothing more will change (final, postponed, cancelled)."""
        return self.state in (PhaseState.FINAL, PhaseState.POSTPONED, PhaseState.CANCELLED)


class Side(enum.StrEnum):
    """Home or away."""

    HOME = "home"
    AWAY = "away"


class Team(msgspec.Struct, frozen=True, kw_only=True):
    """A team as a provider names it."""

    name: str
    abbrev: str = ""
    id: str = ""
    short_name: str = ""


class Score(msgspec.Struct, frozen=True):
    """A home/away score pair."""

    home: int = 0
    away: int = 0

    def for_side(self, side: Side) -> int:
        """Return the score of ``side``."""
        return self.home if side is Side.HOME else self.away

    def __str__(self) -> str:
        return f"{self.home}-{self.away}"


class EventKind(enum.StrEnum):
    """What happened in a match."""

    GOAL = "goal"
    OWN_GOAL = "own_goal"
    PENALTY_GOAL = "penalty_goal"
    PENALTY_MISS = "penalty_miss"
    GOAL_DISALLOWED = "goal_disallowed"
    SCORE_CORRECTION = "score_correction"
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"
    SUBSTITUTION = "substitution"
    PHASE_CHANGE = "phase_change"
    POSTPONED = "postponed"

    @property
    def is_goal(self) -> bool:
        """True for the kinds that add one to the score."""
        return self in (EventKind.GOAL, EventKind.OWN_GOAL, EventKind.PENALTY_GOAL)


class WinProbability(msgspec.Struct, frozen=True, kw_only=True):
    """Who is winning, as probabilities that sum to 1, and where the numbers come from.

    ``source`` is ``market`` (a bookmaker's price with its margin removed), ``espn`` (ESPN's own
    model, US sports) or ``model`` (scoreterm's in-play model). ``draw`` is None where the game
    cannot end drawn; with ``advance`` set, ``home``/``away`` are the chances of going through a
    knock-out tie (extra time and penalties included) rather than of winning in regular time.
    """

    home: float
    away: float
    draw: float | None = None
    source: str = "model"
    advance: bool = False


class MatchEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One thing that happened in a match.

    ``side`` is the side the event counts for: for an own goal, the side whose score went up.
    ``player`` is who scored, was booked or came on; ``other_player`` who assisted (a goal) or went
    off (a substitution). ``score`` is the match's score after the event, in match order (a card
    at 59' after a goal at 53' carries 1-0; a disallowed goal the score once it is taken back).
    ``synthetic`` events were inferred from a score change before the provider described them.
    ``key`` identifies the event within its match across polls and providers (a goal is
    ``goal:home:2-1``, the side and the running score it made; a card the team, the player and
    which card of theirs it is); an event with ``enriches`` set adds detail (scorer, minute) to one
    already reported under the same key, and one with ``revises`` set corrects its minute (or a
    goal's scorer) — neither is a new event. A goal, a red card or a disallowed goal carries the win
    probability just before and just after it (``prob_before``, ``prob_after``): the swing it
    caused. ``seq`` is 0 until the engine assigns the match's next sequence number.
    """

    kind: EventKind
    minute: str = ""
    side: Side | None = None
    player: str | None = None
    player_id: str = ""
    other_player: str | None = None
    other_player_id: str = ""
    detail: str = ""
    score: Score | None = None
    provider: str = ""
    provider_event_id: str | None = None
    synthetic: bool = False
    key: str = ""
    enriches: bool = False
    revises: bool = False
    prob_before: WinProbability | None = None
    prob_after: WinProbability | None = None
    seq: int = 0


class MoneyLine(msgspec.Struct, frozen=True, kw_only=True):
    """American odds for a 1X2 market (``-230``, ``+750``); None where the book gives none."""

    home: int | None = None
    draw: int | None = None
    away: int | None = None


class Odds(msgspec.Struct, frozen=True, kw_only=True):
    """Betting lines for a match from one book, as American odds.

    ``moment`` says which line: ``current`` (live while ``in_play``), ``open`` or ``close`` (the
    line at kick-off); ``in_play`` that it was read while the match was under way. ``close`` is the
    book's line at kick-off whenever it still quotes it: in play an ``Odds`` may carry only that
    (no live price, an empty ``moneyline``), which is the win probability's prior, not a price.
    """

    provider: str
    moneyline: MoneyLine = msgspec.field(default_factory=MoneyLine)
    spread: float | None = None
    spread_home_odds: int | None = None
    spread_away_odds: int | None = None
    over_under: float | None = None
    over_odds: int | None = None
    under_odds: int | None = None
    details: str = ""
    moment: str = ""
    in_play: bool = False
    close: MoneyLine | None = None


class ProbabilityPoint(msgspec.Struct, frozen=True, kw_only=True):
    """One point of a match's win-probability line: when (``minute`` text and/or ``elapsed_s``),
    the numbers, the score. ``seq`` is the match's seq of the change that produced it (0 if unknown).
    """

    prob: WinProbability
    minute: str = ""
    elapsed_s: float | None = None
    score: Score | None = None
    seq: int = 0


class OddsPoint(msgspec.Struct, frozen=True, kw_only=True):
    """One move of a book's live 1X2 line: the prices from ``minute`` on."""

    minute: str
    moneyline: MoneyLine
    provider: str = ""


class Trend(msgspec.Struct, frozen=True, kw_only=True):
    """How a match's market and win probability moved, oldest first, each bounded."""

    odds: tuple[OddsPoint, ...] = ()
    prob: tuple[ProbabilityPoint, ...] = ()


class Stat(msgspec.Struct, frozen=True):
    """One team statistic, as display strings (``"54.3"``, ``"12"``)."""

    name: str
    home: str
    away: str


class Match(msgspec.Struct, frozen=True, kw_only=True):
    """The current state of one match as one provider (or the engine's merge) sees it.

    ``id`` is canonical (``espn-760505``); ``provider_ids`` maps provider name to that provider's id.
    ``events`` holds what the provider itemised (goals, cards...) in match order; it may be empty
    when the provider gives only the score. ``suspect`` names the fields (``score``, ``phase``) the
    provider sent in a shape that makes no sense: the engine keeps their last good values and
    reports nothing from them. ``stage`` is the round (``group-stage``, ``round-of-16``...) where
    the provider says. ``prob`` is who is winning now (the engine's, from the market, ESPN or its
    model; a new value only when it moved by half a point); ``trend`` is how the live line and the
    win probability moved, kept by the engine. ``situation`` is the live state of a US game between
    plays (inning, count, outs, bases; down and distance). ``centre`` is the match centre: lineups,
    commentary, shots, the preview, the box score and play-by-play. ``trend`` and ``centre`` are
    heavy: a league channel on the wire goes without them, a match channel carries them. ``seq`` is
    the engine's sequence number of the change that produced this state (0 straight from a
    provider). ``consensus`` is what several bookmakers agree on (The Odds API, opt-in).
    """

    id: str
    league: str
    kickoff: datetime
    home: Team
    away: Team
    phase: Phase
    score: Score = msgspec.field(default_factory=Score)
    shootout: Score | None = None
    clock: str = ""
    provider: str = ""
    provider_ids: dict[str, str] = msgspec.field(default_factory=dict)
    events: tuple[MatchEvent, ...] = ()
    odds: Odds | None = None
    stats: tuple[Stat, ...] = ()
    venue: str = ""
    updated_at: datetime | None = None
    unconfirmed: bool = False
    suspect: tuple[str, ...] = ()
    stage: str = ""
    prob: WinProbability | None = None
    situation: Situation | None = None
    trend: Trend | None = None
    centre: MatchCentre | None = None
    consensus: OddsConsensus | None = None
    seq: int = 0

    def team(self, side: Side) -> Team:
        """Return the team playing on ``side``."""
        return self.home if side is Side.HOME else self.away


class UpdateKind(enum.StrEnum):
    """What an :data:`Update` carries: the ``kind`` tag of each update class."""

    SNAPSHOT = "snapshot"
    DELTA = "delta"
    EVENT = "event"
    STATUS = "status"
    TABLE = "table"


ProviderState: TypeAlias = Literal["ok", "degraded", "stale", "down", "unreachable"]
"""How the engine's source of a league is doing (see :class:`SourceStatus`)."""

ConnectionStatusState: TypeAlias = Literal["connected", "resumed", "fresh", "reconnecting", "offline"]
"""How a thin client's link to its server is doing, said on the client's own connection channel:
``connected`` (a fresh start), ``resumed`` (what was missed was replayed), ``fresh`` (it could not
be: a new snapshot), ``reconnecting`` and ``offline`` (retrying, for a short or a long while)."""

StatusState: TypeAlias = ProviderState | ConnectionStatusState
"""Every state a :class:`SourceStatus` can carry."""


class SourceStatus(msgspec.Struct, frozen=True, kw_only=True):
    """How the data source is doing, for the status bar: who answers, how healthy, when next.

    ``state`` is ``ok`` (the last fetch brought data), ``degraded`` (fetches fail and are retried,
    ``retrying``), ``stale`` (they have failed for three poll intervals), ``down`` (no provider may
    be asked) or ``unreachable`` (the provider never answered); a thin client's connection status
    carries a :data:`ConnectionStatusState` instead. The ages are as of the update's ``at``:
    ``last_ok_age_s`` since the last successful fetch, ``next_poll_s`` until the next attempt; a
    reader adds the time since it received the status, so both tick.
    """

    provider: str
    health: float = 1.0
    state: StatusState = "ok"
    message: str = ""
    last_ok: datetime | None = None
    last_ok_age_s: float | None = None
    next_poll_s: float | None = None
    interval_s: float | None = None
    retrying: bool = False
    failures: int = 0


class UpdateBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """What every item of the engine's output stream has: the channel it is published on
    (``league:eng.1``) and when. Encoded, ``kind`` names the class (the :class:`UpdateKind` value).
    """

    kind: ClassVar[UpdateKind]
    channel: str
    at: datetime


class SnapshotUpdate(UpdateBase, frozen=True, kw_only=True, tag=UpdateKind.SNAPSHOT.value):
    """The current state of every match of the channel."""

    kind: ClassVar[UpdateKind] = UpdateKind.SNAPSHOT
    matches: tuple[Match, ...]


class DeltaUpdate(UpdateBase, frozen=True, kw_only=True, tag=UpdateKind.DELTA.value):
    """The new state of one match; ``seq`` is the sequence number of the change."""

    kind: ClassVar[UpdateKind] = UpdateKind.DELTA
    match_id: str
    seq: int
    match: Match


class EventUpdate(UpdateBase, frozen=True, kw_only=True, tag=UpdateKind.EVENT.value):
    """``event`` happened in ``match_id``; ``seq`` equals ``event.seq``."""

    kind: ClassVar[UpdateKind] = UpdateKind.EVENT
    match_id: str
    seq: int
    event: MatchEvent


class StatusUpdate(UpdateBase, frozen=True, kw_only=True, tag=UpdateKind.STATUS.value):
    """How the source of the channel is doing; carries no seq."""

    kind: ClassVar[UpdateKind] = UpdateKind.STATUS
    status: SourceStatus


class TableUpdate(UpdateBase, frozen=True, kw_only=True, tag=UpdateKind.TABLE.value):
    """The league's live table as it stands (channel ``table:eng.1``); carries no seq."""

    kind: ClassVar[UpdateKind] = UpdateKind.TABLE
    table: LiveTable


Update: TypeAlias = SnapshotUpdate | DeltaUpdate | EventUpdate | StatusUpdate | TableUpdate
"""One item of the engine's output stream: decode JSON as ``Update`` and msgspec picks the class by
``kind``; narrow with ``isinstance`` or ``match`` to read the fields of a kind."""

SeqUpdate: TypeAlias = DeltaUpdate | EventUpdate
"""The updates that carry a match's ``match_id`` and ``seq``."""


# These modules build on this one (teams, matches, win probabilities); msgspec resolves the
# annotations above when they are first used, by which time these names are bound.
from scoreterm.domain.consensus import OddsConsensus  # noqa: E402
from scoreterm.domain.table import LiveTable  # noqa: E402
