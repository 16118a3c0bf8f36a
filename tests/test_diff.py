"""Goal detection: diff() on hand-built pairs of match states, one rule at a time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import msgspec
import pytest

from scoreterm.domain.diff import diff, event_key, goal_tally
from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    Side,
    Team,
)

HOME, AWAY = Side.HOME, Side.AWAY
PHASES = {
    "pre": Phase(state=PhaseState.SCHEDULED),
    "1H": Phase(state=PhaseState.LIVE, period=1, label="1H"),
    "HT": Phase(state=PhaseState.BREAK, period=1, label="HT"),
    "2H": Phase(state=PhaseState.LIVE, period=2, label="2H"),
    "FT": Phase(state=PhaseState.FINAL, period=2, label="FT"),
    "ET": Phase(state=PhaseState.LIVE, period=3, label="ET"),
    "PEN": Phase(state=PhaseState.LIVE, period=5, label="PEN"),
    "AET": Phase(state=PhaseState.FINAL, period=4, label="AET"),
    "PST": Phase(state=PhaseState.POSTPONED, label="PST"),
}


def match(
    phase: str = "1H",
    score: tuple[int, int] = (0, 0),
    events: tuple[MatchEvent, ...] = (),
    *,
    clock: str = "",
    shootout: tuple[int, int] | None = None,
    provider: str = "espn",
) -> Match:
    """One state of the same match (Spain v Belgium), as ``provider`` reports it."""
    return Match(
        id="espn-760505",
        league="fifa.world",
        kickoff=datetime(2026, 6, 28, 19, tzinfo=UTC),
        home=Team(name="Spain", abbrev="ESP"),
        away=Team(name="Belgium", abbrev="BEL"),
        phase=PHASES[phase],
        score=Score(*score),
        shootout=Score(*shootout) if shootout else None,
        clock=clock,
        provider=provider,
        events=events,
    )


def goal(
    side: Side,
    score: tuple[int, int] | None,
    minute: str,
    player: str,
    kind: EventKind = EventKind.GOAL,
    detail: str = "",
) -> MatchEvent:
    """An itemised goal; ``score`` None leaves the running score to the list order."""
    return MatchEvent(
        kind=kind,
        side=side,
        score=Score(*score) if score else None,
        minute=minute,
        player=player,
        detail=detail,
        provider="espn",
    )


def card(kind: EventKind, side: Side, minute: str, player: str, pid: str | None = None) -> MatchEvent:
    """An itemised card, substitution or penalty miss."""
    return MatchEvent(
        kind=kind, side=side, minute=minute, player=player, provider="espn", provider_event_id=pid
    )


def keys(events: list[MatchEvent]) -> list[str]:
    return [e.key for e in events]


PEDRI = goal(HOME, (1, 0), "12'", "Pedri")
LUKAKU = goal(AWAY, (1, 1), "30'", "Lukaku")
MORATA = goal(HOME, (2, 1), "70'", "Morata")


def test_first_sight_is_a_snapshot() -> None:
    assert diff(None, match("2H", (2, 1), (PEDRI, LUKAKU, MORATA))) == []


def test_single_goal_with_scorer() -> None:
    [event] = diff(match("1H"), match("1H", (1, 0), (PEDRI,), clock="13'"))
    assert event.kind is EventKind.GOAL
    assert (event.side, event.player, event.minute) == (HOME, "Pedri", "12'")
    assert event.key == "goal:home:1-0"
    assert event.score == Score(1, 0)
    assert not event.synthetic and not event.enriches and event.seq == 0


def test_synthetic_goal_then_enrichment() -> None:
    polls = [
        match("1H", clock="10'"),
        match("1H", (1, 0), clock="13'"),
        match("1H", (1, 0), (PEDRI,), clock="14'"),
        match("1H", (1, 0), (PEDRI,), clock="15'"),
    ]
    emitted = [diff(a, b) for a, b in itertools.pairwise(polls)]
    [synthetic], [enrichment], again = emitted
    assert synthetic.synthetic and synthetic.key == "goal:home:1-0" and synthetic.minute == "13'"
    assert synthetic.player is None and synthetic.provider == "espn"
    assert enrichment.enriches and not enrichment.synthetic and enrichment.key == synthetic.key
    assert enrichment.player == "Pedri"
    assert again == []
    assert goal_tally(synthetic_and_rest for batch in emitted for synthetic_and_rest in batch) == Score(1, 0)


def test_two_goals_between_polls_without_details() -> None:
    events = diff(match("1H"), match("1H", (2, 0), clock="40'"))
    assert keys(events) == ["goal:home:1-0", "goal:home:2-0"]
    assert all(e.synthetic and e.minute == "40'" for e in events)


def test_two_goals_between_polls_one_itemised() -> None:
    events = diff(match("1H"), match("1H", (2, 0), (PEDRI,)))
    assert keys(events) == ["goal:home:1-0", "goal:home:2-0"]
    assert [(e.player, e.synthetic) for e in events] == [("Pedri", False), (None, True)]


def test_two_goals_between_polls_second_itemised_first() -> None:
    second = goal(HOME, (2, 0), "35'", "Olmo")
    events = diff(match("1H"), match("1H", (2, 0), (second,)))
    assert [(e.key, e.player, e.synthetic) for e in events] == [
        ("goal:home:1-0", None, True),
        ("goal:home:2-0", "Olmo", False),
    ]


def test_both_sides_score_in_one_poll_ordered_by_minute() -> None:
    doku = goal(AWAY, (0, 1), "5'", "Doku")
    pedri = goal(HOME, (1, 1), "12'", "Pedri")
    events = diff(match("1H"), match("1H", (1, 1), (doku, pedri)))
    assert keys(events) == ["goal:away:0-1", "goal:home:1-1"]


def test_both_sides_score_in_added_time_ordered_by_minute() -> None:
    late = (goal(HOME, None, "90'+3'", "Olmo"), goal(AWAY, None, "90'+1'", "Doku"))
    events = diff(match("2H", (1, 1), (PEDRI, LUKAKU)), match("2H", (2, 2), (PEDRI, LUKAKU, *late)))
    assert keys(events) == ["goal:away:1-2", "goal:home:2-2"]


def test_both_sides_score_in_one_poll_without_details_home_first() -> None:
    events = diff(match("1H", (1, 0)), match("1H", (2, 2)))
    assert keys(events) == ["goal:home:2-0", "goal:away:2-1", "goal:away:2-2"]


def test_both_sides_listed_goal_places_the_unlisted_one() -> None:
    # Belgium's goal is listed as the first of the two; Spain's unlisted one must come after it.
    doku = goal(AWAY, (0, 1), "", "Doku")
    events = diff(match("1H"), match("1H", (1, 1), (doku,)))
    assert [(e.key, e.synthetic) for e in events] == [("goal:away:0-1", False), ("goal:home:1-1", True)]


def test_running_score_derived_from_list_order() -> None:
    listed = (goal(HOME, None, "12'", "Pedri"), goal(AWAY, None, "30'", "Lukaku"))
    events = diff(match("1H"), match("1H", (1, 1), listed))
    assert [(e.key, e.player) for e in events] == [("goal:home:1-0", "Pedri"), ("goal:away:1-1", "Lukaku")]


def test_own_goal_counts_for_benefiting_side() -> None:
    own = goal(AWAY, (0, 1), "22'", "Laporte", kind=EventKind.OWN_GOAL)
    [event] = diff(match("1H"), match("1H", (0, 1), (own,)))
    assert (event.kind, event.side, event.key) == (EventKind.OWN_GOAL, AWAY, "goal:away:0-1")
    assert goal_tally([event]) == Score(0, 1)


def test_penalty_goal() -> None:
    pen = goal(HOME, (1, 0), "55'", "Morata", kind=EventKind.PENALTY_GOAL)
    [event] = diff(match("2H"), match("2H", (1, 0), (pen,)))
    assert (event.kind, event.key) == (EventKind.PENALTY_GOAL, "goal:home:1-0")


def test_shootout_score_change_is_not_a_goal() -> None:
    prev = match("PEN", (1, 1), (PEDRI, LUKAKU), shootout=(3, 2))
    curr = match("PEN", (1, 1), (PEDRI, LUKAKU), shootout=(4, 3))
    assert diff(prev, curr) == []


def test_shootout_kicks_in_events_are_not_goals() -> None:
    kicks = (
        goal(HOME, None, "120'", "Rodri", EventKind.PENALTY_GOAL, detail="Penalty - Scored (shootout)"),
        goal(AWAY, None, "120'", "Tielemans", EventKind.PENALTY_GOAL),  # unflagged: beyond the score
    )
    prev = match("PEN", (1, 1), (PEDRI, LUKAKU), shootout=(0, 0))
    curr = match("PEN", (1, 1), (PEDRI, LUKAKU, *kicks), shootout=(1, 1))
    assert diff(prev, curr) == []
    final = match("AET", (1, 1), (PEDRI, LUKAKU, *kicks), shootout=(4, 3))
    assert keys(diff(curr, final)) == ["phase:AET"]


def test_disallowed_goal_carries_the_player() -> None:
    prev = match("2H", (2, 1), (PEDRI, LUKAKU, MORATA), clock="71'")
    [event] = diff(prev, match("2H", (1, 1), (PEDRI, LUKAKU), clock="73'"))
    assert event.kind is EventKind.GOAL_DISALLOWED
    # Keyed by the goal it takes back; its score is the one after it is taken back.
    assert (event.key, event.side, event.score) == ("disallowed:home:2-1", HOME, Score(1, 1))
    assert (event.player, event.minute, event.detail) == ("Morata", "70'", "VAR")
    assert goal_tally([event], start=Score(2, 1)) == Score(1, 1)


def test_disallowed_synthetic_goal_and_a_goal_in_the_same_poll() -> None:
    events = diff(match("1H", (1, 0)), match("1H", (0, 1), clock="20'"))
    assert keys(events) == ["disallowed:home:1-0", "goal:away:0-1"]
    assert events[0].player is None
    assert goal_tally(events, start=Score(1, 0)) == Score(0, 1)


def test_disallowed_goal_uses_listed_var_decision() -> None:
    var = MatchEvent(
        kind=EventKind.GOAL_DISALLOWED, side=HOME, minute="71'", player="Morata", detail="Offside"
    )
    prev = match("2H", (2, 1), (PEDRI, LUKAKU, MORATA))
    # API-Football style: the goal leaves the list and a VAR entry takes its place.
    [event] = diff(prev, match("2H", (1, 1), (PEDRI, LUKAKU, var)))
    assert (event.key, event.detail, event.player) == ("disallowed:home:2-1", "Offside", "Morata")


def test_listed_var_decision_on_a_goal_never_counted_is_nothing() -> None:
    var = MatchEvent(
        kind=EventKind.GOAL_DISALLOWED, side=AWAY, minute="32'", player="Plechaty", detail="Offside"
    )
    assert diff(match("1H"), match("1H", events=(var,))) == []


def test_score_correction_when_final() -> None:
    prev = match("FT", (2, 1), (PEDRI, LUKAKU, MORATA))
    [event] = diff(prev, match("FT", (1, 1), (PEDRI, LUKAKU)))
    assert event.kind is EventKind.SCORE_CORRECTION
    assert (event.key, event.score) == ("correction:1-1", Score(1, 1))
    assert goal_tally([PEDRI, LUKAKU, MORATA, event]) == Score(1, 1)


@pytest.mark.parametrize(("after", "tail"), [("FT", ["phase:FT"]), ("PST", ["postponed"])])
def test_drop_as_play_stops_is_a_correction(after: str, tail: list[str]) -> None:
    events = diff(match("2H", (1, 0), (PEDRI,)), match(after, (0, 0)))
    assert keys(events) == ["correction:0-0", *tail]


def test_late_goal_seen_at_full_time_is_a_goal() -> None:
    events = diff(match("2H", (1, 1), clock="90'+3'"), match("FT", (2, 1), clock="90'+6'"))
    assert keys(events) == ["goal:home:2-1", "phase:FT"]


def test_cards_and_substitution() -> None:
    yellow = card(EventKind.YELLOW_CARD, HOME, "20'", "Rodri", pid="9001")
    red = card(EventKind.RED_CARD, AWAY, "44'", "Onana")
    sub = card(EventKind.SUBSTITUTION, AWAY, "46'", "Trossard")
    miss = card(EventKind.PENALTY_MISS, HOME, "50'", "Morata")
    curr = match("2H", events=(yellow, red, sub, miss))
    events = diff(match("1H"), curr)
    assert keys(events) == [
        "phase:2H",
        "yellow_card:home:name:rodri:1",
        "red_card:away:name:onana:1",
        "substitution:away:name:trossard:",
        "penalty_miss:home:name:morata:1",
    ]
    assert diff(curr, curr) == []
    assert goal_tally(events) == Score()


def test_cards_interleave_with_goals_by_minute() -> None:
    yellow = card(EventKind.YELLOW_CARD, AWAY, "20'", "Onana")
    late = card(EventKind.YELLOW_CARD, AWAY, "40'", "Doku")
    events = diff(match("1H"), match("1H", (2, 0), (PEDRI, yellow, goal(HOME, (2, 0), "35'", "Olmo"), late)))
    assert [e.minute for e in events] == ["12'", "20'", "35'", "40'"]


@pytest.mark.parametrize(
    ("before", "after", "key", "detail"),
    [
        ("pre", "1H", "phase:1H", "1H"),
        ("1H", "HT", "phase:HT", "HT"),
        ("HT", "2H", "phase:2H", "2H"),
        ("2H", "ET", "phase:ET:3", "ET"),
        ("ET", "PEN", "phase:PEN:5", "PEN"),
        ("2H", "FT", "phase:FT", "FT"),
        ("ET", "AET", "phase:AET", "AET"),
    ],
)
def test_phase_changes(before: str, after: str, key: str, detail: str) -> None:
    [event] = diff(match(before), match(after))
    assert (event.kind, event.key, event.detail) == (EventKind.PHASE_CHANGE, key, detail)


def test_kickoff_comes_before_goals_and_full_time_after() -> None:
    assert keys(diff(match("pre"), match("1H", (1, 0)))) == ["phase:1H", "goal:home:1-0"]
    assert keys(diff(match("2H"), match("FT", (0, 1)))) == ["goal:away:0-1", "phase:FT"]


def test_postponed() -> None:
    [event] = diff(match("pre"), match("PST"))
    assert (event.kind, event.key, event.detail) == (EventKind.POSTPONED, "postponed", "PST")


def test_itemised_events_vanishing_without_score_change() -> None:
    yellow = card(EventKind.YELLOW_CARD, HOME, "20'", "Rodri", pid="9001")
    prev = match("2H", (2, 1), (PEDRI, LUKAKU, yellow, MORATA))
    assert diff(prev, match("2H", (2, 1), provider="thesportsdb")) == []
    assert diff(prev, match("2H", (2, 1), (PEDRI, MORATA))) == []


def test_failover_and_back_reenriches() -> None:
    itemised = match("2H", (1, 1), (PEDRI, LUKAKU))
    bare = match("2H", (2, 1), provider="thesportsdb", clock="70'")
    [synthetic] = diff(itemised, bare)
    assert synthetic.key == "goal:home:2-1" and synthetic.provider == "thesportsdb"
    back = diff(bare, match("2H", (2, 1), (PEDRI, LUKAKU, MORATA)))
    # diff cannot know Pedri and Lukaku were described before the failover: the engine drops those.
    assert keys(back) == ["goal:home:1-0", "goal:away:1-1", "goal:home:2-1"]
    assert all(e.enriches for e in back)


@pytest.mark.parametrize(
    "state",
    [
        match("pre"),
        match("1H", (1, 0), (PEDRI,)),
        match("1H", (2, 0), (PEDRI,)),
        match("2H", (2, 1), (PEDRI, LUKAKU, MORATA, card(EventKind.YELLOW_CARD, HOME, "20'", "Rodri"))),
        match("PEN", (1, 1), (PEDRI, LUKAKU), shootout=(2, 2)),
        match("PST"),
    ],
)
def test_diff_of_a_state_with_itself_is_empty(state: Match) -> None:
    assert diff(state, state) == []


def test_event_keys() -> None:
    assert event_key(PEDRI) == "goal:home:1-0"
    rodri = card(EventKind.YELLOW_CARD, HOME, "20'", "Rodri", pid="77")
    assert event_key(rodri) == "yellow_card:home:name:rodri:1"
    assert event_key(msgspec.structs.replace(rodri, player_id="p9"), ordinal=2) == "yellow_card:home:id:p9:2"
    assert event_key(card(EventKind.RED_CARD, AWAY, "44'", "Onana")) == "red_card:away:name:onana:1"
    correction = MatchEvent(kind=EventKind.SCORE_CORRECTION, score=Score(1, 1))
    assert event_key(correction) == "correction:1-1"
    phase = MatchEvent(kind=EventKind.PHASE_CHANGE, detail="ET")
    assert (event_key(phase), event_key(phase, period=3)) == ("phase:ET", "phase:ET:3")
    assert event_key(MatchEvent(kind=EventKind.POSTPONED)) == "postponed"


def test_goal_tally_rules() -> None:
    synthetic = MatchEvent(kind=EventKind.GOAL, side=HOME, score=Score(1, 0), synthetic=True)
    enrichment = MatchEvent(kind=EventKind.GOAL, side=HOME, score=Score(1, 0), enriches=True)
    disallowed = MatchEvent(kind=EventKind.GOAL_DISALLOWED, side=HOME, score=Score(0, 0))
    assert goal_tally([synthetic, enrichment]) == Score(1, 0)
    assert goal_tally([synthetic, enrichment, disallowed]) == Score(0, 0)
    assert goal_tally([LUKAKU], start=Score(1, 0)) == Score(1, 1)
