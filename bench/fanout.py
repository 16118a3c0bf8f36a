"""Fan-out benchmark: one 1 KiB event to N WebSocket clients, scoreterm's server against a tutorial one.

Run: ``.venv/bin/python bench/fanout.py`` (N = 1,000, 5,000, 10,000; about 4-5 min) or ``--quick``
(N = 500, 1,000; under a minute). ``--n 2000,20000`` picks other sizes, ``--only ours`` skips the
baseline, ``--deflate`` has the clients offer permessage-deflate, ``--trace-memory`` prints where the
server's per-connection Python memory goes. Loopback only: nothing leaves 127.0.0.1.

Method. For each server and each N, two fresh processes, each pinned to one of the 2 CPUs:

- the **server** (``bench/fanout_server.py``, CPU 0). **Ours** is ``ScoretermServer`` on a paused
  demo-tape engine, history in memory (``History(None)``), production limits except
  ``new_connections_per_minute`` and ``max_connections`` (raised: the swarm is N connections from
  one address); events go through ``ScoretermServer.deliver`` (history, encode once, one write per
  client, no await). The **baseline** is the tutorial server: a connection manager that loops
  ``await ws.send(json.dumps(message))`` over a set of connections, on ``websockets`` too.
- the **swarm** (``bench/swarm.py``, CPU 1): N raw WebSocket clients plus one "slow" client, all
  subscribed to ``league:fifa.world``, connected at most 100 handshakes at a time. No compression
  is negotiated: the swarm offers none. permessage-deflate keeps zlib state per connection (~40 KiB)
  and compresses every frame once per client; ``--deflate`` measures that case.

Then, in this order:

1. **RSS per idle connection**: (VmRSS of the server with N+1 clients connected and idle - VmRSS
   before the first connection) / (N+1), both read from ``/proc/<pid>/status`` after ``gc.collect()``.
2. **Idle CPU**: utime+stime of the server (``/proc/<pid>/stat``) over ``--idle`` seconds with every
   client connected and nothing sent, as % of one core. Both servers ping every client every 20 s
   (ours: ``heartbeat_s``; the baseline: websockets' keepalive), so the default window is 20 s:
   started after the last connection, it holds exactly one ping + pong per client.
3. **Latency**: ``--events`` events, one at a time: the next is published once every client has the
   previous one (plus ``--gap``), so each measures one event to all N. Each event carries
   ``time.monotonic_ns()`` taken just before the send; a client's latency is its own
   ``monotonic_ns()`` when the frame arrives minus that (one CLOCK_MONOTONIC for the machine).
   p50/p99/max over all N x events receipts; lost = N x events - receipts (duplicates counted apart;
   a receipt that never came counts as infinitely late). Also the median over events of each
   event's p99, which one event held up by a neighbour on the machine moves less.
4. **Slow client**: the slow client (small ``SO_RCVBUF``) stops reading and is sent 8 MiB of
   incompressible text on a channel only it holds, more than the kernel buffers between two local
   sockets hold: the backlog of a client that stopped reading a while ago. Then the same events
   again: p99 of the N others, and how much it rose. Ours writes without waiting and drops a
   client whose send buffer passes 1 MiB (close 4010). The baseline's ``await ws.send`` to the
   stuck client never returns, so its broadcast loop stops there: every client after it in the set
   waits, and so does every later event. websockets' keepalive does not free it either (its ping
   waits on the same full buffer); ``--stall-cap`` bounds the wait (15 s, 3 s with ``--quick``).

Ratios are baseline / ours: above 1 means ours is better (lower latency, less memory or CPU).
What limits the figures, and the targets, are discussed in docs/performance.md ("Fan-out").
"""

# Every wait on a child is bounded by design, so the bound is a parameter (``call(..., timeout)``).
# ruff: noqa: ASYNC109

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _common import fmt_ms, print_header, verdict

HERE = Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
FILL_BYTES = 8 * 1024 * 1024
HEARTBEAT_S = 20.0  # both servers ping every client every 20 s (ours: heartbeat_s; websockets' default)

# Targets on the 2-core reference machine, at 10,000 clients.
TARGET_CLIENTS = 10_000
TARGET_P99_MS = 250.0
TARGET_RSS_KIB = 20.0
TARGET_SLOW_RISE = 0.20


# -- child processes ----------------------------------------------------------------------------


