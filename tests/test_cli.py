"""The CLI: scores (table and JSON, over a real local HTTP server), leagues, config, exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from tests.httpserver import Reply, ScriptedServer

SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
KNOCKOUTS = "espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with no user config, UTC, and every provider pointed at closed ports."""
    closed = f"http://127.0.0.1:{_closed_port()}"
    values = {
        "SCORETERM_CONFIG": str(tmp_path / "config.toml"),
        "TZ": "UTC",
        "SCORETERM_ESPN_URL": closed,
        "SCORETERM_THESPORTSDB_URL": closed,
        "SCORETERM_FOOTBALLDATA_URL": closed,
        "SCORETERM_TIMEOUT": "3",
    }
    for name in list(os.environ):
        if name.startswith("SCORETERM_"):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


runner = CliRunner(mix_stderr=False)  # stdout and stderr apart, as a shell sees them


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("scores", "leagues", "config"):
        assert command in result.output


def test_scores_json_over_local_server(env: dict[str, str], http_server: ScriptedServer) -> None:
    http_server.route(SCOREBOARD, Reply.file(KNOCKOUTS))
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    result = runner.invoke(
        app, ["scores", "--league", "fifa.world", "--date", "2026-06-28..2026-07-19", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    payload = json.loads((Path(__file__).parent / "fixtures" / KNOCKOUTS).read_text())
    assert len(rows) == len(payload["events"]) == 32
    by_id = {row["id"]: row for row in rows}
    for event in payload["events"]:
        row = by_id[f"espn-{event['id']}"]
        competitors = {c["homeAway"]: c for c in event["competitions"][0]["competitors"]}
        assert row["home"]["name"] == competitors["home"]["team"]["displayName"]
        assert row["score"] == {
            "home": int(competitors["home"]["score"]),
            "away": int(competitors["away"]["score"]),
        }
        assert row["phase"] == "final"
        assert row["kickoff"].endswith("Z")
        assert row["provider"] == "espn"
    # One ranged request covers the whole span (ESPN's day grouping includes the day before).
    dates = http_server.requests[0].query["dates"][0]
    assert dates.startswith("2026062") and dates.endswith("20260719")


def test_scores_table_is_readable(env: dict[str, str], http_server: ScriptedServer) -> None:
    http_server.route(SCOREBOARD, Reply.file(KNOCKOUTS))
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    result = runner.invoke(
        app, ["scores", "-l", "fifa.world", "-d", "2026-06-28..2026-07-19"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "Kick-off" in result.output
    assert "FT" in result.output
    assert "(" in result.output  # a shoot-out score like (4-3 p)


def test_scores_closed_port_exits_3_with_one_line(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scoreterm", "scores", "--league", "fifa.world"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=30,
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "espn" in lines[0] and "replay --demo" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_league_exits_2_with_suggestions(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["scores", "--league", "nope.1"])
    assert result.exit_code == 2
    assert "unknown league 'nope.1'" in result.stderr
    assert "did you mean" in result.stderr


def test_bad_date_exits_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["scores", "--league", "eng.1", "--date", "someday"])
    assert result.exit_code == 2
    assert "bad date 'someday'" in result.stderr


def test_unknown_provider_exits_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["scores", "--league", "eng.1", "--provider", "bbc"])
    assert result.exit_code == 2
    assert "unknown provider 'bbc'" in result.stderr


def test_malformed_config_exits_2_naming_file_and_line(env: dict[str, str]) -> None:
    Path(env["SCORETERM_CONFIG"]).write_text("leagues = [\n")
    result = runner.invoke(app, ["scores", "--league", "eng.1"])
    assert result.exit_code == 2
    assert env["SCORETERM_CONFIG"] in result.stderr
    assert "line" in result.stderr


def test_leagues_json_lists_catalog(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["leagues", "--json"])
    assert result.exit_code == 0
    slugs = {row["slug"] for row in json.loads(result.stdout)}
    assert {"eng.1", "uefa.champions", "nba", "mlb"} <= slugs


def test_leagues_table(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["leagues"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "English Premier League" in result.output


def test_config_path_and_show_redacts(env: dict[str, str]) -> None:
    Path(env["SCORETERM_CONFIG"]).write_text('[footballdata]\ntoken = "sekrit"\n')
    assert runner.invoke(app, ["config", "path"]).stdout.strip() == env["SCORETERM_CONFIG"]
    shown = runner.invoke(app, ["config", "show", "--json"])
    assert shown.exit_code == 0
    data = json.loads(shown.stdout)
    assert data["settings"]["footballdata_token"] == "***"
    assert "sekrit" not in shown.stdout
    assert data["sources"]["espn_url"] == "env SCORETERM_ESPN_URL"


def test_python_dash_m_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scoreterm", "--version"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    assert result.stdout.startswith("scoreterm ")


def test_scores_json_carries_the_live_win_probability(
    env: dict[str, str], http_server: ScriptedServer
) -> None:
    capture = "espn_soccer/fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json"
    http_server.route(SCOREBOARD, Reply.file(capture))
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    days = "2026-06-28..2026-07-19"
    result = runner.invoke(app, ["scores", "--league", "fifa.world", "--date", days, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    live = [row for row in rows if row["phase"] == "live"]
    (france_england,) = [row for row in live if row["home"]["name"] == "France"]
    prob = france_england["prob"]
    # ESPN's live price in that payload: France +1400, England -700 (margin removed); a knock-out
    # tie, so the chances are of going through, the draw's share split by extra time and penalties.
    assert prob["source"] == "market" and prob["advance"] and prob["draw"] is None
    assert prob["away"] > 0.85 and 0.05 < prob["home"] < 0.15
    assert abs(prob["home"] + prob["away"] - 1) < 1e-9
    assert all(row["prob"] is None for row in rows if row["phase"] != "live")


@pytest.mark.parametrize("tape", [["--demo"], ["--replay", "match.tape"]], ids=["demo", "replay"])
def test_serve_refuses_a_league_with_a_tape_rather_than_ignore_it(tape: list[str]) -> None:
    result = runner.invoke(app, ["serve", *tape, "--league", "eng.1", "--port", "0"])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("scoreterm: error: --league does not apply to a tape")


@pytest.mark.slow  # a subprocess
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_one_shot_command_on_a_full_disk_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "scoreterm", "leagues", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["scoreterm: error: cannot write output: No space left on device"]
