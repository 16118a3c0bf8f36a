"""Goal detection: turn two successive states of a match into the events between them.

Everything here is pure. The engine keeps the last state of each match, feeds it with the new
one to :func:`diff`, assigns sequence numbers to what comes back and publishes it.

The score drives goals; itemised events only describe them. Each goal the score gained since the
previous state is emitted once, carrying the provider's details when it itemised that goal and
``synthetic=True`` when it did not. A goal whose details arrive after its score emits an
``enriches`` event under the same key. Score drops become ``goal_disallowed`` while a match is
under way and one ``score_correction`` otherwise. Events are identified by :func:`event_key`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec

from scoreterm.domain.model import EventKind, Match, MatchEvent, PhaseState, Score, Side

_SIDES = (Side.HOME, Side.AWAY)
_ITEMISED = (EventKind.YELLOW_CARD, EventKind.RED_CARD, EventKind.SUBSTITUTION, EventKind.PENALTY_MISS)
_SHOOTOUT = re.compile(r"shoot[\s-]?out", re.IGNORECASE)
_MINUTE = re.compile(r"(\d+)'?\s*(?:\+\s*(\d+))?")


def event_key(event: MatchEvent, *, period: int = 0) -> str:
    """Return the identity of ``event`` within its match, stable across polls.

    Goals are ``goal:{side}:{h}-{a}`` (the side that scored, the running score after it), a
    disallowed goal ``disallowed:{side}:{h}-{a}`` (the running score of the goal taken back), a
    correction ``correction:{h}-{a}`` (the score after it), a phase change ``phase:{label}``
    (``phase:{label}:{period}`` when ``period`` is past the second, since extra-time halves and
    later periods reuse labels), ``postponed``, and anything else ``{kind}:{provider}:{id}`` or,
    without a provider id, ``{kind}:{side}:{minute}:{player}``. Score-keyed kinds lacking a score
    fall back to that last form.

    Args:
        event: the event to identify.
        period: the period a phase change started; ignored for other kinds.

    Returns:
        The key. :func:`diff` stores it in ``MatchEvent.key``; prefer that field once set.
    """
    kind, score, side = event.kind, event.score, event.side.value if event.side else ""
    if kind is EventKind.PHASE_CHANGE:
        return f"phase:{event.detail}:{period}" if period > 2 else f"phase:{event.detail}"
    if kind is EventKind.POSTPONED:
        return "postponed"
    if score is not None:
        if kind.is_goal:
            return f"goal:{side}:{score}"
        if kind is EventKind.GOAL_DISALLOWED:
            return f"disallowed:{side}:{score}"
        if kind is EventKind.SCORE_CORRECTION:
            return f"correction:{score}"
    if event.provider_event_id:
        return f"{kind.value}:{event.provider}:{event.provider_event_id}"
    return f"{kind.value}:{side}:{event.minute}:{event.player or ''}"


def diff(prev: Match | None, curr: Match) -> list[MatchEvent]:
    """Return the events implied by going from ``prev`` to ``curr``, in match order.

    Order: a phase that starts play (kick-off, second half, extra time) comes first, then
    enrichments of goals already reported, then disallowed goals (or one correction), then new
    goals interleaved by minute with new cards, substitutions and penalty misses, and last a phase
    that stops play (half-time, full time, postponed). Only the latest phase is reported: a poll
    that misses half-time goes straight from ``1H`` to ``2H``. A score that drops is VAR (one
    ``goal_disallowed`` per goal) when ``curr`` is live or at a break, and a data correction (one
    ``score_correction``, no goals) when it is anything else, final and scheduled included.

    Args:
        prev: the previous state; None when the match is seen for the first time.
        curr: the new state.

    Returns:
        The events, each with ``key`` set and ``seq`` 0. Empty for a first sighting: a snapshot
        is never a burst of goals.
    """
    if prev is None:
        return []
    before, after = itemised(prev), itemised(curr)
    phase = _phase_event(prev, curr)
    out: list[MatchEvent] = [phase] if phase is not None and curr.phase.state is PhaseState.LIVE else []
    out += _enrichments(prev, before, curr, after)
    goals: list[MatchEvent] = []
    dropped = any(curr.score.for_side(s) < prev.score.for_side(s) for s in _SIDES)
    if dropped and not curr.phase.is_active:
        correction = MatchEvent(kind=EventKind.SCORE_CORRECTION, score=curr.score, provider=curr.provider)
        out.append(_keyed(correction))
    else:
        out += _disallowed(prev, before, after, curr)
        goals = _new_goals(prev, curr, after)
    seen = {e.key for e in before}
    others = [e for e in after if e.kind in _ITEMISED and e.key not in seen]
    out += _interleave(goals, others)
    if phase is not None and curr.phase.state is not PhaseState.LIVE:
        out.append(phase)
    return out


def goal_tally(events: Iterable[MatchEvent], start: Score | None = None) -> Score:
    """Return the score implied by ``events`` counted from ``start`` (0-0 by default).

    A goal kind adds one to its side unless it ``enriches`` a goal already counted; a disallowed
    goal takes one back; a score correction sets the tally to its score, dropping everything
    before it. For the events :func:`diff` emits over a match's life, the tally from the score of
    the first sighting equals the latest score.

    Args:
        events: events in the order they were emitted.
        start: the score the events start from.

    Returns:
        The tally.
    """
    tally = start or Score()
    for event in events:
        if event.kind is EventKind.SCORE_CORRECTION and event.score is not None:
            tally = event.score
        elif event.side is not None and (event.kind.is_goal and not event.enriches):
            tally = _bump(tally, event.side, 1)
        elif event.side is not None and event.kind is EventKind.GOAL_DISALLOWED:
            tally = _bump(tally, event.side, -1)
    return tally


def _bump(score: Score, side: Side, by: int) -> Score:
    if side is Side.HOME:
        return Score(score.home + by, score.away)
    return Score(score.home, score.away + by)


def _keyed(event: MatchEvent, period: int = 0) -> MatchEvent:
    return msgspec.structs.replace(event, key=event_key(event, period=period))


def _minute(text: str) -> tuple[int, int] | None:
    found = _MINUTE.search(text)
    return (int(found[1]), int(found[2] or 0)) if found else None


def itemised(match: Match) -> list[MatchEvent]:
    """Keyed copies of the match's itemised events, minus shoot-out kicks.

    Goals without a score get the running score of their place in the list, as providers list
    events in match order. A listed disallowed goal gets the score the goal would have made: the
    goal itself is gone from the list (API-Football, hence TheSportsDB, drop it for the VAR entry).
    """
    running, out = Score(), []
    for event in match.events:
        if _SHOOTOUT.search(event.detail) or event.kind in (EventKind.PHASE_CHANGE, EventKind.POSTPONED):
            continue
        score = event.score
        if event.side is not None and event.kind.is_goal:
            score = running = score or _bump(running, event.side, 1)
        elif event.side is not None and event.kind is EventKind.GOAL_DISALLOWED:
            score = score or _bump(running, event.side, 1)
        out.append(_keyed(msgspec.structs.replace(event, score=score)))
    return out


def _phase_event(prev: Match, curr: Match) -> MatchEvent | None:
    old, new = prev.phase, curr.phase
    if (old.state, old.label) == (new.state, new.label):
        return None
    label = new.label or new.state.value
    if new.state is PhaseState.POSTPONED:
        return _keyed(MatchEvent(kind=EventKind.POSTPONED, detail=label, provider=curr.provider))
    event = MatchEvent(kind=EventKind.PHASE_CHANGE, detail=label, minute=curr.clock, provider=curr.provider)
    return _keyed(event, new.period if new.is_active else 0)


def _listed(
    events: list[MatchEvent], side: Side, count: int, *, disallowed: bool = False
) -> MatchEvent | None:
    """The last listed goal (or disallowed goal) of ``side`` whose running score reached ``count``."""
    found = None
    for event in events:
        wanted = event.kind is EventKind.GOAL_DISALLOWED if disallowed else event.kind.is_goal
        if wanted and event.side is side and event.score is not None and event.score.for_side(side) == count:
            found = event
    return found


def _enrichments(
    prev: Match, before: list[MatchEvent], curr: Match, after: list[MatchEvent]
) -> list[MatchEvent]:
    """Details of goals both states count but only ``curr`` describes."""
    # A goal is known by its side and that side's count: the other side's part of a running score
    # can differ between lists (a provider's order, a goal taken back and scored again between polls).
    described = {
        (e.side, e.score.for_side(e.side))
        for e in before
        if e.kind.is_goal and e.side is not None and e.score is not None
    }
    out = []
    for event in after:
        if not event.kind.is_goal or event.side is None or event.score is None:
            continue
        count = event.score.for_side(event.side)
        if (event.side, count) in described:
            continue
        if count <= min(prev.score.for_side(event.side), curr.score.for_side(event.side)):
            out.append(msgspec.structs.replace(event, enriches=True, synthetic=False, seq=0))
    return out


def _disallowed(
    prev: Match, before: list[MatchEvent], after: list[MatchEvent], curr: Match
) -> list[MatchEvent]:
    """One ``goal_disallowed`` per goal a side lost, newest first."""
    out = []
    for side in _SIDES:
        for count in range(prev.score.for_side(side), curr.score.for_side(side), -1):
            goal = _listed(before, side, count)
            listed = _listed(after, side, count, disallowed=True)
            score = goal.score if goal is not None and goal.score is not None else None
            if score is None:
                other = prev.score.away if side is Side.HOME else prev.score.home
                score = Score(count, other) if side is Side.HOME else Score(other, count)
            detail = listed.detail if listed is not None and listed.detail else "VAR"
            source = listed or goal
            event = MatchEvent(
                kind=EventKind.GOAL_DISALLOWED,
                side=side,
                score=score,
                detail=detail,
                minute=source.minute if source else "",
                player=source.player if source else None,
                provider=curr.provider,
            )
            out.append(_keyed(event))
    return out


def _new_goals(prev: Match, curr: Match, after: list[MatchEvent]) -> list[MatchEvent]:
    """The goals the score gained, with the running score stepping one goal at a time."""
    tally = Score(*(min(prev.score.for_side(s), curr.score.for_side(s)) for s in _SIDES))
    queues: dict[Side, list[MatchEvent | None]] = {
        s: [_listed(after, s, n) for n in range(tally.for_side(s) + 1, curr.score.for_side(s) + 1)]
        for s in _SIDES
    }
    out = []
    while queues[Side.HOME] or queues[Side.AWAY]:
        side = _next_side(queues[Side.HOME], queues[Side.AWAY], tally.home + tally.away + 1)
        listed = queues[side].pop(0)
        tally = _bump(tally, side, 1)
        if listed is None:
            goal = MatchEvent(
                kind=EventKind.GOAL,
                minute=curr.clock,
                side=side,
                score=tally,
                provider=curr.provider,
                synthetic=True,
            )
        else:
            goal = msgspec.structs.replace(listed, score=tally, synthetic=False, enriches=False, seq=0)
        out.append(_keyed(goal))
    return out


def _next_side(home: list[MatchEvent | None], away: list[MatchEvent | None], position: int) -> Side:
    """Which side scored the goal at ``position`` (1-based count of goals in the match)."""
    if not away:
        return Side.HOME
    if not home:
        return Side.AWAY
    h, a = home[0], away[0]
    if h is not None and a is not None:
        mh, ma = _minute(h.minute), _minute(a.minute)
        if mh is not None and ma is not None and mh != ma:
            return Side.HOME if mh < ma else Side.AWAY
    # A listed goal's running score says where it falls; an unlisted one fills the gaps, home first.
    ph = h.score.home + h.score.away if h is not None and h.score is not None else None
    pa = a.score.home + a.score.away if a is not None and a.score is not None else None
    if pa == position and ph != position:
        return Side.AWAY
    if ph is not None and ph != position and (pa is None or pa < ph):
        return Side.AWAY
    return Side.HOME


def _interleave(goals: list[MatchEvent], others: list[MatchEvent]) -> list[MatchEvent]:
    """Merge cards and the like into the goals by minute; an unknown minute sorts last."""
    far = (10**6, 0)
    out: list[MatchEvent] = []
    rest = list(others)
    for goal in goals:
        at = _minute(goal.minute) or far
        while rest and (_minute(rest[0].minute) or far) < at:
            out.append(rest.pop(0))
        out.append(goal)
    return out + rest
