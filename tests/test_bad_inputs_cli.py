"""Damaged tapes and bad configs through the real command line: exit 2 and one line, never a traceback.

Each case runs ``python -m scoreterm`` in a subprocess (no user config, no proxies, every provider
on a closed local port) and checks the exit code, that stderr is exactly one ``scoreterm: error:``
line naming the file and line (or the variable), and that nothing reached stdout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bombs import gzip_bomb

HEADER = (
    b'{"format":"scoreterm-tape","version":1,"created":"2026-06-11T18:54:00Z",'
    b'"started_at":"%s","leagues":["%s"],"providers":["espn"]}'
)
GOOD_HEADER = HEADER % (b"2026-06-11T18:55:00Z", b"fifa.world")
FRAME = b'{"t":%s,"provider":"espn","path":"/apis/site/v2/sports/soccer/fifa.world/scoreboard","body":%s}'


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def run(args: list[str], config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SCORETERM_") and not name.lower().endswith("_proxy")
    }
    closed = closed_url()
    clean.update(
        TZ="UTC",
        SCORETERM_CONFIG=str(config),
        SCORETERM_ESPN_URL=closed,
        SCORETERM_THESPORTSDB_URL=closed,
        SCORETERM_FOOTBALLDATA_URL=closed,
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "scoreterm", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=clean,
        timeout=120,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scoreterm: error: ")
    assert result.stdout == ""
    return lines[0]


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("deep_header.jsonl", b'{"format":"scoreterm-tape","x":' + b"[" * 50_000 + b"]" * 50_000 + b"}\n", 1),
        (
            "year_9999.jsonl",
            HEADER % (b"9999-12-31T23:59:00Z", b"fifa.world") + b"\n" + FRAME % (b"1", b"{}"),
            1,
        ),
        (
            "unknown_league.jsonl",
            HEADER % (b"2026-06-11T18:55:00Z", b"pl.9") + b"\n" + FRAME % (b"1", b"{}"),
            1,
        ),
        ("t_1e308.jsonl", GOOD_HEADER + b"\n" + FRAME % (b"1e308", b"{}") + b"\n" + FRAME % (b"2", b"{}"), 2),
        (
            "deep_body.jsonl",
            GOOD_HEADER + b"\n" + FRAME % (b"1", b"[" * 5_000 + b"]" * 5_000) + b"\n" + FRAME % (b"2", b"{}"),
            2,
        ),
        ("bomb.jsonl.gz", gzip_bomb(1024, prefix=GOOD_HEADER + b"\n" + FRAME % (b"1", b"{}") + b"\n"), 3),
    ],
    ids=["deep-header", "year-9999", "unknown-league", "t-1e308", "deep-body", "gzip-bomb"],
)
def test_replay_of_a_damaged_tape_is_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, where: int
) -> None:
    tape = tmp_path / name
    tape.write_bytes(content)
    line = one_error_line(run(["replay", str(tape), "--json", "--speed", "max"], tmp_path / "none.toml"))
    assert f"{tape}:{where}: " in line


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("timeout = nan\n", 1),
        ('leagues = ["eng.1"]\ntimeout = -1\n', 2),
        ('leagues = ["pl.9"]\n', 1),
        ("bell = true\nleagues = " + "[" * 5_000 + "]" * 5_000 + "\n", 2),
    ],
    ids=["timeout-nan", "timeout-negative", "unknown-league", "nested-5000"],
)
def test_scores_with_a_bad_config_is_one_line_naming_file_and_line(
    tmp_path: Path, text: str, where: int
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    line = one_error_line(run(["scores", "--json"], config))
    assert f"config file {config}, line {where}: " in line


def test_scores_with_a_bad_variable_names_it(tmp_path: Path) -> None:
    line = one_error_line(run(["scores", "--json"], tmp_path / "none.toml", SCORETERM_TIMEOUT="0"))
    assert "environment variable SCORETERM_TIMEOUT" in line
