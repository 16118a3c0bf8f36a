"""Stats, right: percentages, labels and bar shares on the real ESPN box scores.

The soccer rows are built by the production path (``espn_normalize.normalize_stats`` on the
MEX-RSA summary) and the US rows by ``normalize_centre``; expected percentages are computed from
the payload's own counts (``shotsOnTarget``/``totalShots``...), not copied from the code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from scoreterm.domain.centre import TeamStat
from scoreterm.domain.model import Side, Stat
from scoreterm.domain.stats_format import StatRow, format_stats, stat_label, stat_number
from scoreterm.providers.espn_centre import normalize_centre
from scoreterm.providers.espn_normalize import normalize_stats

FIXTURES = Path(__file__).parent / "fixtures"
SUMMARY = "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
US = {
    "basketball": ("espn_summary_us/nba_summary_401772994_winprobability.json", "11", "18"),
    "football": ("espn_summary_us/nfl_summary_401547417_winprobability.json", "1", "9"),
    "hockey": ("espn_summary_us/nhl_summary_401559593.json", "7", "2"),
    "baseball": ("espn_summary_us/mlb_summary_401472463_winprobability.json", "23", "5"),
}


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def soccer() -> tuple[dict[str, dict[str, float]], dict[str, StatRow]]:
    summary = load(SUMMARY)
    raw = {
        team["homeAway"]: {s["name"]: float(s["displayValue"]) for s in team["statistics"]}
        for team in summary["boxscore"]["teams"]
    }
    stats = normalize_stats(summary["boxscore"], {"203": Side.HOME, "467": Side.AWAY})
    return raw, {row.label: row for row in format_stats(stats)}


def _half_up(value: float) -> str:
    return f"{math.floor(value + 0.5)}%"


def test_ratios_are_recomputed_from_the_payloads_counts(
    soccer: tuple[dict[str, dict[str, float]], dict[str, StatRow]],
) -> None:
    raw, rows = soccer
    pairs = {
        "On Target %": ("shotsOnTarget", "totalShots"),
        "Pass Completion %": ("accuratePasses", "totalPasses"),
        "Cross %": ("accurateCrosses", "totalCrosses"),
        "Long Balls %": ("accurateLongBalls", "totalLongBalls"),
        "Tackle %": ("effectiveTackles", "totalTackles"),
    }
    for label, (made, tried) in pairs.items():
        row = rows[label]
        home, away = (100 * raw[s][made] / raw[s][tried] for s in ("home", "away"))
        assert (row.home, row.away) == (_half_up(home), _half_up(away))
        assert row.home_share == pytest.approx(home / (home + away))
    # ESPN's own rounded fractions were 0.3 / 0.7 and 0.9 / 0.8.
    assert (rows["On Target %"].home, rows["On Target %"].away) == ("25%", "67%")
    assert (rows["Pass Completion %"].home, rows["Pass Completion %"].away) == ("90%", "81%")
    assert (rows["Cross %"].home, rows["Cross %"].away) == ("33%", "13%")


def test_possession_gets_its_percent_sign(
    soccer: tuple[dict[str, dict[str, float]], dict[str, StatRow]],
) -> None:
    raw, rows = soccer
    row = rows["Possession"]
    assert (row.home, row.away) == ("60.5%", "39.5%")
    assert row.home_share == pytest.approx(raw["home"]["possessionPct"] / 100)


def test_labels_are_title_case(soccer: tuple[dict[str, dict[str, float]], dict[str, StatRow]]) -> None:
    raw, rows = soccer
    assert "SHOTS" not in rows and "ON GOAL" not in rows
    assert (rows["Shots"].home, rows["Shots"].away) == ("16", "3")
    assert (rows["Shots on Target"].home, rows["Shots on Target"].away) == ("4", "2")
    for label in rows:
        assert not any(word.isupper() and len(word) > 3 for word in label.split()), label
    assert len(rows) == len(raw["home"])


def test_every_share_is_the_home_part_of_the_sum(
    soccer: tuple[dict[str, dict[str, float]], dict[str, StatRow]],
) -> None:
    _, rows = soccer
    for row in rows.values():
        if not row.home.endswith("%") and float(row.home) + float(row.away) == 0:
            assert row.home_share is None  # 0 against 0: nothing to split, no bar (not a 50/50 one)
            continue
        assert row.home_share is not None and 0 <= row.home_share <= 1
        if not row.home.endswith("%"):
            home, away = float(row.home), float(row.away)
            assert row.home_share == pytest.approx(home / (home + away))
    assert rows["Blocked Shots"].home_share == 1.0
    assert rows["Penalty Goals"].home_share is None  # 0 - 0


def test_rounded_fraction_without_its_counts_is_scaled() -> None:
    rows = format_stats([Stat("On Target %", "0.3", "0.7"), Stat("Pass Completion %", "1", "0.0")])
    assert [(r.home, r.away) for r in rows] == [("30%", "70%"), ("100%", "0%")]


def test_ratio_without_attempts_shows_a_dash_not_zero() -> None:
    rows = format_stats(
        [Stat("SHOTS", "0", "3"), Stat("ON GOAL", "0", "1"), Stat("On Target %", "0.0", "0.3")]
    )
    assert (rows[2].home, rows[2].away, rows[2].home_share) == ("-", "33%", None)


@pytest.mark.parametrize("sport", sorted(US))
def test_us_stats(sport: str) -> None:
    relative, home, away = US[sport]
    centre = normalize_centre(load(relative), sport, home_team_id=home, away_team_id=away)
    assert centre.box is not None
    rows = {row.label: row for row in format_stats(centre.box.stats)}
    assert all(r.home_share is None or 0 <= r.home_share <= 1 for r in rows.values())
    if sport == "basketball":
        assert (rows["Field Goal %"].home, rows["Field Goal %"].away) == ("54.1%", "47.7%")
        assert (rows["FG"].home, rows["3PT"].away) == ("46-85", "9-32")
        assert rows["FG"].home_share == pytest.approx(46 / (46 + 41))
    elif sport == "football":
        assert (
            "3rd Down Efficiency" in rows and "Yards per Pass" in rows and "1st Downs from Penalties" in rows
        )
        possession = rows["Possession"]  # time of possession, not a percentage
        assert (possession.home, possession.away) == ("36:15", "23:45")
        assert possession.home_share == pytest.approx((36 * 60 + 15) / 3600)
        assert rows["Comp/Att"].home_share == pytest.approx(19 / (19 + 14))
    elif sport == "hockey":
        assert (rows["Power Play Percentage"].home, rows["Power Play Percentage"].away) == ("100.0%", "0.0%")
        assert rows["Faceoff Win Percent"].home == "54.4%"
    else:
        assert (rows["Runs"].home, rows["Runs"].away) == ("7", "5")
        assert rows["Batting Average"].home == ".273"


def test_team_stats_and_model_stats_format_alike() -> None:
    assert format_stats([TeamStat(name="ON GOAL", home="4", away="2")]) == format_stats(
        [Stat("ON GOAL", "4", "2")]
    )


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("SHOTS", "Shots"),
        ("ON GOAL", "Shots on Target"),
        ("3rd down efficiency", "3rd Down Efficiency"),
        ("Yards per pass", "Yards per Pass"),
        ("Red Zone (Made-Att)", "Red Zone (Made-Att)"),
        ("Defensive / Special Teams TDs", "Defensive / Special Teams TDs"),
        ("FG", "FG"),
        ("  Corner   Kicks ", "Corner Kicks"),
        ("", ""),
    ],
)
def test_stat_label(raw: str, label: str) -> None:
    assert stat_label(raw) == label


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("54.1", 54.1),
        ("60.5%", 60.5),
        (".278", 0.278),
        ("41-86", 41.0),
        ("14/25", 14.0),
        ("23:45", 1425.0),
        ("-", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        ("9" * 400, None),
        ("12abc", None),
    ],
)
def test_stat_number(value: str, number: float | None) -> None:
    assert stat_number(value) == number


def test_unreadable_values_have_no_bar() -> None:
    rows = format_stats(
        [Stat("Possession", "9" * 400, "x"), Stat("Plus/Minus", "-3", "3"), Stat("Saves", "", "2")]
    )
    assert [r.home_share for r in rows] == [None, None, None]
    assert rows[0].home == "9" * 400  # shown as sent, never replaced by a made-up number
