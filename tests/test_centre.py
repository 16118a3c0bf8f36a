"""The match-centre structs and their pure helpers (domain/centre.py, domain/centre_text.py).

The normalizers are tested on the real payloads in test_espn_centre.py; here the helpers are
pinned on small hand-made values, including the shapes ESPN gets wrong for a fan (``90'+2'``,
a count left at ``4-1`` after ball four).
"""

from __future__ import annotations

import ast
from datetime import UTC
from pathlib import Path

import msgspec
import pytest

from scoreterm.domain import centre
from scoreterm.domain.centre import (
    Lineup,
    LineupPlayer,
    MatchCentre,
    Play,
    Shot,
    Situation,
    SubSwap,
    bases_text,
    formation_lines,
    minute_text,
    period_text,
    scoring_first,
    shot_counts,
    situation_text,
)
from scoreterm.domain.centre_text import clock_text
from scoreterm.domain.display import live_state, match_json, row_text, status_text
from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import Phase, PhaseState
from tests.tui_helpers import opening_day

DOMAIN = Path(centre.__file__).parent


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("90'+2'", "90+2'"),
        ("45'+4'", "45+4'"),
        ("120'+1'", "120+1'"),
        ("9'", "9'"),
        ("90+2", "90+2'"),
        (" 67' ", "67'"),
        ("", ""),
        ("HT", "HT"),
        ("9" * 400 + "'", "9" * 400 + "'"),
    ],
)
def test_minute_text_reads_like_a_fan_writes_it(raw: str, shown: str) -> None:
    assert minute_text(raw) == shown


def test_the_live_clock_is_written_as_the_timeline_writes_minutes() -> None:
    """ESPN's clock ``90'+2'`` and its event minute ``90'+2'`` read the same on every line of the screen."""
    mex = msgspec.structs.replace(
        opening_day()[0], clock="90'+2'", phase=Phase(state=PhaseState.LIVE, period=2, label="2H")
    )
    assert row_text(mex, UTC).when == "90+2'"
    assert status_text(mex) == "2H 90+2'"
    assert live_state(mex) == "2H 90+2'"
    assert match_json(mex)["clock"] == "90'+2'"  # the JSON keeps what the provider sent
    for us_clock in ("5:32", "12.4", "0.0", "12"):
        assert clock_text(us_clock) == us_clock  # a game clock has no apostrophe: left alone
    assert clock_text("45'+4'") == minute_text("45'+4'") == "45+4'"


def test_exact_minute_splits_added_time() -> None:
    assert exact_minute("45+2'") == (45, 2)
    assert exact_minute("90'+4'") == (90, 4)
    assert exact_minute("9'") == (9, 0)
    assert exact_minute("HT") is None
    assert exact_minute("") is None


@pytest.mark.parametrize(
    ("sport", "period", "label"),
    [
        ("basketball", 4, "Q4"),
        ("basketball", 5, "OT"),
        ("basketball", 7, "3OT"),
        ("football", 3, "Q3"),
        ("football", 5, "OT"),
        ("hockey", 2, "P2"),
        ("hockey", 4, "OT"),
        ("baseball", 7, "Inn 7"),
        ("basketball", 0, ""),
    ],
)
def test_period_text(sport: str, period: int, label: str) -> None:
    assert period_text(sport, period) == label


def _mlb(**changes: object) -> Situation:
    base = Situation(inning_half="top", inning=7, balls=1, strikes=2, outs=2, on_first=True, on_third=True)
    return msgspec.structs.replace(base, **changes)


def test_baseball_situation_text_in_full() -> None:
    assert situation_text("baseball", _mlb()) == "Top 7 · 2 out · 1-2 · ●○●"
    assert situation_text(
        "baseball", _mlb(inning_half="bottom", inning=9, on_first=False, on_second=True)
    ) == ("Bot 9 · 2 out · 1-2 · ○●●")
    # Between half-innings nobody is at bat: no count, no outs, no runners.
    assert situation_text("baseball", _mlb(inning_half="middle", inning=3)) == "Mid 3"
    assert situation_text("baseball", _mlb(inning_half="end", inning=3)) == "End 3"


def test_baseball_finished_count_is_not_shown() -> None:
    # ESPN leaves "4-1" up after ball four (CLE @ CIN in the 2025-05-18 scoreboard).
    assert situation_text("baseball", _mlb(balls=4, strikes=1)) == "Top 7 · 2 out · ●○●"
    assert situation_text("baseball", _mlb(balls=2, strikes=3)) == "Top 7 · 2 out · ●○●"


