"""What the dashboard knows, as plain data: matches, timelines, odds moves, source status.

The app feeds every :class:`Update` into a :class:`Board`; screens read from it. It has no Textual
import, so it is tested directly, and it decides which updates deserve a toast.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from scoreterm.domain.centre_text import minute_text
from scoreterm.domain.channels import CONNECTION
from scoreterm.domain.minutes import minute_order
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    Odds,
    PhaseState,
    Side,
    SnapshotUpdate,
    SourceStatus,
    StatusState,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.domain.names import normalize_team
from scoreterm.domain.prob_series import describe_swing, percent
from scoreterm.domain.table import LiveTable

STALE_AFTER_INTERVALS = 3
DEFAULT_STALE_S = 60.0
# Worse states win the status bar when several leagues have different sources.
_SEVERITY: dict[StatusState, int] = {"ok": 0, "degraded": 1, "stale": 2, "down": 3, "unreachable": 4}
# Where a soccer phase change sorts: its minute is the clock when we noticed it, which after a gap
# in the data (or a replay jump) can be well past the break; the break itself is not.
_PHASE_ORDER = {"1H": 0.0, "HT": 45.998, "2H": 45.999, "ET-HT": 105.999}


class ToastKind(enum.StrEnum):
    """Kinds of toast a user can switch on or off (config ``toasts``)."""

    GOAL = "goal"
    GOAL_DISALLOWED = "goal_disallowed"
    RED_CARD = "red_card"
    FULL_TIME = "full_time"


@dataclass(frozen=True)
class Notice:
    """Something worth a toast."""

    kind: ToastKind
    match_id: str
    title: str
    message: str


@dataclass
class TimelineEntry:
    """One line of a match's timeline; ``disallowed`` strikes a goal VAR took back."""

    event: MatchEvent
    disallowed: bool = False


@dataclass(frozen=True)
class SourceView:
    """A source's status and when (monotonic seconds) the board received it."""

    status: SourceStatus
    received: float


