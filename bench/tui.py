"""Dashboard benchmarks: CPU use, update-to-screen latency and memory of the real Textual app.

Run: ``.venv/bin/python bench/tui.py`` (``--seconds 60`` per measurement, about 6 minutes in all) or
``--quick`` (15 s per measurement, about 2 minutes). No network, no terminal needed.

The app is the one the CLI runs (``make_app`` + ``AppOptions``), driven headless by
``App.run_test(headless=True, size=(120, 40), notifications=True)``. Each measurement runs in its
own subprocess (``--child``) so interpreters, caches and heaps do not leak between them.

a. **CPU** — ``resource.getrusage`` user+system time over ``--seconds`` of wall time, after the app
   has shown its first data and run 3 s more; reported as % of one core. Scenarios: the demo tape
   at 1x (started so its first goal lands mid-window: a poll every 20 s, a goal toast, the status
   line ticking), the demo at its default speed (the whole match in ~2 minutes, as
   ``scoreterm replay --demo`` plays it), and the demo paused (nothing changes). Baseline: the
   same app on a feed that never sends anything, so each ratio isolates the cost of updates.
b. **Latency** — a scripted feed (``start``/``__aiter__``/``close``/``focus`` over an
   ``asyncio.Queue``) sends a snapshot of real matches, then ~200 deltas, each changing one
   match's score. For each: ``perf_counter`` at the push; when the app dispatches the message
   (``run_test``'s ``message_hook``: the baseline, i.e. the feed and message-queue hop); when the
   DataTable cell holds the new score, polled with ``await pilot.pause(0)`` in a tight loop; and
   when the next frame is composed (``App._display``). p50/p99 for a 32-match board and a
   2-match one (the table is rebuilt on every update, so its size matters).
c. **Memory** — the demo tape at 60x for ``--seconds`` (60 s = an hour of match time), sampling
   RSS (``/proc/self/status``) and the Python heap (``tracemalloc``, started once warmed up, so it
   counts only what was allocated since and is still alive) at start, middle and end, after a
   ``gc.collect()``. Baseline: the same sampling on the never-sending feed, run alongside.

Headless means Textual composes every frame but skips turning it into escape sequences and
writing them to a terminal, so a real terminal costs somewhat more than (a) shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import gc
import json
import math
import os
import resource
import struct
import subprocess
import sys
import termios
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from _common import FIXTURES, median, percentile, print_header, verdict
from textual.pilot import Pilot
from textual.widgets import DataTable

from scoreterm.config import Settings
from scoreterm.domain.display import score_text
from scoreterm.domain.model import (
    DeltaUpdate,
    Match,
    Phase,
    PhaseState,
    Score,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
)
from scoreterm.engine.feed import QueueFeed
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.messages import FeedUpdate
from scoreterm.tui.screens.scoreboard import ScoreboardScreen

SIZE = (120, 40)
WARMUP_S = 3.0
FIRST_GOAL_AT = 820.0  # tape seconds when the demo's first goal (Quiñones, 9') shows
PAUSED_AT = 1500.0  # tape seconds: first half under way, no toast on screen
MEMORY_SPEED = 60.0
BUSY_UPDATES = 32 * 3 * 60  # 32 matches, one delta per 20 s of match time, for an hour
BIG_BOARD = "fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json"
AT = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)

TARGET_CPU_1X = 5.0  # % of one core: a dashboard left open all match must not spin a laptop fan
TARGET_CPU_DEFAULT = 25.0  # the showcase demo (a poll every 1/3 s) still leaves the machine alone
TARGET_CPU_IDLE = 2.0
TARGET_P50_MS = 20.0
TARGET_P99_MS = 50.0  # a few frames at Textual's 60 fps cap
TARGET_HEAP_GROWTH_KIB = 1024.0  # middle -> end, once warmed up
TARGET_RSS_GROWTH_KIB = 5 * 1024.0


# -- building the app --------------------------------------------------------------------------


def demo_app(speed: float | None, *, start: float = 0.0, paused: bool = False) -> ScoretermApp:
    """The dashboard on the demo tape, as ``scoreterm replay --demo`` builds it."""
    tape = demo_tape()
    session = replay_session(tape, UTC, name="demo", speed=speed)
    assert session.replay is not None
    if start > 0:
        session.replay.clock.jump(start)
    if paused:
        session.replay.clock.pause()
    options = AppOptions(
        settings=Settings(),
        zone=UTC,
        leagues=list(tape.header.leagues),
    )
    return make_app(session.feed, options)


def scripted_app(feed: QueueFeed, leagues: list[str]) -> ScoretermApp:
    """The dashboard on a scripted feed (live mode: no replay controls)."""
    return make_app(feed, AppOptions(settings=Settings(), zone=UTC, leagues=leagues))


def build_app(scenario: str, seconds: float) -> ScoretermApp:
    """The app of a CPU or memory scenario."""
    if scenario == "demo-1x":
        # Start so the first goal lands in the middle of the measured window.
        return demo_app(1.0, start=max(0.0, FIRST_GOAL_AT - WARMUP_S - seconds / 2))
    if scenario == "demo-default":
        return demo_app(None)
    if scenario == "demo-60x":
        return demo_app(MEMORY_SPEED)
    if scenario == "paused":
        return demo_app(1.0, start=PAUSED_AT, paused=True)
    if scenario == "empty":
        return scripted_app(QueueFeed(), ["fifa.world"])
    raise SystemExit(f"unknown scenario {scenario!r}")


async def until_ready(pilot: Pilot[None], app: ScoretermApp, scenario: str, within: float = 30.0) -> None:
    """Wait (bounded) until the dashboard shows data (or, on the empty feed, is mounted)."""
    deadline = time.perf_counter() + within
    while not isinstance(app.screen, ScoreboardScreen) or (scenario != "empty" and not app.board.matches):
        if time.perf_counter() > deadline:
            raise SystemExit(f"{scenario}: the app showed no data within {within:.0f} s")
        await pilot.pause(0.05)


def count_table_redraws() -> Callable[[], int]:
    """Count the scoreboard's table redraws (wrapping the screen's redraw method before it mounts).

    The screen's ``_redraw`` when it has one (redraws coalesced to one per frame), else its
    ``refresh_rows``.
    """
    name = "_redraw" if hasattr(ScoreboardScreen, "_redraw") else "refresh_rows"
    calls = [0]
    original = getattr(ScoreboardScreen, name)

    def counted(self: ScoreboardScreen, *args: object) -> None:
        calls[0] += 1
        original(self, *args)

    setattr(ScoreboardScreen, name, counted)
    return lambda: calls[0]


# -- children ----------------------------------------------------------------------------------


async def child_cpu(scenario: str, seconds: float) -> dict[str, Any]:
    rebuilds = count_table_redraws()
    app = build_app(scenario, seconds)
    async with app.run_test(headless=True, size=SIZE, notifications=True) as pilot:
        await until_ready(pilot, app, scenario)
        await asyncio.sleep(WARMUP_S)
        updates, rebuilt = app.board.updates_seen, rebuilds()
        toasts = len(app.toasted)
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        await asyncio.sleep(seconds)
        after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - started
        position = app.feed.replay.position if app.feed.replay else None
        result = {
            "scenario": scenario,
            "wall_s": wall,
            "user_s": after.ru_utime - before.ru_utime,
            "system_s": after.ru_stime - before.ru_stime,
            "updates": app.board.updates_seen - updates,
            "redraws": rebuilds() - rebuilt,
            "toasts": len(app.toasted) - toasts,
            "position": position,
        }
    result["cpu_pct"] = 100 * (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall
    return result


def _rss_kib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _table_cache_entries(app: ScoretermApp) -> float:
    """Entries in the DataTable's render caches (cells, rows, lines): diagnostic, private API."""
    try:
        table = app.screen.query_one(DataTable)
    except Exception:
        return math.nan
    caches = ("_cell_render_cache", "_row_render_cache", "_line_cache")
    return float(sum(len(getattr(table, name, ())) for name in caches))