def test_baseball_unknown_values_are_left_out_not_zero() -> None:
    assert situation_text("baseball", _mlb(outs=None, balls=None)) == "Top 7 · ●○●"
    assert situation_text("baseball", None, label="Top 5th") == "Top 5th"
    assert situation_text("baseball", Situation(), period=4) == "Inn 4"


def test_clock_sports_situation_text() -> None:
    football = Situation(
        down=3, distance=4, yard_line_text="3rd & 4 at NE 35", possession="away", red_zone=False
    )
    assert situation_text("football", football, label="Q3", clock="5:32", home="NYJ", away="NE") == (
        "Q3 5:32 · 3rd & 4 at NE 35 · NE ball"
    )
    red = msgspec.structs.replace(
        football, yard_line_text="1st & 10 at NYJ 12", possession="home", red_zone=True
    )
    assert situation_text("football", red, period=4, clock="0:45", home="NYJ", away="NE") == (
        "Q4 0:45 · 1st & 10 at NYJ 12 · NYJ ball · red zone"
    )
    assert situation_text("basketball", None, label="Q4", clock="2:11") == "Q4 2:11"
    assert situation_text("hockey", None, period=2, clock="12:03") == "P2 12:03"
    assert situation_text("hockey", None, label="SO") == "SO"


def test_bases_run_first_to_third() -> None:
    assert bases_text(Situation(on_first=True)) == "●○○"
    assert bases_text(Situation(on_third=True)) == "○○●"


def _player(name: str, position: str, place: int, **changes: object) -> LineupPlayer:
    return LineupPlayer(name=name, position=position, formation_place=place, starter=place > 0, **changes)  # type: ignore[arg-type]


def test_formation_lines_fall_back_to_depth_without_a_formation() -> None:
    starters = (
        _player("K", "G", 1),
        _player("LB", "LB", 3),
        _player("RB", "RB", 2),
        _player("CB", "CD", 5),
        _player("F", "F", 9),
        _player("CM", "CM", 8),
    )
    for formation in ("", "4-4-2", "x-y"):
        lines = formation_lines(Lineup(side="home", team="T", formation=formation, starters=starters))
        assert [[p.name for p in line] for line in lines] == [["K"], ["RB", "CB", "LB"], ["CM"], ["F"]]


def test_on_pitch_drops_substituted_and_sent_off_players() -> None:
    lineup = Lineup(
        side="away",
        team="T",
        starters=(
            _player("A", "G", 1),
            _player("B", "CD", 2, went_off=SubSwap(minute="60'", player="D")),
            _player("C", "F", 3, red_cards=("49'",)),
        ),
        bench=(_player("D", "SUB", 0, came_on=SubSwap(minute="60'", player="B")), _player("E", "SUB", 0)),
    )
    assert [p.name for p in lineup.on_pitch()] == ["A", "D"]


def _shot(side: str, minute: str) -> Shot:
    return Shot(side=side, player="P", minute=minute, outcome="off_target")  # type: ignore[arg-type]


def test_shot_counts_in_slices_with_added_time_in_its_half() -> None:
    shots = [_shot("home", "1'"), _shot("home", "15'"), _shot("away", "16'"), _shot("home", "45+2'")]
    shots += [_shot("away", "46'"), _shot("away", ""), _shot("home", "90+5'")]
    assert shot_counts(shots) == ((0, 2, 0), (15, 0, 1), (30, 1, 0), (45, 0, 1), (60, 0, 0), (75, 1, 0))
    assert shot_counts([]) == ()


def test_scoring_first_keeps_order_within_groups() -> None:
    plays = [Play(text=str(i), scoring=i % 3 == 0) for i in range(7)]
    assert [p.text for p in scoring_first(plays)] == ["0", "3", "6", "1", "2", "4", "5"]


def test_match_centre_round_trips_through_json() -> None:
    item = MatchCentre(situation=Situation(inning_half="top", inning=1, balls=0), plays=(Play(text="x"),))
    assert msgspec.json.decode(msgspec.json.encode(item), type=MatchCentre) == item
    assert MatchCentre().is_empty and not item.is_empty


def test_centre_does_not_import_the_model() -> None:
    # model.py imports centre.py: an import back would be a cycle (minutes.py imports nothing).
    for module in ("centre.py", "centre_text.py"):
        tree = ast.parse((DOMAIN / module).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        assert not {name for name in imported if name and name.startswith("scoreterm")} - {
            "scoreterm.domain.centre",
            "scoreterm.domain.centre_text",
            "scoreterm.domain.minutes",
        }