class Child:
    """A benchmark process driven by JSON lines (see ``bench/_fanout_common.py``)."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str, log: Path) -> None:
        self.proc = proc
        self.name = name
        self.log = log
        self.pid = proc.pid
        self._ids = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._complete: dict[int, asyncio.Event] = {}
        self._notices: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, name: str, argv: list[str], log: Path) -> Child:
        """Start ``argv`` (stderr to ``log``)."""
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                cwd=HERE.parent,
                limit=1 << 24,
            )
        return cls(proc, name, log)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            message = json.loads(line)
            if (ident := message.get("id")) is not None and ident in self._pending:
                self._pending.pop(ident).set_result(message)
            elif "complete" in message:
                self._completion(message["complete"]).set()
            else:
                await self._notices.put(message)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RuntimeError(f"{self.name} exited; see {self.log}"))

    def _completion(self, ev: int) -> asyncio.Event:
        return self._complete.setdefault(ev, asyncio.Event())

    def send(self, cmd: str, **fields: Any) -> asyncio.Future[dict[str, Any]]:
        """Send a command; the future gets its answer."""
        assert self.proc.stdin is not None
        self._ids += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._ids] = future
        self.proc.stdin.write(json.dumps({"cmd": cmd, "id": self._ids, **fields}).encode() + b"\n")
        return future

    async def call(self, cmd: str, timeout: float, **fields: Any) -> dict[str, Any]:
        """Send a command and wait for its answer (an ``error`` answer raises)."""
        async with asyncio.timeout(timeout):
            answer = await self.send(cmd, **fields)
        if "error" in answer:
            raise RuntimeError(f"{self.name} {cmd}: {answer['error']}")
        return answer

    async def notice(self, timeout: float) -> dict[str, Any]:
        """The next line that answers no command (e.g. ``ready``)."""
        async with asyncio.timeout(timeout):
            return await self._notices.get()

    async def completed(self, ev: int, timeout: float) -> bool:
        """Wait until the swarm says every client has event ``ev``; False on timeout."""
        try:
            async with asyncio.timeout(timeout):
                await self._completion(ev).wait()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Kill the process (it holds thousands of sockets: no graceful close to wait for)."""
        for future in self._pending.values():
            future.cancel()  # e.g. the baseline's stuck send: its answer will never come
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()
        self._reader.cancel()


def vmrss_kib(pid: int) -> int:
    """VmRSS of ``pid`` in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid``, in seconds."""
    # Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12].
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# -- one run ------------------------------------------------------------------------------------


@dataclass
class Phase:
    """Figures of one series of events."""

    events: int = 0
    receipts: int = 0
    expected: int = 0
    p50: float = math.nan
    p99: float = math.nan
    max: float = math.nan
    event_p99: float = math.nan
    duplicates: int = 0
    closed: dict[str, int] = field(default_factory=dict)
    send_ms: list[float] = field(default_factory=list)
    server_cpu_ms: float = math.nan
    swarm_cpu_pct: float = math.nan
    stalled_s: float | None = None
    stall_capped: bool = False
    slow_dropped: float = 0.0

    @property
    def lost(self) -> int:
        """Receipts missing (events sent to every client, not received)."""
        return self.expected - self.receipts


@dataclass
class Run:
    """Every figure of one server at one N."""

    kind: str
    n: int
    connected: int = 0
    connect_s: float = math.nan
    failed: dict[str, int] = field(default_factory=dict)
    rss0_kib: int = 0
    rssn_kib: int = 0
    idle_cpu_pct: float = math.nan
    quiet: Phase = field(default_factory=Phase)
    slow: Phase = field(default_factory=Phase)
    seconds: float = 0.0

    @property
    def rss_per_conn_kib(self) -> float:
        """(RSS with every client connected - RSS with none) / clients."""
        return (self.rssn_kib - self.rss0_kib) / max(1, self.connected + 1)


@dataclass
class Options:
    """What the command line chose."""

    ns: list[int]
    events: int
    gap: float
    idle: float
    stall_cap: float
    deflate: bool
    trace_memory: bool
    logs: Path


