"""Goal detection: turn two successive states of a match into the events between them.

Everything here is pure. The engine keeps the last state of each match, feeds it with the new
one to :func:`diff`, assigns sequence numbers to what comes back and publishes it.

The score drives goals; itemised events only describe them. Each goal the score gained since the
previous state is emitted once, carrying the provider's details when it itemised that goal and
``synthetic=True`` when it did not. A goal whose details arrive after its score emits an
``enriches`` event under the same key; an event whose minute (or a goal whose scorer) the provider
revises emits a ``revises`` event under its key, never a second event. Score drops become
``goal_disallowed`` while a match is under way and one ``score_correction`` otherwise.

Identity (:func:`event_key`) survives what providers revise between polls (clock seconds, minute
text, the order of rows, the spelling of names): goals are known by the score they made, cards by
team, player and which card of that player it is, substitutions by team and the two players.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import msgspec

from scoreterm.domain.minutes import is_minute, minute_order, parse_minute
from scoreterm.domain.model import EventKind, Match, MatchEvent, PhaseState, Score, Side
from scoreterm.domain.names import normalize_name

_SIDES = (Side.HOME, Side.AWAY)
_ITEMISED = (EventKind.YELLOW_CARD, EventKind.RED_CARD, EventKind.SUBSTITUTION, EventKind.PENALTY_MISS)
_SHOOTOUT = re.compile(r"shoot[\s-]?out", re.IGNORECASE)
_SOCCER_LABELS = frozenset({"1H", "HT", "2H", "ET", "ET-HT", "PEN", "FT", "AET"})
# The minute a soccer phase begins: the second half starts at 46' whenever we notice it.
_STARTS = {("1H", 1): "1'", ("2H", 2): "46'", ("ET", 3): "91'", ("ET", 4): "106'", ("PEN", 5): "120'"}
_ENDS = {"HT": "45'", "FT": "90'", "ET-HT": "105'", "AET": "120'", "PEN": "120'"}


def player_key(name: str | None, player_id: str = "") -> str:
    """Who a player is, for event identity: the provider's id when given, else the normalized name."""
    if player_id:
        return f"id:{player_id}"
    return f"name:{normalize_name(name)}" if name else ""


def event_key(event: MatchEvent, *, period: int = 0, ordinal: int = 1, goal: Score | None = None) -> str:
    """Return the identity of ``event`` within its match, stable across polls and revisions.

    Goals are ``goal:{side}:{h}-{a}`` (the side that scored, the running score after it), a
    disallowed goal ``disallowed:{side}:{h}-{a}`` (the score of the goal taken back: ``goal``, or
    the event's score plus that goal), a correction ``correction:{h}-{a}`` (the score after it), a
    phase change ``phase:{label}`` (``phase:{label}:{period}`` when ``period`` is past the second,
    since extra-time halves and later periods reuse labels), ``postponed``. Cards and missed
    penalties are ``{kind}:{side}:{player}:{ordinal}`` (the ``ordinal``-th of that kind for that
    player), a substitution ``substitution:{side}:{on}:{off}``, with players as :func:`player_key`.
    Anything else falls back to ``{kind}:{provider}:{id}`` or ``{kind}:{side}:{minute}:{player}``.

    Returns:
        The key. :func:`diff` stores it in ``MatchEvent.key``; prefer that field once set.
    """
    kind, score, side = event.kind, event.score, event.side.value if event.side else ""
    if kind is EventKind.PHASE_CHANGE:
        return f"phase:{event.detail}:{period}" if period > 2 else f"phase:{event.detail}"
    if kind is EventKind.POSTPONED:
        return "postponed"
    if kind is EventKind.GOAL_DISALLOWED and event.side is not None and (goal or score) is not None:
        taken = goal or _bump(score or Score(), event.side, 1)
        return f"disallowed:{side}:{taken}"
    if score is not None and kind.is_goal:
        return f"goal:{side}:{score}"
    if score is not None and kind is EventKind.SCORE_CORRECTION:
        return f"correction:{score}"
    who = player_key(event.player, event.player_id)
    if kind is EventKind.SUBSTITUTION and side and who:
        return f"substitution:{side}:{who}:{player_key(event.other_player, event.other_player_id)}"
    if kind in _ITEMISED and side and who:
        return f"{kind.value}:{side}:{who}:{ordinal}"
    if event.provider_event_id:
        return f"{kind.value}:{event.provider}:{event.provider_event_id}"
    return f"{kind.value}:{side}:{event.minute}:{event.player or ''}"


