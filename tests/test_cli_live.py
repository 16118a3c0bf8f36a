"""End to end: ``scoreterm watch --json``, ``replay`` and ``record`` as real processes.

Every run is offline: ESPN points at a :class:`~tests.httpserver.ScriptedServer` on 127.0.0.1
serving payloads built from real fixtures (``tests/payloads.py``), the other providers at a closed
port on ``localhost`` (a different host name, so a recording can tell them apart), the config at a
missing file and the zone is UTC. Nothing sleeps to wait: stdout is read line by line through a
reader thread with a deadline, and the server's request log is waited on. Long-lived processes are
killed when their ``with Running(...)`` block is left; short ones run under
``subprocess.run(timeout=...)``, which kills on expiry.

The last tests pin bugs found while writing these (replay's day filter, replay look-ahead, the
recorder's host mapping), fixed since.
"""

from __future__ import annotations

import gzip
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from typer.testing import CliRunner

from scoreterm.cli import app
from scoreterm.replay.tape import TapeFrame, TapeHeader, TapeWriter, json_body, read_tape
from tests import payloads as pl
from tests.httpserver import Reply, ScriptedServer, SeenRequest

Line = dict[str, Any]

pytestmark = pytest.mark.slow  # every test runs scoreterm as a subprocess; out of the fast loop
MEX_RSA_SUMMARY = "espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"
DEMO_MATCH = "espn-760415"
VILLA, NEWCASTLE = "740896", "740903"  # Aston Villa v West Ham (moves), Newcastle v Sunderland (FT)
VILLA_ID, NEWCASTLE_ID = f"espn-{VILLA}", f"espn-{NEWCASTLE}"
# --date 2026-03-22 in UTC starts at 20:00 on the 21st in New York (EDT), so ESPN gets both days.
MARCH_22_VENDOR_DAYS = "20260321-20260322"
GOAL_KINDS = {"goal", "own_goal", "penalty_goal"}
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
START_S = 15.0  # deadline for a process to print its first line
STEP_S = 10.0  # deadline for each later line
FAILOVER_S = 15.0 + START_S  # ESPN's whole retry backoff before failover, and a margin

runner = CliRunner(mix_stderr=False)  # stdout and stderr apart, as a shell sees them


# -- processes ------------------------------------------------------------------------------------


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline_env(config: Path, espn_url: str | None = None) -> dict[str, str]:
    """The environment of a scoreterm process: no user config, UTC, every provider local.

    Proxies and ``PYTHONUNBUFFERED`` are removed: the first could route 127.0.0.1 elsewhere, the
    second would hide a missing flush.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SCORETERM_") and name.lower() not in PROXY_VARS and name != "PYTHONUNBUFFERED"
    }
    closed = f"http://localhost:{closed_port()}"
    env.update(
        TZ="UTC",
        SCORETERM_CONFIG=str(config),
        SCORETERM_ESPN_URL=espn_url or closed,
        SCORETERM_THESPORTSDB_URL=closed,
        SCORETERM_FOOTBALLDATA_URL=closed,
        SCORETERM_TIMEOUT="3",
    )
    return env


# ``python -m scoreterm`` with Ctrl-C's usual meaning restored first: a shell starts background jobs
# with SIGINT ignored, children inherit that, and the SIGINT tests would then test nothing.
_LAUNCH = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from scoreterm.cli import main; main(sys.argv[1:])"
)


def scoreterm(*args: str) -> list[str]:
    """The command line running scoreterm with ``args`` under this interpreter."""
    return [sys.executable, "-c", _LAUNCH, *args]


def run(args: Sequence[str], env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run scoreterm to completion (killed if it outlives ``timeout``)."""
    return subprocess.run(
        scoreterm(*args), capture_output=True, text=True, encoding="utf-8", env=env, timeout=timeout
    )


def json_lines(stdout: str) -> list[Line]:
    """Every stdout line decoded; a line that is not JSON fails the test with the line."""
    out = []
    for raw in stdout.splitlines():
        try:
            out.append(json.loads(raw))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {raw!r}")
    return out


