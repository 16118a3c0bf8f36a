"""Goal detection over random match histories: the emitted events always add up to the score.

A history is a list of polls of one match. Underneath is a true timeline: goals scored one at a
time (a poll may see up to two per side), the latest goal sometimes taken back by VAR while play
is live, phases moving scheduled -> 1H -> HT -> 2H -> FT, and sometimes a data correction after
full time. The provider may list each goal when it is scored, a poll or two later, or never.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from scoreterm.domain.diff import diff, event_key, goal_tally
from scoreterm.domain.model import EventKind, Match, MatchEvent, Phase, PhaseState, Score, Side, Team

PHASES = (
    Phase(state=PhaseState.SCHEDULED),
    Phase(state=PhaseState.LIVE, period=1, label="1H"),
    Phase(state=PhaseState.BREAK, period=1, label="HT"),
    Phase(state=PhaseState.LIVE, period=2, label="2H"),
    Phase(state=PhaseState.FINAL, period=2, label="FT"),
)
GOAL_KINDS = (EventKind.GOAL, EventKind.OWN_GOAL, EventKind.PENALTY_GOAL)


@dataclass
class TrueEvent:
    """Something that happened, and the poll from which the provider lists it (None: never)."""

    event: MatchEvent
    listed_from: int | None


def bump(score: Score, side: Side, by: int) -> Score:
    return Score(score.home + by, score.away) if side is Side.HOME else Score(score.home, score.away + by)


def snapshot(
    phase: Phase, score: Score, clock: int, listed: list[TrueEvent], poll: int, explicit: bool
) -> Match:
    """What the provider shows at ``poll``; without ``explicit`` running scores its goals carry none."""
    events = tuple(
        t.event if explicit or not t.event.kind.is_goal else msgspec.structs.replace(t.event, score=None)
        for t in sorted(listed, key=lambda t: int(t.event.minute.rstrip("'")))
        if t.listed_from is not None and t.listed_from <= poll
    )
    return Match(
        id="espn-1",
        league="eng.1",
        kickoff=datetime(2026, 8, 15, 14, tzinfo=UTC),
        home=Team(name="Arsenal"),
        away=Team(name="Chelsea"),
        phase=phase,
        score=score,
        clock=f"{clock}'" if phase.is_active else "",
        provider="espn",
        events=events,
    )


# Strategies built once: building them per draw costs more than the diffs under test.
DELAYS = st.sampled_from((0, 0, 1, 2, None))
IN_ORDER_DELAYS = st.sampled_from((0, 0, 1, 2))
KINDS = st.sampled_from(GOAL_KINDS)
SIDES = st.sampled_from(Side)
ZERO_TO = {n: st.integers(0, n) for n in (1, 2, 3, 5)}


@st.composite
def histories(draw: st.DrawFn) -> list[Match]:
    """Successive polls of one match from kick-off to full time (and maybe a correction)."""
    # Without running scores the provider's list order gives them, so it must list goals in order.
    explicit = draw(st.booleans())
    phase, minute, score, ident = 0, 0, Score(), 0
    standing: list[TrueEvent] = []
    cards: list[TrueEvent] = []
    polls = [snapshot(PHASES[0], score, 0, [], 0, explicit)]
    for poll in range(1, draw(st.integers(2, 16))):
        phase = min(phase + draw(ZERO_TO[1]), len(PHASES) - 1)
        rising = {Side.HOME: draw(ZERO_TO[2]), Side.AWAY: draw(ZERO_TO[2])}
        if PHASES[phase].state is PhaseState.LIVE and standing and draw(ZERO_TO[5]) == 0:
            taken_back = standing.pop()
            score = bump(score, taken_back.event.side or Side.HOME, -1)
            # A side whose goal is taken back and scores again before the next poll shows no change.
            rising[taken_back.event.side or Side.HOME] = 0
        if phase > 0:
            ups = [Side.HOME] * rising[Side.HOME] + [Side.AWAY] * rising[Side.AWAY]
            for side in draw(st.permutations(ups)) if rising[Side.HOME] and rising[Side.AWAY] else ups:
                minute, ident, score = minute + 1, ident + 1, bump(score, side, 1)
                delay = draw(DELAYS if explicit else IN_ORDER_DELAYS)
                listed_from = None if delay is None else poll + delay
                if not explicit and standing:
                    listed_from = max(listed_from or 0, standing[-1].listed_from or 0)
                event = MatchEvent(
                    kind=draw(KINDS),
                    side=side,
                    score=score,
                    minute=f"{minute}'",
                    player=f"P{ident}",
                    provider="espn",
                )
                standing.append(TrueEvent(event, listed_from))
            if draw(ZERO_TO[3]) == 0:
                minute, ident = minute + 1, ident + 1
                event = MatchEvent(
                    kind=EventKind.YELLOW_CARD,
                    side=draw(SIDES),
                    minute=f"{minute}'",
                    player=f"C{ident}",
                    provider="espn",
                    provider_event_id=str(ident),
                )
                cards.append(TrueEvent(event, poll + draw(ZERO_TO[2])))
        minute += draw(ZERO_TO[5])
        polls.append(snapshot(PHASES[phase], score, minute, standing + cards, poll, explicit))
    if PHASES[phase].state is PhaseState.FINAL and standing and draw(st.booleans()):
        taken_back = standing.pop()
        score = bump(score, taken_back.event.side or Side.HOME, -1)
        polls.append(snapshot(PHASES[phase], score, minute, standing + cards, len(polls) + 2, explicit))
    return polls


def emitted_batches(polls: list[Match]) -> list[list[MatchEvent]]:
    return [diff(prev, curr) for prev, curr in itertools.pairwise(polls)]


@given(histories())
def test_goal_tally_equals_final_score(polls: list[Match]) -> None:
    events = [event for batch in emitted_batches(polls) for event in batch]
    assert goal_tally(events) == polls[-1].score


@given(histories())
def test_keys_unique_and_running_scores_consistent(polls: list[Match]) -> None:
    tally = Score()
    # (side, that side's count) -> (key, whether the goal's place among both sides was certain)
    standing: dict[tuple[Side, int], tuple[str, bool]] = {}
    awaiting_details: dict[tuple[Side, int], tuple[str, bool]] = {}
    seen: set[str] = set()
    for batch in emitted_batches(polls):
        sides_scoring = {e.side for e in batch if e.kind.is_goal and not e.enriches}
        certain = len(sides_scoring) < 2
        for event in batch:
            assert event.seq == 0 and event.key
            side = event.side or Side.HOME
            if event.kind.is_goal and event.enriches:
                assert event.score is not None and not event.synthetic
                place = (side, event.score.for_side(side))
                key, exact = awaiting_details.pop(place)  # KeyError: enriches nothing, or twice
                assert place in standing
                assert event.key == key or not exact
            elif event.kind.is_goal:
                assert event.score == bump(tally, side, 1)
                assert event.key == event_key(event)
                assert event.key not in {key for key, _ in standing.values()}
                tally = event.score
                standing[(side, tally.for_side(side))] = (event.key, certain)
                if event.synthetic:
                    awaiting_details[(side, tally.for_side(side))] = (event.key, certain)
            elif event.kind is EventKind.GOAL_DISALLOWED:
                # Its score is the one after the goal is taken back.
                assert event.score == bump(tally, side, -1)
                key, exact = standing.pop((side, tally.for_side(side)))
                assert event.key == key.replace("goal:", "disallowed:", 1) or not exact
                awaiting_details.pop((side, tally.for_side(side)), None)
                tally = bump(tally, side, -1)
            elif event.kind is EventKind.SCORE_CORRECTION:
                assert event.score is not None
                tally, standing, awaiting_details = event.score, {}, {}
            else:
                assert event.key not in seen
                seen.add(event.key)
    assert tally == polls[-1].score


@given(histories())
def test_same_state_twice_is_nothing_new(polls: list[Match]) -> None:
    for state in polls:
        assert diff(state, state) == []