def goal_key_of(disallowed_key: str) -> str:
    """The key of the goal a ``disallowed:...`` key takes back (without its generation suffix)."""
    return "goal:" + disallowed_key.split(":", 1)[1].split("#", 1)[0]


def diff(prev: Match | None, curr: Match) -> list[MatchEvent]:
    """Return the events implied by going from ``prev`` to ``curr``, in match order.

    Order: a phase that starts play (kick-off, second half, extra time) comes first, then
    enrichments and revisions of events already reported, then disallowed goals (or one
    correction), then new goals interleaved by minute with new cards, substitutions and penalty
    misses, and last a phase that stops play (half-time, full time, postponed). Only the latest
    phase is reported: a poll that misses half-time goes straight from ``1H`` to ``2H``. A soccer
    phase carries the minute it began (the second half ``46'``), not the minute it was noticed.
    A score that drops is VAR (one ``goal_disallowed`` per goal) when ``curr`` is live or at a
    break, and a data correction (one ``score_correction``, no goals) when it is anything else.

    ``score`` on goals, disallowed goals and corrections is the score after the event; the store
    stamps it on the other kinds (it knows the goals of earlier polls).

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
    out += _revisions(before, after)
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

    A goal kind adds one to its side unless it ``enriches`` or ``revises`` a goal already counted;
    a disallowed goal takes one back; a score correction sets the tally to its score, dropping
    everything before it. For the events :func:`diff` emits over a match's life, the tally from
    the score of the first sighting equals the latest score.
    """
    tally = start or Score()
    for event in events:
        if event.kind is EventKind.SCORE_CORRECTION and event.score is not None:
            tally = event.score
        elif event.side is not None and event.kind.is_goal and not (event.enriches or event.revises):
            tally = _bump(tally, event.side, 1)
        elif event.side is not None and event.kind is EventKind.GOAL_DISALLOWED:
            tally = _bump(tally, event.side, -1)
    return tally


def score_at(goals: Iterable[MatchEvent], minute: str) -> Score:
    """The score at ``minute`` in match order: the standing ``goals`` scored by then.

    A goal in the same minute counts (the card at 59' after a goal at 59' sees it); a goal
    without a minute counts always.
    """
    at = minute_order(minute)
    home = away = 0
    for goal in goals:
        if goal.side is None or minute_order(goal.minute) > at:
            continue
        home, away = (home + 1, away) if goal.side is Side.HOME else (home, away + 1)
    return Score(home, away)


def is_soccer_phase(label: str) -> bool:
    """True for the labels of a soccer match (``1H``, ``HT``, ``FT``...)."""
    return label in _SOCCER_LABELS


def _bump(score: Score, side: Side, by: int) -> Score:
    if side is Side.HOME:
        return Score(score.home + by, score.away)
    return Score(score.home, score.away + by)


def _keyed(event: MatchEvent, period: int = 0, ordinal: int = 1, goal: Score | None = None) -> MatchEvent:
    return msgspec.structs.replace(event, key=event_key(event, period=period, ordinal=ordinal, goal=goal))


def itemised(match: Match) -> list[MatchEvent]:
    """Keyed copies of the match's itemised events, minus shoot-out kicks and unattributable rows.

    Goals without a score get the running score of their place in the list, as providers list
    events in match order. A listed disallowed goal gets the score after it and the key of the goal
    it would have made: the goal itself is gone from the list (API-Football, hence TheSportsDB,
    drop it for the VAR entry). A card, missed penalty or substitution that names no team or no
    player cannot be told apart from the next one and is left out.
    """
    running, out = Score(), []
    ordinals: Counter[tuple[EventKind, Side | None, str]] = Counter()
    for event in match.events:
        if _SHOOTOUT.search(event.detail) or event.kind in (EventKind.PHASE_CHANGE, EventKind.POSTPONED):
            continue
        if event.kind in _ITEMISED:
            who = player_key(event.player, event.player_id)
            if event.side is None or not who:
                continue
            ordinals[(event.kind, event.side, who)] += 1
            out.append(_keyed(event, ordinal=ordinals[(event.kind, event.side, who)]))
            continue
        score = event.score
        if event.side is not None and event.kind.is_goal:
            score = running = score or _bump(running, event.side, 1)
            out.append(_keyed(msgspec.structs.replace(event, score=score)))
        elif event.side is not None and event.kind is EventKind.GOAL_DISALLOWED:
            taken = _bump(running, event.side, 1)
            listed = msgspec.structs.replace(event, score=_bump(taken, event.side, -1))
            out.append(_keyed(listed, goal=taken))
        else:
            out.append(_keyed(event))
    return out