async def latency_phase(server: Child, swarm: Child, first_ev: int, opts: Options, n: int) -> Phase:
    """Publish ``opts.events`` events one at a time; the swarm's figures for them."""
    phase = Phase()
    event_timeout = 5.0 + n / 1000
    cpu_server, cpu_swarm, wall = cpu_seconds(server.pid), cpu_seconds(swarm.pid), time.perf_counter()
    for ev in range(first_ev, first_ev + opts.events):
        phase.events += 1
        started = time.perf_counter()
        answer = server.send("event", ev=ev)
        try:
            async with asyncio.timeout(opts.stall_cap):
                sent = await asyncio.shield(answer)
        except TimeoutError:
            phase.stalled_s, phase.stall_capped = time.perf_counter() - started, True
            break
        if time.perf_counter() - started > 1.0:
            phase.stalled_s = max(phase.stalled_s or 0.0, time.perf_counter() - started)
        phase.send_ms.append(sent["send_ms"])
        await swarm.completed(ev, event_timeout)
        await asyncio.sleep(opts.gap)
    wall = time.perf_counter() - wall
    server_cpu = cpu_seconds(server.pid) - cpu_server
    phase.server_cpu_ms = server_cpu * 1e3 / phase.events
    phase.swarm_cpu_pct = (cpu_seconds(swarm.pid) - cpu_swarm) / wall * 100
    result = await swarm.call("results", 60, events=phase.events)
    phase.receipts = result["receipts"]
    phase.expected = result["expected_per_event"] * phase.events
    phase.p50, phase.p99, phase.max = result["p50"], result["p99"], result["max"]
    phase.event_p99 = result["event_p99"]
    phase.duplicates = result["duplicates"]
    phase.closed = result["closed"]
    stats = await server.call("stats", 10)
    phase.slow_dropped = stats["slow_dropped"]
    return phase


async def measure(kind: str, n: int, opts: Options) -> Run:
    """Every figure of server ``kind`` under ``n`` clients, with fresh processes."""
    run = Run(kind, n)
    started = time.perf_counter()
    py = sys.executable
    server_argv = [py, str(HERE / "fanout_server.py"), "--kind", kind, "--max-connections", str(n + 100)]
    server_argv += ["--deflate"] if opts.deflate else []
    server_argv += ["--tracemalloc"] if opts.trace_memory else []
    server = await Child.start(f"{kind} server", server_argv, opts.logs / f"{kind}-{n}-server.log")
    swarm: Child | None = None
    try:
        ready = await server.notice(60)
        swarm_argv = [py, str(HERE / "swarm.py"), "--port", str(ready["port"])]
        swarm_argv += ["--deflate"] if opts.deflate else []
        swarm = await Child.start("swarm", swarm_argv, opts.logs / f"{kind}-{n}-swarm.log")
        await swarm.notice(30)
        await server.call("collect", 30)
        await asyncio.sleep(0.5)
        run.rss0_kib = vmrss_kib(server.pid)
        if opts.trace_memory:
            await server.call("mark", 120)
        connected = await swarm.call("connect", 60 + n / 50, n=n, window=100)
        run.connected, run.connect_s, run.failed = (
            connected["connected"],
            connected["seconds"],
            connected["failed"],
        )
        if not connected["slow_ok"]:
            run.failed["slow client"] = 1
        await asyncio.sleep(1.0 if n < 5000 else 2.0)
        await server.call("collect", 30)
        run.rssn_kib = vmrss_kib(server.pid)
        if opts.trace_memory:
            await print_top(server, run.connected + 1)
        cpu = cpu_seconds(server.pid)
        await asyncio.sleep(opts.idle)
        run.idle_cpu_pct = (cpu_seconds(server.pid) - cpu) / opts.idle * 100
        run.quiet = await latency_phase(server, swarm, 1, opts, n)
        await swarm.call("pause_slow", 10)
        fill = server.send("fill", bytes=FILL_BYTES)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(3.0, opts.stall_cap)):
                await asyncio.shield(fill)  # the baseline's never returns: its send is stuck
        run.slow = await latency_phase(server, swarm, 1 + opts.events, opts, n)
    finally:
        for child in (swarm, server):
            if child is not None:
                await child.stop()
    run.seconds = time.perf_counter() - started
    return run


async def print_top(server: Child, clients: int) -> None:
    """The allocation sites that grew most while the clients connected, per connection."""
    answer = await server.call("top", 300)
    print(
        f"  Python allocations per connection (tracemalloc, {clients} clients): "
        f"{answer['total'] / clients:,.0f} B in all; largest sites:"
    )
    for where, size, count in answer["top"][:15]:
        print(f"    {size / clients:9,.0f} B  {count / clients:6.1f} blocks  {where}")
    print("  by file:")
    for where, size in answer["files"]:
        print(f"    {size / clients:9,.0f} B  {where}")


# -- report -------------------------------------------------------------------------------------


def fmt(value: float, unit: str = "", digits: int = 1) -> str:
    """A figure for the table (∞ for never, - for not measured)."""
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "∞"
    return f"{value:,.{digits}f}{unit}"


def ratio(baseline: float, ours: float) -> str:
    """baseline / ours, for figures where lower is better."""
    if math.isnan(baseline) or math.isnan(ours):
        return "-"
    if math.isinf(baseline) and not math.isinf(ours):
        return "∞"
    if ours <= 0:
        return "-"
    return f"{baseline / ours:,.1f}x"