async def _push_busy_hour(feed: QueueFeed, matches: list[Match], seconds: float) -> None:
    """An hour of a busy matchday squeezed into ``seconds``: each match changes every 20 s of
    match time (clock, now and then a goal), ``BUSY_UPDATES`` deltas in all, evenly paced."""
    started = time.perf_counter()
    for n in range(BUSY_UPDATES):
        base = matches[n % len(matches)]
        minute = 10 + (n // len(matches)) // 3
        goals = n // (len(matches) * 40)
        match = msgspec.structs.replace(
            base, clock=f"{minute % 90 + 1}'", score=Score(goals, goals // 2), seq=n + 2
        )
        feed.push(DeltaUpdate(channel="league:fifa.world", at=AT, match_id=match.id, seq=n + 2, match=match))
        await asyncio.sleep(max(0.0, started + seconds * (n + 1) / BUSY_UPDATES - time.perf_counter()))


async def child_memory(scenario: str, seconds: float) -> dict[str, Any]:
    pusher: asyncio.Task[None] | None = None
    if scenario == "busy":
        feed = QueueFeed()
        app = scripted_app(feed, ["fifa.world"])
        matches = latency_matches(big=True)
        feed.push(SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(matches)))
    else:
        app = build_app(scenario, seconds)
    samples: list[dict[str, float]] = []
    async with app.run_test(headless=True, size=SIZE, notifications=True) as pilot:
        await until_ready(pilot, app, scenario)
        if scenario == "busy":
            pusher = asyncio.create_task(_push_busy_hour(feed, matches, seconds + WARMUP_S))
        await asyncio.sleep(WARMUP_S)
        # tracemalloc slows every allocation several times: on the busy board that would change
        # how many updates the app keeps up with, so there only RSS and pymalloc blocks are read.
        traced = scenario != "busy"
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        steps = 6
        for step in range(steps + 1):
            if step:
                await asyncio.sleep(max(0.0, started + seconds * step / steps - time.perf_counter()))
            gc.collect()
            samples.append(
                {
                    "t": time.perf_counter() - started,
                    "rss_kib": _rss_kib(),
                    "heap_kib": tracemalloc.get_traced_memory()[0] / 1024 if traced else math.nan,
                    "blocks": float(sys.getallocatedblocks()),
                    "updates": app.board.updates_seen,
                    "position": app.feed.replay.position if app.feed.replay else math.nan,
                    "cached": _table_cache_entries(app),
                }
            )
        if traced:
            tracemalloc.stop()
        if pusher is not None:
            pusher.cancel()
    return {"scenario": scenario, "samples": samples}


@dataclass
class Timing:
    """The instants of one update's trip, in ``perf_counter`` seconds."""

    pushed: float
    expected: str
    dispatched: float = math.nan
    shown: float = math.nan
    painted: float = math.nan


def latency_matches(big: bool) -> list[Match]:
    """Real matches for the board: 32 World Cup matches, or the 2 of the demo's day; all live."""
    name = BIG_BOARD if big else "fifa.world_scoreboard_20260611_two_full_time.json"
    matches = normalize_scoreboard(
        msgspec.json.decode((FIXTURES / "espn_soccer" / name).read_bytes()), "fifa.world"
    )
    live = Phase(state=PhaseState.LIVE, period=1, label="1H")
    return [msgspec.structs.replace(m, phase=live, clock="10'", score=Score(0, 0), seq=1) for m in matches]


async def _trip(
    pilot: Pilot[None],
    feed: QueueFeed,
    table: DataTable[Any],
    timings: list[Timing],
    update: DeltaUpdate,
    expected: str,
    poll: Callable[[], Awaitable[None]],
) -> None:
    """Push ``update`` and poll (with ``poll``) until its score is in the table and a frame composed."""
    timings.append(Timing(time.perf_counter(), expected))
    feed.push(update)
    timing = timings[-1]
    give_up = timing.pushed + 2.0
    while time.perf_counter() < give_up:
        if math.isnan(timing.shown) and str(table.get_cell(update.match_id, "score")) == expected:
            timing.shown = time.perf_counter()
        if not math.isnan(timing.shown) and not math.isnan(timing.painted):
            break
        await poll()
    if math.isnan(timing.shown):
        raise SystemExit(f"latency: update seq {update.seq} never showed in the table")
    await pilot.pause(0.01)  # let the app settle before the next push


async def child_latency(updates: int, big: bool) -> dict[str, Any]:
    feed = QueueFeed()
    app = scripted_app(feed, ["fifa.world"])
    matches = latency_matches(big)
    target = matches[len(matches) // 2]
    timings: list[Timing] = []

    def hook(message: object) -> None:
        update = message.update if isinstance(message, FeedUpdate) else None
        if isinstance(update, DeltaUpdate) and update.match_id == target.id and timings:
            timings[-1].dispatched = time.perf_counter()

    original_display = app._display

    tables: list[DataTable[Any]] = []

    def display(screen: Any, renderable: Any) -> None:
        # A frame composed while the cell holds the new score shows it (rendering is synchronous).
        original_display(screen, renderable)
        if renderable is None or not timings or not tables or not math.isnan(timings[-1].painted):
            return
        if str(tables[0].get_cell(target.id, "score")) == timings[-1].expected:
            timings[-1].painted = time.perf_counter()

    app._display = display  # type: ignore[method-assign]
    results: dict[str, Any] = {"rows": len(matches)}
    async with app.run_test(headless=True, size=SIZE, notifications=True, message_hook=hook) as pilot:
        feed.push(SnapshotUpdate(channel="league:fifa.world", at=AT, matches=tuple(matches)))
        feed.push(
            StatusUpdate(
                channel="league:fifa.world",
                at=AT,
                status=SourceStatus(provider="espn", interval_s=2.0, next_poll_s=2.0),
            )
        )
        table: DataTable[Any] = app.screen.query_one(DataTable)
        tables.append(table)
        deadline = time.perf_counter() + 15
        while table.row_count < len(matches):
            if time.perf_counter() > deadline:
                raise SystemExit("latency: the snapshot never reached the table")
            await pilot.pause(0.05)
        await pilot.pause(0.5)

        async def yield_once() -> None:
            await asyncio.sleep(0)

        async def pilot_pause() -> None:
            await pilot.pause(0)

        seq = 1
        polls: dict[str, Callable[[], Awaitable[None]]] = {"sleep0": yield_once, "pause0": pilot_pause}
        for name, poll in polls.items():
            timings.clear()
            for _ in range(updates):
                seq += 1
                score = Score(seq, seq // 3)
                match = msgspec.structs.replace(target, score=score, seq=seq, clock=f"{10 + seq % 80}'")
                update = DeltaUpdate(
                    channel="league:fifa.world", at=AT, match_id=match.id, seq=seq, match=match
                )
                await _trip(pilot, feed, table, timings, update, score_text(match), poll)
            results[name] = {
                "dispatched_ms": [(t.dispatched - t.pushed) * 1e3 for t in timings],
                "shown_ms": [(t.shown - t.pushed) * 1e3 for t in timings],
                "painted_ms": [(t.painted - t.pushed) * 1e3 for t in timings if not math.isnan(t.painted)],
            }
    return results


def run_child(args: argparse.Namespace) -> None:
    kind, _, scenario = args.child.partition(":")
    if kind == "cpu":
        result = asyncio.run(child_cpu(scenario, args.seconds))
    elif kind == "memory":
        result = asyncio.run(child_memory(scenario, args.seconds))
    elif kind == "latency":
        result = asyncio.run(child_latency(args.updates, scenario == "big"))
    else:
        raise SystemExit(f"unknown child {args.child!r}")
    print("RESULT " + json.dumps(result))


# -- the parent --------------------------------------------------------------------------------


def _child_argv(child: str, seconds: float, updates: int) -> list[str]:
    script = str(Path(__file__).resolve())
    return [sys.executable, script, "--child", child, "--seconds", str(seconds), "--updates", str(updates)]


def _parse(child: str, completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            parsed: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return parsed
    sys.exit(f"child {child} failed (exit {completed.returncode}):\n{completed.stderr[-2000:]}")


def spawn(child: str, seconds: float, updates: int = 0) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its result."""
    argv = _child_argv(child, seconds, updates)
    completed = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=seconds + 120)
    return _parse(child, completed)


def spawn_together(children: list[str], seconds: float) -> list[dict[str, Any]]:
    """Run measurements side by side (memory only: CPU figures would disturb each other)."""
    procs = [
        (
            child,
            subprocess.Popen(
                _child_argv(child, seconds, 0), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ),
        )
        for child in children
    ]
    results = []
    for child, proc in procs:
        stdout, stderr = proc.communicate(timeout=seconds + 120)
        results.append(_parse(child, subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)))
    return results


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pty_cpu(seconds: float) -> dict[str, Any] | None:
    """CPU of ``scoreterm replay --demo`` (the real CLI) drawing into a pseudo-terminal of SIZE.

    The headless figures skip turning frames into escape sequences and writing them; this one
    does not. A thread drains the terminal so the app never blocks on a full pty buffer.
    """
    if not Path("/proc/self/stat").exists():
        return None
    script = Path(sys.executable).with_name("scoreterm")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "scoreterm"]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
    proc = subprocess.Popen(
        [*argv, "replay", "--demo"], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    written = [0]

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            written[0] += len(data)

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.perf_counter() + 30
        while written[0] == 0 and time.perf_counter() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(WARMUP_S)
        cpu0, bytes0, wall0 = _proc_cpu_s(proc.pid), written[0], time.perf_counter()
        time.sleep(seconds)
        cpu1, bytes1, wall1 = _proc_cpu_s(proc.pid), written[0], time.perf_counter()
    finally:
        with contextlib.suppress(OSError):
            os.write(master, b"q")
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
    wall = wall1 - wall0
    return {"cpu_pct": 100 * (cpu1 - cpu0) / wall, "bytes_per_s": (bytes1 - bytes0) / wall}


def report_cpu(seconds: float) -> None:
    print(f"## a. CPU of the dashboard, % of one core over {seconds:g} s (headless, {SIZE[0]}x{SIZE[1]})")
    scenarios = [
        ("empty", "baseline: feed that never sends", None),
        ("demo-1x", "demo tape at 1x (goal mid-window)", TARGET_CPU_1X),
        ("demo-default", "demo tape at default speed", TARGET_CPU_DEFAULT),
        ("paused", "demo tape paused (idle)", TARGET_CPU_IDLE),
    ]
    results = {name: spawn(f"cpu:{name}", seconds) for name, _, _ in scenarios}
    base = results["empty"]["cpu_pct"]
    columns = f"{'CPU %':>7} {'user s':>7} {'sys s':>6} {'updates':>8} {'redraws':>8} {'toasts':>6}"
    print(f"  {'scenario':36} {columns}  ratio  target")
    for name, label, target in scenarios:
        r = results[name]
        ratio = r["cpu_pct"] / base if base > 0 else math.inf
        goal = "baseline" if target is None else f"<= {target:g}%: {verdict(r['cpu_pct'] <= target)}"
        print(
            f"  {label:36} {r['cpu_pct']:7.2f} {r['user_s']:7.2f} {r['system_s']:6.2f} {r['updates']:8d} "
            f"{r['redraws']:8d} {r['toasts']:6d}  {ratio:5.1f}  {goal}"
        )
    terminal = pty_cpu(seconds)
    if terminal is None:
        print("  real terminal: skipped (needs Linux /proc)")
    else:
        ratio = terminal["cpu_pct"] / base if base > 0 else math.inf
        goal = f"<= {TARGET_CPU_DEFAULT:g}%: {verdict(terminal['cpu_pct'] <= TARGET_CPU_DEFAULT)}"
        label = "`scoreterm replay --demo` in a pty"
        blank = f"{'':7} {'':6} {'':8} {'':8} {'':6}"
        print(f"  {label:36} {terminal['cpu_pct']:7.2f} {blank}  {ratio:5.1f}  {goal}")
        print(
            f"  (the pty run is the real CLI and driver: {terminal['bytes_per_s'] / 1e3:.0f} kB/s of escape "
            f"sequences; compare with the headless default-speed row)"
        )
    default = results["demo-default"]
    if default.get("position") is not None:
        print(f"  (the default speed reached tape position {default['position']:.0f} s of 7380)")
    print()


def _dist(values: list[float]) -> str:
    return (
        f"p50 {median(values):6.2f}  p90 {percentile(values, 0.9):6.2f}  p99 {percentile(values, 0.99):6.2f}"
    )


def report_latency(updates: int) -> None:
    print(f"## b. latency from a feed update to the table, {updates} updates per row (ms)")
    for size in ("big", "small"):
        r = spawn(f"latency:{size}", 0, updates)
        print(f"  board of {r['rows']} matches")
        fast, pilot = r["sleep0"], r["pause0"]
        print(f"    baseline: push -> message dispatched          {_dist(fast['dispatched_ms'])}")
        print(f"    push -> cell holds score (asyncio.sleep(0))   {_dist(fast['shown_ms'])}")
        print(
            f"    push -> frame composed showing it             {_dist(fast['painted_ms'])}"
            f"  ({len(fast['painted_ms'])}/{len(fast['shown_ms'])} seen)"
        )
        print(f"    push -> cell holds score (pilot.pause(0))     {_dist(pilot['shown_ms'])}")
        for label, values in (("cell", fast["shown_ms"]), ("frame", fast["painted_ms"])):
            p50, p99 = median(values), percentile(values, 0.99)
            print(
                f"    {label:5} ratio to dispatch at p50: {p50 / median(fast['dispatched_ms']):6.1f}   "
                f"target p50 <= {TARGET_P50_MS:g}: {verdict(p50 <= TARGET_P50_MS)}  "
                f"p99 <= {TARGET_P99_MS:g}: {verdict(p99 <= TARGET_P99_MS)}"
            )
    print()


def report_memory(seconds: float) -> None:
    print(f"## c. memory over {seconds:g} s (KiB; heap = tracemalloc, started after warm-up)")
    demo, busy, empty = spawn_together(["memory:demo-60x", "memory:busy", "memory:empty"], seconds)
    scenarios = (
        (f"demo tape at {MEMORY_SPEED:g}x ({seconds * MEMORY_SPEED / 60:.0f} min of match)", demo, True),
        (f"32 live matches, {BUSY_UPDATES} deltas (an hour of a busy matchday)", busy, True),
        ("baseline: feed that never sends", empty, False),
    )
    for label, r, targeted in scenarios:
        s = r["samples"]
        first, middle, last = s[0], s[len(s) // 2], s[-1]
        print(f"  {label}")
        keys = ("rss_kib", "heap_kib", "blocks", "updates", "position", "cached")
        titles = ("RSS", "heap", "blocks", "updates", "tape s", "cached")
        print(f"    {'':8} {'t s':>6} " + " ".join(f"{title:>9}" for title in titles))
        for name, sample in (("start", first), ("middle", middle), ("end", last)):
            print(f"    {name:8} {sample['t']:6.1f} " + " ".join(f"{sample[key]:9.0f}" for key in keys))
        for key, title in zip(keys[:3] + keys[5:], titles[:3] + titles[5:], strict=True):
            print(f"    {title + ' over time:':17} {' '.join(f'{x[key]:.0f}' for x in s)}")
        rss_growth = last["rss_kib"] - middle["rss_kib"]
        heap_growth = last["heap_kib"] - middle["heap_kib"]
        print(
            f"    growth start->end: RSS {last['rss_kib'] - first['rss_kib']:+.0f}, heap "
            f"{last['heap_kib'] - first['heap_kib']:+.0f}; middle->end: RSS {rss_growth:+.0f}, "
            f"heap {heap_growth:+.0f}, blocks {last['blocks'] - middle['blocks']:+.0f}"
        )
        if targeted:
            heap_verdict = (
                "n/a (not traced)"
                if math.isnan(heap_growth)
                else verdict(heap_growth <= TARGET_HEAP_GROWTH_KIB)
            )
            print(
                f"    target middle->end heap <= {TARGET_HEAP_GROWTH_KIB:.0f}: {heap_verdict}, "
                f"RSS <= {TARGET_RSS_GROWTH_KIB:.0f}: {verdict(rss_growth <= TARGET_RSS_GROWTH_KIB)}; "
                f"end RSS / baseline end RSS: {last['rss_kib'] / empty['samples'][-1]['rss_kib']:.2f}"
            )
    print(
        "  (heap: tracemalloc, not run on the busy board; blocks: sys.getallocatedblocks(); cached: entries"
        " in the DataTable's cell/row/line render caches, LRU-bounded at 10000/1000/1000)"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds per CPU/memory measurement")
    parser.add_argument("--quick", action="store_true", help="15 s per measurement, 100 latency updates")
    parser.add_argument("--updates", type=int, default=200, help="updates for the latency measurement")
    parser.add_argument("--only", choices=("cpu", "latency", "memory"), help="run one part only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    if args.quick:
        args.seconds, args.updates = 15.0, 100
    started = time.perf_counter()
    print_header("scoreterm dashboard benchmarks" + (" (quick)" if args.quick else ""))
    if args.only in (None, "cpu"):
        report_cpu(args.seconds)
    if args.only in (None, "latency"):
        report_latency(args.updates)
    if args.only in (None, "memory"):
        report_memory(args.seconds)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
