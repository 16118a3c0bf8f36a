"""``scoreterm table`` and ``scoreterm bracket`` over a real local HTTP server serving real payloads:
what they print (80 columns, numbers from the payload), their JSON, and their exit codes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from tests import payloads as pl
from tests.httpserver import FIXTURES, Reply, ScriptedServer
from tests.test_cli import env as env

STANDINGS = "/apis/v2/sports/soccer/eng.1/standings"
NBA_STANDINGS = "/apis/v2/sports/basketball/nba/standings"
ENG1_BOARD = "/apis/site/v2/sports/soccer/eng.1/scoreboard"
WC_BOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
ENG1_TABLE = "espn_standings/eng.1_standings_2024-25_final.json"
FINAL_DAY = "espn_soccer/eng.1_scoreboard_20250525_final_day_all_full_time.json"
KNOCKOUTS = "espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json"

runner = CliRunner(mix_stderr=False)  # stdout and stderr apart, as a shell sees them


@pytest.fixture
def espn(env: dict[str, str], http_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> ScriptedServer:
    monkeypatch.setenv("SCORETERM_ESPN_URL", http_server.url)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("SCORETERM_TIMEZONE", "UTC")
    return http_server


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def entries(payload: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = payload["children"][0]["standings"]["entries"]
    return rows


def stat(entry: dict[str, Any], name: str) -> int:
    return int(next(s["value"] for s in entry["stats"] if s["name"] == name))


def test_table_prints_the_official_table_in_80_columns(espn: ScriptedServer) -> None:
    espn.route(STANDINGS, Reply.file(ENG1_TABLE))
    result = runner.invoke(app, ["table", "--league", "eng.1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    for entry in entries(load(ENG1_TABLE)):
        name = entry["team"]["displayName"]
        row = next(line for line in lines if re.search(rf"\b{re.escape(name)}\s", line))
        assert str(stat(entry, "points")) in row.split(), (name, row)
    assert [r.path for r in espn.requests] == [STANDINGS]


def test_table_json_carries_every_number_of_the_payload(espn: ScriptedServer) -> None:
    espn.route(STANDINGS, Reply.file(ENG1_TABLE))
    result = runner.invoke(app, ["table", "--league", "epl", "--json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)
    (group,) = table["groups"]
    by_name = {row["entry"]["team"]["name"]: row for row in group["entries"]}
    for entry in entries(load(ENG1_TABLE)):
        row = by_name[entry["team"]["displayName"]]["entry"]
        assert (row["rank"], row["played"], row["points"]) == (
            stat(entry, "rank"),
            stat(entry, "gamesPlayed"),
            stat(entry, "points"),
        )
        assert row["goals_for"] - row["goals_against"] == stat(entry, "pointDifferential")


def test_live_never_counts_a_finished_match_the_table_already_has(espn: ScriptedServer) -> None:
    espn.route(STANDINGS, Reply.file(ENG1_TABLE))
    espn.route(ENG1_BOARD, Reply.file(FINAL_DAY))  # the final day, all ten matches full time
    result = runner.invoke(app, ["table", "-l", "eng.1", "--live", "--date", "2025-05-25", "--json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)
    for row in table["groups"][0]["entries"]:
        official = next(
            e for e in entries(load(ENG1_TABLE)) if e["team"]["displayName"] == row["entry"]["team"]["name"]
        )
        assert (row["entry"]["played"], row["entry"]["points"]) == (
            stat(official, "gamesPlayed"),
            stat(official, "points"),
        )
        assert row.get("moved", 0) == 0


def test_live_applies_a_match_in_play_and_marks_it(espn: ScriptedServer) -> None:
    board = load(FINAL_DAY)
    event = next(e for e in board["events"] if "Liverpool" in json.dumps(pl.competitor(e, "home")["team"]))
    board["events"] = [pl.with_score(pl.live(event, "67'"), 0, 2)]
    espn.route(STANDINGS, Reply.file(ENG1_TABLE))
    espn.route(ENG1_BOARD, Reply.json(json.dumps(board)))
    result = runner.invoke(app, ["table", "-l", "eng.1", "--live", "--date", "2025-05-25"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    liverpool = next(line for line in lines if "Liverpool" in line)
    assert "39" in liverpool.split() and "84" in liverpool.split()  # one more played, no more points
    assert "0-2" in result.stdout  # the live score beside the teams in play
    away = pl.competitor(event, "away")["team"]["displayName"]
    official_away = next(e for e in entries(load(ENG1_TABLE)) if e["team"]["displayName"] == away)
    away_line = next(line for line in lines if away[:10] in line)
    assert str(stat(official_away, "points") + 3) in away_line.split()


def test_table_with_no_provider_answering_exits_3_with_one_line(espn: ScriptedServer) -> None:
    espn.route(STANDINGS, Reply.json('{"error": "gone"}', status=404))
    result = runner.invoke(app, ["table", "--league", "eng.1", "--provider", "espn"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "eng.1" in result.stderr


def test_table_of_an_unknown_league_exits_2(espn: ScriptedServer) -> None:
    result = runner.invoke(app, ["table", "--league", "premier"])
    assert result.exit_code == 2 and "eng.1" in result.stderr  # did you mean
    assert espn.requests == []


def test_us_standings_fit_80_columns(espn: ScriptedServer) -> None:
    espn.route(NBA_STANDINGS, Reply.file("espn_standings/nba_standings_2024-25_conferences.json"))
    result = runner.invoke(app, ["table", "--league", "nba"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("Eastern" in line for line in lines) and any("Western" in line for line in lines)


def test_bracket_prints_the_knockouts_with_who_went_through(espn: ScriptedServer) -> None:
    espn.route(WC_BOARD, Reply.file(KNOCKOUTS))
    result = runner.invoke(app, ["bracket", "-l", "worldcup", "--date", "2026-06-28..2026-07-19"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    final = next(e for e in load(KNOCKOUTS)["events"] if e["season"]["slug"] == "final")
    winner = next(c for c in final["competitions"][0]["competitors"] if c.get("winner"))
    assert winner["team"]["displayName"] in result.stdout
    assert "Final" in result.stdout and "Round of 32" in result.stdout


def test_bracket_json_and_its_default_window_around_today(espn: ScriptedServer) -> None:
    espn.route(WC_BOARD, Reply.file(KNOCKOUTS))
    before = datetime.now(UTC).date()
    result = runner.invoke(app, ["bracket", "-l", "fifa.world", "--json"])
    windows = {
        f"{day - timedelta(days=30):%Y%m%d}-{day + timedelta(days=30):%Y%m%d}"
        for day in (before, datetime.now(UTC).date())  # both, should midnight pass meanwhile
    }
    assert result.exit_code == 0, result.output
    (bracket,) = json.loads(result.stdout)
    assert [r["name"] for r in bracket["rounds"]][-1] == "Final"
    (request,) = espn.requests
    assert request.query["dates"][0] in windows


def test_bracket_without_knockouts_says_try_date_and_exits_2(espn: ScriptedServer) -> None:
    espn.route(WC_BOARD, Reply.json(json.dumps({"events": [], "leagues": []})))
    result = runner.invoke(app, ["bracket", "-l", "fifa.world", "--date", "2026-06-11"])
    assert result.exit_code == 2
    assert "--date" in result.stderr and result.stdout == ""


def test_table_and_bracket_are_in_the_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert "table" in result.output and "bracket" in result.output
