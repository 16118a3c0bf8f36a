"""ESPN's own win probability: the US summaries' ``winprobability[]`` and the live MLB scoreboard.

Expectations are read from the payloads with plain dict access, so a join bug cannot hide behind
the code under test. Anything malformed is skipped, never raised.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreterm.domain.model import Score, Sport
from scoreterm.providers.espn_winprob import probability, scoreboard_probability, summary_plays

FIXTURES = Path(__file__).parent / "fixtures"
US = FIXTURES / "espn_summary_us"


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


NBA = _load(US / "nba_summary_401772994_winprobability.json")
NFL = _load(US / "nfl_summary_401547417_winprobability.json")
MLB = _load(US / "mlb_summary_401472463_winprobability.json")
NHL = _load(US / "nhl_summary_401559593.json")


def _final(summary: Any) -> Score:
    sides = {c["homeAway"]: int(c["score"]) for c in summary["header"]["competitions"][0]["competitors"]}
    return Score(sides["home"], sides["away"])


@pytest.mark.parametrize(("summary", "count", "joined"), [(NBA, 472, 472), (NFL, 187, 186), (MLB, 75, 75)])
def test_every_point_is_kept_and_joined_to_its_play(summary: Any, count: int, joined: int) -> None:
    plays = summary_plays(summary)
    assert len(plays) == count == len(summary["winprobability"])
    assert sum(1 for p in plays if p.score is not None) == joined
    for play, raw in zip(plays, summary["winprobability"], strict=True):
        assert play.play_id == raw["playId"]
        assert play.prob.source == "espn" and play.prob.draw is None
        assert play.prob.home == pytest.approx(raw["homeWinPercentage"])
        assert math.isclose(play.prob.home + play.prob.away, 1.0)
    # ESPN's line ends on the winner, with the final score.
    last = next(p for p in reversed(plays) if p.score is not None)
    assert last.score == _final(summary)
    assert plays[-1].prob.home == (1.0 if _final(summary).home > _final(summary).away else 0.0)


def test_the_nba_line_reads_like_the_game() -> None:
    plays = summary_plays(NBA)
    first = plays[0]
    assert (first.prob.home, first.minute(Sport.BASKETBALL), first.score) == (0.57, "Q1 12:00", Score(0, 0))
    assert first.point(Sport.BASKETBALL).minute == "Q1 12:00"
    scoring = [p for p in plays if p.scoring]
    raw_scoring = {p["id"] for p in NBA["plays"] if p.get("scoringPlay")}
    assert {p.play_id for p in scoring} == raw_scoring & {p.play_id for p in plays}


def test_nfl_plays_come_from_the_drives() -> None:
    plays = summary_plays(NFL)
    assert NFL["plays"] == []
    kickoff = next(p for p in plays if p.text.startswith("B.Pinion kicks 65 yards"))
    assert (kickoff.minute(Sport.FOOTBALL), kickoff.score) == ("Q1 15:00", Score(0, 0))
    assert plays[0].score is None and plays[0].minute() == ""  # ESPN's pre-game point has no play


def test_mlb_innings() -> None:
    plays = summary_plays(MLB)
    assert plays[0].minute(Sport.BASEBALL) == "Top 1st"
    assert {p.label(Sport.BASEBALL).split()[0] for p in plays} <= {"Top", "Bot", "Mid", "End"}
    assert plays[-1].label(Sport.BASEBALL) == "Top 9th"


def test_nhl_has_no_win_probability() -> None:
    assert NHL["winProbability"] == []
    assert summary_plays(NHL) == []


def test_the_live_mlb_scoreboard() -> None:
    payload = _load(FIXTURES / "espn_other" / "mlb_scoreboard_20250518_live_and_scheduled.json")
    found = {e["shortName"]: scoreboard_probability(e) for e in payload["events"]}
    priced = {name: p for name, p in found.items() if p is not None}
    assert list(priced) == ["CLE @ CIN"]
    prob = priced["CLE @ CIN"]
    assert prob.home == pytest.approx(0.542) and prob.away == pytest.approx(0.458)
    assert prob.draw is None and prob.source == "espn"
    later = _load(FIXTURES / "espn_other" / "mlb_scoreboard_20250604_mixed_live_final_postponed.json")
    assert all(scoreboard_probability(e) is None for e in later["events"])


@pytest.mark.parametrize(
    "raw",
    [
        {"homeWinPercentage": "0.5", "tiePercentage": 0},
        {"homeWinPercentage": 1.5},
        {"homeWinPercentage": float("nan")},
        {"homeWinPercentage": 10**400},
        {"homeWinPercentage": -0.1},
        {"homeWinPercentage": True},
        {"homeWinPercentage": 0.6, "awayWinPercentage": 0.6},
        {"homeWinPercentage": 0.6, "awayWinPercentage": "x"},
        {"homeWinPercentage": 0.6, "tiePercentage": 0.6},
        {"homeWinPercentage": 0.6, "tiePercentage": [0.1]},
        {},
        None,
        [0.5],
    ],
)
def test_a_malformed_probability_is_skipped(raw: Any) -> None:
    assert probability(raw) is None


def test_a_tie_chance_gives_every_point_a_draw() -> None:
    summary = copy.deepcopy(NFL)
    summary["winprobability"][-2]["tiePercentage"] = 0.02
    summary["winprobability"][-2]["homeWinPercentage"] = 0.9
    plays = summary_plays(summary)
    assert all(p.prob.draw is not None for p in plays)
    assert plays[-2].prob.draw == pytest.approx(0.02) and plays[0].prob.draw == 0.0


def test_broken_points_are_dropped_and_the_rest_kept() -> None:
    summary = copy.deepcopy(NBA)
    summary["winprobability"][0]["homeWinPercentage"] = "57%"
    summary["winprobability"][1]["playId"] = None
    summary["winprobability"][2] = "junk"
    summary["plays"][3]["homeScore"] = 10**400
    plays = summary_plays(summary)
    assert len(plays) == 472 - 3
    assert plays[0].play_id == NBA["winprobability"][3]["playId"] and plays[0].score is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**400), 10**400) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=30,
)
KEYS = st.sampled_from(["homeWinPercentage", "awayWinPercentage", "tiePercentage", "playId", "id", "period"])


@settings(max_examples=200, deadline=None)
@given(
    junk=JSON,
    point=st.dictionaries(KEYS, JSON, max_size=5),
    play=st.dictionaries(KEYS, JSON, max_size=5),
)
def test_no_payload_makes_it_raise(junk: Any, point: Any, play: Any) -> None:
    summary_plays(junk)
    scoreboard_probability(junk)
    probability(junk)
    shaped = {"winprobability": [point, junk], "plays": [play, junk], "drives": {"previous": [junk]}}
    for item in summary_plays(shaped):
        assert 0.0 <= item.prob.home <= 1.0
    scoreboard_probability({"competitions": [{"situation": {"lastPlay": {"probability": point}}}]})
