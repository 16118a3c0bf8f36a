"""Startup benchmark: wall time of the CLI's cheapest commands, and what ``import scoreterm.cli`` loads.

Run: ``.venv/bin/python bench/startup.py`` (about 25 s; ``--runs 5`` for a quicker look). No network.

Each command runs ``--runs`` times (10 by default) as a fresh subprocess, after one untimed warm-up
run that fills the page cache and writes bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped for the
children, as an installed package has its ``.pyc`` files). The runs of all commands are interleaved
(A B C D E, A B C D E...) so machine drift hits every command alike. Figures are the median and
p90 wall time from ``subprocess.run`` start to exit, timed with ``time.perf_counter``:

- ``scoreterm --help``, ``scoreterm scores --help`` (the console script of this venv) and
  ``python -m scoreterm --version``;
- baselines in the same run: ``python -c pass`` (the interpreter alone) and
  ``python -c "import typer"`` (the CLI framework alone). Ratios are against ``import typer``: what
  scoreterm adds on top of the framework it is built on.

Two what-if rows rerun the help commands with ``TYPER_USE_RICH=0`` (typer's plain help, no rich):
they show what that change would buy and carry no target.

Then ``python -c "import scoreterm.cli"`` reports which heavy modules it imported: textual,
websockets and httpx must be absent (OK/FAIL per module), and ``python -X importtime`` lists the
slowest imports of ``scoreterm --help`` and ``scoreterm scores --help``. Target: < 300 ms median.
The exit code is 1 only when a heavy module is imported (deterministic); a missed time target
is printed, not turned into a failure, since wall times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, median, percentile, print_header, verdict

TARGET_MS = 300.0
MUST_BE_ABSENT = ("textual", "websockets", "httpx")
ALSO_REPORTED = ("rich", "msgspec", "click", "typer", "platformdirs", "prometheus_client", "asyncio")


def _scoreterm_command() -> list[str]:
    """The venv's ``scoreterm`` console script, or the same entry point through the interpreter."""
    script = Path(sys.executable).with_name("scoreterm")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from scoreterm.cli import main; main()"]


# A what-if, not a target row: typer's plain (click) help instead of its rich help.
PLAIN_HELP = {"TYPER_USE_RICH": "0"}


def commands() -> dict[str, tuple[list[str], dict[str, str]]]:
    """Name -> (argv, extra environment) of every command timed (baselines first)."""
    py = sys.executable
    scoreterm = _scoreterm_command()
    return {
        "python -c pass": ([py, "-c", "pass"], {}),
        "python -c 'import typer'": ([py, "-c", "import typer"], {}),
        "scoreterm --help": ([*scoreterm, "--help"], {}),
        "scoreterm scores --help": ([*scoreterm, "scores", "--help"], {}),
        "python -m scoreterm --version": ([py, "-m", "scoreterm", "--version"], {}),
        "what-if: --help, TYPER_USE_RICH=0": ([*scoreterm, "--help"], PLAIN_HELP),
        "what-if: scores --help, plain": ([*scoreterm, "scores", "--help"], PLAIN_HELP),
    }


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # The help text is the same whatever the terminal; keep rich from probing for one.
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"})
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("TYPER_USE_RICH", None)
    # An installed scoreterm has bytecode; let the warm-up run write it for an editable install too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def time_once(argv: list[str], extra: dict[str, str]) -> float:
    """Wall seconds of one run of ``argv`` (output discarded); exits non-zero are an error."""
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, env=_env(extra), cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return elapsed


def imported_modules() -> set[str]:
    """Top-level names of every module ``import scoreterm.cli`` leaves in ``sys.modules``."""
    code = "import json, sys, scoreterm.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=_env(), cwd=ROOT, check=True, text=True
    ).stdout
    return {name.split(".")[0] for name in json.loads(out)}


def slowest_imports(argv: list[str], count: int) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the ``count`` slowest imports under ``-X importtime``.

    The module keeps its indentation (two spaces per nesting level), so a nested import shows
    under the one that pulled it in; its time is part of its parent's cumulative time.
    """
    env = _env()
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    result = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=False, text=True)
    rows: list[tuple[int, str]] = []
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        rows.append((int(parts[1]), parts[2].removeprefix(" ").rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    args = parser.parse_args()
    print_header("scoreterm startup benchmark")
    cmds = commands()
    for argv, extra in cmds.values():
        time_once(argv, extra)  # warm-up: page cache, .pyc files
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, (argv, extra) in cmds.items():
            times[name].append(time_once(argv, extra))
    typer_ms = median(times["python -c 'import typer'"]) * 1e3
    pass_ms = median(times["python -c pass"]) * 1e3
    print(f"## wall time, {args.runs} runs each (ms)")
    print(f"  {'command':35} {'median':>8} {'p90':>8} {'min':>8}  {'÷typer':>7} {'÷pass':>7}  target")
    failed = False
    for name, values in times.items():
        ms = [v * 1e3 for v in values]
        med = median(ms)
        is_baseline = name.startswith("python -c")
        is_what_if = name.startswith("what-if")
        target = "baseline" if is_baseline else f"< {TARGET_MS:.0f}: {verdict(med < TARGET_MS)}"
        target = f"(what-if) {verdict(med < TARGET_MS)}" if is_what_if else target
        print(
            f"  {name:35} {med:8.1f} {percentile(ms, 0.9):8.1f} {min(ms):8.1f}  "
            f"{med / typer_ms:7.2f} {med / pass_ms:7.2f}  {target}"
        )
    print()
    print("## modules loaded by `import scoreterm.cli`")
    loaded = imported_modules()
    for module in MUST_BE_ABSENT:
        ok = module not in loaded
        failed |= not ok
        print(f"  {module:18} {'absent' if ok else 'IMPORTED':8}  {'OK' if ok else 'FAIL'}")
    present = [m for m in ALSO_REPORTED if m in loaded]
    print(f"  also loaded (allowed): {', '.join(present) or 'none'}; {len(loaded)} top-level modules in all")
    print()
    for command in (["--help"], ["scores", "--help"]):
        print(f"## slowest imports of `scoreterm {' '.join(command)}` (python -X importtime, one run)")
        for micros, module in slowest_imports([sys.executable, "-m", "scoreterm", *command], 10):
            print(f"  {micros / 1e3:7.1f} ms  {module}")
        print()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
