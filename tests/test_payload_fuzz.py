"""Fuzz: mutated real payloads never crash, never emit an event, never move the last good score.

One field of a real ESPN, TheSportsDB or football-data payload is replaced by a value that makes no
sense (null, blank, ``"-1"``, ``"2.7"``, ``"1e308"``, ``true``, a 400-digit integer, a list nested
deep, a 1,000-character string...) or deleted. The mutated payload goes through the normalizer and
``MatchStore.apply`` after the real one, and the real one after it again: no exception escapes
(a normalizer may only refuse with ``PayloadError``), no event comes out (nothing really happened),
and every match keeps the score it had. A smaller run does the same through the engine over HTTP.

CI runs a bounded number of examples (``FUZZ_EXAMPLES``); set ``SCORETERM_FUZZ_EXAMPLES`` for a
longer run.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import EventUpdate, Match, SnapshotUpdate, Sport, StatusUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.store import MatchStore
from scoreterm.providers.base import PayloadError
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.footballdata_normalize import normalize_match
from scoreterm.providers.thesportsdb_normalize import normalize_event
from tests.payloads import load_fixture

FUZZ_EXAMPLES = int(os.environ.get("SCORETERM_FUZZ_EXAMPLES", "150"))
NOW = datetime(2026, 7, 6, 2, 44, tzinfo=UTC)
JUNK: list[Any] = [
    None, "", "   ", "-1", "2.7", "1e308", "NaN", True, False, -1, 2.5, -7.25, 10**400, -(10**400),
    [], {}, [[[[[[[[[[["deep"]]]]]]]]]]], {"value": "x"}, "x" * 1000, "\u0000\ufffd", "STATUS_",
]  # fmt: skip
DELETE = object()

ESPN = [
    ("espn_soccer/fifa.world_scoreboard_live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens.json", "fifa.world"),
    ("espn_soccer/fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json", "fifa.world"),
    ("espn_soccer/fifa.world_scoreboard_live_OVERTIME_NOR1-2ENG_118min.json", "fifa.world"),
    ("espn_soccer/fifa.world_scoreboard_live_HALFTIME_CAN0-0MAR.json", "fifa.world"),
    ("espn_soccer/eng.1_scoreboard_20260321_full_time_and_postponed.json", "eng.1"),
    ("espn_other/mlb_scoreboard_20250518_live_and_scheduled.json", "mlb"),
]


def paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 7) -> Iterator[tuple[Any, ...]]:
    """Every path into ``value`` (dict keys and list indexes), up to ``depth`` steps."""
    if depth == 0:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key), depth - 1)


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def senseless(value: Any, path: tuple[Any, ...], junk: Any) -> bool:
    """True when ``junk`` is not a valid value for that field: a flag set to the other boolean is
    a real statement by the provider (a yellow card read as red), not a value that makes no sense."""
    original = at(value, path)
    return not (isinstance(original, bool) and isinstance(junk, bool))


def mutated(value: Any, path: tuple[Any, ...], junk: Any) -> Any:
    copied = copy.deepcopy(value)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if junk is DELETE and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = None if junk is DELETE else junk
    return copied


def check(baseline: list[Match], mutant: Callable[[], list[Match]]) -> None:
    """Real, then mutated, then real again: nothing to report, and the scores stand."""
    store = MatchStore()
    for match in baseline:
        store.apply(match, NOW)
    scores = {m.id: (m.score, m.shootout) for m in store.matches()}
    try:
        changed = mutant()
    except PayloadError:
        changed = []  # the whole payload refused: a failed poll, nothing else
    for match in changed:
        applied = store.apply(match, NOW)
        if applied is not None and match.id in scores:
            assert applied.events == [], (match.id, applied.events)
            assert (applied.match.score, applied.match.shootout) == scores[match.id]
    for match in baseline:
        applied = store.apply(match, NOW)
        assert applied is not None and applied.events == [], (match.id, applied.events)
        assert (applied.match.score, applied.match.shootout) == scores[match.id]


def junk_values() -> st.SearchStrategy[Any]:
    return st.sampled_from([*JUNK, DELETE])


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_espn_scoreboards(data: st.DataObject) -> None:
    name, slug = data.draw(st.sampled_from(ESPN))
    payload = load_fixture(name)
    index = data.draw(st.integers(0, len(payload["events"]) - 1))
    event = payload["events"][index]
    path = data.draw(st.sampled_from(list(paths(event))))
    junk = data.draw(junk_values())
    assume(senseless(event, path, junk))
    league = get_league(slug)

    def mutant() -> list[Match]:
        changed = copy.deepcopy(payload)
        changed["events"][index] = mutated(event, path, junk)
        return normalize_scoreboard(changed, slug, league.sport)

    check(normalize_scoreboard(payload, slug, league.sport), mutant)


TSDB = [
    "thesportsdb/v2_livescore_soccer_20261005_live.json",
    "thesportsdb/v1_eventspastleague_4328_EPL_FT.json",
]


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_thesportsdb_events(data: st.DataObject) -> None:
    body = load_fixture(data.draw(st.sampled_from(TSDB)))
    items = body.get("livescore") or body.get("events")
    index = data.draw(st.integers(0, len(items) - 1))
    path = data.draw(st.sampled_from(list(paths(items[index]))))
    junk = data.draw(junk_values())
    assume(senseless(items[index], path, junk))

    def one(raw: Any) -> list[Match]:
        try:
            return [normalize_event(raw, now=NOW)]
        except (KeyError, ValueError, TypeError, AttributeError, PayloadError):
            return []  # normalize_each skips such an item

    check(one(items[index]), lambda: one(mutated(items[index], path, junk)))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_football_data_matches(data: st.DataObject) -> None:
    items = load_fixture("football_data_org/v4_matches_2025-02-08_TIER_ONE_27_matches.json")["matches"]
    index = data.draw(st.integers(0, len(items) - 1))
    path = data.draw(st.sampled_from(list(paths(items[index]))))
    junk = data.draw(junk_values())
    assume(senseless(items[index], path, junk))

    def one(raw: Any) -> list[Match]:
        try:
            return [normalize_match(raw)]
        except (KeyError, ValueError, TypeError, AttributeError, PayloadError):
            return []

    check(one(items[index]), lambda: one(mutated(items[index], path, junk)))


@pytest.mark.parametrize("score", [None, "", " ", "-1", "2.7", "1e308", True, 10**400, "three"])
def test_one_odd_poll_invents_no_goal_and_takes_none_back(score: Any) -> None:
    payload = load_fixture(ESPN[0][0])
    real = normalize_scoreboard(payload, "fifa.world", Sport.SOCCER)
    store = MatchStore()
    for match in real:
        store.apply(match, NOW)
    odd = copy.deepcopy(payload)
    mex_eng = next(e for e in odd["events"] if e["id"] == "760505")
    mex_eng["competitions"][0]["competitors"][0]["score"] = score
    flagged = next(m for m in normalize_scoreboard(odd, "fifa.world", Sport.SOCCER) if m.id == "espn-760505")
    applied = store.apply(flagged, NOW)
    assert applied is not None and applied.events == []
    assert str(applied.match.score) == "2-3" and applied.match.suspect == ("score",)
    back = store.apply(next(m for m in real if m.id == "espn-760505"), NOW)
    assert back is not None and back.events == [] and back.match.suspect == ()


def test_an_unknown_state_keeps_the_phase_and_says_nothing() -> None:
    payload = load_fixture(ESPN[0][0])
    real = normalize_scoreboard(payload, "fifa.world", Sport.SOCCER)
    store = MatchStore()
    for match in real:
        store.apply(match, NOW)
    odd = copy.deepcopy(payload)
    for event in odd["events"]:
        event["status"]["type"]["state"] = "halftime-show"
        event["competitions"][0]["status"]["type"]["state"] = "halftime-show"
    for match in normalize_scoreboard(odd, "fifa.world", Sport.SOCCER):
        applied = store.apply(match, NOW)
        assert applied is not None and applied.events == [] and "phase" in applied.match.suspect
    for match in real:
        applied = store.apply(match, NOW)
        assert applied is not None and applied.events == []


def test_a_lower_score_is_believed_on_the_second_poll_in_a_row() -> None:
    payload = load_fixture(ESPN[0][0])
    real = normalize_scoreboard(payload, "fifa.world", Sport.SOCCER)
    store = MatchStore()
    for match in real:
        store.apply(match, NOW)
    var = copy.deepcopy(payload)
    mex_eng = next(e for e in var["events"] if e["id"] == "760505")
    mex_eng["competitions"][0]["competitors"][1]["score"] = "2"  # England's third goal ruled out
    lower = next(m for m in normalize_scoreboard(var, "fifa.world", Sport.SOCCER) if m.id == "espn-760505")
    first = store.apply(lower, NOW)
    second = store.apply(lower, NOW)
    assert first is not None and first.events == [] and str(first.match.score) == "2-3"
    assert second is not None and [e.kind.value for e in second.events] == ["goal_disallowed"]
    assert str(second.match.score) == "2-2" and second.match.suspect == ()


@settings(
    max_examples=max(10, FUZZ_EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.data())
def test_mutated_scoreboards_through_the_engine(data: st.DataObject) -> None:
    name, slug = ESPN[0]
    payload = load_fixture(name)
    index = data.draw(st.integers(0, len(payload["events"]) - 1))
    path = data.draw(st.sampled_from(list(paths(payload["events"][index]))))
    junk = data.draw(junk_values())
    assume(senseless(payload["events"][index], path, junk))
    odd = copy.deepcopy(payload)
    odd["events"][index] = mutated(payload["events"][index], path, junk)
    updates = asyncio.run(through_engine([payload, odd, payload, payload], slug))
    assert isinstance(updates[0], SnapshotUpdate)
    assert not [u.event for u in updates if isinstance(u, EventUpdate)]


async def through_engine(frames: list[dict[str, Any]], slug: str) -> list[Any]:
    from scoreterm.bus.memory import MemoryBus
    from scoreterm.engine.engine import Engine, EngineOptions
    from scoreterm.providers.espn import EspnProvider

    served: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/scoreboard"):
            return httpx.Response(404, json={"error": "no summary"})
        served.append(1)
        return httpx.Response(200, content=json.dumps(frames[min(len(served), len(frames)) - 1]).encode())

    clock = FakeClock(NOW)
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    options = EngineOptions(leagues=[get_league(slug)], zone=UTC, date_spec=None, fixed_interval=1.0)
    engine = Engine([EspnProvider(client, base_url="http://espn.test")], MemoryBus(), clock, options)
    subscription = engine.bus.subscribe(["*"])
    task = asyncio.create_task(engine.run())
    for _ in range(50):
        if len(served) > len(frames):
            break
        await clock.advance(1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await client.aclose()
    assert len(served) > len(frames), "polling stopped"
    updates = []
    while subscription.pending():
        updates.append(await subscription.get())
    return [u for u in updates if not isinstance(u, StatusUpdate)]
