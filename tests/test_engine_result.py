"""A finished match's win probability is its result (source ``result``), never the model's last guess."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from scoreterm.domain.model import Match, Phase, PhaseState, Score, Team, WinProbability
from scoreterm.engine.store import MatchStore
from scoreterm.engine.winprob import RESULT

NOW = datetime(2026, 6, 11, 21, 0, tzinfo=UTC)
FT = Phase(state=PhaseState.FINAL, period=2, label="FT")


def match(home: int, away: int, phase: Phase, clock: str, **changes: object) -> Match:
    base = Match(
        id="espn-760415",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=phase,
        score=Score(home, away),
        clock=clock,
        provider="espn",
        provider_ids={"espn": "760415"},
        stage="group-stage",
    )
    return msgspec.structs.replace(base, **changes) if changes else base


def live(home: int, away: int, minute: str = "90'+5'", **changes: object) -> Match:
    return match(home, away, Phase(state=PhaseState.LIVE, period=2, label="2H"), minute, **changes)


def played(store: MatchStore, *states: Match) -> Match:
    for state in states:
        store.apply(state, NOW)
    held = store.get(states[-1].id)
    assert held is not None
    return held


def test_a_win_at_full_time_is_certain_even_when_the_model_was_within_half_a_point() -> None:
    store = MatchStore()
    before = played(store, live(2, 0))
    assert before.prob is not None and 0.99 < before.prob.home < 1.0  # the demo's ">99%" at 90'+5'
    after = played(store, match(2, 0, FT, "FT"))
    assert after.prob == WinProbability(home=1.0, away=0.0, draw=0.0, source=RESULT)
    assert after.trend is not None and after.trend.prob[-1].prob == after.prob  # the line ends on it


def test_a_draw_at_full_time_is_a_draw() -> None:
    after = played(MatchStore(), live(1, 1), match(1, 1, FT, "FT"))
    assert after.prob == WinProbability(home=0.0, away=0.0, draw=1.0, source=RESULT)


def test_a_knock_out_on_penalties_is_who_went_through() -> None:
    pens = Phase(state=PhaseState.LIVE, period=5, label="PEN")
    store = MatchStore()
    played(store, match(1, 1, pens, "", stage="round-of-16", shootout=Score(3, 3)))
    final = Phase(state=PhaseState.FINAL, period=5, label="PEN")
    after = played(store, match(1, 1, final, "FT-Pens", stage="round-of-16", shootout=Score(3, 4)))
    assert after.prob == WinProbability(home=0.0, away=1.0, draw=None, source=RESULT, advance=True)


def test_a_knock_out_won_in_extra_time_is_who_went_through() -> None:
    extra = Phase(state=PhaseState.LIVE, period=4, label="ET")
    store = MatchStore()
    played(store, match(1, 1, extra, "118'", stage="quarterfinals"))
    after = played(store, match(2, 1, Phase(state=PhaseState.FINAL, period=4, label="AET"), "AET"))
    assert after.prob == WinProbability(home=1.0, away=0.0, draw=None, source=RESULT, advance=True)


def test_a_suspect_final_score_claims_no_result() -> None:
    store = MatchStore()
    before = played(store, live(2, 0))
    after = played(store, match(2, 0, FT, "FT", suspect=("score",)))
    assert after.phase.state is PhaseState.FINAL and after.suspect == ("score",)
    assert after.prob == before.prob and after.prob is not None and after.prob.source != RESULT


def test_an_unconfirmed_final_score_claims_no_result() -> None:
    store = MatchStore()
    before = played(store, live(2, 0))
    after = played(store, match(2, 0, FT, "FT", unconfirmed=True))
    assert after.prob == before.prob and after.prob is not None and after.prob.source != RESULT


def test_a_knock_out_that_ended_level_without_a_shoot_out_score_has_no_winner_to_show() -> None:
    store = MatchStore()
    played(store, match(1, 1, Phase(state=PhaseState.LIVE, period=4, label="ET"), "120'", stage="final"))
    after = played(store, match(1, 1, Phase(state=PhaseState.FINAL, period=4, label="AET"), "AET"))
    assert after.prob is None
