"""The engine's memory: the current state of every match, its sequence number and its events.

``apply`` takes a provider's view of a match, vets it (a field the provider sent in a shape that
makes no sense keeps its last good value, and a score that goes down, or a match that goes back to
"scheduled", must be said on two polls in a row before it is believed), merges it with what we know
(a provider that does not itemise events must not erase the ones another provider gave), diffs it
against the previous state, drops events already reported, and stamps each change with the match's
next seq. Seqs start at 1, never go back and never skip.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from scoreterm.domain.centre import MatchCentre
from scoreterm.domain.consensus import OddsConsensus
from scoreterm.domain.diff import diff, event_key, goal_key_of, itemised, score_at
from scoreterm.domain.minutes import is_minute, minute_order
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    MoneyLine,
    OddsPoint,
    Phase,
    PhaseState,
    Score,
    Side,
    Trend,
    Update,
)
from scoreterm.domain.names import normalize_name
from scoreterm.engine.winprob import ProbabilityTracker, with_swing

log = logging.getLogger(__name__)
ODDS_MOVES = 60
_BY_PLAYER = (EventKind.YELLOW_CARD, EventKind.RED_CARD, EventKind.SUBSTITUTION, EventKind.PENALTY_MISS)


def merge(prev: Match | None, curr: Match) -> Match:
    """Combine a provider's new view of a match with what we already know of it.

    Events are the union by key (the newest provider's version wins, except where it cannot be
    read: see :func:`_keep_known`), minus goals the current score no longer allows (taken back by
    VAR). A card whose player id went missing, or that another provider reports by name only, is
    found again by team, player name and which card of theirs it is. Odds, stats and venue carry
    over when the new view lacks them; provider ids accumulate.
    """
    if prev is None:
        first = sorted(itemised(curr), key=lambda e: minute_order(e.minute))
        return msgspec.structs.replace(curr, events=tuple(first), trend=odds_trend(None, curr))
    # Key each provider's list on its own: goals get their running score from their own list.
    by_key: dict[str, MatchEvent] = {e.key: e for e in itemised(prev)}
    by_name = {name: e.key for e in by_key.values() if (name := _named(e)) is not None}
    for event in itemised(curr):
        known = by_key.get(event.key)
        alias = by_name.get(_named(event) or ("",)) if known is None else None
        if alias is not None:
            known = by_key[alias]
            event = msgspec.structs.replace(event, key=alias, player_id=known.player_id)
        by_key[event.key] = _keep_known(known, event)
    kept = [e for e in by_key.values() if _allowed_by_score(e, curr)]
    kept.sort(key=lambda e: minute_order(e.minute))
    return msgspec.structs.replace(
        curr,
        events=tuple(kept),
        odds=curr.odds or prev.odds,
        trend=odds_trend(prev, curr),
        centre=_centre(prev.centre, curr.centre),
        consensus=curr.consensus or prev.consensus,
        # The situation between plays belongs to the scoreboard and to live play only.
        situation=curr.situation if curr.phase.is_active else None,
        stats=curr.stats or prev.stats,
        venue=curr.venue or prev.venue,
        provider_ids={**prev.provider_ids, **curr.provider_ids},
    )


def _centre(known: MatchCentre | None, new: MatchCentre | None) -> MatchCentre | None:
    """The newest match centre, keeping each part the new one lacks (a scoreboard poll has none;
    a summary before kick-off has a preview but no commentary yet)."""
    if new is None or known is None:
        return new or known
    kept = {
        name: getattr(known, name)
        for name in MatchCentre.__struct_fields__
        if name != "situation" and not getattr(new, name) and getattr(known, name)
    }
    return msgspec.structs.replace(new, **kept) if kept else new


def odds_trend(prev: Match | None, curr: Match) -> Trend | None:
    """``prev``'s trend with ``curr``'s live 1X2 line added when it moved (at most ``ODDS_MOVES``)."""
    trend = prev.trend if prev is not None else None
    odds = curr.odds
    if odds is None or not odds.in_play or odds.moneyline == MoneyLine():
        return trend
    moves = trend.odds if trend is not None else ()
    if moves and moves[-1].moneyline == odds.moneyline:
        return trend
    point = OddsPoint(minute=curr.clock, moneyline=odds.moneyline, provider=odds.provider)
    # The first move stays (the line at kick-off); the oldest of the others go first.
    kept = (*moves, point) if len(moves) < ODDS_MOVES else (moves[0], *moves[2:], point)
    return Trend(odds=kept, prob=trend.prob if trend is not None else ())


def _named(event: MatchEvent) -> tuple[str, ...] | None:
    """A card's (or substitution's) identity by names: kind, team, players, which card of theirs."""
    if event.kind not in _BY_PLAYER or event.side is None or not event.player:
        return None
    ordinal = event.key.rsplit(":", 1)[-1] if event.kind is not EventKind.SUBSTITUTION else ""
    other = normalize_name(event.other_player) if event.other_player else ""
    return (event.kind.value, event.side.value, normalize_name(event.player), other, ordinal)


def _keep_known(known: MatchEvent | None, event: MatchEvent) -> MatchEvent:
    """``event`` as the newest word on it, except where it says less than ``known`` did.

    A minute, player or id the provider sent unreadable (empty) keeps the known one, and a name
    spelled otherwise (case, accents: providers flip between them poll to poll) keeps the known
    spelling. Neither is a change, and neither may become a revision when the provider is readable
    again. The swing the engine gave the event (no provider sends one) stays with it.
    """
    if known is None:
        return event
    changes: dict[str, object] = {}
    if not is_minute(event.minute) and is_minute(known.minute):
        changes["minute"] = known.minute
    for name in ("player", "other_player"):
        new, old = getattr(event, name), getattr(known, name)
        if old and (not new or normalize_name(new) == normalize_name(old)):
            changes[name] = old
    for name in ("player_id", "other_player_id", "detail", "prob_before", "prob_after"):
        if not getattr(event, name) and getattr(known, name):
            changes[name] = getattr(known, name)
    return msgspec.structs.replace(event, **changes) if changes else event


def _carry_swings(match: Match, stamped: list[MatchEvent]) -> Match:
    """``match`` with the swing of each event just stamped on its own copy of that event too: a
    snapshot (a client joining late, a replay started part-way) shows the swings as the events did."""
    # A goal given again after VAR took it back is stamped under a generation key (``...#2``).
    swings = {e.key.split("#", 1)[0]: e for e in stamped if e.prob_after is not None}
    if not swings:
        return match
    events = tuple(
        msgspec.structs.replace(event, prob_before=swing.prob_before, prob_after=swing.prob_after)
        if (swing := swings.get(event.key)) is not None and swing.kind is event.kind
        else event
        for event in match.events
    )
    return msgspec.structs.replace(match, events=events)


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
    # A step back (a lower score, an earlier phase) seen once, waiting for the next poll.
    pending_score: Score | None = None
    pending_phase: Phase | None = None


class MatchStore:
    """Current matches by canonical id, with per-match seqs and reported events."""

    def __init__(self) -> None:
        self._matches: dict[str, Match] = {}
        self._history: dict[str, _History] = defaultdict(_History)
        self._probability = ProbabilityTracker()

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

    def apply(self, incoming: Match, now: datetime) -> Applied | None:
        """Merge ``incoming`` into the store and return what changed, with seqs assigned.

        New events get seqs first; the new state (if it changed) gets the last seq, so a
        snapshot's ``match.seq`` is always the latest seq of that match. Returns None when the
        match is seen for the first time with a field that cannot be believed (see
        :meth:`_vet`): nothing is stored until the provider sends it readable.
        """
        prev = self._matches.get(incoming.id)
        history = self._history[incoming.id]
        vetted = _vet(prev, history, incoming)
        if vetted is None:
            return None
        # The provider's own number (ESPN's, US sports) is one source; the engine decides.
        merged = self._probability.update(prev, merge(prev, vetted), espn=vetted.prob)
        before = prev.prob if prev is not None else None
        fresh: list[MatchEvent] = []
        for event in diff(prev, merged):
            accepted = self._accept(history, event)
            if accepted is not None:
                history.seq += 1
                score = _score_of(history, accepted, merged)
                stamped = msgspec.structs.replace(accepted, seq=history.seq, score=score)
                stamped = with_swing(stamped, before, merged.prob)
                history.seen[stamped.key] = stamped
                fresh.append(stamped)
        merged = _carry_swings(merged, fresh)
        changed = prev is None or _differs(prev, merged)
        state = prev
        if changed or fresh:
            history.seq += 1
            state = self._probability.line(msgspec.structs.replace(merged, seq=history.seq, updated_at=now))
            self._matches[incoming.id] = state
        assert state is not None
        score_changed = prev is not None and (prev.score != merged.score)
        return Applied(state, fresh, changed or bool(fresh), prev is None, score_changed)

    def _accept(self, history: _History, event: MatchEvent) -> MatchEvent | None:
        """Give ``event`` its final key and decide whether it is news."""
        key = event.key or event_key(event)
        if event.kind.is_goal:
            key = _generation_key(key, history.retractions[key])
        elif event.kind is EventKind.GOAL_DISALLOWED and key.startswith("disallowed:"):
            goal = goal_key_of(key)
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
        elif event.revises:
            # A revision is news only for an event we reported, and only if it says something new.
            if seen is None or seen.synthetic or (seen.minute, seen.player) == (event.minute, event.player):
                return None
        elif seen is not None:
            return None
        return msgspec.structs.replace(event, key=key)

    def annotate(self, match_id: str, now: datetime, consensus: OddsConsensus) -> Applied | None:
        """Attach what another source says of a match (the bookmakers' consensus): a new state
        with the next seq when it changed anything, no events; None for an unknown match."""
        current = self._matches.get(match_id)
        if current is None or current.consensus == consensus:
            return None
        history = self._history[match_id]
        espn = current.prob if current.prob is not None and current.prob.source == "espn" else None
        updated = self._probability.update(
            current, msgspec.structs.replace(current, consensus=consensus), espn
        )
        history.seq += 1
        state = self._probability.line(msgspec.structs.replace(updated, seq=history.seq, updated_at=now))
        self._matches[match_id] = state
        return Applied(state, [], True, False, False)

    def restore(self, match: Match, events: list[MatchEvent]) -> None:
        """Load a known state (e.g. from durable history) so seqs continue where they were."""
        history = self._history[match.id]
        for event in events:
            history.seen[event.key] = event
            if event.kind is EventKind.GOAL_DISALLOWED and event.key.startswith("disallowed:"):
                history.retractions[goal_key_of(event.key)] += 1
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
        if not isinstance(update, DeltaUpdate | EventUpdate) or not update.match_id or update.seq <= 0:
            return
        match_id = update.match_id
        history = self._history[match_id]
        if isinstance(update, DeltaUpdate):
            held = self._matches.get(match_id)
            if held is None or update.match.seq >= held.seq:
                self._matches[match_id] = update.match
            history.seq = max(history.seq, update.seq)
        else:
            event = update.event
            known = history.seen.get(event.key)
            if known is not None and known.seq >= event.seq:
                return
            history.seen[event.key] = event
            if event.kind is EventKind.GOAL_DISALLOWED and event.key.startswith("disallowed:"):
                history.retractions[goal_key_of(event.key)] += 1
            history.seq = max(history.seq, update.seq)


def _vet(prev: Match | None, history: _History, incoming: Match) -> Match | None:
    """What of ``incoming`` can be believed, given the last good state ``prev``.

    - A field the provider flagged as ``suspect`` keeps the last good value (and stays flagged
      on the stored match, so clients can tell); a first sighting with one is not stored at all.
    - A score that goes down (VAR, a data correction) is believed only when the next poll says the
      same: one bad poll must not take goals back and, when it passes, give them again.
    - A phase that goes back (to scheduled, to an earlier period, from final to play) likewise.
    """
    suspect = list(incoming.suspect)
    if prev is None:
        if suspect:
            log.info("not showing %s until its %s can be read", incoming.id, " and ".join(suspect))
            return None
        return incoming
    changes: dict[str, object] = {}
    if "phase" in suspect:
        changes.update(phase=prev.phase, clock=prev.clock)
    if "score" in suspect:
        changes.update(score=prev.score, shootout=prev.shootout)
    elif any(incoming.score.for_side(s) < prev.score.for_side(s) for s in Side):
        if history.pending_score != incoming.score:
            history.pending_score = incoming.score
            changes.update(score=prev.score, shootout=prev.shootout)
            suspect.append("score")
        else:
            history.pending_score = None
    else:
        history.pending_score = None
    if "phase" not in suspect and _goes_back(prev.phase, incoming.phase):
        if history.pending_phase != incoming.phase:
            history.pending_phase = incoming.phase
            changes.update(phase=prev.phase, clock=prev.clock)
            suspect.append("phase")
        else:
            history.pending_phase = None
    elif "phase" not in suspect:
        history.pending_phase = None
    changes["suspect"] = tuple(dict.fromkeys(suspect))
    return msgspec.structs.replace(incoming, **changes)


def _progress(phase: Phase) -> float | None:
    """How far into a match ``phase`` is; None when there is no order (postponed, cancelled,
    suspended, or play in a period the provider does not number)."""
    if phase.state is PhaseState.SCHEDULED:
        return 0.0
    if phase.state is PhaseState.FINAL:
        return 1000.0
    if phase.period <= 0:
        return None
    if phase.state is PhaseState.LIVE:
        return 1.0 + phase.period
    if phase.state is PhaseState.BREAK:
        return 1.5 + phase.period
    return None


def _goes_back(old: Phase, new: Phase) -> bool:
    before, after = _progress(old), _progress(new)
    return before is not None and after is not None and after < before


def _synthetic_goal(history: _History, side: Side, count: int) -> MatchEvent | None:
    for seen in history.seen.values():
        if seen.synthetic and seen.side is side and seen.score and seen.score.for_side(side) == count:
            return seen
    return None


def _generation_key(key: str, generation: int) -> str:
    return key if generation == 0 else f"{key}#{generation + 1}"


def standing_goals(history_seen: dict[str, MatchEvent], retractions: dict[str, int]) -> list[MatchEvent]:
    """The goals that still count: of each goal key, the latest generation not taken back."""
    generations: dict[str, list[MatchEvent]] = defaultdict(list)
    for event in history_seen.values():
        if event.kind.is_goal:
            generations[event.key.split("#", 1)[0]].append(event)
    standing = []
    for base, goals in generations.items():
        if len(goals) > retractions.get(base, 0):
            standing.append(max(goals, key=lambda e: e.seq))
    return standing


def _score_of(history: _History, event: MatchEvent, match: Match) -> Score | None:
    """The score after ``event`` in match order (goals, disallowed goals and corrections carry it).

    Anything else gets the standing goals up to its minute; without a minute (or one that says
    nothing), the match's score now.
    """
    if event.kind.is_goal or event.kind in (EventKind.GOAL_DISALLOWED, EventKind.SCORE_CORRECTION):
        return event.score
    if event.kind is EventKind.PHASE_CHANGE and match.phase.state is not PhaseState.LIVE:
        return match.score
    if not is_minute(event.minute):
        return match.score
    # The goals we know: those the provider lists, and those we reported (synthetic ones included).
    known = {e.key: e for e in itemised(match) if e.kind.is_goal}
    known.update((e.key.split("#", 1)[0], e) for e in standing_goals(history.seen, history.retractions))
    at = score_at(known.values(), event.minute)
    # Goals the score has but nobody described were scored before we started watching.
    for side in Side:
        described = sum(1 for e in known.values() if e.side is side)
        early = max(0, match.score.for_side(side) - described)
        at = Score(at.home + early, at.away) if side is Side.HOME else Score(at.home, at.away + early)
    return Score(min(at.home, match.score.home), min(at.away, match.score.away))


def visible(match: Match) -> Match:
    """``match`` without what no client shows (seq, time of update, provider ids, event ids)."""
    events = tuple(msgspec.structs.replace(e, provider_event_id=None, seq=0) for e in match.events)
    return msgspec.structs.replace(match, updated_at=None, seq=0, provider_ids={}, events=events)


def _differs(prev: Match, curr: Match) -> bool:
    return visible(prev) != visible(curr)