def rise(run: Run, *, median_event: bool = False) -> float:
    """How much the slow client raised the others' p99 (0.1 = +10 %), over all receipts or, with
    ``median_event``, for the median event (which one event held up by a neighbour moves less)."""
    quiet, slow = (run.quiet.event_p99, run.slow.event_p99) if median_event else (run.quiet.p99, run.slow.p99)
    if math.isinf(slow):
        return math.inf
    return slow / quiet - 1


def stall_text(phase: Phase) -> str:
    """How long a send blocked, if one did."""
    if phase.stalled_s is None:
        return "none"
    return f"> {phase.stalled_s:.0f} s (cap)" if phase.stall_capped else f"{phase.stalled_s:.1f} s"


def print_run_table(ours: Run | None, base: Run | None, opts: Options) -> None:
    """One N: every figure of both servers, the ratio, and the target where there is one."""
    runs = [r for r in (ours, base) if r is not None]
    n = runs[0].n
    big = n >= TARGET_CLIENTS
    print(f"## N = {n:,} clients (+1 slow), {opts.events} events of 1 KiB, one at a time")
    for r in runs:
        failed = f", FAILED {r.failed}" if r.failed else ""
        print(
            f"  {r.kind}: {r.connected:,} connected in {r.connect_s:.1f} s "
            f"({r.connected / r.connect_s:,.0f}/s){failed}; run took {r.seconds:.0f} s"
        )
    print(f"  {'figure':38} {'ours':>12} {'baseline':>12} {'base/ours':>10}  target")
    rows: list[tuple[str, Any, str, str]] = [
        ("latency p50 (ms)", lambda r: r.quiet.p50, "", ""),
        ("latency p99 (ms)", lambda r: r.quiet.p99, f"<= {TARGET_P99_MS:.0f}", "p99"),
        ("latency max (ms)", lambda r: r.quiet.max, "", ""),
        ("p99 of the median event (ms)", lambda r: r.quiet.event_p99, "", ""),
        ("lost (of N x events)", lambda r: float(r.quiet.lost), "0", "lost"),
        ("server send call, median (ms)", lambda r: median_of(r.quiet.send_ms), "", ""),
        ("server CPU per event (ms)", lambda r: r.quiet.server_cpu_ms, "", ""),
        ("swarm CPU while receiving (%)", lambda r: r.quiet.swarm_cpu_pct, "", ""),
        ("RSS per idle connection (KiB)", lambda r: r.rss_per_conn_kib, f"<= {TARGET_RSS_KIB:.0f}", "rss"),
        (
            f"idle CPU over {opts.idle:.0f} s (% core){'' if opts.idle >= HEARTBEAT_S else ' *'}",
            lambda r: r.idle_cpu_pct,
            "",
            "",
        ),
        ("slow client: p99 of others (ms)", lambda r: r.slow.p99, "", ""),
        ("slow client: same, median event (ms)", lambda r: r.slow.event_p99, "", ""),
        ("slow client: p99 rise (%)", lambda r: rise(r) * 100, f"< {TARGET_SLOW_RISE * 100:.0f} %", "rise"),
        ("slow client: same, median event (%)", lambda r: rise(r, median_event=True) * 100, "", ""),
        ("slow client: lost/undelivered", lambda r: float(r.slow.lost), "", ""),
    ]
    for label, get, target, key in rows:
        o = get(ours) if ours else math.nan
        b = get(base) if base else math.nan
        digits = 0 if label.startswith(("lost", "slow client: lost")) else 1
        met = ""
        if ours is not None and key:
            ok = {
                "p99": o <= TARGET_P99_MS,
                "lost": o == 0,
                "rss": o <= TARGET_RSS_KIB,
                "rise": o < TARGET_SLOW_RISE * 100,
            }[key]
            met = f"{target}: {verdict(ok)}" + ("" if big or key == "lost" else " (at this N)")
        shown = "" if label.startswith(("swarm", "slow client: same, median event (%)")) else ratio(b, o)
        print(f"  {label:38} {fmt(o, '', digits):>12} {fmt(b, '', digits):>12} {shown:>10}  {met}")
    if opts.idle < HEARTBEAT_S:
        print(
            f"  * shorter than the {HEARTBEAT_S:.0f}-s heartbeat round: not every client's ping falls in it"
        )
    for r in runs:
        extra = ", ".join(f"{k}: {v}" for k, v in {**r.quiet.closed, **r.slow.closed}.items())
        dropped = "dropped by the server (4010)" if r.slow.slow_dropped else "not dropped"
        print(
            f"  {r.kind}: slow client {dropped}; blocked send: {stall_text(r.slow)}; duplicates "
            f"{r.quiet.duplicates + r.slow.duplicates}; unexpected closes: {extra or 'none'}"
        )
    print()


