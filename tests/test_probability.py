"""Win probability: de-margining, the soccer/hockey Poisson model, Stern's margin model, the series.

Prices come from the real World Cup scoreboards in tests/fixtures/espn_soccer (the live 1X2 at
``odds[0].moneyline.*.current``, the pre-match one at ``close``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreterm.domain.model import (
    EventKind,
    Match,
    MatchEvent,
    MoneyLine,
    Odds,
    Phase,
    PhaseState,
    Score,
    Side,
    Sport,
    Team,
    WinProbability,
)
from scoreterm.domain.prob_market import (
    american_from_decimal,
    decimal_from_american,
    demargin,
    demargin_proportional,
    overround,
)
from scoreterm.domain.prob_shootout import shootout_win_probability
from scoreterm.domain.probability import (
    ProbabilityPoint,
    append_if_moved,
    describe_swing,
    final_probability,
    game_progress,
    in_play_probability,
    market_probability,
    market_probability_two_way,
    percent,
    probability_for_match,
    swing,
)
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.espn_odds import parse_american

SOCCER = Path(__file__).parent / "fixtures" / "espn_soccer"
LIVE_FRAMES = sorted(SOCCER.glob("fifa.world_scoreboard_live_*.json"))
KICKOFF = datetime(2026, 7, 6, 0, 0, tzinfo=UTC)


def _frame(name: str) -> Any:
    return json.loads((SOCCER / name).read_bytes())


def _line(event: Any, moment: str) -> MoneyLine:
    odds = (event["competitions"][0].get("odds") or [None])[0] or {}
    line = odds.get("moneyline") or {}
    return MoneyLine(
        **{
            k: parse_american(((line.get(k) or {}).get(moment) or {}).get("odds"))
            for k in ("home", "draw", "away")
        }
    )


def _live_event(path: Path) -> Any:
    payload = json.loads(path.read_bytes())
    return next(e for e in payload["events"] if e["status"]["type"]["state"] == "in")


def _close(a: WinProbability, b: WinProbability, tol: float) -> bool:
    return (
        abs(a.home - b.home) <= tol
        and abs(a.away - b.away) <= tol
        and abs((a.draw or 0) - (b.draw or 0)) <= tol
    )


def _total(p: WinProbability) -> float:
    return p.home + p.away + (p.draw or 0.0)


def soccer(home: int, away: int, clock: str, label: str, **kw: Any) -> WinProbability:
    return in_play_probability(Sport.SOCCER, home_score=home, away_score=away, clock=clock, label=label, **kw)


def _match(**changes: Any) -> Match:
    base: dict[str, Any] = {
        "id": "espn-1",
        "league": "fifa.world",
        "kickoff": KICKOFF,
        "home": Team(name="Mexico", abbrev="MEX"),
        "away": Team(name="England", abbrev="ENG"),
        "phase": Phase(state=PhaseState.LIVE, period=2, label="2H"),
        "score": Score(0, 0),
        "clock": "60'",
    }
    return Match(**{**base, **changes})


# -- de-margining ---------------------------------------------------------------------------------


def test_american_and_decimal_round_trip() -> None:
    assert decimal_from_american(150) == 2.5
    assert decimal_from_american(-200) == 1.5
    assert american_from_decimal(2.5) == 150
    assert american_from_decimal(1.5) == -200
    assert decimal_from_american(50) is None
    assert decimal_from_american(float("nan")) is None


def test_every_live_world_cup_price_demargins_to_one() -> None:
    priced = 0
    for path in LIVE_FRAMES:
        line = _line(_live_event(path), "current")
        prob = market_probability(line)
        if line.draw is None:
            assert prob is None  # extra time: ESPN drops the live price
            continue
        priced += 1
        assert prob is not None and prob.source == "market"
        assert math.isclose(_total(prob), 1.0, abs_tol=1e-9)
        prices = [decimal_from_american(v) for v in (line.home, line.draw, line.away) if v is not None]
        assert (overround([p for p in prices if p]) or 0) > 0.03  # DraftKings' in-play margin
    assert priced == 6


def test_shin_gives_the_longshots_less_than_proportional() -> None:
    # ESP 0-0 ARG at 90'+4': the draw at -1600, ESP +1000, ARG +2000.
    line = _line(
        _live_event(SOCCER / "fifa.world_scoreboard_live_SECOND_HALF_ESP0-0ARG_90+4_final.json"), "current"
    )
    assert (line.home, line.draw, line.away) == (1000, -1600, 2000)
    shin = market_probability(line)
    plain = demargin_proportional([11.0, 1 + 100 / 1600, 21.0])
    assert shin is not None and plain is not None and shin.draw is not None
    assert plain[1] == pytest.approx(0.8717, abs=1e-4)
    assert plain[1] < shin.draw < 1600 / 1700  # more than proportional, less than its implied share
    assert shin.away < plain[2]


def test_a_price_missing_a_side_gives_none_and_two_way_works() -> None:
    assert market_probability(MoneyLine(home=-150, away=130)) is None
    two = market_probability_two_way(MoneyLine(home=-150, away=130))
    assert two is not None and two.draw is None
    assert two.home == pytest.approx(0.58, abs=0.01)
    assert demargin([1.0, 2.0]) is None  # a suspended price


# -- the soccer model -----------------------------------------------------------------------------


@pytest.mark.parametrize("line", [(205, 200, 155), (-145, 310, 350), (1800, 550, -575), (-300, 360, 1000)])
def test_nil_nil_at_kick_off_gives_back_the_price(line: tuple[int, int, int]) -> None:
    prematch = market_probability(MoneyLine(home=line[0], draw=line[1], away=line[2]))
    assert prematch is not None
    prob = soccer(0, 0, "0'", "1H", prematch=prematch)
    assert prob.source == "model"
    assert _close(prob, prematch, 0.01)


def test_one_nil_at_85_minutes() -> None:
    neutral = soccer(1, 0, "85'", "2H")
    assert 0.85 <= neutral.home <= 0.93
    assert neutral.draw is not None and 0.06 <= neutral.draw <= 0.14
    favourite = soccer(
        1, 0, "85'", "2H", prematch=market_probability(MoneyLine(home=-300, draw=360, away=1000))
    )
    assert favourite.home > 0.95  # a strong favourite a goal up with five minutes to go


def test_a_red_card_moves_it_the_right_way() -> None:
    level = soccer(0, 0, "30'", "1H")
    home_red = soccer(0, 0, "30'", "1H", red_cards=(1, 0))
    away_red = soccer(0, 0, "30'", "1H", red_cards=(0, 1))
    assert home_red.home < level.home - 0.1 and home_red.away > level.away + 0.1
    assert away_red.home > level.home + 0.1
    # The captured frame: ARG's red card at 90'+3' makes ESP favourites for extra time.
    frame = SOCCER / "fifa.world_scoreboard_live_SECOND_HALF_ESP0-0ARG_90+4_final.json"
    match = next(m for m in normalize_scoreboard(_frame(frame.name), "fifa.world") if m.phase.is_active)
    assert [e.side for e in match.events if e.kind is EventKind.RED_CARD] == [Side.AWAY]
    advance = probability_for_match(match, knockout=True)
    assert advance is not None and advance.advance and advance.home > 0.55


def test_extra_time() -> None:
    level = soccer(1, 1, "105'", "ET-HT", knockout=True)
    assert level.advance and level.draw is None
    assert 0.4 < level.home < 0.6  # neutral prior: near a coin toss, home a shade ahead
    # NOR 1-2 ENG at 118' (a captured frame, no live price in extra time).
    path = SOCCER / "fifa.world_scoreboard_live_OVERTIME_NOR1-2ENG_118min.json"
    match = next(m for m in normalize_scoreboard(_frame(path.name), "fifa.world") if m.phase.is_active)
    live = _line(_live_event(path), "current")
    prob = probability_for_match(match, knockout=True, live_odds=Odds(provider="espn", moneyline=live))
    assert prob is not None and prob.source == "model" and prob.advance
    assert prob.away > 0.95
    # The 1X2 is settled at 90 minutes: even a price passed in extra time is not used.
    stale = Odds(provider="espn", moneyline=MoneyLine(home=-500, draw=300, away=900))
    assert probability_for_match(match, knockout=True, live_odds=stale) == prob


def test_a_level_knock_out_in_regulation_includes_extra_time_and_penalties() -> None:
    regulation = soccer(0, 0, "80'", "2H")
    advance = soccer(0, 0, "80'", "2H", knockout=True)
    assert advance.advance and math.isclose(advance.home + advance.away, 1.0)
    assert regulation.home < advance.home < regulation.home + (regulation.draw or 0)


def test_shoot_out() -> None:
    assert shootout_win_probability(0, 0) == 0.5
    # Home 4 from 5, away 3 from 4: away must score (0.75), then sudden death is 50/50.
    assert shootout_win_probability(4, 3, 5, 4) == pytest.approx(0.25 + 0.75 * 0.5)
    assert shootout_win_probability(5, 3, 5, 4) == 1.0
    live = soccer(0, 0, "120'", "PEN", knockout=True, shootout=(3, 1))
    # Kicks unknown: 3 each assumed. Home loses only by missing twice while away scores twice,
    # then losing the 50/50 sudden death.
    assert live.advance and live.home == pytest.approx(1 - 0.25**2 * 0.75**2 * 0.5)
    behind = soccer(0, 0, "120'", "PEN", knockout=True, shootout=(1, 2), shootout_kicks=(2, 2))
    assert behind.home < 0.3


def test_finals() -> None:
    won = in_play_probability(Sport.SOCCER, home_score=2, away_score=1, state=PhaseState.FINAL)
    assert (won.home, won.draw, won.away) == (1.0, 0.0, 0.0)
    pens = final_probability(Sport.SOCCER, 0, shootout=(4, 3), knockout=True)
    assert pens is not None and pens.home == 1.0 and pens.advance
    assert final_probability(Sport.SOCCER, 0, knockout=True) is None
    drawn = final_probability(Sport.SOCCER, 0)
    assert drawn is not None and drawn.draw == 1.0
    nba = final_probability(Sport.BASKETBALL, -17)
    assert nba is not None and nba.away == 1.0 and nba.draw is None


def test_probability_for_match_picks_the_market_and_else_the_model() -> None:
    path = SOCCER / "fifa.world_scoreboard_live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens.json"
    event = _live_event(path)
    match = next(m for m in normalize_scoreboard(_frame(path.name), "fifa.world") if m.phase.is_active)
    live = Odds(provider="espn", moneyline=_line(event, "current"))
    market = probability_for_match(match, live_odds=live)
    assert market is not None and market.source == "market"
    assert market == market_probability(live.moneyline)
    model = probability_for_match(match)
    assert model is not None and model.source == "model" and model.away > 0.8
    through = probability_for_match(match, knockout=True, live_odds=live)
    assert through is not None and through.advance and through.source == "market"
    assert through.away > market.away  # the draw share goes partly to England through extra time


def test_before_kick_off_and_other_states() -> None:
    scheduled = _match(phase=Phase(state=PhaseState.SCHEDULED), clock="")
    assert probability_for_match(scheduled) is None
    prematch = market_probability(MoneyLine(home=205, draw=200, away=155))
    assert probability_for_match(scheduled, prematch=prematch) == prematch
    through = probability_for_match(scheduled, prematch=prematch, knockout=True)
    assert through is not None and through.advance and through.home > prematch.home  # type: ignore[union-attr]
    assert probability_for_match(_match(phase=Phase(state=PhaseState.POSTPONED))) is None
    assert probability_for_match(_match(league="nowhere.9")) is None
    espn = WinProbability(home=0.7, away=0.3, source="espn")
    nba = _match(league="nba", clock="5:00", phase=Phase(state=PhaseState.LIVE, period=3, label="Q3"))
    assert probability_for_match(nba, espn=espn) == espn


def test_red_cards_are_counted_from_events() -> None:
    red = MatchEvent(kind=EventKind.RED_CARD, side=Side.HOME, minute="20'")
    plain = probability_for_match(
        _match(clock="30'", phase=Phase(state=PhaseState.LIVE, period=1, label="1H"))
    )
    carded = probability_for_match(
        _match(clock="30'", phase=Phase(state=PhaseState.LIVE, period=1, label="1H"), events=(red,))
    )
    assert plain is not None and carded is not None and carded.home < plain.home


# -- hockey and the margin model --------------------------------------------------------------------


def test_hockey() -> None:
    start = in_play_probability(Sport.HOCKEY, home_score=0, away_score=0, clock="20:00", period=1, label="P1")
    assert start.draw is None and 0.5 < start.home < 0.56
    late = in_play_probability(Sport.HOCKEY, home_score=3, away_score=2, clock="2:00", period=3, label="P3")
    assert late.home > 0.85
    playoff_ot = in_play_probability(
        Sport.HOCKEY, home_score=2, away_score=2, clock="10:00", period=4, label="OT", knockout=True
    )
    assert playoff_ot.home == pytest.approx(3.15 / 6.1, abs=1e-9)


def test_margin_model() -> None:
    prematch = WinProbability(home=0.7, away=0.3, source="market")
    tip = in_play_probability(
        Sport.BASKETBALL, home_score=0, away_score=0, clock="12:00", period=1, prematch=prematch
    )
    assert tip.home == pytest.approx(0.7, abs=1e-6)
    late = in_play_probability(Sport.BASKETBALL, home_score=100, away_score=90, clock="1:00", period=4)
    assert late.home > 0.99
    down = in_play_probability(Sport.FOOTBALL, home_score=0, away_score=7, clock="0:30", period=4)
    assert down.home < 0.01
    bottom_ninth = in_play_probability(Sport.BASEBALL, home_score=3, away_score=4, label="Bot 9th", period=9)
    assert 0.05 < bottom_ninth.home < 0.4
    spread = in_play_probability(
        Sport.FOOTBALL, home_score=0, away_score=0, period=1, clock="15:00", spread=-7.0
    )
    assert spread.home == pytest.approx(0.69, abs=0.01)  # Phi(7 / 13.9)


def test_game_progress() -> None:
    assert game_progress(Sport.SOCCER, "45'+2'") == 0.5
    assert game_progress(Sport.BASKETBALL, "6:00", "Q2", 2) == pytest.approx(0.375)
    assert game_progress(Sport.BASKETBALL, "0:00", "OT", 5) == pytest.approx(1 + 5 / 48)
    assert game_progress(Sport.SOCCER, "HT") is None
    assert game_progress(Sport.SOCCER, "HT", "HT", 1) == 0.5  # the break: the first half is played
    assert game_progress(Sport.SOCCER, "", "ET-HT", 3) == pytest.approx(105 / 90)


# -- the series -----------------------------------------------------------------------------------


def _point(home: float, draw: float = 0.3, minute: str = "") -> ProbabilityPoint:
    return ProbabilityPoint(prob=WinProbability(home=home, draw=draw, away=1 - home - draw), minute=minute)


def test_a_point_is_added_only_when_it_moved_half_a_point() -> None:
    series = append_if_moved((), _point(0.40))
    assert len(series) == 1
    assert append_if_moved(series, _point(0.404)) is series
    moved = append_if_moved(series, _point(0.405))
    assert len(moved) == 2
    relabelled = ProbabilityPoint(prob=WinProbability(home=0.4, draw=0.3, away=0.3, source="market"))
    assert len(append_if_moved(series, relabelled)) == 2  # a new source is news
    nan = ProbabilityPoint(prob=WinProbability(home=float("nan"), away=0.5))
    assert append_if_moved(series, nan) is series


def test_the_series_is_bounded_and_keeps_the_first_point() -> None:
    series: tuple[ProbabilityPoint, ...] = ()
    for i in range(50):
        series = append_if_moved(series, _point(0.2 + 0.01 * i, minute=f"{i}'"), limit=10)
    assert len(series) == 10
    assert series[0].minute == "0'"
    assert [p.minute for p in series[1:]] == [f"{i}'" for i in range(41, 50)]


def test_swing_and_its_words() -> None:
    before = WinProbability(home=0.49, draw=0.3, away=0.21)
    after = WinProbability(home=0.71, draw=0.2, away=0.09)
    moved = swing(before, after)
    assert moved.home == pytest.approx(0.22) and moved.draw == pytest.approx(-0.1)
    assert moved.for_side(Side.AWAY) == pytest.approx(-0.12)
    assert describe_swing(before, after, Side.HOME, "Mexico") == "Mexico win 49% → 71%"
    assert percent(0.999) == ">99%" and percent(0.001) == "<1%" and percent(1.0) == "100%"


# -- no input makes it raise ----------------------------------------------------------------------

LABELS = st.sampled_from(
    ["", "1H", "HT", "2H", "FT", "ET", "ET-HT", "PEN", "AET", "Q3", "OT", "Top 5th", "SO", "??"]
)
CLOCKS = st.one_of(
    st.sampled_from(
        ["0'", "45'+2'", "90'+4'", "118'", "120'+9'", "-5'", "999999'", "NaN", "5:32", "0.0", ""]
    ),
    st.text(max_size=12),
)
NUMBERS = st.one_of(st.integers(-(10**400), 10**400), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=300, deadline=None)
@given(
    sport=st.sampled_from(list(Sport)),
    home=st.integers(-(10**400), 10**400),
    away=st.integers(-5, 30),
    clock=CLOCKS,
    label=LABELS,
    period=st.integers(-3, 10**6),
    state=st.sampled_from(list(PhaseState)),
    cards=st.tuples(st.integers(-2, 20), st.integers(-2, 20)),
    knockout=st.booleans(),
    remaining=st.one_of(st.none(), NUMBERS),
    shootout=st.one_of(st.none(), st.tuples(st.integers(-1, 30), st.integers(-1, 30))),
)
def test_any_input_gives_probabilities_that_sum_to_one(
    sport: Sport,
    home: int,
    away: int,
    clock: str,
    label: str,
    period: int,
    state: PhaseState,
    cards: tuple[int, int],
    knockout: bool,
    remaining: Any,
    shootout: tuple[int, int] | None,
) -> None:
    prob = in_play_probability(
        sport,
        home_score=home,
        away_score=away,
        clock=clock,
        label=label,
        period=period,
        state=state,
        red_cards=cards,
        knockout=knockout,
        remaining=remaining,
        shootout=shootout,
    )
    values = [prob.home, prob.away] + ([prob.draw] if prob.draw is not None else [])
    assert all(0.0 <= v <= 1.0 for v in values)
    assert math.isclose(sum(values), 1.0, abs_tol=1e-9)


@settings(max_examples=100, deadline=None)
@given(lead=st.integers(-4, 4), minute=st.integers(0, 89), knockout=st.booleans())
def test_more_lead_never_hurts(lead: int, minute: int, knockout: bool) -> None:
    label = "1H" if minute < 45 else "2H"
    worse = soccer(max(lead, 0), max(-lead, 0), f"{minute}'", label, knockout=knockout)
    better = soccer(max(lead + 1, 0), max(-lead - 1, 0), f"{minute}'", label, knockout=knockout)
    assert better.home >= worse.home - 1e-12


@settings(max_examples=100, deadline=None)
@given(lead=st.integers(1, 3), early=st.integers(0, 88), later=st.integers(1, 30))
def test_time_is_on_the_leaders_side(lead: int, early: int, later: int) -> None:
    late = min(early + later, 90)
    before = soccer(lead, 0, f"{early}'", "1H" if early < 45 else "2H")
    after = soccer(lead, 0, f"{late}'", "1H" if late < 45 else "2H")
    assert after.home >= before.home - 1e-12
    basket_before = in_play_probability(
        Sport.BASKETBALL, home_score=lead, away_score=0, clock=f"{12 - early % 12}:00", period=1
    )
    basket_after = in_play_probability(
        Sport.BASKETBALL, home_score=lead, away_score=0, clock="1:00", period=4
    )
    assert basket_after.home >= basket_before.home


def test_extra_time_or_a_shoot_out_makes_it_a_knock_out() -> None:
    # The caller did not say knockout, but a match in extra time can only be one.
    et = soccer(1, 2, "118'", "ET")
    assert et.advance and et.away > 0.95
    final = Phase(state=PhaseState.FINAL, period=5, label="PEN")
    pens = _match(phase=final, shootout=Score(4, 3), clock="FT-Pens")
    won = probability_for_match(pens)
    assert won is not None and won.advance and won.home == 1.0


@settings(max_examples=40, deadline=None)
@given(
    shares=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
    has_draw=st.booleans(),
    sport=st.sampled_from([Sport.SOCCER, Sport.HOCKEY, Sport.BASKETBALL]),
    minute=st.integers(0, 95),
)
def test_any_prematch_price_gives_probabilities_that_sum_to_one(
    shares: tuple[float, float, float], has_draw: bool, sport: Sport, minute: int
) -> None:
    home, draw, away = shares
    prematch = WinProbability(home=home, away=away, draw=draw if has_draw else None)
    prob = in_play_probability(
        sport, home_score=1, away_score=0, clock=f"{minute}'", label="2H", period=2, prematch=prematch
    )
    values = [prob.home, prob.away] + ([prob.draw] if prob.draw is not None else [])
    assert all(0.0 <= v <= 1.0 for v in values)
    assert math.isclose(sum(values), 1.0, abs_tol=1e-9)
