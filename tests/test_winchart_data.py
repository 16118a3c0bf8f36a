"""Where the win-probability chart puts things (step vertices, fill runs, markers, the title), and the
shots table's slices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    ProbabilityPoint,
    Side,
    Team,
    Trend,
    WinProbability,
)
from scoreterm.tui.widgets.winchart_data import axis_for, headline, markers, now_x, split, steps


def prob(home: float, away: float, draw: float | None = None, **extra: Any) -> WinProbability:
    return WinProbability(home=home, away=away, draw=draw, **extra)


def match(points: list[tuple[float | None, WinProbability]], **changes: Any) -> Match:
    trend = Trend(prob=tuple(ProbabilityPoint(prob=p, elapsed_s=s) for s, p in points))
    base = Match(
        id="m1",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=Phase(state=PhaseState.LIVE, period=2, label="2H"),
        clock="70'",
        trend=trend,
        prob=points[-1][1] if points else None,
    )
    return msgspec.structs.replace(base, **changes)


def test_a_value_holds_until_the_next_point_then_runs_to_the_current_minute() -> None:
    m = match([(0.0, prob(0.6, 0.2, 0.2)), (540.0, prob(0.9, 0.02, 0.08)), (None, prob(0.95, 0.01, 0.04))])
    line = steps(m, axis_for(m))
    assert line == pytest.approx([(0.0, 40.0), (9.0, 40.0), (9.0, 88.0), (70.0, 88.0)])


def test_the_line_ends_at_ninety_once_over_and_at_the_half_it_reached_at_a_break() -> None:
    points = [(0.0, prob(0.5, 0.3, 0.2)), (600.0, prob(0.7, 0.1, 0.2))]
    final = match(points, phase=Phase(state=PhaseState.FINAL, period=2, label="FT"), clock="FT")
    assert steps(final, axis_for(final))[-1] == pytest.approx((90.0, 60.0))
    # ESPN's clock reads "HT" at the break: the line ran to 45' in added time, and must not shrink
    # back to its last change (10') when half-time comes.
    half_time = match(points, phase=Phase(state=PhaseState.BREAK, period=1, label="HT"), clock="HT")
    assert steps(half_time, axis_for(half_time))[-1] == pytest.approx((45.0, 60.0))
    extra_break = match(points, phase=Phase(state=PhaseState.BREAK, period=3, label="ET-HT"), clock="")
    assert steps(extra_break, axis_for(extra_break))[-1] == pytest.approx((105.0, 60.0))
    # Added time sits on the half's last minute, as the engine's elapsed_s counts it.
    added = match(points, clock="90'+4'")
    assert now_x(added, axis_for(added), 10.0) == pytest.approx(90.0)


def test_extra_time_widens_the_axis_to_120() -> None:
    m = match([(0.0, prob(0.5, 0.5, advance=True)), (6000.0, prob(0.6, 0.4, advance=True))], clock="100'")
    axis = axis_for(m)
    assert axis.length == 120.0 and axis.labels[-1] == "120'"
    assert now_x(m, axis, 0.0) == pytest.approx(100.0)  # the 100th minute, not 100/90 of the axis
    assert axis_for(match([(0.0, prob(0.5, 0.3, 0.2))])).length == 90.0


def test_us_sports_count_game_minutes_and_innings() -> None:
    second_quarter = Phase(state=PhaseState.LIVE, period=2)
    nba = match([(0.0, prob(0.5, 0.5))], league="nba", clock="6:00", phase=second_quarter)
    axis = axis_for(nba)
    assert (axis.length, axis.labels[:2]) == (48.0, ("Q1", "Q2"))
    assert now_x(nba, axis, 0.0) == pytest.approx(18.0)  # 12 played + 6 of the second quarter
    mlb = match([(0.0, prob(0.5, 0.5))], league="mlb")
    assert axis_for(mlb).length == 9.0


def test_split_closes_each_run_at_zero_where_the_lead_changes_hands() -> None:
    line = [(0.0, 20.0), (30.0, 20.0), (30.0, -10.0), (60.0, -10.0), (60.0, 0.0), (90.0, 0.0)]
    above, below = split(line)
    assert above == [[(0.0, 0.0), (0.0, 20.0), (30.0, 20.0), (30.0, 0.0)]]
    assert below == [[(30.0, 0.0), (30.0, -10.0), (60.0, -10.0), (60.0, 0.0)]]


def test_markers_are_goals_and_red_cards_that_carry_their_swing() -> None:
    events = (
        MatchEvent(kind=EventKind.GOAL, minute="9'", side=Side.HOME, prob_after=prob(0.9, 0.02, 0.08)),
        MatchEvent(kind=EventKind.RED_CARD, minute="90'+2'", side=Side.HOME, prob_after=prob(0.5, 0.3, 0.2)),
        MatchEvent(kind=EventKind.GOAL, minute="12'", side=Side.AWAY),  # no swing: not marked
        MatchEvent(kind=EventKind.YELLOW_CARD, minute="20'", side=Side.AWAY, prob_after=prob(0.5, 0.3, 0.2)),
    )
    m = match([(0.0, prob(0.6, 0.2, 0.2))])
    found = [(mark.x, round(mark.y), mark.kind) for mark in markers(events, axis_for(m))]
    assert found == [(9.0, 88, EventKind.GOAL), (90.0, 20, EventKind.RED_CARD)]


def test_headline_names_the_numbers_and_their_source() -> None:
    m = match([(0.0, prob(0.9968, 0.0001, 0.0031, source="model"))])
    assert headline(m) == "MEX >99% · draw <1% · RSA <1% · model"
    knockout = match([(0.0, prob(0.62, 0.38, source="market", advance=True))])
    assert headline(knockout) == "MEX to advance 62% · RSA 38% · market"
    assert headline(msgspec.structs.replace(m, prob=None)) == ""


def test_points_without_a_time_are_left_out() -> None:
    m = match([(None, prob(1.0, 0.0, 0.0))], phase=Phase(state=PhaseState.FINAL, label="FT"), clock="FT")
    assert steps(m, axis_for(m)) == []
    broken = match([(float("nan"), prob(0.5, 0.3, 0.2)), (60.0, prob(0.6, 0.2, 0.2))], clock="2'")
    assert steps(broken, axis_for(broken)) == pytest.approx([(1.0, 40.0), (2.0, 40.0)])
    assert steps(msgspec.structs.replace(m, trend=None), axis_for(m)) == []


def test_shot_slices_run_on_to_the_minute_played() -> None:
    from scoreterm.tui.widgets.shots import played_slices

    final = match([], phase=Phase(state=PhaseState.FINAL, label="FT"), clock="FT")
    assert played_slices(final, ((0, 4, 0), (45, 5, 1))) == (
        (0, 4, 0),
        (15, 0, 0),
        (30, 0, 0),
        (45, 5, 1),
        (60, 0, 0),
        (75, 0, 0),
    )
    live = match([], clock="31'")
    assert played_slices(live, ((0, 1, 0),)) == ((0, 1, 0), (15, 0, 0), (30, 0, 0))