def median_of(values: list[float]) -> float:
    """The median, NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def print_summary(results: dict[tuple[str, int], Run]) -> None:
    """The headline figures of ours across N, with the baseline ratio."""
    print("## summary (ours; ratio = baseline / ours)")
    print(
        f"  {'N':>7} {'p50 ms':>8} {'p99 ms':>8} {'x':>6} {'lost':>5} {'KiB/conn':>9} {'x':>6} "
        f"{'idle %':>7} {'x':>6} {'slow p99 rise':>14} {'baseline':>10}"
    )
    for (kind, n), run in sorted(results.items(), key=lambda item: item[0][1]):
        if kind != "ours":
            continue
        base = results.get(("baseline", n))
        b_p99 = base.quiet.p99 if base else math.nan
        b_rss = base.rss_per_conn_kib if base else math.nan
        b_cpu = base.idle_cpu_pct if base else math.nan
        b_rise = fmt(rise(base) * 100, " %", 0) if base else "-"
        print(
            f"  {n:>7,} {fmt(run.quiet.p50):>8} {fmt(run.quiet.p99):>8} {ratio(b_p99, run.quiet.p99):>6} "
            f"{run.quiet.lost:>5} {fmt(run.rss_per_conn_kib):>9} {ratio(b_rss, run.rss_per_conn_kib):>6} "
            f"{fmt(run.idle_cpu_pct, '', 2):>7} {ratio(b_cpu, run.idle_cpu_pct):>6} "
            f"{fmt(rise(run) * 100, ' %', 0):>14} {b_rise:>10}"
        )
    print()


# -- main ---------------------------------------------------------------------------------------


def parse_args() -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 500, 1000, fewer events (< 1 min)")
    parser.add_argument("--n", help="comma-separated client counts (default 1000,5000,10000)")
    parser.add_argument("--events", type=int, help="events per series (default 20; 10 with --quick)")
    parser.add_argument("--gap", type=float, default=0.1, help="pause between events, s (default 0.1)")
    parser.add_argument(
        "--idle", type=float, help="idle CPU window, s (default 20, one heartbeat round; 3 with --quick)"
    )
    parser.add_argument(
        "--stall-cap", type=float, help="longest wait for a blocked send, s (default 15; 3 with --quick)"
    )
    parser.add_argument("--only", choices=["ours", "baseline"], help="run one server only")
    parser.add_argument("--deflate", action="store_true", help="clients offer permessage-deflate")
    parser.add_argument("--trace-memory", action="store_true", help="print top allocation sites (slow)")
    args = parser.parse_args()
    default_ns = "500,1000" if args.quick else "1000,5000,10000"
    ns = [int(x) for x in (args.n or default_ns).split(",")]
    opts = Options(
        ns=ns,
        events=args.events or (10 if args.quick else 20),
        gap=args.gap,
        idle=args.idle or (3.0 if args.quick else HEARTBEAT_S),
        stall_cap=args.stall_cap or (3.0 if args.quick else 15.0),
        deflate=args.deflate,
        trace_memory=args.trace_memory,
        logs=Path(tempfile.mkdtemp(prefix="scoreterm-fanout-")),
    )
    kinds = [args.only] if args.only else ["ours", "baseline"]
    return opts, kinds


async def main_async(opts: Options, kinds: list[str]) -> dict[tuple[str, int], Run]:
    results: dict[tuple[str, int], Run] = {}
    for n in opts.ns:
        for kind in kinds:
            results[(kind, n)] = await measure(kind, n, opts)
        print_run_table(results.get(("ours", n)), results.get(("baseline", n)), opts)
    return results


def main() -> None:
    opts, kinds = parse_args()
    started = time.perf_counter()
    print_header("scoreterm fan-out benchmark" + (" (deflate)" if opts.deflate else ""))
    websockets = metadata.version("websockets")
    print(f"  websockets {websockets} · server on CPU 0, swarm on CPU 1 · logs in {opts.logs}")
    print(
        f"  compression: {'permessage-deflate offered by the clients' if opts.deflate else 'none negotiated'}"
        f" · history in memory · heartbeat 20 s (both) · {fmt_ms(opts.gap)} between events"
    )
    print()
    results = asyncio.run(main_async(opts, kinds))
    print_summary(results)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
