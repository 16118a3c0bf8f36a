"""Engine benchmarks: normalizing real ESPN payloads, diffing match states, replaying a long tape.

Run: ``.venv/bin/python bench/engine.py`` (35-50 s) or ``--quick`` (10-15 s). No network.

What is measured, and against which baseline (always measured in the same run):

a. **normalize** — every real ESPN scoreboard in ``tests/fixtures/espn_soccer`` and
   ``tests/fixtures/espn_other`` decoded with msgspec and turned into ``Match`` structs by
   ``normalize_scoreboard``: payloads/s and µs per match. Baseline: the same bytes decoded with the
   stdlib ``json`` module and walked into plain dicts holding the same fields (teams, scores,
   status, details). Ratio = engine time / baseline time (below 1 means the engine is faster).
b. **diff** — the demo tape's frames normalized in order (scoreboards, and summaries merged into the
   latest scoreboard state, as the engine does) give the sequence of states the store sees.
   ``diff`` runs on every successive pair the store would hand it; ``MatchStore.apply`` runs on the
   whole sequence with a fresh store. Baseline for ``diff``: a minimal goal detector (score per side
   and phase label compared, one tuple per goal) on the same pairs; baseline for ``apply``: ``diff``
   alone, so its ratio is the cost of merging, de-duplicating and stamping seqs.
c. **replay** — the demo tape looped 6 times (2 with ``--quick``) into one long tape: 6 played
   matches plus 6 that stay scheduled, 13.1 h of recording, event ids rewritten per loop so each loop
   is a new pair of matches. It is written with ``TapeWriter``, then read and played with
   ``replay_session(speed=math.inf)`` through ``LocalFeed`` until it ends: updates/s. Baseline:
   reading the same file and decoding every line with the stdlib ``json`` module, so the ratio is
   the engine's cost over raw I/O + decoding.

Each figure is the median of several repeats timed with ``time.perf_counter``; contenders run
alternately so machine drift hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from _common import FIXTURES, fmt_rate, fmt_us, interleaved, median, print_header, verdict

from scoreterm.domain.diff import diff
from scoreterm.domain.model import Match, MatchEvent, Side, UpdateKind
from scoreterm.engine.store import MatchStore, merge
from scoreterm.providers.espn_normalize import normalize_scoreboard, normalize_summary
from scoreterm.replay.tape import Tape, TapeFrame, TapeHeader, TapeWriter, demo_tape, read_tape
from scoreterm.session import replay_session

# Targets (see docs/performance.md for where each comes from).
TARGET_PAYLOADS_PER_S = 100.0  # 20 leagues polled every 2 s = 10 payloads/s at < 10% of a core
TARGET_US_PER_MATCH = 300.0  # a 32-match World Cup scoreboard in < 10 ms
TARGET_NORMALIZE_RATIO = 1.0  # typed msgspec path no slower than stdlib json + a dict walk
TARGET_DIFFS_PER_S = 10_000.0  # 200x the 50 diffs/s of 100 live matches polled every 2 s
TARGET_APPLIES_PER_S = 5_000.0
TARGET_UPDATES_PER_S = 1_000.0
TARGET_MATCH_TAPE_S = 1.0  # one 2-hour match replays at max speed in under a second

LOOP_GAP_S = 600.0


# -- a. normalize ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """One real scoreboard file: its league slug, name and bytes."""

    slug: str
    name: str
    data: bytes


def scoreboard_payloads() -> list[Payload]:
    """Every ESPN scoreboard fixture (summaries are another endpoint and are left out)."""
    found = []
    for folder in ("espn_soccer", "espn_other"):
        for path in sorted((FIXTURES / folder).glob("*scoreboard*.json")):
            slug = path.name.split("_scoreboard")[0]
            found.append(Payload(slug, path.name, path.read_bytes()))
    if not found:
        sys.exit(f"no ESPN scoreboard fixtures under {FIXTURES}")
    return found


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def plain_walk(payload: Any) -> list[dict[str, Any]]:
    """The baseline: the fields the normalizer reads, copied into plain dicts (no types, no rules)."""
    out: list[dict[str, Any]] = []
    for event in _l(_d(payload).get("events")):
        competitions = _l(_d(event).get("competitions"))
        competition = _d(competitions[0]) if competitions else {}
        teams: dict[str, dict[str, Any]] = {}
        for competitor in _l(competition.get("competitors")):
            c = _d(competitor)
            team = _d(c.get("team"))
            teams[str(c.get("homeAway"))] = {
                "name": team.get("displayName") or team.get("name"),
                "abbrev": team.get("abbreviation"),
                "id": team.get("id") or c.get("id"),
                "score": c.get("score"),
                "shootout": c.get("shootoutScore"),
            }
        status = _d(event.get("status") or competition.get("status"))
        kind = _d(status.get("type"))
        details = [
            {
                "type": _d(_d(row).get("type")).get("text"),
                "minute": _d(_d(row).get("clock")).get("displayValue"),
                "team": _d(_d(row).get("team")).get("id"),
                "players": [_d(a).get("displayName") for a in _l(_d(row).get("athletesInvolved"))],
                "shootout": _d(row).get("shootout"),
            }
            for row in _l(competition.get("details"))
        ]
        out.append(
            {
                "id": event.get("id"),
                "date": event.get("date") or competition.get("date"),
                "home": teams.get("home"),
                "away": teams.get("away"),
                "state": kind.get("state"),
                "status": kind.get("name"),
                "period": status.get("period"),
                "clock": status.get("displayClock"),
                "detail": kind.get("shortDetail"),
                "details": details,
            }
        )
    return out


def bench_normalize(repeats: int, min_seconds: float) -> dict[str, Any]:
    payloads = scoreboard_payloads()
    decoded = [(p.slug, msgspec.json.decode(p.data)) for p in payloads]
    decoded_json = [json.loads(p.data) for p in payloads]
    matches = sum(len(normalize_scoreboard(d, slug)) for slug, d in decoded)
    walked = sum(len(plain_walk(json.loads(p.data))) for p in payloads)
    if walked != matches:
        sys.exit(f"baseline walked {walked} matches but the normalizer made {matches}")

    def engine() -> None:
        for p in payloads:
            normalize_scoreboard(msgspec.json.decode(p.data), p.slug)

    def baseline() -> None:
        for p in payloads:
            plain_walk(json.loads(p.data))

    def decode_msgspec() -> None:
        for p in payloads:
            msgspec.json.decode(p.data)

    def normalize_only() -> None:
        for slug, d in decoded:
            normalize_scoreboard(d, slug)

    def decode_json() -> None:
        for p in payloads:
            json.loads(p.data)

    def walk_only() -> None:
        for d in decoded_json:
            plain_walk(d)

    fns: dict[str, Callable[[], object]] = {
        "engine": engine,
        "baseline": baseline,
        "msgspec decode": decode_msgspec,
        "normalize only": normalize_only,
        "json.loads": decode_json,
        "walk only": walk_only,
    }
    samples = interleaved(fns, repeats=repeats, min_seconds=min_seconds)
    per_pass = {name: median(values) for name, values in samples.items()}
    size = sum(len(p.data) for p in payloads)
    largest = max(payloads, key=lambda p: len(p.data))
    largest_s = median(
        interleaved(
            {"largest": lambda: normalize_scoreboard(msgspec.json.decode(largest.data), largest.slug)},
            repeats=repeats,
            min_seconds=min_seconds / 2,
        )["largest"]
    )
    largest_matches = len(normalize_scoreboard(msgspec.json.decode(largest.data), largest.slug))

    engine_s, baseline_s = per_pass["engine"], per_pass["baseline"]
    payload_rate = len(payloads) / engine_s
    s_per_match = engine_s / matches
    ratio = engine_s / baseline_s
    print("## a. normalize_scoreboard on real ESPN scoreboards")
    print(f"  {len(payloads)} payloads, {matches} matches, {size / 1e6:.2f} MB (soccer + NBA/NFL/NHL/MLB)")
    print(
        f"  engine   msgspec decode + normalize_scoreboard: {engine_s * 1e3:7.2f} ms/pass  "
        f"{fmt_rate(payload_rate):>9} payloads  {fmt_us(s_per_match)}/match  "
        f"{size / engine_s / 1e6:.0f} MB/s"
    )
    print(
        f"  baseline json.loads + plain dict walk:          {baseline_s * 1e3:7.2f} ms/pass  "
        f"{fmt_rate(len(payloads) / baseline_s):>9} payloads  {fmt_us(baseline_s / matches)}/match  "
        f"{size / baseline_s / 1e6:.0f} MB/s"
    )
    print(
        f"  ratio engine/baseline time: {ratio:.2f}  "
        f"(engine is {1 / ratio:.2f}x the baseline's speed)  target <= {TARGET_NORMALIZE_RATIO:.1f}: "
        f"{verdict(ratio <= TARGET_NORMALIZE_RATIO)}"
    )
    print(
        f"  split: msgspec decode {per_pass['msgspec decode'] * 1e3:.2f} ms + normalize "
        f"{per_pass['normalize only'] * 1e3:.2f} ms  |  json.loads {per_pass['json.loads'] * 1e3:.2f} ms"
        f" + walk {per_pass['walk only'] * 1e3:.2f} ms (each timed alone)"
    )
    print(
        f"  largest payload {largest.name} ({len(largest.data) / 1e3:.0f} kB, {largest_matches} matches): "
        f"{largest_s * 1e3:.2f} ms"
    )
    rate_ok, match_ok = payload_rate >= TARGET_PAYLOADS_PER_S, s_per_match * 1e6 <= TARGET_US_PER_MATCH
    print(
        f"  target >= {TARGET_PAYLOADS_PER_S:.0f} payloads/s: {verdict(rate_ok)}"
        f"  |  target <= {TARGET_US_PER_MATCH:.0f} µs/match: {verdict(match_ok)}"
    )
    print()
    return {"payloads_per_s": payload_rate, "us_per_match": s_per_match * 1e6, "ratio": ratio}


# -- b. diff and MatchStore.apply --------------------------------------------------------------


def demo_sequence(tape: Tape) -> list[tuple[Match, datetime]]:
    """The states the store sees while the demo tape plays: scoreboard matches, and summaries
    merged into the latest scoreboard state of their match (keeping its clock, as the engine does)."""
    latest: dict[str, Match] = {}
    sequence: list[tuple[Match, datetime]] = []
    league = tape.header.leagues[0] if tape.header.leagues else "fifa.world"
    for frame in tape.frames:
        if frame.status != 200:
            continue
        now = tape.header.started_at + timedelta(seconds=frame.t)
        payload = msgspec.json.decode(frame.content)
        if frame.path.endswith("/scoreboard"):
            for match in normalize_scoreboard(payload, league):
                latest[match.id] = match
                sequence.append((match, now))
        elif frame.path.endswith("/summary"):
            current = latest.get(f"espn-{frame.params.get('event', '')}")
            if current is not None:
                detailed = normalize_summary(payload, current)
                sequence.append((msgspec.structs.replace(detailed, clock=current.clock), now))
    return sequence


def store_pairs(sequence: list[tuple[Match, datetime]]) -> list[tuple[Match, Match]]:
    """The ``(prev, merged)`` pairs ``MatchStore.apply`` hands to ``diff`` over ``sequence``."""
    store = MatchStore()
    pairs = []
    for match, now in sequence:
        prev = store.get(match.id)
        if prev is not None:
            pairs.append((prev, merge(prev, match)))
        store.apply(match, now)
    return pairs


def minimal_diff(prev: Match, curr: Match) -> list[tuple[str, str]]:
    """The baseline: the least a goal detector does (goals per side from the score, phase label)."""
    out: list[tuple[str, str]] = []
    for side in (Side.HOME, Side.AWAY):
        for _ in range(prev.score.for_side(side), curr.score.for_side(side)):
            out.append(("goal", side.value))
    if prev.phase.label != curr.phase.label:
        out.append(("phase", curr.phase.label))
    return out


def bench_diff(repeats: int, min_seconds: float) -> dict[str, Any]:
    sequence = demo_sequence(demo_tape())
    pairs = store_pairs(sequence)
    events: list[MatchEvent] = [e for prev, curr in pairs for e in diff(prev, curr)]
    changed = sum(1 for prev, curr in pairs if diff(prev, curr))

    def run_diff() -> None:
        for prev, curr in pairs:
            diff(prev, curr)

    def run_minimal() -> None:
        for prev, curr in pairs:
            minimal_diff(prev, curr)

    def run_apply() -> None:
        store = MatchStore()
        for match, now in sequence:
            store.apply(match, now)

    samples = interleaved(
        {"diff": run_diff, "minimal": run_minimal, "apply": run_apply},
        repeats=repeats,
        min_seconds=min_seconds,
    )
    diff_s = median(samples["diff"]) / len(pairs)
    minimal_s = median(samples["minimal"]) / len(pairs)
    apply_s = median(samples["apply"]) / len(sequence)
    kinds = Counter(e.kind.value for e in events)
    print("## b. diff and MatchStore.apply on the demo tape's states")
    print(
        f"  {len(sequence)} states (scoreboards + summaries), {len(pairs)} successive pairs, "
        f"{changed} of them with events; events: {dict(kinds)}"
    )
    print(f"  diff(prev, curr):          {fmt_us(diff_s):>10}/pair   {fmt_rate(1 / diff_s):>10} diffs")
    print(f"  baseline minimal differ:   {fmt_us(minimal_s):>10}/pair   {fmt_rate(1 / minimal_s):>10} diffs")
    print(f"  ratio diff/minimal time: {diff_s / minimal_s:.1f}")
    print(f"  MatchStore.apply:          {fmt_us(apply_s):>10}/state  {fmt_rate(1 / apply_s):>10} applies")
    print(f"  ratio apply/diff time: {apply_s / diff_s:.1f} (merge + dedupe + seqs over diff alone)")
    print(
        f"  target >= {TARGET_DIFFS_PER_S:,.0f} diffs/s: {verdict(1 / diff_s >= TARGET_DIFFS_PER_S)}  |  "
        f"target >= {TARGET_APPLIES_PER_S:,.0f} applies/s: {verdict(1 / apply_s >= TARGET_APPLIES_PER_S)}"
    )
    print()
    return {"diffs_per_s": 1 / diff_s, "applies_per_s": 1 / apply_s, "diff_ratio": diff_s / minimal_s}


# -- c. replay of a long tape ------------------------------------------------------------------


def _rewrite(data: bytes, ids: Mapping[bytes, bytes]) -> bytes:
    for old, new in ids.items():
        data = data.replace(old, new)
    return data


def write_long_tape(path: Path, loops: int) -> tuple[int, float]:
    """Loop the demo tape ``loops`` times into ``path``; return (frames, tape seconds).

    Each loop starts ``LOOP_GAP_S`` after the previous one ends and gets its own ESPN event ids
    (``760415`` becomes ``9010760415`` in loop 1...), so the engine sees new matches rather than a
    finished match going back to 0-0.
    """
    demo = demo_tape()
    first = msgspec.json.decode(next(f for f in demo.frames if f.path.endswith("/scoreboard")).content)
    event_ids = [str(e["id"]) for e in first["events"]]
    length = demo.frames[-1].t + LOOP_GAP_S
    header = TapeHeader(
        created=datetime.now(UTC),
        started_at=demo.header.started_at,
        leagues=demo.header.leagues,
        providers=demo.header.providers,
        note=f"bench/engine.py: the demo tape looped {loops} times",
    )
    frames = 0
    with TapeWriter(path, header) as writer:
        for loop in range(loops):
            ids = {f'"{i}"'.encode(): f'"9{loop:03d}{i}"'.encode() for i in event_ids}
            ids |= {f"~e:{i}".encode(): f"~e:9{loop:03d}{i}".encode() for i in event_ids}
            ids |= {f"~c:{i}".encode(): f"~c:9{loop:03d}{i}".encode() for i in event_ids}
            for frame in demo.frames:
                params = {k: (f"9{loop:03d}{v}" if v in event_ids else v) for k, v in frame.params.items()}
                writer.write(
                    TapeFrame(
                        t=frame.t + loop * length,
                        provider=frame.provider,
                        method=frame.method,
                        path=frame.path,
                        params=params,
                        status=frame.status,
                        headers=frame.headers,
                        body=msgspec.Raw(_rewrite(bytes(frame.body), ids)),
                        body_text=frame.body_text,
                    )
                )
                frames += 1
    return frames, (loops - 1) * length + demo.frames[-1].t


async def _play(path: Path) -> tuple[Counter[str], int]:
    tape = read_tape(path)
    session = replay_session(tape, UTC, name="bench", speed=math.inf)
    counts: Counter[str] = Counter()
    await session.feed.start()
    async for update in session.feed:
        counts[update.kind.value] += 1
    matches = len(session.engine.store.matches())
    await session.aclose()
    return counts, matches


def play(path: Path) -> tuple[float, Counter[str], int]:
    """Read and play the tape at max speed; return (seconds, update counts by kind, matches)."""
    gc.collect()
    start = time.perf_counter()
    counts, matches = asyncio.run(_play(path))
    return time.perf_counter() - start, counts, matches


def raw_read(path: Path) -> float:
    """The baseline: read the tape and decode every line with the stdlib json module."""
    gc.collect()
    start = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
    return time.perf_counter() - start


def bench_replay(loops: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="scoreterm-bench-") as folder:
        path = Path(folder) / "long.jsonl"
        built = time.perf_counter()
        frames, seconds = write_long_tape(path, loops)
        built = time.perf_counter() - built
        size = path.stat().st_size
        engine_runs: list[float] = []
        baseline_runs: list[float] = []
        counts: Counter[str] = Counter()
        matches = 0
        for _ in range(repeats):
            elapsed, counts, matches = play(path)
            engine_runs.append(elapsed)
            baseline_runs.append(raw_read(path))
    engine_s, baseline_s = median(engine_runs), median(baseline_runs)
    updates = sum(counts.values())
    data_updates = updates - counts.get(UpdateKind.STATUS.value, 0)
    per_match_s = engine_s / loops
    print("## c. replay of a long tape at max speed (read_tape + replay_session + LocalFeed)")
    print(
        f"  tape: demo x{loops} = {frames} frames, {size / 1e6:.1f} MB, {seconds / 3600:.1f} h of recording, "
        f"{matches} matches (written with TapeWriter in {built:.1f} s)"
    )
    print(f"  updates: {updates} ({dict(counts)})")
    print(
        f"  engine:   {engine_s:6.2f} s  {fmt_rate(updates / engine_s):>9} updates "
        f"({fmt_rate(data_updates / engine_s)} without status)  {fmt_rate(frames / engine_s)} frames  "
        f"{seconds / engine_s:,.0f}x real time  {size / engine_s / 1e6:.0f} MB/s"
    )
    print(
        f"  baseline: {baseline_s:6.2f} s  read + json.loads per line  "
        f"{fmt_rate(frames / baseline_s)} frames  {size / baseline_s / 1e6:.0f} MB/s"
    )
    print(f"  ratio engine/baseline time: {engine_s / baseline_s:.1f}")
    print(
        f"  per 2-hour match (one demo loop): {per_match_s:.2f} s; "
        f"runs: {', '.join(f'{r:.2f}' for r in engine_runs)} s"
    )
    rate_ok, match_ok = updates / engine_s >= TARGET_UPDATES_PER_S, per_match_s <= TARGET_MATCH_TAPE_S
    print(
        f"  target >= {TARGET_UPDATES_PER_S:,.0f} updates/s: {verdict(rate_ok)}"
        f"  |  target one match <= {TARGET_MATCH_TAPE_S:.0f} s: {verdict(match_ok)}"
    )
    print()
    return {"updates_per_s": updates / engine_s, "ratio": engine_s / baseline_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a shorter tape (< 15 s)")
    args = parser.parse_args()
    repeats, min_seconds, loops, replays = (3, 0.1, 2, 2) if args.quick else (5, 0.25, 6, 3)
    started = time.perf_counter()
    print_header("scoreterm engine benchmarks" + (" (quick)" if args.quick else ""))
    bench_normalize(repeats, min_seconds)
    bench_diff(repeats, min_seconds)
    bench_replay(loops, replays)
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
