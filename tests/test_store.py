"""The match store: merge, seqs, idempotent events, enrichment, VAR generations, restore, mirror."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from scoreterm.domain.minutes import minute_order
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    Odds,
    Phase,
    PhaseState,
    Score,
    SeqUpdate,
    Side,
    SnapshotUpdate,
    Team,
)
from scoreterm.engine.store import Applied, MatchStore, merge

NOW = datetime(2026, 6, 11, 19, 30, tzinfo=UTC)
LIVE = Phase(state=PhaseState.LIVE, period=1, label="1H")


def match(home: int = 0, away: int = 0, events: tuple[MatchEvent, ...] = (), **changes: object) -> Match:
    base = Match(
        id="espn-1",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=LIVE,
        score=Score(home, away),
        clock="30'",
        provider="espn",
        provider_ids={"espn": "1"},
        events=events,
    )
    return msgspec.structs.replace(base, **changes) if changes else base


def goal(side: Side, home: int, away: int, minute: str, player: str) -> MatchEvent:
    return MatchEvent(
        kind=EventKind.GOAL,
        minute=minute,
        side=side,
        player=player,
        score=Score(home, away),
        provider="espn",
        provider_event_id=f"g{home}{away}",
    )


def test_first_sight_gets_seq_1_and_no_events() -> None:
    store = MatchStore()
    applied = store.apply(match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),)), NOW)
    assert applied.first_sight and applied.changed and applied.events == []
    assert applied.match.seq == 1 and store.seq("espn-1") == 1
    assert applied.match.updated_at == NOW


def test_unchanged_state_takes_no_seq() -> None:
    store = MatchStore()
    store.apply(match(), NOW)
    again = store.apply(match(), NOW)
    assert not again.changed and again.events == [] and store.seq("espn-1") == 1


def test_goal_then_state_seqs_are_consecutive() -> None:
    store = MatchStore()
    store.apply(match(), NOW)
    applied = store.apply(match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),)), NOW)
    assert [e.seq for e in applied.events] == [2]
    assert applied.match.seq == 3 and applied.score_changed


def test_synthetic_goal_is_enriched_once_not_duplicated() -> None:
    store = MatchStore()
    store.apply(match(), NOW)
    synthetic = store.apply(match(1, 0), NOW).events
    assert len(synthetic) == 1 and synthetic[0].synthetic and synthetic[0].key == "goal:home:1-0"
    enriched = store.apply(match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),)), NOW).events
    assert len(enriched) == 1 and enriched[0].enriches and enriched[0].player == "Quiñones"
    assert enriched[0].key == "goal:home:1-0"
    assert store.apply(match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),)), NOW).events == []
    assert [e.player for e in store.events("espn-1")] == ["Quiñones"]


def applied(store: MatchStore, incoming: Match) -> Applied:
    """``store.apply`` for a match it must accept."""
    result = store.apply(incoming, NOW)
    assert result is not None
    return result


def test_goal_after_var_gets_a_new_generation_key() -> None:
    store = MatchStore()
    store.apply(match(), NOW)
    first = applied(store, match(1, 0, (goal(Side.HOME, 1, 0, "20'", "Jiménez"),))).events
    # A lower score is believed when two polls in a row say it.
    assert applied(store, match(0, 0)).events == []
    taken_back = applied(store, match(0, 0)).events
    again = applied(store, match(1, 0, (goal(Side.HOME, 1, 0, "25'", "Lozano"),))).events
    assert first[0].key == "goal:home:1-0"
    assert taken_back[0].kind is EventKind.GOAL_DISALLOWED and taken_back[0].key == "disallowed:home:1-0"
    assert again[0].key == "goal:home:1-0#2" and again[0].player == "Lozano"
    seqs = [e.seq for e in store.events("espn-1")]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_merge_keeps_events_a_provider_does_not_itemise() -> None:
    with_goal = match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),))
    bare = match(1, 0, provider="thesportsdb", provider_ids={"thesportsdb": "9"})
    merged = merge(with_goal, bare)
    assert [e.player for e in merged.events] == ["Quiñones"]
    assert merged.provider_ids == {"espn": "1", "thesportsdb": "9"}


def test_merge_drops_goals_the_score_no_longer_allows_and_carries_odds() -> None:
    odds = Odds(provider="DraftKings")
    prev = match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),), odds=odds)
    merged = merge(prev, match(0, 0))
    assert merged.events == () and merged.odds == odds


def test_restore_continues_seqs() -> None:
    store = MatchStore()
    event = msgspec.structs.replace(goal(Side.HOME, 1, 0, "9'", "Q"), key="goal:home:1-0", seq=7)
    store.restore(match(1, 0, seq=8), [event])
    applied = store.apply(match(2, 0), NOW)
    assert [e.seq for e in applied.events] == [9] and applied.match.seq == 10


def published(applied: Applied) -> list[SeqUpdate]:
    """What an engine publishes for one apply: the events, then the state."""
    out: list[SeqUpdate] = [
        EventUpdate(channel="league:fifa.world", at=NOW, match_id="espn-1", seq=e.seq, event=e)
        for e in applied.events
    ]
    if applied.changed:
        state = applied.match
        out.append(
            DeltaUpdate(
                channel="league:fifa.world",
                at=NOW,
                match_id="espn-1",
                seq=state.seq,
                match=state,
            )
        )
    return out


def test_a_mirror_continues_the_same_seqs_without_reporting_events_again() -> None:
    leader, follower = MatchStore(), MatchStore()
    updates: list[SeqUpdate] = []
    for state in (
        match(),
        match(1, 0),  # a goal nobody has described yet (synthetic)
        match(0, 0),  # taken back by VAR
        match(1, 0, (goal(Side.HOME, 1, 0, "25'", "Lozano"),)),  # scored again: a new generation
    ):
        updates += published(leader.apply(state, NOW))
    for update in updates + updates:  # twice: a mirror takes each update once
        follower.mirror(update)
    assert follower.get("espn-1") == leader.get("espn-1")
    assert follower.seq("espn-1") == leader.seq("espn-1") == updates[-1].seq
    assert follower.events("espn-1") == leader.events("espn-1")
    # The follower takes over: the same next poll gives the same events, keys and seqs.
    later = match(2, 0, (goal(Side.HOME, 1, 0, "25'", "Lozano"), goal(Side.HOME, 2, 0, "60'", "Raúl")))
    on_leader, on_follower = leader.apply(later, NOW), follower.apply(later, NOW)
    assert on_follower.events == on_leader.events and on_follower.match == on_leader.match
    assert [e.key for e in on_follower.events] == ["goal:home:2-0"]
    # Taken back again: the follower counted the first retraction, so keys stay in step.
    assert follower.apply(match(1, 0), NOW).events == leader.apply(match(1, 0), NOW).events


def test_a_mirror_enriches_a_synthetic_goal_once() -> None:
    leader, follower = MatchStore(), MatchStore()
    for state in (match(), match(1, 0)):
        for update in published(leader.apply(state, NOW)):
            follower.mirror(update)
    described = match(1, 0, (goal(Side.HOME, 1, 0, "9'", "Quiñones"),))
    enriched = follower.apply(described, NOW).events
    assert [(e.enriches, e.player) for e in enriched] == [(True, "Quiñones")]
    assert follower.apply(described, NOW).events == []


def test_a_mirror_ignores_an_older_state_but_counts_its_seq() -> None:
    store = MatchStore()
    newer, older = match(1, 0, seq=9), match(0, 0, seq=4)
    store.mirror(DeltaUpdate(channel="league:fifa.world", at=NOW, match_id="espn-1", seq=9, match=newer))
    store.mirror(DeltaUpdate(channel="league:fifa.world", at=NOW, match_id="espn-1", seq=4, match=older))
    assert store.get("espn-1") == newer and store.seq("espn-1") == 9
    store.mirror(SnapshotUpdate(channel="league:fifa.world", at=NOW, matches=(older,)))
    assert store.get("espn-1") == newer


def test_minute_order() -> None:
    assert minute_order("45'") < minute_order("45'+2'") < minute_order("46'")
    assert minute_order("") == -1


def test_a_revised_minute_corrects_the_card_it_never_repeats_it() -> None:
    store = MatchStore()
    booked = MatchEvent(
        kind=EventKind.YELLOW_CARD, side=Side.AWAY, minute="76'", player="Alidu Seidu", player_id="1"
    )
    applied(store, match())
    first = applied(store, match(events=(booked,))).events
    # ESPN revises the card's clock (and here its minute text): the same card, one line saying so.
    later = applied(store, match(events=(msgspec.structs.replace(booked, minute="77'"),))).events
    again = applied(store, match(events=(msgspec.structs.replace(booked, minute="77'"),))).events
    assert [(e.kind, e.revises, e.minute) for e in first] == [(EventKind.YELLOW_CARD, False, "76'")]
    assert [(e.key, e.revises, e.minute) for e in later] == [(first[0].key, True, "77'")]
    assert again == []
    assert [e.minute for e in store.events("espn-1")] == ["77'"]


def test_a_card_carries_the_score_at_its_minute_in_match_order() -> None:
    store = MatchStore()
    applied(store, match())
    applied(store, match(1, 0, (goal(Side.HOME, 1, 0, "53'", "Jiménez"),)))
    card = MatchEvent(kind=EventKind.YELLOW_CARD, side=Side.AWAY, minute="59'", player="Mokoena")
    early = MatchEvent(kind=EventKind.YELLOW_CARD, side=Side.AWAY, minute="40'", player="Zwane")
    events = applied(store, match(1, 0, (goal(Side.HOME, 1, 0, "53'", "Jiménez"), early, card))).events
    assert {e.player: e.score for e in events} == {"Zwane": Score(0, 0), "Mokoena": Score(1, 0)}


def test_the_live_line_is_kept_move_by_move_with_the_first_kept_when_full() -> None:
    from scoreterm.domain.model import MoneyLine
    from scoreterm.engine.store import ODDS_MOVES

    store = MatchStore()
    for step in range(ODDS_MOVES + 10):
        odds = Odds(
            provider="DraftKings", moneyline=MoneyLine(home=100 + step, draw=200, away=300), in_play=True
        )
        applied(store, match(odds=odds, clock=f"{step}'"))
    trend = store.get("espn-1").trend  # type: ignore[union-attr]
    assert trend is not None and len(trend.odds) == ODDS_MOVES
    assert trend.odds[0].moneyline.home == 100 and trend.odds[-1].moneyline.home == 100 + ODDS_MOVES + 9
    pre_match = Odds(provider="DraftKings", moneyline=MoneyLine(home=-1, draw=2, away=3))
    before = store.get("espn-1")
    applied(store, match(odds=pre_match, clock="99'"))
    assert store.get("espn-1").trend.odds == before.trend.odds  # type: ignore[union-attr]
