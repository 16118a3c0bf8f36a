"""What a new user ran into: the league list at 80 columns and its aliases, token errors from a
``--server``, config key names and type errors, "did you mean" for typos, the ``l`` hint in a replay,
and the replay FILE argument's help."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from scoreterm.config import FILE_KEYS
from scoreterm.domain.leagues import ALIASES, CATALOG, UnknownLeague, get_league, suggest
from tests.servers import running_server, server_config
from tests.tui_helpers import demo_app, until

runner = CliRunner(mix_stderr=False)  # stdout and stderr apart, as a shell sees them
SCORETERM = [sys.executable, "-m", "scoreterm"]
TOKEN = "sekrit"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user config (a fresh path in ``tmp_path``), no ``SCORETERM_*`` from the outside."""
    for name in list(os.environ):
        if name.startswith("SCORETERM_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("SCORETERM_CONFIG", str(config))
    return config


def aliases_of(slug: str) -> list[str]:
    return [alias for alias, target in ALIASES.items() if target == slug]


# -- 1. scoreterm leagues ------------------------------------------------------------------------


def test_leagues_at_80_columns_never_cuts_a_slug_and_lists_every_alias(env: Path) -> None:
    result = runner.invoke(app, ["leagues"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    first_cells = [m.group(1) for line in lines if (m := re.match(r"│ (\S*)\s*│", line)) and m.group(1)]
    assert first_cells == [league.slug for league in CATALOG]  # whole, one per row, in order
    words = set(re.findall(r"[\w.-]+", result.output))
    assert set(ALIASES) <= words  # every alias, whole (never cut with "…")


def test_leagues_json_carries_each_leagues_aliases(env: Path) -> None:
    result = runner.invoke(app, ["leagues", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["slug"]: row for row in json.loads(result.stdout)}
    for league in CATALOG:
        assert rows[league.slug]["aliases"] == aliases_of(league.slug)
    assert "epl" in rows["eng.1"]["aliases"] and rows["nba"]["aliases"] == []


# -- 2. a token the server refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "cause"),
    [([], "needs a token"), (["--token", "wrong"], "refused the token")],
    ids=["missing", "wrong"],
)
async def test_watch_server_token_refusal_is_one_clear_line_and_exit_2(
    tmp_path: Path, extra: list[str], cause: str
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCORETERM_")}
    environ["SCORETERM_CONFIG"] = str(tmp_path / "none.toml")
    async with running_server(server_config(token=TOKEN)) as rs:
        url = rs.url
        process = await asyncio.create_subprocess_exec(
            *SCORETERM, "watch", "--server", rs.url, "--json", *extra,
            env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1, err.decode()
    line = lines[0]
    assert line.startswith(f"scoreterm: error: {url} {cause}: ")
    assert "--token" in line and "SCORETERM_TOKEN" in line and "server.token" in line


def test_help_documents_the_exit_code_of_a_refused_token() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert re.search(r"2 usage or configuration error \([^)]*token the server refuses", text)


# -- 3. config key names and type errors -----------------------------------------------------------


def test_config_show_prints_the_keys_config_set_accepts(env: Path) -> None:
    shown = runner.invoke(app, ["config", "show"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    listed = [m.group(1) for line in shown.output.splitlines() if (m := re.match(r"│ (\S+)\s+│", line))]
    assert sorted(listed) == sorted(FILE_KEYS)
    refused = runner.invoke(app, ["config", "set", "bogus", "1"])
    assert refused.exit_code == 2
    known = re.search(r"\(known: ([^)]*)\)", refused.stderr)
    assert known is not None and sorted(known.group(1).split(", ")) == sorted(listed)


@pytest.mark.parametrize("key", ["espn.url", "espn_url"])
def test_config_set_still_takes_both_spellings(env: Path, key: str) -> None:
    result = runner.invoke(app, ["config", "set", key, "https://espn.test"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('espn.url = "https://espn.test"')
    assert '[espn]\nurl = "https://espn.test"' in env.read_text()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("timeout", "abc", "'timeout' must be a number of seconds, got 'abc'"),
        ("delay", "soon", "'delay' must be a number of seconds, got 'soon'"),
        ("bell", "maybe", "'bell' must be true or false, got 'maybe'"),
        ("odds.credits", "lots", "'odds.credits' must be a whole number of credits, got 'lots'"),
        ("max_response_bytes", "1.5", "'max_response_bytes' must be a whole number of bytes, got '1.5'"),
    ],
)
def test_config_set_with_the_wrong_type_says_what_the_setting_takes(
    env: Path, key: str, value: str, expected: str
) -> None:
    result = runner.invoke(app, ["config", "set", key, value])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"scoreterm: error: {expected}"
    assert not env.exists()  # nothing written


def test_config_set_on_a_broken_file_names_the_file_not_the_value_typed(env: Path) -> None:
    env.write_text('timeout = "abc"\n')
    result = runner.invoke(app, ["config", "set", "bell", "true"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"scoreterm: error: config file {env}, line 1: "
        "bad value for 'timeout': must be a number of seconds, got 'abc'"
    )
    assert env.read_text() == 'timeout = "abc"\n'


def test_a_wrong_type_in_the_environment_says_what_the_setting_takes(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORETERM_TIMEOUT", "abc")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "scoreterm: error: environment variable SCORETERM_TIMEOUT: "
        "'SCORETERM_TIMEOUT' must be a number of seconds, got 'abc'"
    )


def test_a_wrong_type_in_the_file_says_what_the_setting_takes(env: Path) -> None:
    env.write_text('bell = true\ntimeout = "abc"\n')
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"scoreterm: error: config file {env}, line 2: "
        "bad value for 'timeout': must be a number of seconds, got 'abc'"
    )


# -- 4. did you mean -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("eng1", ["eng.1"]),
        ("premierleage", ["eng.1"]),
        ("laliga2", ["esp.1"]),
        ("nosuch", []),
        ("xyz", []),
        ("eng.l", ["eng.1", "eng.2"]),
        ("champions", ["eng.2", "uefa.champions"]),
    ],
)
def test_suggestions_are_only_close_matches(typed: str, expected: list[str]) -> None:
    assert suggest(typed) == expected


def test_premierleague_is_an_alias_not_a_typo() -> None:
    assert get_league("premierleague").slug == "eng.1"


@pytest.mark.parametrize("typed", ["nosuch", "xyz"])
def test_a_league_like_no_other_points_at_the_list_without_guessing(env: Path, typed: str) -> None:
    with pytest.raises(UnknownLeague) as info:
        get_league(typed)
    assert info.value.suggestions == []
    result = runner.invoke(app, ["scores", "-l", typed])
    assert result.exit_code == 2
    assert "did you mean" not in result.stderr
    assert f"unknown league {typed!r}" in result.stderr and "`scoreterm leagues`" in result.stderr


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("eng1", "did you mean eng.1 (English Premier League)?"),
        ("laliga2", "did you mean esp.1 (Spanish LaLiga)?"),
    ],
)
def test_scores_with_a_typo_suggests_the_league_meant(env: Path, typed: str, hint: str) -> None:
    result = runner.invoke(app, ["scores", "-l", typed])
    assert result.exit_code == 2
    assert hint in result.stderr


# -- 5. the l hint in a replay ---------------------------------------------------------------------


async def test_l_in_a_replay_of_one_league_does_not_offer_a_league_option() -> None:
    app_, session = demo_app(speed=1.0)
    assert session.replay is not None
    session.replay.clock.pause()
    async with app_.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: len(app_.board.matches) == 2)
        await pilot.press("l")
        await until(pilot, lambda: bool(app_._notifications))
        said = [n.message for n in app_._notifications]
    assert said[0].startswith("Only FIFA World Cup on this tape")
    assert "with --league" not in said[0] and "config set leagues" not in said[0]
    assert "scoreterm record --league" in said[0]


# -- 6. help for arguments -------------------------------------------------------------------------


def _arguments_section(help_text: str) -> str:
    section = help_text.split("Arguments:", 1)[1].split("Options:", 1)[0]
    return " ".join(section.split())


def test_replay_help_describes_the_file_argument() -> None:
    result = runner.invoke(app, ["replay", "--help"])
    assert result.exit_code == 0
    arguments = _arguments_section(result.output)
    assert arguments.startswith("[FILE] A tape written by `scoreterm record`")
    assert ".jsonl" in arguments and ".jsonl.gz" in arguments


def test_config_set_help_describes_key_and_value() -> None:
    result = runner.invoke(app, ["config", "set", "--help"])
    assert result.exit_code == 0
    arguments = _arguments_section(result.output)
    assert arguments.startswith("KEY A key as in the file")
    assert "VALUE The value:" in arguments
