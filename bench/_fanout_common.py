"""Shared by the fan-out benchmark's processes: pinning, fd limits, the control channel, the event format.

Not a benchmark itself. ``bench/fanout.py`` (the orchestrator) starts ``bench/fanout_server.py`` (one
server) and ``bench/swarm.py`` (the clients) as child processes and drives them with one JSON object
per line on their stdin; they answer, one JSON object per line, on their stdout. Commands carry an
``id`` that the answer repeats; lines without one are notices (``{"ready": ...}``, ``{"complete": 7}``).

**Clock.** The publisher writes ``time.monotonic_ns()`` into every event and the swarm subtracts it
from its own ``time.monotonic_ns()`` when the frame arrives. On Linux both read ``CLOCK_MONOTONIC``,
one clock for the whole machine (not per process), so the difference is a true latency; unlike
``time.time_ns()`` (``CLOCK_REALTIME``) it cannot be stepped by NTP in the middle of a run.

**Event.** ``detail`` of the ``MatchEvent`` starts with ``fanout ev=NNNNNN sent_ns=NNNN...`` at fixed
widths and is padded so that the whole frame a client receives is :data:`EVENT_BYTES` long.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
from typing import Any

LEAGUE = "fifa.world"
LEAGUE_CHANNEL = f"league:{LEAGUE}"
# The other match of the demo tape: only the slow client subscribes to it, so the backlog that makes
# it "slow" is sent to it alone.
SLOW_MATCH = "espn-760414"
SLOW_CHANNEL = f"match:{SLOW_MATCH}"
EVENT_MATCH = "espn-760415"
EVENT_BYTES = 1024
MARK = b"fanout ev="
# "fanout ev=" (10) + 6 digits + " sent_ns=" (9) + 20 digits
_EV = slice(10, 16)
_SENT = slice(25, 45)


def detail(ev: int, sent_ns: int, pad: int) -> str:
    """The stamped text carried by event ``ev`` sent at ``sent_ns``, plus ``pad`` filler characters."""
    return f"fanout ev={ev:06d} sent_ns={sent_ns:020d} " + "x" * pad


def parse_mark(payload: bytes, at: int) -> tuple[int, int]:
    """(event number, send time in ns) of the stamp that starts at ``payload[at:]``."""
    stamp = payload[at : at + 45]
    return int(stamp[_EV]), int(stamp[_SENT])


def pin_to_core(core: int) -> str:
    """Run this process on CPU ``core`` only (if the machine has it); a line saying what was done."""
    try:
        available = os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return "not pinned (no sched_setaffinity)"
    if core not in available or len(available) < 2:
        return f"not pinned (CPUs {sorted(available)})"
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core}"


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def emit(message: dict[str, Any]) -> None:
    """Write one JSON line to stdout, where the orchestrator reads it."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def commands() -> asyncio.StreamReader:
    """A stream reader over stdin, for the orchestrator's command lines."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def serve_commands(handle: Any) -> None:
    """Run ``await handle(command)`` for each command line, concurrently; answer with its result.

    Concurrent, so that a command stuck in a blocked send (the baseline's, on purpose) does not stop
    the orchestrator from asking anything else. Returns when stdin closes or ``quit`` arrives.
    """
    reader = await commands()
    tasks: set[asyncio.Task[None]] = set()

    async def run(command: dict[str, Any]) -> None:
        try:
            result = await handle(command)
        except Exception as exc:  # reported to the orchestrator, which stops the run
            result = {"error": f"{type(exc).__name__}: {exc}"}
        emit({"id": command.get("id"), **result})

    while line := await reader.readline():
        command = json.loads(line)
        if command.get("cmd") == "quit":
            break
        task = asyncio.create_task(run(command))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for task in tasks:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*tasks, return_exceptions=True)
