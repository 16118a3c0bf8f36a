"""The engine on a fake clock: snapshot then changes, seqs, detail on goals, 429, failover,
cross-check, day roll-over, and the real World Cup captures played in order."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest

from scoreterm.bus.memory import MemoryBus, Subscription
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    PhaseState,
    SnapshotUpdate,
    Update,
)
from scoreterm.engine.clock import FakeClock
from scoreterm.engine.engine import Engine, EngineOptions
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.thesportsdb import TheSportsDbProvider

FIXTURES = Path(__file__).parent / "fixtures"
ESPN_ENG1 = "/apis/site/v2/sports/soccer/eng.1/scoreboard"
ESPN_ENG1_SUMMARY = "/apis/site/v2/sports/soccer/eng.1/summary"
ESPN_WC = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
TSDB_DAY = "/api/v1/json/123/eventsday.php"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def newcastle_sunderland(
    home: int,
    away: int,
    *,
    state: str = "in",
    name: str = "STATUS_SECOND_HALF",
    clock: str = "60'",
    goals: int | None = None,
) -> dict[str, Any]:
    """The real Newcastle 1-2 Sunderland scoreboard (2026-03-22), set to a given moment.

    ``goals`` keeps that many of the real goal details (in match order); None keeps those the
    score allows.
    """
    payload = load("espn_soccer/eng.1_scoreboard_20260322_full_time_3_matches.json")
    event = copy.deepcopy(payload["events"][0])
    competition = event["competitions"][0]
    status = {
        "clock": 3600.0,
        "displayClock": clock,
        "period": 2 if name != "STATUS_FIRST_HALF" else 1,
        "type": {
            "id": "26",
            "name": name,
            "state": state,
            "completed": state == "post",
            "description": name,
            "detail": clock,
            "shortDetail": clock,
        },
    }
    event["status"] = competition["status"] = status
    for competitor in competition["competitors"]:
        competitor["score"] = str(home if competitor["homeAway"] == "home" else away)
    scoring = [d for d in competition["details"] if d.get("scoringPlay")]
    others = [d for d in competition["details"] if not d.get("scoringPlay")]
    kept = scoring[: goals if goals is not None else home + away]
    competition["details"] = sorted(kept + others[:2], key=lambda d: d["clock"]["value"])
    payload["events"] = [event]
    return payload


class Script:
    """An httpx MockTransport handler serving scripted replies per path (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[httpx.Response | Callable[[], httpx.Response]]] = {}
        self.requests: list[httpx.Request] = []

    def route(self, path: str, *replies: Any) -> None:
        self.routes[path] = [r if isinstance(r, httpx.Response) or callable(r) else _json(r) for r in replies]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        replies = self.routes.get(request.url.path)
        if not replies:
            return httpx.Response(404, json={"error": "no route"})
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return reply() if callable(reply) and not isinstance(reply, httpx.Response) else reply

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def _json(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


START = datetime(2026, 3, 22, 13, 0, tzinfo=UTC)


def make_engine(
    script: Script,
    clock: FakeClock,
    *,
    providers: tuple[str, ...] = ("espn",),
    league: str = "eng.1",
    date_spec: str = "today",
    zone: Any = UTC,
) -> Engine:
    client = httpx.AsyncClient(transport=httpx.MockTransport(script))
    built = []
    for name in providers:
        if name == "espn":
            built.append(EspnProvider(client, base_url="http://espn.test"))
        else:
            built.append(TheSportsDbProvider(client, base_url="http://tsdb.test", now=clock.now))
    options = EngineOptions(leagues=[get_league(league)], zone=zone, date_spec=date_spec)
    return Engine(built, MemoryBus(), clock, options)  # type: ignore[arg-type]


U = TypeVar("U")


async def next_update(sub: Subscription, clock: FakeClock, kind: type[U]) -> U:
    """The next update of class ``kind`` (or of a union of classes); advances fake time a second
    at a time (bounded)."""
    for _ in range(600):
        while sub.pending():
            update = await sub.get()
            if isinstance(update, kind):
                return update
        await clock.advance(1)
    raise AssertionError("no update within 600 fake seconds")


def drain(sub: Subscription) -> list[Update]:
    items = []
    while sub.pending():
        items.append(sub._queue.get_nowait())  # test-only peek at what is already queued
    return [u for u in items if isinstance(u, Update)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


async def test_first_poll_is_a_snapshot_not_a_burst_of_goals(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(1, 2))
    engine = make_engine(script, clock)
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    first = await next_update(sub, clock, SnapshotUpdate | EventUpdate)
    assert isinstance(first, SnapshotUpdate)
    (match,) = first.matches
    assert (match.score.home, match.score.away) == (1, 2)
    assert match.seq == 1
    await clock.advance(30)
    assert not [u for u in drain(sub) if isinstance(u, EventUpdate)]
    task.cancel()


def engine_task(engine: Engine) -> Any:
    import asyncio

    return asyncio.get_running_loop().create_task(engine.run())


async def test_goal_event_delta_and_immediate_detail_fetch(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(0, 0, goals=0), newcastle_sunderland(1, 0, goals=1))
    summary = load("espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json")
    script.route(ESPN_ENG1_SUMMARY, _json(summary))
    engine = make_engine(script, clock)
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    await next_update(sub, clock, SnapshotUpdate)
    goal = await next_update(sub, clock, EventUpdate)
    assert goal.event.kind is EventKind.GOAL
    assert goal.event.player == "Anthony Gordon" and goal.event.minute == "10'"
    assert goal.seq == 2
    delta = await next_update(sub, clock, DeltaUpdate)
    assert delta.seq == 3 and delta.match.score.home == 1
    # The goal triggered a detail request straight away, before the next scoreboard tick.
    assert ESPN_ENG1_SUMMARY in script.paths()
    task.cancel()


@pytest.mark.parametrize(
    ("name", "clock_text", "low", "high"),
    [
        ("STATUS_SECOND_HALF", "60'", 25, 31),  # ball in play: 3 s x demand(1) = 1.8 s -> the 2 s floor
        ("STATUS_HALFTIME", "HT", 6, 8),  # half-time: 15 s x 0.59 = 8.9 s +/- 10 %
    ],
)
async def test_poll_interval_follows_the_phase(
    clock: FakeClock, name: str, clock_text: str, low: int, high: int
) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(0, 0, name=name, clock=clock_text, goals=0))
    engine = make_engine(script, clock)
    task = engine_task(engine)
    await clock.advance(60)
    polls = script.paths().count(ESPN_ENG1)
    assert low <= polls <= high
    task.cancel()


async def test_429_retry_after_is_honoured(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, _json({}, 429, **{"Retry-After": "40"}), newcastle_sunderland(0, 0, goals=0))
    engine = make_engine(script, clock)
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    await clock.advance(39)
    assert script.paths().count(ESPN_ENG1) == 1
    assert not [u for u in drain(sub) if isinstance(u, SnapshotUpdate)]
    await clock.advance(2)
    assert script.paths().count(ESPN_ENG1) == 2
    snapshot = await next_update(sub, clock, SnapshotUpdate)
    assert snapshot.matches
    task.cancel()


def tsdb_day(home: int, away: int, status: str = "2H") -> dict[str, Any]:
    """TheSportsDB's view of the same Newcastle v Sunderland match."""
    return {
        "events": [
            {
                "idEvent": "2267001",
                "idLeague": "4328",
                "strLeague": "English Premier League",
                "strHomeTeam": "Newcastle",
                "strAwayTeam": "Sunderland",
                "idHomeTeam": "134777",
                "idAwayTeam": "133603",
                "intHomeScore": str(home),
                "intAwayScore": str(away),
                "strTimestamp": "2026-03-22T12:00:00",
                "dateEvent": "2026-03-22",
                "strTime": "12:00:00",
                "strStatus": status,
                "strProgress": "70",
                "strSport": "Soccer",
                "strVenue": "St James' Park",
            }
        ]
    }


async def test_failover_keeps_one_match_and_its_seqs(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(1, 1, goals=2), *[_json({}, 503)] * 50)
    script.route(TSDB_DAY, tsdb_day(1, 1), tsdb_day(1, 2))
    engine = make_engine(script, clock, providers=("espn", "thesportsdb"))
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    snapshot = await next_update(sub, clock, SnapshotUpdate)
    (first,) = snapshot.matches
    goal = await next_update(sub, clock, EventUpdate)
    assert goal.event.kind is EventKind.GOAL
    assert goal.match_id == first.id  # the TheSportsDB match is the same canonical match
    assert goal.event.synthetic and goal.event.provider == "thesportsdb"
    assert goal.seq == first.seq + 1
    assert len(engine.store.matches("eng.1")) == 1
    assert "thesportsdb" in engine.store.matches("eng.1")[0].provider_ids
    task.cancel()


async def test_cross_check_marks_disagreement_unconfirmed(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(1, 0, goals=1))
    script.route(TSDB_DAY, tsdb_day(0, 0))
    engine = make_engine(script, clock, providers=("espn", "thesportsdb"))
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    await next_update(sub, clock, SnapshotUpdate)
    delta = await next_update(sub, clock, DeltaUpdate)
    assert delta.match.unconfirmed
    script.route(TSDB_DAY, tsdb_day(1, 0))
    for _ in range(200):
        await clock.advance(1)
        if not engine.store.matches("eng.1")[0].unconfirmed:
            break
    assert not engine.store.matches("eng.1")[0].unconfirmed
    task.cancel()


async def test_day_rolls_over_at_local_midnight() -> None:
    zone = ZoneInfo("Europe/London")
    clock = FakeClock(datetime(2026, 3, 22, 23, 59, 0, tzinfo=UTC))
    script = Script()
    script.route(ESPN_ENG1, {"events": [], "leagues": []})
    engine = make_engine(script, clock, zone=zone)
    task = engine_task(engine)
    await clock.advance(0)

    def boards() -> list[httpx.Request]:  # only the scoreboard asks by day, not the standings beside it
        return [r for r in script.requests if r.url.path == ESPN_ENG1]

    first_dates = boards()[0].url.params["dates"]
    await clock.advance(1000)
    last_dates = boards()[-1].url.params["dates"]
    assert first_dates.endswith("20260322")
    assert last_dates.endswith("20260323")
    task.cancel()


CAPTURES = [  # real successive captures of the 2026 World Cup knockout scoreboard, oldest first
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


async def test_real_captures_in_order_add_up_to_the_final_scores() -> None:
    clock = FakeClock(datetime(2026, 7, 6, tzinfo=UTC))
    script = Script()
    script.route(ESPN_WC, *[load(f"espn_soccer/{name}") for name in CAPTURES])
    engine = make_engine(script, clock, league="fifa.world", date_spec="2026-06-28..2026-07-19")
    sub = engine.bus.subscribe(["league:fifa.world"])
    task = engine_task(engine)
    snapshot = await next_update(sub, clock, SnapshotUpdate)
    initial = {m.id: m.score for m in snapshot.matches}
    updates: list[Update] = []
    while len([r for r in script.requests if r.url.path == ESPN_WC]) < len(CAPTURES) + 1:
        await clock.advance(5)
        updates.extend(drain(sub))
    task.cancel()
    final = {m.id: m for m in engine.store.matches("fifa.world")}
    assert all(m.phase.state is PhaseState.FINAL for m in final.values())
    goals: dict[tuple[str, str], int] = {}
    seqs: dict[str, list[int]] = {}
    for update in updates:
        if isinstance(update, DeltaUpdate | EventUpdate):
            seqs.setdefault(update.match_id, []).append(update.seq)
        if not isinstance(update, EventUpdate):
            continue
        event = update.event
        if event.side is None or event.enriches:
            continue
        change = 1 if event.kind.is_goal else -1 if event.kind is EventKind.GOAL_DISALLOWED else 0
        key = (update.match_id, event.side.value)
        goals[key] = goals.get(key, 0) + change
    checked = 0
    for match_id, match in final.items():
        start = initial.get(match_id)
        if start is None:
            continue
        assert start.home + goals.get((match_id, "home"), 0) == match.score.home, match_id
        assert start.away + goals.get((match_id, "away"), 0) == match.score.away, match_id
        checked += 1
    assert checked == 32
    assert sum(goals.values()) > 10  # the captures really do contain goals between them
    for match_id, numbers in seqs.items():
        base = next(m.seq for m in snapshot.matches if m.id == match_id) if match_id in initial else 0
        assert numbers == list(range(base + 1, base + 1 + len(numbers))), match_id


async def test_request_budget_caps_a_fixed_interval(clock: FakeClock) -> None:
    script = Script()
    script.route(TSDB_DAY, tsdb_day(0, 0))
    client = httpx.AsyncClient(transport=httpx.MockTransport(script))
    provider = TheSportsDbProvider(client, base_url="http://tsdb.test", now=clock.now)
    options = EngineOptions(leagues=[get_league("eng.1")], zone=UTC, fixed_interval=0.5)
    engine = Engine([provider], MemoryBus(), clock, options)
    task = engine_task(engine)
    await clock.advance(59)
    # ~120 polls wanted in this minute at 0.5 s; TheSportsDB's free tier allows 30 requests a minute.
    assert 25 <= len(script.requests) <= 30
    task.cancel()


async def test_focus_fetches_detail_now_and_keeps_it_fresh(clock: FakeClock) -> None:
    script = Script()
    script.route(ESPN_ENG1, newcastle_sunderland(1, 2, state="post", name="STATUS_FULL_TIME", clock="FT"))
    summary = load("espn_soccer/fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json")
    script.route(ESPN_ENG1_SUMMARY, _json(summary))
    engine = make_engine(script, clock)
    sub = engine.bus.subscribe(["league:eng.1"])
    task = engine_task(engine)
    snapshot = await next_update(sub, clock, SnapshotUpdate)
    assert ESPN_ENG1_SUMMARY not in script.paths()  # a finished match nobody looks at: no detail
    engine.focus(snapshot.matches[0].id)
    await clock.advance(0)
    assert script.paths().count(ESPN_ENG1_SUMMARY) == 1
    await clock.advance(700)  # final matches poll every ~6 min; the focused one keeps its detail
    assert script.paths().count(ESPN_ENG1_SUMMARY) >= 2
    engine.focus(None)
    seen = script.paths().count(ESPN_ENG1_SUMMARY)
    await clock.advance(1500)
    assert script.paths().count(ESPN_ENG1_SUMMARY) == seen
    task.cancel()
