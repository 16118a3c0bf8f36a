"""The CLI as a fan uses it: US scoreboards in their order at 80 columns, league aliases, `config set`,
shell completion, and `record`'s one-line progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from scoreterm.config_load import load_settings
from tests.httpserver import Reply, ScriptedServer
from tests.test_cli import _closed_port

MLB_PATH = "/apis/site/v2/sports/baseball/mlb/scoreboard"
MLB_LIVE = "espn_other/mlb_scoreboard_20250518_live_and_scheduled.json"
runner = CliRunner(mix_stderr=False)  # stdout and stderr apart, as a shell sees them


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user config, UTC, and every provider pointed at a closed port (as tests/test_cli.py)."""
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


def test_mlb_scores_read_away_at_home_in_full_at_80_columns(
    env: dict[str, str], http_server: ScriptedServer
) -> None:
    http_server.route(MLB_PATH, Reply.file(MLB_LIVE))
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    result = runner.invoke(app, ["scores", "-l", "mlb", "-d", "2025-05-18"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if "Kick-off" in line)
    assert header.index("Away") < header.index("Score") < header.index("Home") < header.index("Status")
    # Pirates at Phillies, bottom of the 1st: one out, the count, nobody on; nothing cut.
    pirates = next(line for line in lines if "Pirates" in line)
    assert pirates.index("Pirates") < pirates.index("0 @ 0") < pirates.index("Phillies")
    assert "Bot 1 · 1 out · 0-0 · ○○○" in pirates
    # Guardians at Reds: runners on first and third; ball four ended the at-bat, so no count.
    guardians = next(line for line in lines if "Guardians" in line)
    assert "Top 1 · 1 out · ●○●" in guardians
    assert "Bot 1s" not in result.output
    yankees = next(line for line in lines if "Yankees" in line)
    assert yankees.index("Mets") < yankees.index("@") < yankees.index("Yankees")


def test_scores_names_use_the_width_and_an_ellipsis_when_cut(
    env: dict[str, str], http_server: ScriptedServer
) -> None:
    http_server.route(MLB_PATH, Reply.file(MLB_LIVE))
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    wide = runner.invoke(app, ["scores", "-l", "mlb", "-d", "2025-05-18"], env={"COLUMNS": "150"})
    assert "Philadelphia Phillies" in wide.output and "Arizona Diamondbacks" in wide.output
    narrow = runner.invoke(app, ["scores", "-l", "mlb", "-d", "2025-05-18"], env={"COLUMNS": "64"})
    assert "Philadelphia Phillies" not in narrow.output
    assert "Phillies" in narrow.output  # the short name, rather than "Philadelphia Ph…"


def test_a_league_alias_works_wherever_a_slug_does(env: dict[str, str], http_server: ScriptedServer) -> None:
    http_server.route(
        "/apis/site/v2/sports/soccer/fifa.world/scoreboard",
        Reply.file("espn_soccer/fifa.world_scoreboard_all_finished_knockouts.json"),
    )
    os.environ["SCORETERM_ESPN_URL"] = http_server.url
    result = runner.invoke(app, ["scores", "-l", "worldcup", "-d", "2026-06-28..2026-07-19", "--json"])
    assert result.exit_code == 0, result.output
    assert {row["league"] for row in json.loads(result.stdout)} == {"fifa.world"}
    assert http_server.requests[0].path.endswith("/fifa.world/scoreboard")


def test_did_you_mean_draws_on_aliases_and_names(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["scores", "-l", "premier"])
    assert result.exit_code == 2
    assert "did you mean eng.1 (English Premier League)" in result.stderr


def test_a_bad_league_in_the_config_file_names_the_file_and_the_key(env: dict[str, str]) -> None:
    config = Path(env["SCORETERM_CONFIG"])
    config.write_text('timeout = 5\nleagues = ["epl", "bundesliag"]\n')
    result = runner.invoke(app, ["scores"])
    assert result.exit_code == 2
    assert f"config file {config}, line 2" in result.stderr
    assert "unknown league 'bundesliag' in 'leagues'" in result.stderr
    assert "did you mean ger.1" in result.stderr


def test_config_set_keeps_comments_and_checks_the_value(env: dict[str, str]) -> None:
    config = Path(env["SCORETERM_CONFIG"])
    config.write_text(
        '# my scoreterm\nleagues = ["eng.1"]  # the big one\n\n[espn]\n# keep it\nurl = "https://x.test"\n'
    )
    result = runner.invoke(app, ["config", "set", "leagues", "epl,laliga"])
    assert result.exit_code == 0, result.output
    assert 'leagues = ["eng.1", "esp.1"]' in result.output
    result = runner.invoke(app, ["config", "set", "notify", "yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text()
    assert "# my scoreterm" in text and "# the big one" in text and "# keep it" in text
    assert text.index("notify = true") < text.index("[espn]")  # a top-level key, not in [espn]
    loaded = load_settings(file=config, env={}).settings
    assert loaded.leagues == ["eng.1", "esp.1"] and loaded.notify is True
    bad = runner.invoke(app, ["config", "set", "timeout", "0"])
    assert bad.exit_code == 2 and "'timeout' must be a number of seconds" in bad.stderr
    assert config.read_text() == text  # nothing written
    unknown = runner.invoke(app, ["config", "set", "favorites", "Arsenal"])
    assert unknown.exit_code == 2 and "unknown setting 'favorites'" in unknown.stderr
    gone = runner.invoke(app, ["config", "unset", "notify"])
    assert gone.exit_code == 0 and "notify = " not in config.read_text()


def test_shell_completion_offers_commands_and_league_aliases(env: dict[str, str]) -> None:
    def complete(words: str) -> list[str]:
        environ = {
            **os.environ,
            "_SCORETERM_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        script = "from scoreterm.cli import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", script], env=environ, capture_output=True, text=True, timeout=30
        )
        return done.stdout.split()

    assert {"scores", "watch", "replay", "record", "config"} <= set(complete("scoreterm "))
    assert "laliga" in complete("scoreterm scores --league la")
    assert {"eng.1", "eng.2", "epl"} <= set(complete("scoreterm scores --league e"))
    assert "favourites" in complete("scoreterm config set fav")
    shown = runner.invoke(app, ["--show-completion", "bash"])
    assert shown.exit_code == 0 and "_SCORETERM_COMPLETE" in shown.output


@pytest.mark.parametrize("spec", ["2025-05-18"])
def test_help_lists_the_new_options(spec: str) -> None:
    assert "--notify" in runner.invoke(app, ["watch", "--help"]).output
    assert "--json" in runner.invoke(app, ["record", "--help"]).output
    assert "set" in runner.invoke(app, ["config", "--help"]).output


# -- record: one progress line, not the event stream ----------------------------------------------


@pytest.mark.slow
def test_record_prints_progress_not_json(tmp_path: Path) -> None:
    from tests.test_cli_live import live_steps, offline_env, run, serve_live

    with ScriptedServer() as server:
        steps = live_steps()
        serve_live(server, [steps[0], *steps])
        env = offline_env(tmp_path / "config.toml", server.url)
        tape = tmp_path / "t.jsonl"
        args = ["record", "-l", "eng.1", "-d", "2026-03-22", "-o", str(tape), "--duration", "4s"]
        result = run([*args, "--interval", "0.5"], env, timeout=40)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", result.stderr  # no JSON stream without --json
    progress = [line for line in result.stderr.splitlines() if line.startswith("recording eng.1 ")]
    # Not a terminal: a line each time what it says changes, never the same twice in a row.
    assert progress and len(progress) <= 10
    assert progress[0].startswith("recording eng.1 0:00:00 · 0 matches (0 live) · 0 goals")  # at once
    assert "2 matches (1 live) · 0 goals" in progress[1]  # the first answer: Villa under way
    assert any("1 goal" in line for line in progress)  # Watkins' 40' goal, seen as it came
    assert all(" · tape " in line for line in progress)
    assert f"tape written to {tape}" in result.stderr


def test_record_progress_rewrites_one_line_on_a_terminal(tmp_path: Path) -> None:
    import io
    from datetime import UTC, datetime

    from scoreterm.commands.progress import RecordProgress
    from scoreterm.domain.model import EventKind, EventUpdate, MatchEvent
    from scoreterm.engine.clock import FakeClock
    from tests.tui_helpers import AT, opening_day, snapshot

    clock = FakeClock(datetime(2026, 6, 11, 19, tzinfo=UTC))
    out = io.StringIO()
    tape = tmp_path / "t.jsonl"
    tape.write_bytes(b"x" * 1500)
    progress = RecordProgress(out, tape, clock, ["fifa.world"], tty=True)
    progress.take(snapshot(opening_day()))
    progress.show()
    goal = MatchEvent(kind=EventKind.GOAL, minute="9'", key="goal:home:1-0", seq=2)
    progress.take(EventUpdate(channel="league:fifa.world", at=AT, match_id="m", seq=goal.seq, event=goal))
    progress.show()
    written = out.getvalue()
    assert "\n" not in written  # rewritten in place
    assert written.count("\r\x1b[2K") == 2
    last = written.rsplit("\r\x1b[2K", 1)[1]
    assert last == "recording fifa.world 0:00:00 · 2 matches (1 live) · 1 goal · tape 1.5 KB"
    progress.finish()
    assert out.getvalue().endswith("\n")