@dataclass
class Board:
    """The state behind every screen."""

    matches: dict[str, Match] = field(default_factory=dict)
    timelines: dict[str, dict[str, TimelineEntry]] = field(default_factory=dict)
    previous_odds: dict[str, Odds] = field(default_factory=dict)
    sources: dict[str, SourceView] = field(default_factory=dict)
    connection: SourceView | None = None
    tables: dict[str, LiveTable] = field(default_factory=dict)
    last_data_at: float | None = None
    updates_seen: int = 0

    @property
    def source(self) -> SourceView | None:
        """The source to show: the one in the worst state (the latest of equals)."""
        if not self.sources:
            return None
        return max(self.sources.values(), key=lambda v: (_SEVERITY.get(v.status.state, 1), v.received))

    @property
    def status(self) -> SourceStatus | None:
        """The status of :attr:`source`."""
        view = self.source
        return view.status if view is not None else None

    def apply(self, update: Update, now: float) -> list[Notice]:
        """Take in ``update`` (``now`` is monotonic seconds) and return what deserves a toast."""
        self.updates_seen += 1
        match update:
            case TableUpdate(table=table):
                self.tables[table.league] = table
            case StatusUpdate(channel=channel, status=status):
                if channel == CONNECTION:
                    self.connection = SourceView(status, now)
                else:
                    self.sources[channel] = SourceView(status, now)
            case SnapshotUpdate(matches=matches):
                self.last_data_at = now
                for match in matches:
                    if self._starts_over(match):
                        self._forget(match.id)
                    self._set_match(match)
            case DeltaUpdate(match=match):
                self.last_data_at = now
                before = self.matches.get(match.id)
                self._set_match(match)
                return self._full_time(before, match)
            case EventUpdate(match_id=match_id, event=event):
                self.last_data_at = now
                if match_id:
                    return self._event(match_id, event)
        return []

    def _starts_over(self, match: Match) -> bool:
        """True when a snapshot of ``match`` is not a continuation of what the board holds: its seq
        went back, or it lacks events the timeline shows (the server began a new history, as after a
        restart on an empty database, and said ``recovered: false``)."""
        old = self.matches.get(match.id)
        if old is None:
            return False
        if match.seq < old.seq:
            return True
        timeline = self.timelines.get(match.id, {}).values()
        # Phase markers are not among a match's events (they come as events of their own).
        shown = {entry.event.key for entry in timeline if entry.event.kind is not EventKind.PHASE_CHANGE}
        return not shown <= {event.key for event in match.events}

    def _forget(self, match_id: str) -> None:
        """Drop all the board holds of ``match_id`` (its timeline, chart, previous odds)."""
        self.matches.pop(match_id, None)
        self.timelines.pop(match_id, None)
        self.previous_odds.pop(match_id, None)

    def _set_match(self, match: Match) -> None:
        old = self.matches.get(match.id)
        if old is not None and old.odds is not None and old.odds != match.odds:
            self.previous_odds[match.id] = old.odds
        match = keep_heavy_parts(old, match)
        self.matches[match.id] = match
        timeline = self.timelines.setdefault(match.id, {})
        if old is None:
            # First seen under way (joining late, a replay wound back): the kick-off, half-time...
            # it has passed are certain, and the timeline shows them, as phase changes would.
            for marker in implied_phases(match):
                timeline.setdefault(marker.key, TimelineEntry(marker))
        for event in match.events:
            # Events the provider itemised before we were watching: shown, never toasted.
            if event.key and event.key not in timeline:
                timeline[event.key] = TimelineEntry(event)

    def _event(self, match_id: str, event: MatchEvent) -> list[Notice]:
        timeline = self.timelines.setdefault(match_id, {})
        known = event.key in timeline
        timeline[event.key] = TimelineEntry(event, timeline[event.key].disallowed if known else False)
        match = self.matches.get(match_id)
        if event.kind is EventKind.GOAL_DISALLOWED:
            goal_key = event.key.replace("disallowed:", "goal:", 1)
            if goal_key in timeline:
                timeline[goal_key].disallowed = True
        if match is None or event.enriches or known:
            return []
        return self._notice_for(match, event)

    def _notice_for(self, match: Match, event: MatchEvent) -> list[Notice]:
        side = event.side
        team = match.team(side).name if side is not None else ""
        who = f" {event.player}" if event.player else ""
        minute = f" {minute_text(event.minute)}" if event.minute else ""
        score = event.score
        swing = swing_text(match, event)
        if event.kind.is_goal and score is not None:
            kind = {EventKind.OWN_GOAL: " (own goal)", EventKind.PENALTY_GOAL: " (pen)"}.get(event.kind, "")
            line = (
                f"{match.home.abbrev or match.home.name} {score.home}-{score.away} "
                f"{match.away.abbrev or match.away.name}"
            )
            line += f" · {swing}" if swing else ""
            return [Notice(ToastKind.GOAL, match.id, f"GOAL! {team}", f"{line}\n{who.strip()}{minute}{kind}")]
        if event.kind is EventKind.GOAL_DISALLOWED:
            text = f"{team} goal{minute} ruled out (VAR)" + (f"\n{swing}" if swing else "")
            return [Notice(ToastKind.GOAL_DISALLOWED, match.id, "Goal disallowed", text)]
        if event.kind is EventKind.RED_CARD:
            text = f"{who.strip()}{minute}" + (f"\n{swing}" if swing else "")
            return [Notice(ToastKind.RED_CARD, match.id, f"Red card: {team}", text)]
        return []

    def _full_time(self, before: Match | None, after: Match) -> list[Notice]:
        if (
            before is None
            or before.phase.state is PhaseState.FINAL
            or after.phase.state is not PhaseState.FINAL
        ):
            return []
        text = f"{after.home.name} {after.score.home}-{after.score.away} {after.away.name}"
        return [Notice(ToastKind.FULL_TIME, after.id, f"Full time ({after.phase.label or 'FT'})", text)]

    def timeline(self, match_id: str) -> list[TimelineEntry]:
        """A match's timeline in match order."""
        entries = sorted(self.timelines.get(match_id, {}).values(), key=lambda e: e.event.seq)
        order: dict[int, float] = {}
        latest = 0.0
        for entry in entries:
            event = entry.event
            minute = minute_order(event.minute)
            if event.kind is EventKind.PHASE_CHANGE and event.detail in _PHASE_ORDER:
                minute = _PHASE_ORDER[event.detail]
            elif event.kind is EventKind.PHASE_CHANGE and event.synthetic and event.detail in _ENDINGS:
                minute = 10_000.0  # an implied full time: after everything
            elif minute < 0:
                # No minute (full time shows "FT"): after whatever arrived before it.
                minute = latest + 0.999
            latest = max(latest, minute)
            order[id(entry)] = minute
        return sorted(entries, key=lambda e: (order[id(e)], e.event.seq))

    def data_age(self, now: float) -> float | None:
        """Seconds since the source last fetched successfully (changed or not), ticking with ``now``.

        From the source's status when there is one (its age when sent, plus the time since it
        arrived), else since the last data arrived.
        """
        view = self.source
        if view is not None and view.status.last_ok_age_s is not None:
            return view.status.last_ok_age_s + max(0.0, now - view.received)
        if view is not None and view.status.state == "unreachable":
            return None
        return None if self.last_data_at is None else max(0.0, now - self.last_data_at)

    def next_poll_in(self, now: float) -> float | None:
        """Seconds until the source's next attempt, counting down with ``now`` (0 while it is due)."""
        view = self.source
        if view is None or view.status.next_poll_s is None:
            return None
        return max(0.0, view.status.next_poll_s - (now - view.received))

    def is_stale(self, now: float, *, by_age: bool = True) -> bool:
        """True when fetches have failed for 3 poll intervals (a minute when the interval is unknown).

        A source answering every poll is never stale, however long nothing has changed. Without
        ``by_age`` only the source's own word counts: a replay's frames come at the tape's pace
        (or not at all while paused), so the time since the last one says nothing of the source.
        """
        view = self.source
        if view is not None and view.status.state == "stale":
            return True
        age = self.data_age(now) if by_age else None
        if age is None:
            return False
        interval = view.status.interval_s if view is not None and view.status.interval_s else None
        limit = interval * STALE_AFTER_INTERVALS if interval else DEFAULT_STALE_S
        return age > max(limit, 5.0)