def _phase_event(prev: Match, curr: Match) -> MatchEvent | None:
    old, new = prev.phase, curr.phase
    if (old.state, old.label) == (new.state, new.label):
        return None
    label = new.label or new.state.value
    if new.state is PhaseState.POSTPONED:
        return _keyed(MatchEvent(kind=EventKind.POSTPONED, detail=label, provider=curr.provider))
    minute = _phase_minute(prev, curr) if is_soccer_phase(label) else curr.clock
    event = MatchEvent(kind=EventKind.PHASE_CHANGE, detail=label, minute=minute, provider=curr.provider)
    return _keyed(event, new.period if new.is_active else 0)


def _phase_minute(prev: Match, curr: Match) -> str:
    """The minute a soccer phase began: fixed for kick-offs, the last clock of play for a stop."""
    label, period = curr.phase.label, curr.phase.period
    if curr.phase.state is PhaseState.LIVE:
        return _STARTS.get((label, period), curr.clock if is_minute(curr.clock) else "")
    end = _ENDS.get(label, "")
    if prev.phase.state is PhaseState.LIVE and prev.phase.period == period:
        # The last clock of play, when it reached the half's end (45'+3'); a poll that last saw
        # 41' does not make half-time begin at 41'.
        for clock in (curr.clock, prev.clock):
            if is_minute(clock) and minute_order(clock) >= minute_order(end):
                return clock
    return end


def _listed(events: list[MatchEvent], side: Side, count: int) -> MatchEvent | None:
    """The last listed goal of ``side`` whose running score reached ``count``."""
    found = None
    for event in events:
        if event.kind.is_goal and event.side is side and _count(event, side) == count:
            found = event
    return found


def _count(event: MatchEvent, side: Side) -> int | None:
    return event.score.for_side(side) if event.score is not None else None


def _listed_disallowed(events: list[MatchEvent], side: Side, count: int) -> MatchEvent | None:
    """The listed disallowed goal of ``side`` that took back its ``count``-th goal."""
    for event in events:
        # Its score is the one after the goal was taken back: one short of the goal's count.
        wanted = event.kind is EventKind.GOAL_DISALLOWED and event.side is side
        if wanted and _count(event, side) == count - 1:
            return event
    return None


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


def _revisions(before: list[MatchEvent], after: list[MatchEvent]) -> list[MatchEvent]:
    """Events both lists describe under one key whose minute (or, for a goal, scorer) changed."""
    old = {e.key: e for e in before}
    out = []
    for event in after:
        was = old.get(event.key)
        if was is None or not is_minute(event.minute):
            continue
        moved = event.minute != was.minute
        renamed = event.kind.is_goal and bool(event.player) and event.player != was.player
        if moved or renamed:
            out.append(msgspec.structs.replace(event, revises=True, synthetic=False, seq=0))
    return sorted(out, key=lambda e: minute_order(e.minute))


def _disallowed(
    prev: Match, before: list[MatchEvent], after: list[MatchEvent], curr: Match
) -> list[MatchEvent]:
    """One ``goal_disallowed`` per goal a side lost, newest first, each with the score after it."""
    out = []
    running = prev.score
    for side in _SIDES:
        for count in range(prev.score.for_side(side), curr.score.for_side(side), -1):
            goal = _listed(before, side, count)
            listed = _listed_disallowed(after, side, count)
            taken = goal.score if goal is not None and goal.score is not None else None
            if taken is None:
                other = prev.score.away if side is Side.HOME else prev.score.home
                taken = Score(count, other) if side is Side.HOME else Score(other, count)
            running = _bump(running, side, -1)
            source = listed or goal
            event = MatchEvent(
                kind=EventKind.GOAL_DISALLOWED,
                side=side,
                score=running,
                detail=listed.detail if listed is not None and listed.detail else "VAR",
                minute=source.minute if source else "",
                player=source.player if source else None,
                player_id=source.player_id if source else "",
                provider=curr.provider,
            )
            out.append(_keyed(event, goal=taken))
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
                minute=curr.clock if is_minute(curr.clock) else "",
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
        mh, ma = parse_minute(h.minute), parse_minute(a.minute)
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
        at = parse_minute(goal.minute) or far
        while rest and (parse_minute(rest[0].minute) or far) < at:
            out.append(rest.pop(0))
        out.append(goal)
    return out + rest
