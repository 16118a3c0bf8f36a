"""What the dashboard knows, as plain data: matches, timelines, odds moves, source status.

The app feeds every :class:`Update` into a :class:`Board`; screens read from it. It has no Textual
import, so it is tested directly, and it decides which updates deserve a toast.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Odds,
    PhaseState,
    SourceStatus,
    Update,
    UpdateKind,
)
from scoreterm.engine.identity import normalize_team
from scoreterm.engine.store import minute_order

STALE_AFTER_INTERVALS = 3
DEFAULT_STALE_S = 60.0
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


@dataclass
class Board:
    """The state behind every screen."""

    matches: dict[str, Match] = field(default_factory=dict)
    timelines: dict[str, dict[str, TimelineEntry]] = field(default_factory=dict)
    previous_odds: dict[str, Odds] = field(default_factory=dict)
    status: SourceStatus | None = None
    last_data_at: float | None = None
    updates_seen: int = 0

    def apply(self, update: Update, now: float) -> list[Notice]:
        """Take in ``update`` (``now`` is monotonic seconds) and return what deserves a toast."""
        self.updates_seen += 1
        if update.kind is UpdateKind.STATUS:
            self.status = update.status
            return []
        self.last_data_at = now
        if update.kind is UpdateKind.SNAPSHOT:
            for match in update.matches:
                self._set_match(match)
            return []
        if update.kind is UpdateKind.DELTA and update.match is not None:
            before = self.matches.get(update.match.id)
            self._set_match(update.match)
            return self._full_time(before, update.match)
        if update.kind is UpdateKind.EVENT and update.event is not None and update.match_id:
            return self._event(update.match_id, update.event)
        return []

    def _set_match(self, match: Match) -> None:
        old = self.matches.get(match.id)
        if old is not None and old.odds is not None and old.odds != match.odds:
            self.previous_odds[match.id] = old.odds
        self.matches[match.id] = match
        timeline = self.timelines.setdefault(match.id, {})
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
        minute = f" {event.minute}" if event.minute else ""
        score = event.score
        if event.kind.is_goal and score is not None:
            kind = {EventKind.OWN_GOAL: " (own goal)", EventKind.PENALTY_GOAL: " (pen)"}.get(event.kind, "")
            line = (
                f"{match.home.abbrev or match.home.name} {score.home}-{score.away} "
                f"{match.away.abbrev or match.away.name}"
            )
            return [Notice(ToastKind.GOAL, match.id, f"GOAL! {team}", f"{line}\n{who.strip()}{minute}{kind}")]
        if event.kind is EventKind.GOAL_DISALLOWED:
            text = f"{team} goal{minute} ruled out (VAR)"
            return [Notice(ToastKind.GOAL_DISALLOWED, match.id, "Goal disallowed", text)]
        if event.kind is EventKind.RED_CARD:
            return [Notice(ToastKind.RED_CARD, match.id, f"Red card: {team}", f"{who.strip()}{minute}")]
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
            elif minute < 0:
                # No minute (full time shows "FT"): after whatever arrived before it.
                minute = latest + 0.999
            latest = max(latest, minute)
            order[id(entry)] = minute
        return sorted(entries, key=lambda e: (order[id(e)], e.event.seq))

    def is_stale(self, now: float) -> bool:
        """True when no data came for 3 poll intervals (or a minute when the interval is unknown)."""
        if self.last_data_at is None:
            return False
        interval = self.status.interval_s if self.status and self.status.interval_s else None
        limit = interval * STALE_AFTER_INTERVALS if interval else DEFAULT_STALE_S
        return now - self.last_data_at > max(limit, 5.0)


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


def implied_probability(american: int | None) -> float | None:
    """Implied probability of American odds (``-230`` -> 0.697, ``+750`` -> 0.118)."""
    if american is None or american == 0:
        return None
    return -american / (-american + 100) if american < 0 else 100 / (american + 100)


def move_arrow(old: int | float | None, new: int | float | None) -> str:
    """``▲`` when a price/line went up, ``▼`` when down, blank when unchanged or unknown."""
    if old is None or new is None or old == new:
        return ""
    return "▲" if new > old else "▼"