_PASSED = {
    "1H": ("1H",),
    "HT": ("1H", "HT"),
    "2H": ("1H", "HT", "2H"),
    "FT": ("1H", "HT", "2H", "FT"),
    "ET": ("1H", "HT", "2H", "ET"),
    "ET-HT": ("1H", "HT", "2H", "ET", "ET-HT"),
    "AET": ("1H", "HT", "2H", "ET", "AET"),
    "PEN": ("1H", "HT", "2H", "PEN"),
}
# Keyed as the engine keys the phase changes themselves, so a real one is never shown twice.
_MARKER_KEYS = {"ET": "phase:ET:3", "ET-HT": "phase:ET-HT:3"}
_MARKER_MINUTES = {"1H": "1'", "HT": "45'", "2H": "46'", "ET": "91'", "ET-HT": "105'"}
_ENDINGS = frozenset({"FT", "AET", "PEN"})


def implied_phases(match: Match) -> list[MatchEvent]:
    """The soccer phase changes a match must have passed to stand where it does (``2H``: the
    kick-off, half-time and the second half), as timeline markers."""
    passed = _PASSED.get(match.phase.label, ()) if match.phase.state is not PhaseState.SCHEDULED else ()
    markers = []
    for label in passed:
        key = _MARKER_KEYS.get(label, f"phase:{label}")
        if label == "PEN" and match.phase.state is PhaseState.LIVE:
            key = "phase:PEN:5"
        minute = _MARKER_MINUTES.get(label, "")
        markers.append(
            MatchEvent(kind=EventKind.PHASE_CHANGE, detail=label, minute=minute, key=key, synthetic=True)
        )
    return markers


_ORDER = {PhaseState.LIVE: 0, PhaseState.BREAK: 0, PhaseState.SUSPENDED: 0, PhaseState.SCHEDULED: 1}


def is_favourite(match: Match, favourites: Iterable[str]) -> bool:
    """True when either team is one of ``favourites`` (names compared normalized)."""
    wanted = {normalize_team(name) for name in favourites}
    return normalize_team(match.home.name) in wanted or normalize_team(match.away.name) in wanted


def ordered(
    matches: Iterable[Match], *, favourites: Iterable[str] = (), text: str = "", league: str | None = None
) -> list[Match]:
    """Matches to show: filtered by team text and league, favourites first, then live, upcoming,
    finished, each by kick-off."""
    favs = list(favourites)
    needle = text.strip().lower()
    shown = [
        m
        for m in matches
        if (league is None or m.league == league)
        and (
            not needle
            or needle in m.home.name.lower()
            or needle in m.away.name.lower()
            or needle in m.home.abbrev.lower()
            or needle in m.away.abbrev.lower()
        )
    ]
    return sorted(
        shown,
        key=lambda m: (not is_favourite(m, favs), _ORDER.get(m.phase.state, 2), m.kickoff, m.home.name),
    )


def spoiler_hidden(match: Match, spoiler_free: Iterable[str], revealed: set[str]) -> bool:
    """True when the score of ``match`` must stay hidden (a spoiler-free team, not yet revealed)."""
    return match.id not in revealed and is_favourite(match, spoiler_free)


def keep_heavy_parts(old: Match | None, new: Match) -> Match:
    """``new`` with ``old``'s match centre and trend where it has none.

    A league channel's delta comes without them (the server strips the heavy parts; the match
    channel carries them): the match screen must not lose its lineups and chart to one.
    """
    if old is None or (new.centre is not None and new.trend is not None):
        return new
    centre = new.centre if new.centre is not None else old.centre
    trend = new.trend if new.trend is not None else old.trend
    if centre is new.centre and trend is new.trend:
        return new
    return msgspec.structs.replace(new, centre=centre, trend=trend)


def swing_side(event: MatchEvent) -> Side | None:
    """Whose chance a swing is told for: the scorer's side for a goal or a goal ruled out, the
    other side (the one that gains) for a red card."""
    if event.side is None:
        return None
    if event.kind is EventKind.RED_CARD:
        return Side.AWAY if event.side is Side.HOME else Side.HOME
    return event.side


def swing_text(match: Match, event: MatchEvent) -> str:
    """``"Mexico win 66% → 89%"`` for an event carrying its swing; ``""`` without one, or when the
    chance shown did not change (``>99% → >99%`` tells nothing)."""
    side = swing_side(event)
    before, after = event.prob_before, event.prob_after
    if side is None or before is None or after is None:
        return ""
    if percent(before.home if side is Side.HOME else before.away) == percent(
        after.home if side is Side.HOME else after.away
    ):
        return ""
    return describe_swing(before, after, side, match.team(side).name)


def move_arrow(old: int | float | None, new: int | float | None) -> str:
    """``▲`` when a price/line went up, ``▼`` when down, blank when unchanged or unknown."""
    if old is None or new is None or old == new:
        return ""
    return "▲" if new > old else "▼"
