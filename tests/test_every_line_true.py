"""Every line true: ``watch --json`` over the real World Cup captures played in order.

The nine successive captures of the 2026 World Cup knock-out scoreboard are served in order by a
local ESPN stand-in (``httpx.MockTransport`` over the real files), through the same session and
printer ``scoreterm watch --json`` uses, on a fake clock. Then again over mutated copies where ESPN
revises what it revises between polls (the seconds of a detail's clock, the order of the details,
the spelling of names). Each card must come out once, every event's ``score`` must be the score
after it in match order, full time must come after the last goal, and no two consecutive deltas of
a match may say the same thing.
"""

from __future__ import annotations

import asyncio
import copy
import io
import itertools
import json
import math
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoreterm.commands.headless import print_feed
from scoreterm.config import Settings
from scoreterm.domain.leagues import get_league
from scoreterm.domain.minutes import minute_order
from scoreterm.engine.clock import FakeClock
from scoreterm.replay.tape import demo_tape
from scoreterm.session import live_session, replay_session
from tests.payloads import load_fixture

SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
CAPTURES = [  # real successive captures of the knock-out scoreboard, oldest first
    "fifa.world_scoreboard_live_HALFTIME_CAN0-0MAR.json",
    "fifa.world_scoreboard_live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens.json",
    "fifa.world_scoreboard_live_OVERTIME_SUI0-0COL_120+1_before_pens.json",
    "fifa.world_scoreboard_live_IN_PROGRESS_ESP1-1BEL_86min.json",
    "fifa.world_scoreboard_live_OVERTIME_NOR1-2ENG_118min.json",
    "fifa.world_scoreboard_live_IN_PROGRESS_ARG1-0SUI_45+1.json",
    "fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json",
    "fifa.world_scoreboard_live_SECOND_HALF_ESP0-0ARG_90+4_final.json",
    "fifa.world_scoreboard_all_finished_knockouts.json",
]
CARDS = ("yellow_card", "red_card")


def frames() -> list[dict[str, Any]]:
    return [load_fixture(f"espn_soccer/{name}") for name in CAPTURES]


