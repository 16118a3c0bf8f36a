"""Helpers shared by the benchmark scripts: the machine description, timing loops and statistics.

Not a benchmark itself. Each ``bench/*.py`` script imports it as a sibling module (Python puts the
script's directory first on ``sys.path``), so the scripts run from a fresh checkout with only the
dev install: ``.venv/bin/python bench/engine.py``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def nproc() -> int:
    """CPUs this process may run on (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine_lines() -> list[str]:
    """One line each: CPUs, CPU model, Python, OS, and the versions that shape the figures."""
    load = ""
    with contextlib.suppress(OSError):
        load = " load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return [
        f"nproc {nproc()} · {cpu_model()}",
        f"Python {platform.python_version()} ({platform.python_implementation()}) · "
        f"{platform.system()} {platform.release()}{load}",
        f"scoreterm {_version('scoreterm')} · msgspec {_version('msgspec')} · "
        f"textual {_version('textual')} · httpx {_version('httpx')}",
    ]


def print_header(title: str) -> None:
    """Print the benchmark's title and the machine it runs on."""
    print(f"# {title}")
    for line in machine_lines():
        print(f"  {line}")
    print(f"  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) of ``values``, linearly interpolated."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def per_call(fn: Callable[[], object], *, min_seconds: float) -> float:
    """Seconds one call of ``fn`` takes: calls it in a loop until ``min_seconds`` have passed.

    The loop count is found first (doubling), then one timed batch runs after a ``gc.collect()``
    so garbage from earlier samples is not charged to this one.
    """
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds / 4 or loops >= 1 << 20:
            break
        loops *= 2
    loops = max(1, round(loops * min_seconds / max(elapsed, 1e-9)))
    gc.collect()
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


def interleaved(
    fns: dict[str, Callable[[], object]], *, repeats: int, min_seconds: float
) -> dict[str, list[float]]:
    """Per-call seconds of each of ``fns``, ``repeats`` samples each, taken in turn (A B A B...).

    Alternating the contenders spreads any drift of the machine (turbo, a noisy neighbour) over
    all of them instead of charging it to whichever ran last.
    """
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            samples[name].append(per_call(fn, min_seconds=min_seconds))
    return samples


def fmt_rate(per_second: float) -> str:
    """``12,345/s`` with a thousands separator."""
    return f"{per_second:,.0f}/s"


def fmt_us(seconds: float) -> str:
    """Seconds as microseconds (``123.4 µs``)."""
    return f"{seconds * 1e6:,.1f} µs"


def fmt_ms(seconds: float) -> str:
    """Seconds as milliseconds (``12.3 ms``)."""
    return f"{seconds * 1e3:,.1f} ms"


def verdict(ok: bool) -> str:
    """``met`` or ``MISSED``, for the target column."""
    return "met" if ok else "MISSED"