class Running:
    """A scoreterm process whose stdout lines are read while it runs, each within a deadline.

    A reader thread feeds a queue (None marks the end of stdout); another collects stderr so the
    pipe never fills. Use as a context manager: the process is killed on the way out if alive.
    """

    def __init__(self, args: Sequence[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            scoreterm(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self.lines: list[Line] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._eof = False
        self._threads = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._collect, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(raw)
        self._queue.put(None)

    def _collect(self) -> None:
        assert self.proc.stderr is not None
        self._stderr.extend(self.proc.stderr)

    @property
    def stderr(self) -> str:
        """What the process wrote to stderr (complete once :meth:`finish` returned)."""
        return "".join(self._stderr)

    def next_line(self, timeout: float = STEP_S) -> Line:
        """The next stdout line as JSON; fails the test if none comes within ``timeout``."""
        try:
            raw = None if self._eof else self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no output line within {timeout:g}s; so far: {self.lines}")
        if raw is None:
            self._eof = True
            pytest.fail(f"stdout ended (exit {self.proc.poll()}); stderr: {self.stderr}")
        (line,) = json_lines(raw)
        self.lines.append(line)
        return line

    def next_change(self, timeout: float = STEP_S) -> Line:
        """The next line that is not a ``status`` line (a source changing state)."""
        line = self.next_line(timeout)
        while line["type"] == "status":
            line = self.next_line(timeout)
        return line

    def read_until(self, done: Callable[[Line], bool], timeout: float = STEP_S) -> list[Line]:
        """Read lines until one satisfies ``done`` (each within ``timeout``); return those read."""
        read = [self.next_line(timeout)]
        while not done(read[-1]):
            read.append(self.next_line(timeout))
        return read

    def finish(self, timeout: float = STEP_S) -> tuple[int, list[Line]]:
        """Wait for the exit; return the exit code and the lines printed since the last read."""
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=timeout)
        rest = []
        while not self._eof:
            raw = self._queue.get(timeout=timeout)
            if raw is None:
                self._eof = True
            else:
                rest.extend(json_lines(raw))
        self.lines.extend(rest)
        return code, rest

    def __enter__(self) -> Running:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=STEP_S)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


# -- reading the JSON lines -----------------------------------------------------------------------


def events(lines: Sequence[Line], match_id: str | None = None) -> list[Line]:
    """The event lines (of ``match_id``)."""
    return [x for x in lines if x["type"] == "event" and match_id in (None, x["match_id"])]


def of_match(lines: Sequence[Line], match_id: str) -> list[Line]:
    """The event and delta lines of ``match_id``."""
    return [x for x in lines if x["type"] in ("event", "delta") and x["match_id"] == match_id]


def changes(lines: Sequence[Line]) -> list[Line]:
    """Every line of a match: not the status lines (a source changing state) nor the table lines."""
    return [x for x in lines if x["type"] not in ("status", "table")]


def event_tuple(line: Line) -> tuple[Any, ...]:
    """What identifies an event line to a reader: kind, minute, side, player, score and flags."""
    score = line["score"]
    return (
        line["kind"],
        line["minute"],
        line["side"],
        line["player"],
        (score["home"], score["away"]) if score else None,
        line["synthetic"],
        line["enriches"],
    )


def assert_seqs_contiguous(lines: Sequence[Line]) -> None:
    """Per match, every event and delta carries the next seq after the last one (or the snapshot's)."""
    last: dict[str, int] = {}
    for line in changes(lines):
        if line["type"] == "snapshot":
            last.update({m["id"]: m["seq"] for m in line["matches"]})
            continue
        match_id = line["match_id"]
        expected = last.get(match_id, 0) + 1
        assert line["seq"] == expected, f"{match_id}: seq {line['seq']} after {expected - 1}: {line}"
        last[match_id] = line["seq"]


def assert_keys_unique(lines: Sequence[Line]) -> None:
    """No event key twice per match, except a synthetic goal followed by its one enrichment."""
    by_key: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in events(lines):
        by_key[line["match_id"], line["key"]].append(line)
    for key, found in by_key.items():
        if len(found) == 1:
            continue
        assert len(found) == 2, f"{key} reported {len(found)} times: {found}"
        first, second = found
        assert first["kind"] in GOAL_KINDS and first["synthetic"] and not first["enriches"], found
        assert second["kind"] in GOAL_KINDS and second["enriches"] and not second["synthetic"], found


# -- payloads -------------------------------------------------------------------------------------


def json_reply(payload: pl.Payload) -> Reply:
    """A 200 with ``payload`` as JSON."""
    return Reply(200, pl.encode(payload), {"Content-Type": "application/json"})


def live_steps(kickoff: datetime | None = None) -> list[pl.Payload]:
    """Scoreboards of Villa v West Ham as polls see it (Newcastle v Sunderland, over, on every one).

    0. 30', 1-0, McGinn's 23' goal listed: the match is under way when the watcher starts.
    1. 31': only the clock moves.
    2. 40', 2-0 but the second goal not listed yet: a synthetic goal.
    3. 41', Watkins' 40' goal listed: the enrichment.
    4. Half-time, Wan-Bissaka's 45' yellow card listed. Served from here on, poll after poll.
    """
    villa = pl.fixture_event(pl.ENG1_FILE, VILLA)
    newcastle = pl.fixture_event(pl.ENG1_FILE, NEWCASTLE)
    if kickoff is not None:
        villa = pl.with_kickoff(villa, kickoff)
        newcastle = pl.with_kickoff(newcastle, kickoff.replace(hour=max(kickoff.hour - 2, 0)))
    mcginn = pl.detail_at(pl.find_detail(villa, "Goal", 0), "23'")
    watkins = pl.detail_at(pl.find_detail(villa, "Goal", 1), "40'")
    booking = pl.find_detail(villa, "Yellow Card")
    states = [
        pl.with_details(pl.with_score(pl.live(villa, "30'"), 1, 0), [mcginn]),
        pl.with_details(pl.with_score(pl.live(villa, "31'"), 1, 0), [mcginn]),
        pl.with_details(pl.with_score(pl.live(villa, "40'"), 2, 0), [mcginn]),
        pl.with_details(pl.with_score(pl.live(villa, "41'"), 2, 0), [mcginn, watkins]),
        pl.with_details(pl.with_score(pl.half_time(villa), 2, 0), [mcginn, watkins, booking]),
    ]
    return [pl.scoreboard(newcastle, state) for state in states]


# What live_steps() prints for Villa after the snapshot, event lines as event_tuple() tuples.
LIVE_EVENTS = [
    ("goal", "40'", "home", None, (2, 0), True, False),
    ("goal", "40'", "home", "Ollie Watkins", (2, 0), False, True),
    ("yellow_card", "45'", "away", "Aaron Wan-Bissaka", (2, 0), False, False),
    ("phase_change", "45'", None, None, (2, 0), False, False),  # half-time begins at 45', not 41'
]


def serve_live(server: ScriptedServer, steps: Sequence[pl.Payload]) -> None:
    """Script ``steps`` on the eng.1 scoreboard (the last repeats) and a stub summary."""
    server.route(pl.ENG1_SCOREBOARD, *(json_reply(step) for step in steps))
    server.route(pl.ENG1_SUMMARY, json_reply(pl.summary_stub(pl.fixture_event(pl.ENG1_FILE, VILLA))))


def scoreboard_count(at_least: int) -> Callable[[list[SeenRequest]], bool]:
    """A :meth:`ScriptedServer.wait_for` condition: ``at_least`` eng.1 scoreboard requests seen."""
    return lambda seen: sum(r.path == pl.ENG1_SCOREBOARD for r in seen) >= at_least


# -- 1. the demo ----------------------------------------------------------------------------------


@dataclass
class DemoTruth:
    """What really happened in Mexico 2-0 South Africa, from ESPN's summary key events."""

    goals: list[tuple[str, str, str, tuple[int, int]]] = field(default_factory=list)
    red_cards: list[tuple[str, str, str]] = field(default_factory=list)
    final: tuple[int, int] = (0, 0)


def demo_truth() -> DemoTruth:
    """Goals (scorer, minute, side, running score), red cards and the final score."""
    data = pl.load_fixture(MEX_RSA_SUMMARY)
    competitors = data["header"]["competitions"][0]["competitors"]
    sides = {c["team"]["id"]: c["homeAway"] for c in competitors}
    final = {c["homeAway"]: int(c["score"]) for c in competitors}
    truth = DemoTruth(final=(final["home"], final["away"]))
    tally = {"home": 0, "away": 0}
    for row in data["keyEvents"]:
        side = sides.get(row.get("team", {}).get("id"))
        player = row["participants"][0]["athlete"]["displayName"] if row.get("participants") else ""
        minute = row["clock"]["displayValue"]
        if row.get("scoringPlay") and not row.get("shootout"):
            assert side is not None
            tally[side] += 1
            truth.goals.append((player, minute, side, (tally["home"], tally["away"])))
        elif row["type"]["type"] == "red-card":
            assert side is not None
            truth.red_cards.append((player, minute, side))
    return truth


DemoRun = tuple[subprocess.CompletedProcess[str], list[Line]]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``scoreterm replay --demo --speed max --json``, run once for the tests below."""
    env = offline_env(tmp_path_factory.mktemp("demo") / "config.toml")
    result = run(["replay", "--demo", "--speed", "max", "--json"], env)
    return result, json_lines(result.stdout)


def test_demo_exits_0_and_starts_with_the_snapshot(demo_run: DemoRun) -> None:
    result, lines = demo_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0]["type"] == "snapshot"
    # The tape's other match (South Korea v Czechia) kicks off after it ends: shown, scheduled.
    assert [m["id"] for m in lines[0]["matches"]] == [DEMO_MATCH, "espn-760414"]
    assert lines[0]["matches"][1]["phase"] == "scheduled"
    assert sum(line["type"] == "snapshot" for line in lines) == 1


def test_demo_goals_are_the_real_ones_in_order(demo_run: DemoRun) -> None:
    truth = demo_truth()
    assert [(g[0], g[1]) for g in truth.goals] == [("Julián Quiñones", "9'"), ("Raúl Jiménez", "67'")]
    goals = [e for e in events(demo_run[1], DEMO_MATCH) if e["kind"] in GOAL_KINDS]
    printed = [(g["player"], g["minute"], g["side"], (g["score"]["home"], g["score"]["away"])) for g in goals]
    assert printed == truth.goals
    assert all(not g["synthetic"] and not g["enriches"] for g in goals)
    assert [g["seq"] for g in goals] == sorted({g["seq"] for g in goals})


def test_demo_red_cards_are_the_real_ones(demo_run: DemoRun) -> None:
    truth = demo_truth()
    assert len(truth.red_cards) == 3
    reds = [e for e in events(demo_run[1], DEMO_MATCH) if e["kind"] == "red_card"]
    assert [(r["player"], r["minute"], r["side"]) for r in reds] == truth.red_cards


def test_demo_ends_final_with_the_real_score(demo_run: DemoRun) -> None:
    deltas = [x for x in of_match(demo_run[1], DEMO_MATCH) if x["type"] == "delta"]
    assert deltas[-1]["phase"] == "final"
    assert (deltas[-1]["score"]["home"], deltas[-1]["score"]["away"]) == demo_truth().final == (2, 0)
    phases = [e["detail"] for e in events(demo_run[1], DEMO_MATCH) if e["kind"] == "phase_change"]
    assert phases == ["1H", "HT", "2H", "FT"]


def test_demo_seqs_have_no_gaps_and_keys_no_repeats(demo_run: DemoRun) -> None:
    lines = demo_run[1]
    assert_seqs_contiguous(lines)
    assert_keys_unique(lines)


def test_demo_from_minute_60_starts_after_the_first_goal(tmp_path: Path) -> None:
    result = run(
        ["replay", "--demo", "--speed", "max", "--json", "--from", "60"], offline_env(tmp_path / "c.toml")
    )
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    match = next(m for m in lines[0]["matches"] if m["id"] == DEMO_MATCH)
    assert (match["score"], match["phase"]) == ({"home": 1, "away": 0}, "live")
    goals = [e for e in events(lines) if e["kind"] in GOAL_KINDS]
    assert [(g["player"], g["minute"]) for g in goals] == [("Raúl Jiménez", "67'")]
    assert_seqs_contiguous(lines)


# -- 2. a tape written here -----------------------------------------------------------------------

TAPE_START = datetime(2026, 3, 22, 14, 10, tzinfo=UTC)  # five minutes before Villa's kick-off


def write_tape(path: Path, scoreboards: Sequence[pl.Payload], every: float = 30.0) -> Path:
    """A tape of ``scoreboards`` polled ``every`` seconds (plus the stub summary), as recorded."""
    header = TapeHeader(created=TAPE_START, started_at=TAPE_START, leagues=("eng.1",), providers=("espn",))
    stub = pl.summary_stub(pl.fixture_event(pl.ENG1_FILE, VILLA))
    with TapeWriter(path, header) as writer:
        writer.write(
            TapeFrame(
                t=0.0, provider="espn", path=pl.ENG1_SUMMARY, params={"event": VILLA}, body=json_body(stub)
            )
        )
        for index, payload in enumerate(scoreboards):
            frame = TapeFrame(
                t=index * every,
                provider="espn",
                path=pl.ENG1_SCOREBOARD,
                params={"dates": "20260322"},
                body=json_body(payload),
            )
            writer.write(frame)
    return path


def var_match() -> list[pl.Payload]:
    """Villa v West Ham: a synthetic goal, its enrichment, a goal taken back by VAR, the halves."""
    villa = pl.fixture_event(pl.ENG1_FILE, VILLA)
    mcginn = pl.detail_at(pl.find_detail(villa, "Goal", 0), "23'")
    watkins = pl.detail_at(pl.find_detail(villa, "Goal", 1), "40'")
    booking = pl.find_detail(villa, "Yellow Card")
    states = [
        pl.scheduled(villa),
        pl.with_details(pl.with_score(pl.live(villa, "1'"), 0, 0), []),
        pl.with_details(pl.with_score(pl.live(villa, "23'"), 1, 0), []),
        pl.with_details(pl.with_score(pl.live(villa, "25'"), 1, 0), [mcginn]),
        pl.with_details(pl.with_score(pl.live(villa, "40'"), 2, 0), [mcginn, watkins]),
        pl.with_details(pl.with_score(pl.live(villa, "41'"), 1, 0), [mcginn]),
        pl.with_details(pl.with_score(pl.half_time(villa), 1, 0), [mcginn, booking]),
        pl.with_details(pl.with_score(pl.live(villa, "46'"), 1, 0), [mcginn, booking]),
        pl.with_details(pl.with_score(pl.full_time(villa), 1, 0), [mcginn, booking]),
    ]
    return [pl.scoreboard(state) for state in states]


def test_replay_file_prints_each_change(tmp_path: Path) -> None:
    tape = write_tape(tmp_path / "var.jsonl", var_match())
    result = run(["replay", str(tape), "--speed", "max", "--json"], offline_env(tmp_path / "c.toml"))
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert lines[0]["type"] == "snapshot"
    assert [(m["id"], m["phase"]) for m in lines[0]["matches"]] == [(VILLA_ID, "scheduled")]
    assert [event_tuple(e) for e in events(lines)] == [
        ("phase_change", "1'", None, None, (0, 0), False, False),
        ("goal", "23'", "home", None, (1, 0), True, False),
        ("goal", "23'", "home", "John McGinn", (1, 0), False, True),
        ("goal", "40'", "home", "Ollie Watkins", (2, 0), False, False),
        ("goal_disallowed", "40'", "home", "Ollie Watkins", (1, 0), False, False),
        ("yellow_card", "45'", "away", "Aaron Wan-Bissaka", (1, 0), False, False),
        ("phase_change", "45'", None, None, (1, 0), False, False),
        ("phase_change", "46'", None, None, (1, 0), False, False),
        ("phase_change", "90'", None, None, (1, 0), False, False),
    ]
    goals = [e for e in events(lines) if e["kind"] == "goal"]
    assert goals[0]["key"] == goals[1]["key"] == "goal:home:1-0"
    assert [e["detail"] for e in events(lines) if e["kind"] == "phase_change"] == ["1H", "HT", "2H", "FT"]
    last = of_match(lines, VILLA_ID)[-1]
    assert (last["type"], last["phase"], last["score"]) == ("delta", "final", {"home": 1, "away": 0})
    assert_seqs_contiguous(lines)
    assert_keys_unique(lines)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``offline_env`` applied to this process, for CliRunner tests."""
    env = offline_env(tmp_path / "config.toml")
    for name in list(os.environ):  # a developer's own SCORETERM_* must not leak in
        if name.startswith("SCORETERM_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name == "TZ" or name.startswith("SCORETERM_"):
            monkeypatch.setenv(name, value)
    return env


def one_error_line(stderr: str) -> str:
    """The single ``scoreterm: error: ...`` line of ``stderr`` (fails if there is more)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("scoreterm: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("speed", ["0", "fast", "-2", "nan"])
def test_replay_bad_speed_exits_2(cli_env: dict[str, str], speed: str) -> None:
    result = runner.invoke(app, ["replay", "--demo", "--speed", speed, "--json"])
    assert result.exit_code == 2
    assert "--speed" in one_error_line(result.stderr)
    assert result.stdout == ""


def test_replay_missing_file_exits_2_naming_it(cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    result = runner.invoke(app, ["replay", str(missing), "--json"])
    assert result.exit_code == 2
    assert str(missing) in one_error_line(result.stderr)


@pytest.mark.parametrize("with_file", [True, False], ids=["file-and-demo", "neither"])
def test_replay_needs_exactly_one_tape(cli_env: dict[str, str], tmp_path: Path, with_file: bool) -> None:
    args = (
        ["replay", str(write_tape(tmp_path / "t.jsonl", var_match()[:2])), "--demo"]
        if with_file
        else ["replay"]
    )
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 2
    assert "--demo" in one_error_line(result.stderr)


def test_replay_corrupt_tape_exits_2_with_the_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    tape = write_tape(tmp_path / "bad.jsonl", var_match())
    lines = tape.read_text(encoding="utf-8").splitlines()
    lines[3] = '{"t": 60.0, "provider": "espn", garbage'  # line 4 of 11: header, summary, frames
    tape.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["replay", str(tape), "--speed", "max", "--json"])
    assert result.exit_code == 2
    assert f"{tape}:4:" in one_error_line(result.stderr)
    assert result.stdout == ""


# -- 3. watch against a scripted server -----------------------------------------------------------

REPEATS = 3  # polls of the last payload the watcher must stay quiet through


@dataclass
class WatchRun:
    """What one ``watch --json`` process did, for several tests to look at."""

    lines: list[Line]
    alive_after_last_change: bool
    exit_code: int
    after_signal: list[Line]
    stderr: str
    requests: list[SeenRequest]


@pytest.fixture(scope="module")
def watch_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WatchRun]:
    """Watch eng.1 on 2026-03-22 through live_steps(), stay through REPEATS repeats, then SIGINT."""
    steps = live_steps()
    with ScriptedServer() as server:
        serve_live(server, steps)
        env = offline_env(tmp_path_factory.mktemp("watch") / "config.toml", server.url)
        args = ["watch", "--league", "eng.1", "--date", "2026-03-22", "--json", "--interval", "0.5"]
        with Running(args, env) as proc:
            proc.next_line(START_S)
            proc.read_until(
                lambda x: x["type"] == "delta" and x["match_id"] == VILLA_ID and x["label"] == "HT"
            )
            assert server.wait_for(scoreboard_count(len(steps) + REPEATS), timeout=STEP_S * 2)
            alive = proc.proc.poll() is None
            read = list(proc.lines)
            proc.proc.send_signal(signal.SIGINT)
            code, rest = proc.finish()
            yield WatchRun(read, alive, code, rest, proc.stderr, list(server.requests))


def test_watch_starts_with_a_snapshot_of_the_match_under_way(watch_run: WatchRun) -> None:
    first = watch_run.lines[0]
    assert first["type"] == "snapshot"
    assert first["channel"] == "league:eng.1"
    matches = {m["id"]: m for m in first["matches"]}
    assert set(matches) == {VILLA_ID, NEWCASTLE_ID}
    villa = matches[VILLA_ID]
    assert (villa["phase"], villa["clock"], villa["score"]) == ("live", "30'", {"home": 1, "away": 0})
    assert (matches[NEWCASTLE_ID]["phase"], matches[NEWCASTLE_ID]["score"]) == (
        "final",
        {"home": 1, "away": 2},
    )
    # The 1-0 already on the board is state, not news: never a goal event for it.
    assert all(e["key"] != "goal:home:1-0" for e in events(watch_run.lines + watch_run.after_signal))


def test_watch_prints_each_change_once_as_it_happens(watch_run: WatchRun) -> None:
    villa = of_match(watch_run.lines, VILLA_ID)
    assert [event_tuple(e) for e in events(villa)] == LIVE_EVENTS
    deltas = [
        (d["clock"], d["phase"], d["score"]["home"], d["score"]["away"])
        for d in villa
        if d["type"] == "delta"
    ]
    assert deltas == [
        ("31'", "live", 1, 0),
        ("40'", "live", 2, 0),
        ("41'", "live", 2, 0),
        ("HT", "break", 2, 0),
    ]
    # Read while the process was still running: every line was flushed as it was written.
    assert watch_run.alive_after_last_change
    # The half-time payload was served REPEATS more times (and the goal with it): nothing new.
    assert of_match(watch_run.after_signal, VILLA_ID) == []
    assert_seqs_contiguous(watch_run.lines + watch_run.after_signal)
    assert_keys_unique(watch_run.lines + watch_run.after_signal)


def test_watch_prints_nothing_for_a_match_that_does_not_change(watch_run: WatchRun) -> None:
    assert of_match(watch_run.lines + watch_run.after_signal, NEWCASTLE_ID) == []


def test_watch_asks_for_the_vendor_days_of_the_local_day(watch_run: WatchRun) -> None:
    boards = [r for r in watch_run.requests if r.path == pl.ENG1_SCOREBOARD]
    assert {r.query["dates"][0] for r in boards} == {MARCH_22_VENDOR_DAYS}
    standings = "/apis/v2/sports/soccer/eng.1/standings"  # the table, fetched once at start
    assert {r.path for r in watch_run.requests} <= {pl.ENG1_SCOREBOARD, pl.ENG1_SUMMARY, standings}


def test_watch_sigint_exits_0_quietly(watch_run: WatchRun) -> None:
    assert watch_run.exit_code == 0
    assert "Traceback" not in watch_run.stderr
    assert watch_run.stderr == ""


def test_watch_sigterm_exits_0_quietly(tmp_path: Path, http_server: ScriptedServer) -> None:
    serve_live(http_server, live_steps()[:1])
    env = offline_env(tmp_path / "c.toml", http_server.url)
    with Running(
        ["watch", "--league", "eng.1", "--date", "2026-03-22", "--json", "--interval", "0.5"], env
    ) as proc:
        assert proc.next_line(START_S)["type"] == "snapshot"
        proc.proc.send_signal(signal.SIGTERM)
        code, _ = proc.finish()
    assert code == 0
    assert "Traceback" not in proc.stderr


# -- 4. watch: usage errors, failures and retries -------------------------------------------------


def test_watch_unknown_league_exits_2_with_suggestions(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["watch", "--league", "nope.1", "--json"])
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "unknown league 'nope.1'" in line and "did you mean" in line
    assert result.stdout == ""


def test_watch_interval_below_half_a_second_exits_2(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["watch", "--league", "eng.1", "--json", "--interval", "0.1"])
    assert result.exit_code == 2
    assert "--interval" in result.stderr
    assert result.stdout == ""


def watch_espn_only() -> list[str]:
    """Watch eng.1 through ESPN alone, so its retry loop is what the test sees.

    With the backups configured (at a closed port), one failed ESPN poll fails over to them and
    backs off ever longer (football-data without a token included), and the first snapshot takes
    10-45 s instead of 1-3 s.
    """
    return ["watch", "--league", "eng.1", "--date", "2026-03-22", "--json", "--interval", "0.5", "-p", "espn"]


def test_watch_retries_after_server_errors(tmp_path: Path, http_server: ScriptedServer) -> None:
    boom = Reply.json('{"error": "internal"}', status=500)
    http_server.route(pl.ENG1_SCOREBOARD, boom, boom, json_reply(live_steps()[0]))
    env = offline_env(tmp_path / "c.toml", http_server.url)
    with Running(watch_espn_only(), env) as proc:
        first = proc.next_change(START_S + 10)
        assert first["type"] == "snapshot"
        assert {m["id"] for m in first["matches"]} == {VILLA_ID, NEWCASTLE_ID}
        assert len(http_server.seen(pl.ENG1_SCOREBOARD)) >= 3
        assert proc.proc.poll() is None
        proc.proc.send_signal(signal.SIGINT)
        code, _ = proc.finish()
    assert code == 0
    assert "Traceback" not in proc.stderr


def test_watch_asks_again_after_a_429_with_retry_after(tmp_path: Path, http_server: ScriptedServer) -> None:
    slow_down = Reply.json('{"error": "slow down"}', status=429, **{"Retry-After": "1"})
    http_server.route(pl.ENG1_SCOREBOARD, slow_down, json_reply(live_steps()[0]))
    env = offline_env(tmp_path / "c.toml", http_server.url)
    with Running(watch_espn_only(), env) as proc:
        assert proc.next_change(START_S + 10)["type"] == "snapshot"
        proc.proc.send_signal(signal.SIGINT)
        code, _ = proc.finish()
    assert code == 0
    # It asked again after the 429 and got its snapshot from that answer. That the wait honours
    # Retry-After is proven on the fake clock (test_engine.py::test_429_retry_after_is_honoured),
    # not by timing a subprocess here.
    assert len(http_server.seen(pl.ENG1_SCOREBOARD)) >= 2


def test_watch_keeps_running_while_every_provider_fails(tmp_path: Path, http_server: ScriptedServer) -> None:
    # No route is scripted: every provider gets 404s from the same server (football-data gets a
    # token so it really asks). A live watcher fails over, backs off and keeps going.
    env = offline_env(tmp_path / "c.toml", http_server.url)
    env.update(
        SCORETERM_THESPORTSDB_URL=http_server.url,
        SCORETERM_FOOTBALLDATA_URL=http_server.url,
        SCORETERM_FOOTBALLDATA_TOKEN="test-token",
    )
    args = ["watch", "--league", "eng.1", "--date", "2026-03-22", "--json", "--interval", "0.5"]
    with Running(args, env) as proc:
        # The first line says ESPN failed; the next comes when the source changes, after ESPN's
        # retries (full-jitter backoff: up to 1 + 2 + 4 + 8 s before its health or circuit
        # gives up on it), so that wait gets the whole backoff, not one poll's deadline.
        assert proc.next_line(START_S)["provider"] == "espn"
        failed_over = proc.read_until(lambda line: line.get("provider") != "espn", timeout=FAILOVER_S)
        assert failed_over[-1]["type"] == "status"
        assert proc.proc.poll() is None
        proc.proc.send_signal(signal.SIGTERM)
        code, _ = proc.finish()
    assert code == 0, proc.stderr
    assert len({request.path for request in http_server.requests}) >= 2
    assert changes(proc.lines) == []  # no snapshot without an answer
    # ... but a script is told the source is failing, not left to guess.
    assert {line["state"] for line in proc.lines} <= {"degraded", "down", "unreachable", "stale"}
    assert "Traceback" not in proc.stderr


# -- 5. record, then replay -----------------------------------------------------------------------


@dataclass
class Recording:
    """One ``scoreterm record`` run: its process result, printed lines and tape."""

    result: subprocess.CompletedProcess[str]
    lines: list[Line]
    tape: Path
    env: dict[str, str]


def record(tmp: Path, steps: Sequence[pl.Payload], date_spec: str, duration: int) -> Recording:
    """Record eng.1 for ``duration`` seconds while a scripted server serves ``steps``.

    The first step is served twice: a replay of polls less than a second apart never sees the
    tape's first frame (see the look-ahead test at the end), and a repeat keeps that from mattering here.
    """
    with ScriptedServer() as server:
        serve_live(server, [steps[0], *steps])
        env = offline_env(tmp / "config.toml", server.url)
        tape = tmp / "t.jsonl"
        args = ["record", "--league", "eng.1", "--date", date_spec, "--out", str(tape), "--json"]
        result = run([*args, "--duration", f"{duration}s", "--interval", "0.5"], env, timeout=duration + 30)
    return Recording(result, json_lines(result.stdout), tape, env)


@pytest.fixture(scope="module")
def march_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """``record --league eng.1 --date 2026-03-22 --duration 4s --interval 0.5``."""
    return record(tmp_path_factory.mktemp("march"), live_steps(), "2026-03-22", 4)


@pytest.fixture(scope="module")
def today_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """The same match moved to today, recorded with ``--date today`` for 4 s."""
    today = datetime.now(UTC).date()
    kickoff = datetime(today.year, today.month, today.day, 14, 15, tzinfo=UTC)
    return record(tmp_path_factory.mktemp("today"), live_steps(kickoff), "today", 4)


def test_record_stops_by_itself_and_writes_a_tape(march_recording: Recording) -> None:
    result = march_recording.result
    assert result.returncode == 0, result.stderr  # stopped by itself (``run`` bounds the wait)
    assert "Traceback" not in result.stderr
    assert f"tape written to {march_recording.tape}" in result.stderr
    tape = read_tape(march_recording.tape)
    assert tape.header.leagues == ("eng.1",)
    assert "espn" in tape.header.providers
    boards = [f for f in tape.frames if f.path == pl.ENG1_SCOREBOARD]
    assert len(boards) >= len(live_steps()) + 1
    assert {f.provider for f in boards} == {"espn"}
    assert {f.params["dates"] for f in boards} == {MARCH_22_VENDOR_DAYS}
    assert [f.t for f in tape.frames] == sorted(f.t for f in tape.frames)
    # What it printed meanwhile is what watch prints.
    assert changes(march_recording.lines)[0]["type"] == "snapshot"
    assert [event_tuple(e) for e in events(march_recording.lines, VILLA_ID)] == LIVE_EVENTS


def test_replay_of_a_recording_prints_the_same_events(today_recording: Recording) -> None:
    assert today_recording.result.returncode == 0, today_recording.result.stderr
    recorded = events(today_recording.lines)
    assert [event_tuple(e) for e in events(recorded, VILLA_ID)] == LIVE_EVENTS
    replay = run(["replay", str(today_recording.tape), "--speed", "max", "--json"], today_recording.env)
    assert replay.returncode == 0, replay.stderr
    replayed = events(json_lines(replay.stdout))
    fields = ("match_id", "kind", "minute", "side", "player", "score", "key", "seq", "synthetic", "enriches")
    assert [{k: e[k] for k in fields} for e in replayed] == [{k: e[k] for k in fields} for e in recorded]


def test_replay_of_a_recording_of_another_day_keeps_its_matches(march_recording: Recording) -> None:
    replay = run(["replay", str(march_recording.tape), "--speed", "max", "--json"], march_recording.env)
    assert replay.returncode == 0, replay.stderr
    lines = json_lines(replay.stdout)
    assert {m["id"] for m in lines[0]["matches"]} == {VILLA_ID, NEWCASTLE_ID}


def test_record_sigint_keeps_a_readable_tape(tmp_path: Path, http_server: ScriptedServer) -> None:
    serve_live(http_server, live_steps())
    env = offline_env(tmp_path / "c.toml", http_server.url)
    tape = tmp_path / "cut.jsonl.gz"
    args = [
        "record",
        "-l",
        "eng.1",
        "-d",
        "2026-03-22",
        "-o",
        str(tape),
        "--duration",
        "10m",
        "--interval",
        "0.5",
        "--json",
    ]
    with Running(args, env) as proc:
        proc.next_line(START_S)
        proc.read_until(lambda x: x["type"] == "event" and x["kind"] == "goal")
        assert proc.proc.poll() is None
        proc.proc.send_signal(signal.SIGINT)
        code, _ = proc.finish()
    assert code == 0
    assert "Traceback" not in proc.stderr
    assert f"tape written to {tape}" in proc.stderr
    gzip.decompress(tape.read_bytes())  # a complete gzip stream: the tape was closed, not cut
    frames = read_tape(tape).frames
    boards = [f for f in frames if f.path == pl.ENG1_SCOREBOARD]
    assert len(boards) >= 3  # snapshot, clock, goal: at least what was printed


@pytest.mark.parametrize(
    ("extra", "message"),
    [([], "--duration"), (["--duration", "soon"], "bad duration 'soon'"), (["--duration", "0s"], "positive")],
    ids=["no-stop", "soon", "zero"],
)
def test_record_needs_a_valid_way_to_stop(
    cli_env: dict[str, str], tmp_path: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "never.jsonl"
    result = runner.invoke(app, ["record", "--league", "eng.1", "--out", str(out), *extra])
    assert result.exit_code == 2
    assert message in one_error_line(result.stderr)
    assert not out.exists()


# -- bugs found on the way, now fixed ------------------------------------------------------------


def test_replay_of_a_tape_polled_twice_a_second_shows_its_first_frame(tmp_path: Path) -> None:
    villa = pl.fixture_event(pl.ENG1_FILE, VILLA)
    mcginn = pl.detail_at(pl.find_detail(villa, "Goal", 0), "23'")
    boards = [
        pl.scoreboard(pl.with_details(pl.with_score(pl.live(villa, "30'"), 1, 0), [mcginn])),
        pl.scoreboard(pl.with_details(pl.with_score(pl.live(villa, "31'"), 2, 0), [mcginn])),
        pl.scoreboard(pl.with_details(pl.with_score(pl.live(villa, "32'"), 2, 0), [mcginn])),
    ]
    tape = write_tape(tmp_path / "fast.jsonl", boards, every=0.51)  # as `record --interval 0.5` spaces them
    result = run(["replay", str(tape), "--speed", "max", "--json"], offline_env(tmp_path / "c.toml"))
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert lines[0]["matches"][0]["clock"] == "30'"
    assert [event_tuple(e) for e in events(lines) if e["kind"] == "goal"] == [
        ("goal", "31'", "home", None, (2, 0), True, False)
    ]


def test_record_labels_frames_by_provider_when_providers_share_a_host(
    tmp_path: Path, http_server: ScriptedServer
) -> None:
    serve_live(http_server, live_steps()[:1])
    env = offline_env(tmp_path / "c.toml", http_server.url)
    closed = f"http://127.0.0.1:{closed_port()}"
    env.update(SCORETERM_THESPORTSDB_URL=closed, SCORETERM_FOOTBALLDATA_URL=closed)
    tape = tmp_path / "shared.jsonl"
    args = [
        "record",
        "-l",
        "eng.1",
        "-d",
        "2026-03-22",
        "-o",
        str(tape),
        "--duration",
        "1s",
        "--interval",
        "0.5",
    ]
    result = run(args, env, timeout=30)
    assert result.returncode == 0, result.stderr
    recorded = read_tape(tape)
    assert {f.provider for f in recorded.frames if f.path == pl.ENG1_SCOREBOARD} == {"espn"}