async def watch_json(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run ``watch --json``'s session and printer over ``payloads`` (one per poll, in order)."""
    served: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != SCOREBOARD:
            return httpx.Response(404, json={"error": "no summary here"})
        served.append(1)
        body = payloads[min(len(served), len(payloads)) - 1]
        return httpx.Response(200, content=json.dumps(body).encode())

    clock = FakeClock(datetime(2026, 7, 6, tzinfo=UTC))
    session = live_session(
        Settings(providers=["espn"], espn_url="http://espn.test"),
        [get_league("fifa.world")],
        UTC,
        date_spec="2026-06-28..2026-07-19",
        clock=clock,
        transport=httpx.MockTransport(handler),
    )
    out = io.StringIO()
    await session.feed.start()
    printing = asyncio.create_task(print_feed(session.feed, out))
    for _ in range(2000):
        if len(served) > len(payloads):
            break
        await clock.advance(1)
    await session.aclose()
    await asyncio.wait_for(printing, timeout=10)
    assert len(served) > len(payloads), "the engine stopped polling"
    return [json.loads(line) for line in out.getvalue().splitlines()]


def truth(final: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Per match, its goals and cards in the order the final capture lists them (kind, side, minute)."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for event in final["events"]:
        competition = event["competitions"][0]
        sides = {c["id"]: c["homeAway"] for c in competition["competitors"]}
        rows = []
        for detail in competition.get("details", []):
            if detail.get("shootout"):
                continue
            text = detail["type"]["text"]
            kind = "goal" if detail.get("scoringPlay") else "red_card" if detail.get("redCard") else None
            kind = kind or ("yellow_card" if detail.get("yellowCard") else None)
            if kind is not None:
                rows.append((kind, sides[detail["team"]["id"]], detail["clock"]["displayValue"] or text))
        found[f"espn-{event['id']}"] = rows
    return found


def check_lines(lines: list[dict[str, Any]], final: dict[str, Any]) -> None:
    """The promises of the issue, on the printed lines."""
    by_match: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if line.get("match_id"):
            by_match[line["match_id"]].append(line)
    first_scores = {m["id"]: m["score"] for m in lines[0]["matches"]}
    expected = truth(final)
    cards_checked = 0
    for match_id, own in by_match.items():
        events = [line for line in own if line["type"] == "event"]
        # Each card once: a key is never reported twice (revisions say "revises").
        keys = Counter(e["key"] for e in events if not (e["enriches"] or e["revises"]))
        assert all(count == 1 for count in keys.values()), (match_id, keys)
        # Every goal's score is the running score, stepping one goal at a time.
        running = first_scores[match_id]
        for event in events:
            if event["enriches"] or event["revises"]:
                continue
            side = event["side"]
            if event["kind"] in ("goal", "own_goal", "penalty_goal"):
                running = {**running, side: running[side] + 1}
            elif event["kind"] == "goal_disallowed":
                running = {**running, side: running[side] - 1}
            if event["kind"] in CARDS:
                # A card's score is the score at its minute, in the order the provider lists events.
                rows = expected[match_id]
                position = next(
                    i for i, row in enumerate(rows) if row[0] == event["kind"] and row[2] == event["minute"]
                )
                before = rows[:position]
                at = {s: sum(1 for r in before if r[0] == "goal" and r[1] == s) for s in ("home", "away")}
                assert event["score"] == at, (match_id, event)
                cards_checked += 1
            elif event["kind"] == "phase_change" and event["detail"] in ("1H", "2H", "ET"):
                # A kick-off carries the score when the phase began: the goals before its minute.
                rows = expected[match_id]
                at = minute_order(event["minute"])
                before = [r for r in rows if r[0] == "goal" and minute_order(r[2]) <= at]
                wanted = {s: sum(1 for r in before if r[1] == s) for s in ("home", "away")}
                assert event["score"] == wanted, (match_id, event)
            else:
                assert event["score"] == running, (match_id, event)
        # Full time comes after the last goal.
        kinds = [(e["kind"], e["detail"]) for e in events]
        finals = [
            i
            for i, (kind, detail) in enumerate(kinds)
            if kind == "phase_change" and detail in ("FT", "AET", "PEN")
        ]
        goals = [i for i, (kind, _) in enumerate(kinds) if kind in ("goal", "own_goal", "penalty_goal")]
        if finals and goals:
            assert max(goals) < finals[-1], (match_id, kinds)
        # No two consecutive deltas say the same thing.
        deltas = [{k: v for k, v in line.items() if k != "seq"} for line in own if line["type"] == "delta"]
        for before, after in itertools.pairwise(deltas):
            assert before != after, (match_id, after)
        assert all(d["changed"] for d in deltas), match_id
        assert all(len(d["changed"]) == len(set(d["changed"])) for d in deltas), match_id  # each once
    assert cards_checked > 10  # the captures really do bring new cards between them


async def test_watch_json_over_the_real_captures_tells_the_truth() -> None:
    payloads = frames()
    lines = await watch_json(payloads)
    check_lines(lines, payloads[-1])
    events = [line for line in lines if line["type"] == "event"]
    assert any(e["kind"] == "goal" for e in events)
    # Phase changes carry the minute the phase began, not the minute it was noticed.
    second_halves = [e for e in events if e["kind"] == "phase_change" and e["detail"] == "2H"]
    assert second_halves and all(e["minute"] == "46'" for e in second_halves)


def revise(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """What ESPN revises between polls: a detail's clock seconds, the order of details, name spelling."""
    revised = copy.deepcopy(payload)
    for event in revised["events"]:
        details = event["competitions"][0].get("details") or []
        for detail in details:
            clock = detail.get("clock") or {}
            if isinstance(clock.get("value"), float | int):
                clock["value"] = clock["value"] + rng.choice([-2, 0, 0, 1, 2])
            for athlete in detail.get("athletesInvolved") or []:
                if rng.random() < 0.3 and athlete.get("displayName"):
                    athlete["displayName"] = athlete["displayName"].upper()
        rng.shuffle(details)
        # ESPN lists in match order; a shuffle within the same minute is what it really does.
        details.sort(key=lambda d: minute_order((d.get("clock") or {}).get("displayValue") or ""))
    return revised


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_revised_clocks_names_and_order_emit_each_event_once(seed: int) -> None:
    rng = random.Random(seed)
    payloads = frames()
    mutated = [revise(payload, rng) for payload in payloads]
    # Each real capture followed by a revised copy of itself: revisions alone are never news.
    interleaved = [frame for pair in zip(payloads, mutated, strict=True) for frame in pair]
    lines = asyncio.run(watch_json(interleaved))
    check_lines(lines, payloads[-1])
    revised = [line for line in lines if line["type"] == "event" and line["revises"]]
    assert all(line["kind"] in ("goal", "own_goal", "penalty_goal", *CARDS) for line in revised)


@pytest.mark.parametrize("name", CAPTURES[:-1])
def test_a_capture_then_itself_reshuffled_is_nothing_new(name: str) -> None:
    payload = load_fixture(f"espn_soccer/{name}")
    shuffled = revise(payload, random.Random(7))
    lines = asyncio.run(watch_json([payload, shuffled, payload]))
    assert [line for line in lines if line["type"] == "event"] == []


async def test_every_delta_of_the_demo_names_what_changed_even_the_match_centre() -> None:
    """The demo's commentary and shots move between scoreboard changes: such a delta used to say
    ``"changed": []``, as if nothing had."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    out = io.StringIO()
    await session.feed.start()
    try:
        await print_feed(session.feed, out)
    finally:
        await session.feed.close()
    deltas = [line for line in map(json.loads, out.getvalue().splitlines()) if line["type"] == "delta"]
    assert deltas and all(d["changed"] for d in deltas)
    assert any(d["changed"] == ["centre"] for d in deltas)
