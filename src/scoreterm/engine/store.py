"""The engine's memory: the current state of every match, its sequence number and its events.

``apply`` takes a provider's view of a match, merges it with what we know (a provider that does
not itemise events must not erase the ones another provider gave), diffs it against the previous
state, drops events already reported, and stamps each change with the match's next seq. Seqs
start at 1, never go back and never skip.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from scoreterm.domain.diff import diff, event_key, itemised
from scoreterm.domain.model import EventKind, Match, MatchEvent, Side, Update, UpdateKind

_MINUTE = re.compile(r"(\d+)'?(?:\s*\+\s*(\d+))?")


def minute_order(minute: str) -> float:
    """Sort key for minute text: ``45'+2'`` sorts after ``45'`` and before ``46'``."""
    found = _MINUTE.search(minute or "")
    if not found:
        return -1.0
    return int(found.group(1)) + int(found.group(2) or 0) / 100


def merge(prev: Match | None, curr: Match) -> Match:
    """Combine a provider's new view of a match with what we already know of it.

    Events are the union by key (the newest provider's version wins), minus goals the current
    score no longer allows (taken back by VAR). Odds, stats and venue carry over when the new
    view lacks them; provider ids accumulate.
    """
    if prev is None:
        first = sorted(itemised(curr), key=lambda e: minute_order(e.minute))
        return msgspec.structs.replace(curr, events=tuple(first))
    # Key each provider's list on its own: goals get their running score from their own list.
    by_key: dict[str, MatchEvent] = {e.key: e for e in itemised(prev)}
    by_key.update((e.key, e) for e in itemised(curr))
    kept = [e for e in by_key.values() if _allowed_by_score(e, curr)]
    kept.sort(key=lambda e: minute_order(e.minute))
    return msgspec.structs.replace(
        curr,
        events=tuple(kept),
        odds=curr.odds or prev.odds,
        stats=curr.stats or prev.stats,
        venue=curr.venue or prev.venue,
        provider_ids={**prev.provider_ids, **curr.provider_ids},
    )


def _allowed_by_score(event: MatchEvent, match: Match) -> bool:
    if not event.kind.is_goal or event.score is None or event.side is None:
        return True
    return event.score.for_side(event.side) <= match.score.for_side(event.side)


@dataclass
class Applied:
    """What one ``apply`` changed: the new events and, if the state changed, the new state."""

    match: Match
    events: list[MatchEvent]
    changed: bool
    first_sight: bool
    score_changed: bool


@dataclass
class _History:
    seq: int = 0
    seen: dict[str, MatchEvent] = field(default_factory=dict)
    retractions: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class MatchStore:
    """Current matches by canonical id, with per-match seqs and reported events."""

    def __init__(self) -> None:
        self._matches: dict[str, Match] = {}
        self._history: dict[str, _History] = defaultdict(_History)

    def get(self, match_id: str) -> Match | None:
        """The current state of ``match_id``, if known."""
        return self._matches.get(match_id)

    def matches(self, league: str | None = None) -> list[Match]:
        """Every known match (of ``league``), by kickoff."""
        found = [m for m in self._matches.values() if league is None or m.league == league]
        return sorted(found, key=lambda m: (m.kickoff, m.id))

    def seq(self, match_id: str) -> int:
        """The last seq given to ``match_id`` (0 if never seen)."""
        return self._history[match_id].seq if match_id in self._history else 0

    def events(self, match_id: str) -> list[MatchEvent]:
        """Every event reported for ``match_id``, in seq order (latest version of each key)."""
        history = self._history.get(match_id)
        return sorted(history.seen.values(), key=lambda e: e.seq) if history else []

    def apply(self, incoming: Match, now: datetime) -> Applied:
        """Merge ``incoming`` into the store and return what changed, with seqs assigned.

        New events get seqs first; the new state (if it changed) gets the last seq, so a
        snapshot's ``match.seq`` is always the latest seq of that match.
        """
        prev = self._matches.get(incoming.id)
        history = self._history[incoming.id]
        merged = merge(prev, incoming)
        fresh: list[MatchEvent] = []
        for event in diff(prev, merged):
            accepted = self._accept(history, event)
            if accepted is not None:
                history.seq += 1
                stamped = msgspec.structs.replace(accepted, seq=history.seq)
                history.seen[stamped.key] = stamped
                fresh.append(stamped)
        changed = prev is None or _differs(prev, merged)
        state = prev
        if changed or fresh:
            history.seq += 1
            state = msgspec.structs.replace(merged, seq=history.seq, updated_at=now)
            self._matches[incoming.id] = state
        assert state is not None
        score_changed = prev is not None and (prev.score != merged.score)
        return Applied(state, fresh, changed or bool(fresh), prev is None, score_changed)

    def _accept(self, history: _History, event: MatchEvent) -> MatchEvent | None:
        """Give ``event`` its final key and decide whether it is news."""
        key = event.key or event_key(event)
        if event.kind.is_goal:
            key = _generation_key(key, history.retractions[key])
        elif event.kind is EventKind.GOAL_DISALLOWED and event.side is not None and event.score:
            goal = f"goal:{event.side.value}:{event.score.home}-{event.score.away}"
            key = _generation_key(key, history.retractions[goal])
            history.retractions[goal] += 1
        seen = history.seen.get(key)
        if event.enriches and seen is None and event.side is not None and event.score is not None:
            # Both sides scored unlisted goals in one poll: only the side and its count are certain.
            seen = _synthetic_goal(history, event.side, event.score.for_side(event.side))
            key = seen.key if seen is not None else key
        if event.enriches:
            # Only a goal first reported without details can be enriched, and only once.
            if seen is None or not seen.synthetic:
                return None
        elif seen is not None:
            return None
        return msgspec.structs.replace(event, key=key)

    def restore(self, match: Match, events: list[MatchEvent]) -> None:
        """Load a known state (e.g. from durable history) so seqs continue where they were."""
        history = self._history[match.id]
        for event in events:
            history.seen[event.key] = event
            if event.kind is EventKind.GOAL_DISALLOWED and event.side is not None and event.score:
                goal = f"goal:{event.side.value}:{event.score.home}-{event.score.away}"
                history.retractions[goal] += 1
        history.seq = max(match.seq, max((e.seq for e in events), default=0))
        self._matches[match.id] = match

    def mirror(self, update: Update) -> None:
        """Follow another engine's output: take a delta or event it published as if we had made it.

        An instance that does not poll (a follower behind a shared backplane) keeps its store in
        line this way, so it serves snapshots and, should it take over the polling, continues the
        same seqs without reporting the same events again. A delta older than the state held is
        ignored (its seq still counts); an event already held under its key and seq is not counted
        twice. Snapshots and statuses are ignored.
        """
        match_id = update.match_id
        if not match_id or update.seq <= 0:
            return
        if update.kind is UpdateKind.DELTA and update.match is not None:
            history = self._history[match_id]
            held = self._matches.get(match_id)
            if held is None or update.match.seq >= held.seq:
                self._matches[match_id] = update.match
            history.seq = max(history.seq, update.seq)
        elif update.kind is UpdateKind.EVENT and update.event is not None:
            history = self._history[match_id]
            event = update.event
            known = history.seen.get(event.key)
            if known is not None and known.seq >= event.seq:
                return
            history.seen[event.key] = event
            if event.kind is EventKind.GOAL_DISALLOWED and event.side is not None and event.score:
                goal = f"goal:{event.side.value}:{event.score.home}-{event.score.away}"
                history.retractions[goal] += 1
            history.seq = max(history.seq, update.seq)


def _synthetic_goal(history: _History, side: Side, count: int) -> MatchEvent | None:
    for seen in history.seen.values():
        if seen.synthetic and seen.side is side and seen.score and seen.score.for_side(side) == count:
            return seen
    return None


def _generation_key(key: str, generation: int) -> str:
    return key if generation == 0 else f"{key}#{generation + 1}"


def _differs(prev: Match, curr: Match) -> bool:
    return msgspec.structs.replace(curr, updated_at=prev.updated_at, seq=prev.seq) != prev
