"""TheSportsDB: normalizers on the real payloads, and the provider over a real local HTTP server."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest

from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import EventKind, League, Phase, PhaseState, Score, Side, Sport
from scoreterm.providers.base import (
    HttpStatusError,
    PayloadError,
    Provider,
    ProviderUnavailable,
    RateLimited,
)
from scoreterm.providers.thesportsdb import TheSportsDbProvider
from scoreterm.providers.thesportsdb_normalize import (
    clock_from_progress,
    kickoff_of,
    normalize_event,
    normalize_timeline_item,
    phase_for,
)
from tests.httpserver import FIXTURES, Reply, ScriptedServer

PAST_LEAGUE = "thesportsdb/v1_eventspastleague_4328_EPL_FT.json"
LOOKUP_EVENT = "thesportsdb/v1_lookupevent_441613_EPL_2014_FT.json"
TIMELINE = "thesportsdb/v1_lookuptimeline_1032718_SHU-LEE.json"
EVENTS_DAY_NFL = "thesportsdb/v1_eventsday_2026-10-04_NFL_free_key.json"
LIVESCORE = "thesportsdb/v2_livescore_soccer_20261005_live.json"

NOW = datetime(2026, 10, 5, 19, 30, tzinfo=UTC)
KEY = "premium-key-42"
# The v2 livescore file is mostly UEFA Nations League (4490), which the catalog lacks.
NATIONS = League(
    slug="uefa.nations", name="UEFA Nations League", sport=Sport.SOCCER, country="Europe",
    provider_ids={"thesportsdb": "4490"},
)  # fmt: skip


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text())


def utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


def provider(
    client: httpx.AsyncClient, server: ScriptedServer, key: str | None = None
) -> TheSportsDbProvider:
    return TheSportsDbProvider(client, base_url=server.url, key=key, timeout_s=5, now=lambda: NOW)


# --- normalizers on the real payloads -------------------------------------------------------------


@pytest.mark.parametrize("relative", [PAST_LEAGUE, LOOKUP_EVENT, EVENTS_DAY_NFL])
def test_v1_events_normalize_from_their_own_fields(relative: str) -> None:
    events = load(relative)["events"]
    assert events
    for raw in events:
        match = normalize_event(raw, now=NOW)
        assert match.id == f"thesportsdb-{raw['idEvent']}"
        assert match.provider_ids == {"thesportsdb": raw["idEvent"]}
        assert match.league == {"4328": "eng.1", "4391": "nfl"}[raw["idLeague"]]
        assert match.kickoff == utc(raw["strTimestamp"])
        assert (match.home.name, match.home.id) == (raw["strHomeTeam"], raw["idHomeTeam"])
        assert (match.away.name, match.away.id) == (raw["strAwayTeam"], raw["idAwayTeam"])
        assert match.score == Score(int(raw["intHomeScore"]), int(raw["intAwayScore"]))
        assert match.venue == raw["strVenue"]
        # Every one of these is over: "FT", or a null status on a scored event years ago.
        assert match.phase == Phase(state=PhaseState.FINAL, period=2, label="FT")
        assert match.clock == ""


def test_lookupevent_has_a_null_status_that_is_derived_from_the_clock() -> None:
    raw = load(LOOKUP_EVENT)["events"][0]
    assert raw["strStatus"] is None
    kickoff = utc(raw["strTimestamp"])
    assert normalize_event(raw, now=kickoff + timedelta(hours=5)).phase.state is PhaseState.FINAL
    assert normalize_event(raw, now=kickoff + timedelta(hours=1)).phase.state is PhaseState.SCHEDULED
    unscored = {**raw, "intHomeScore": None, "intAwayScore": None}
    future = normalize_event(unscored, now=NOW)
    assert future.phase.state is PhaseState.SCHEDULED
    assert future.score == Score(0, 0)


def test_kickoff_falls_back_to_date_and_time_in_utc() -> None:
    for raw in load(EVENTS_DAY_NFL)["events"]:
        without_stamp = {key: value for key, value in raw.items() if key != "strTimestamp"}
        assert kickoff_of(without_stamp) == utc(f"{raw['dateEvent']}T{raw['strTime']}")
        # strTimeLocal is the venue's clock and must not leak in.
        assert kickoff_of(without_stamp).strftime("%H:%M:%S") != raw["strTimeLocal"]
    assert kickoff_of({"idEvent": "1", "dateEvent": "2026-10-04", "strTime": "TBD"}) == utc("2026-10-04")
    with pytest.raises(PayloadError):
        kickoff_of({"idEvent": "1", "strTimestamp": None, "dateEvent": None})


def expected_clock(progress: str) -> str:
    minute, _, added = progress.partition("+")
    return f"{minute}'+{added}'" if added else f"{minute}'"


def test_v2_livescore_every_item() -> None:
    items = load(LIVESCORE)["livescore"]
    assert len(items) == 17
    expected = {
        "1H": (PhaseState.LIVE, 1, "1H"),
        "2H": (PhaseState.LIVE, 2, "2H"),
        "HT": (PhaseState.BREAK, 1, "HT"),
        "FT": (PhaseState.FINAL, 2, "FT"),
    }
    seen: dict[str, int] = {}
    for raw in items:
        match = normalize_event(raw, now=NOW)
        state, period, label = expected[raw["strStatus"]]
        assert (match.phase.state, match.phase.period, match.phase.label) == (state, period, label)
        assert match.clock == expected_clock(raw["strProgress"])
        assert match.score == Score(int(raw["intHomeScore"]), int(raw["intAwayScore"]))
        assert match.kickoff == utc(raw["strTimestamp"])
        assert match.league == f"thesportsdb:{raw['idLeague']}"  # none of these is in the catalog
        assert match.home.name == raw["strHomeTeam"]
        seen[raw["strStatus"]] = seen.get(raw["strStatus"], 0) + 1
    assert seen == {"1H": 10, "2H": 5, "FT": 1, "HT": 1}
    finished = next(normalize_event(raw, now=NOW) for raw in items if raw["strStatus"] == "FT")
    assert (finished.home.name, str(finished.score), finished.clock) == ("Moss", "0-2", "90'+6'")


def test_v2_livescore_league_can_be_forced_to_a_slug() -> None:
    raw = next(item for item in load(LIVESCORE)["livescore"] if item["idLeague"] == "4490")
    assert normalize_event(raw, now=NOW, league="uefa.nations").league == "uefa.nations"


def test_timeline_entries() -> None:
    entries = load(TIMELINE)["timeline"]
    events = [normalize_timeline_item(raw) for raw in entries]
    assert len(events) == len(entries) == 5
    for raw, event in zip(entries, events, strict=True):
        assert event is not None
        assert event.minute == f"{int(raw['intTime'])}'"
        assert event.side is (Side.HOME if raw["strHome"] == "Yes" else Side.AWAY)
        assert event.provider_event_id == raw["idTimeline"]
        if raw["strTimeline"] == "Card":
            assert event.kind is EventKind.YELLOW_CARD
            assert event.player == raw["strPlayer"]
        else:
            # strPlayer goes off, strAssist comes on (Lundstram, booked at 58', goes off at 64').
            assert event.kind is EventKind.SUBSTITUTION
            assert event.player == raw["strAssist"]
            assert event.detail == f"{raw['strAssist']} on for {raw['strPlayer']}"
    assert [e.kind for e in events if e is not None].count(EventKind.SUBSTITUTION) == 3


@pytest.mark.parametrize(
    ("kind", "detail", "expected"),
    [
        ("Goal", "Normal Goal", EventKind.GOAL),
        ("Goal", "Penalty", EventKind.PENALTY_GOAL),
        ("Goal", "Own Goal", EventKind.OWN_GOAL),
        ("Goal", "Missed Penalty", EventKind.PENALTY_MISS),
        ("Card", "Red Card", EventKind.RED_CARD),
        ("Card", "Second Yellow card", EventKind.RED_CARD),
        ("Var", "Goal Disallowed - offside", EventKind.GOAL_DISALLOWED),
        ("Var", "Penalty confirmed", None),
        ("Comment", "", None),
    ],
)
def test_timeline_kinds(kind: str, detail: str, expected: EventKind | None) -> None:
    raw = {**load(TIMELINE)["timeline"][0], "strTimeline": kind, "strTimelineDetail": detail}
    event = normalize_timeline_item(raw)
    assert (event.kind if event else None) is expected


@pytest.mark.parametrize(
    ("status", "state", "period", "label"),
    [
        ("NS", PhaseState.SCHEDULED, 0, ""),
        ("Not Started", PhaseState.SCHEDULED, 0, ""),
        ("1H", PhaseState.LIVE, 1, "1H"),
        ("2H", PhaseState.LIVE, 2, "2H"),
        ("ET", PhaseState.LIVE, 3, "ET"),
        ("P", PhaseState.LIVE, 5, "PEN"),
        ("HT", PhaseState.BREAK, 1, "HT"),
        ("BT", PhaseState.BREAK, 2, "BT"),
        ("FT", PhaseState.FINAL, 2, "FT"),
        ("Match Finished", PhaseState.FINAL, 2, "FT"),
        ("AET", PhaseState.FINAL, 4, "AET"),
        ("PEN", PhaseState.FINAL, 5, "PEN"),
        ("PST", PhaseState.POSTPONED, 0, "PPD"),
        ("CANC", PhaseState.CANCELLED, 0, "CANC"),
        ("ABD", PhaseState.CANCELLED, 0, "ABD"),
        ("SUSP", PhaseState.SUSPENDED, 0, "SUSP"),
        ("INT", PhaseState.SUSPENDED, 0, "INT"),
        ("Q3", PhaseState.LIVE, 3, "Q3"),
        ("IN7", PhaseState.LIVE, 7, "IN7"),
    ],
)
def test_status_mapping(status: str, state: PhaseState, period: int, label: str) -> None:
    phase = phase_for(status, scored=True, kickoff=NOW, now=NOW)
    assert phase is not None
    assert (phase.state, phase.period, phase.label) == (state, period, label)


@pytest.mark.parametrize("status", ["xyz", "Half Time Show", 3, {"a": 1}, "Q9"])
def test_a_status_we_do_not_know_is_no_phase(status: object) -> None:
    assert phase_for(status, scored=True, kickoff=NOW, now=NOW) is None
    raw = {**load(PAST_LEAGUE)["events"][0], "strStatus": status}
    assert normalize_event(raw, now=NOW).suspect == ("phase",)


def test_postponed_flag_wins_over_status() -> None:
    raw = {**load(PAST_LEAGUE)["events"][0], "strStatus": "NS", "strPostponed": "yes"}
    assert normalize_event(raw, now=NOW).phase.state is PhaseState.POSTPONED


@pytest.mark.parametrize(
    ("progress", "clock"),
    [("30", "30'"), ("90+6", "90'+6'"), ("45+2'", "45'+2'"), (None, ""), ("", ""), ("HT", "")],
)
def test_clock_from_progress(progress: str | None, clock: str) -> None:
    assert clock_from_progress(progress) == clock


@pytest.mark.parametrize("score", ["one", "-1", "2.7", "1e308", True, 10**400, None, "", " ", [1]])
def test_a_score_that_is_not_one_is_suspect_never_zero(score: object) -> None:
    raw = {**load(PAST_LEAGUE)["events"][0], "intHomeScore": score}
    match = normalize_event(raw, now=NOW)
    assert match.phase.state is PhaseState.FINAL
    assert match.suspect == ("score",)


def test_no_score_before_kick_off_is_nil_nil_and_not_suspect() -> None:
    raw = {**load(PAST_LEAGUE)["events"][0], "strStatus": "NS", "intHomeScore": None, "intAwayScore": ""}
    match = normalize_event(raw, now=NOW)
    assert (match.score, match.suspect) == (Score(0, 0), ())


# --- the provider over a real HTTP server ---------------------------------------------------------


def test_is_a_provider(client: httpx.AsyncClient) -> None:
    tsdb = TheSportsDbProvider(client)
    assert isinstance(tsdb, Provider)
    assert tsdb.name == "thesportsdb"
    assert tsdb.supports(get_league("eng.1"))
    assert not tsdb.premium
    assert TheSportsDbProvider(client, key=KEY).premium


async def test_scoreboard_free_key_one_request_per_day_key_in_path(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    path = "/api/v1/json/123/eventsday.php"
    http_server.route(path, Reply.file(PAST_LEAGUE), Reply.json('{"events": null}'))
    matches = await provider(client, http_server).scoreboard(
        get_league("eng.1"), date(2026, 9, 20), date(2026, 9, 21)
    )
    assert [m.id for m in matches] == ["thesportsdb-2494042"]
    assert matches[0].league == "eng.1"
    assert [(r.path, r.query) for r in http_server.requests] == [
        (path, {"d": ["2026-09-20"], "l": ["4328"]}),
        (path, {"d": ["2026-09-21"], "l": ["4328"]}),
    ]
    assert all("x-api-key" not in {k.lower() for k in r.headers} for r in http_server.requests)


async def test_scoreboard_keeps_only_the_leagues_events(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    mixed = {"events": load(EVENTS_DAY_NFL)["events"] + load(PAST_LEAGUE)["events"]}
    http_server.route("/api/v1/json/123/eventsday.php", Reply.json(json.dumps(mixed)))
    day = date(2026, 10, 4)
    nfl = await provider(client, http_server).scoreboard(get_league("nfl"), day, day)
    assert [m.home.name for m in nfl] == [
        "Washington Commanders", "Buffalo Bills", "Chicago Bears",
    ]  # fmt: skip
    assert {m.league for m in nfl} == {"nfl"}


async def test_events_null_is_an_empty_list(client: httpx.AsyncClient, http_server: ScriptedServer) -> None:
    http_server.route("/api/v1/json/123/eventsday.php", Reply.json('{"events": null}'))
    day = date(2026, 10, 4)
    assert await provider(client, http_server).scoreboard(get_league("nfl"), day, day) == []
    assert len(http_server.requests) == 1


async def test_one_broken_event_does_not_cost_the_others(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    body = load(EVENTS_DAY_NFL)
    body["events"][1]["intHomeScore"] = "twenty-six"
    del body["events"][2]["strAwayTeam"]
    body["events"].insert(0, "not an event")
    body["events"].append({**body["events"][1], "idEvent": "2475499", "intHomeScore": "7"})
    http_server.route("/api/v1/json/123/eventsday.php", Reply.json(json.dumps(body)))
    day = date(2026, 10, 4)
    matches = await provider(client, http_server).scoreboard(get_league("nfl"), day, day)
    flagged = f"thesportsdb-{body['events'][2]['idEvent']}"
    suspect = {m.id: m.suspect for m in matches}
    # The unreadable score keeps its match, flagged: the engine holds its last good score.
    assert suspect == {"thesportsdb-2475423": (), flagged: ("score",), "thesportsdb-2475499": ()}


async def test_premium_overlays_v2_livescore(client: httpx.AsyncClient, http_server: ScriptedServer) -> None:
    live_items = [item for item in load(LIVESCORE)["livescore"] if item["idLeague"] == "4490"]
    france = next(item for item in live_items if item["strHomeTeam"] == "France")
    # v1 has not caught up yet: the same event as not started, without scores.
    v1_event = {
        **load(PAST_LEAGUE)["events"][0],
        "idEvent": france["idEvent"], "idLeague": "4490", "strHomeTeam": "France",
        "strAwayTeam": "Belgium", "strTimestamp": france["strTimestamp"], "strStatus": "NS",
        "intHomeScore": None, "intAwayScore": None, "strVenue": "Stade de France",
    }  # fmt: skip
    stale_other_day = {**live_items[0], "idEvent": "999", "strTimestamp": "2026-10-03T18:45:00"}
    http_server.route(f"/api/v1/json/{KEY}/eventsday.php", Reply.json(json.dumps({"events": [v1_event]})))
    http_server.route(
        "/api/v2/json/livescore/4490",
        Reply.json(json.dumps({"livescore": [*live_items, stale_other_day]})),
    )
    day = date(2026, 10, 5)
    matches = await provider(client, http_server, key=KEY).scoreboard(NATIONS, day, day)

    by_id = {m.id: m for m in matches}
    assert set(by_id) == {f"thesportsdb-{item['idEvent']}" for item in live_items}
    overlaid = by_id[f"thesportsdb-{france['idEvent']}"]
    assert (str(overlaid.score), overlaid.phase.label, overlaid.clock) == ("0-1", "1H", "45'")
    assert overlaid.venue == "Stade de France"  # v1's fields stay
    assert all(m.league == "uefa.nations" for m in matches)
    v1_request, v2_request = http_server.requests
    assert v1_request.path == f"/api/v1/json/{KEY}/eventsday.php"
    assert "X-API-KEY" not in v1_request.headers
    assert v2_request.path == "/api/v2/json/livescore/4490"
    assert v2_request.headers["X-API-KEY"] == KEY


async def test_premium_v2_failure_keeps_v1_data(
    client: httpx.AsyncClient, http_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    http_server.route(f"/api/v1/json/{KEY}/eventsday.php", Reply.file(PAST_LEAGUE))
    http_server.route("/api/v2/json/livescore/4328", Reply.json('{"error": "nope"}', status=502))
    day = date(2026, 9, 20)
    matches = await provider(client, http_server, key=KEY).scoreboard(get_league("eng.1"), day, day)
    assert [m.id for m in matches] == ["thesportsdb-2494042"]
    assert [r.path for r in http_server.requests][-1] == "/api/v2/json/livescore/4328"
    assert "v2 livescore failed" in caplog.text


async def test_premium_v2_rate_limit_is_not_swallowed(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    http_server.route(f"/api/v1/json/{KEY}/eventsday.php", Reply.file(PAST_LEAGUE))
    http_server.route("/api/v2/json/livescore/4328", Reply.json("{}", status=429, **{"Retry-After": "12"}))
    day = date(2026, 9, 20)
    with pytest.raises(RateLimited) as caught:
        await provider(client, http_server, key=KEY).scoreboard(get_league("eng.1"), day, day)
    assert caught.value.retry_after == 12


async def test_livescore_needs_a_key(client: httpx.AsyncClient, http_server: ScriptedServer) -> None:
    with pytest.raises(ProviderUnavailable):
        await provider(client, http_server).livescore(get_league("eng.1"))
    assert http_server.requests == []


async def test_match_detail_adds_timeline_and_refreshes_state(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    event = load(LOOKUP_EVENT)["events"][0]
    timeline = load(TIMELINE)
    for entry in timeline["timeline"]:
        entry["idEvent"] = event["idEvent"]
    http_server.route("/api/v1/json/123/lookupevent.php", Reply.file(LOOKUP_EVENT))
    http_server.route("/api/v1/json/123/lookuptimeline.php", Reply.json(json.dumps(timeline)))
    # As another provider saw it before kickoff: its id must survive the enrichment.
    before = msgspec.structs.replace(
        normalize_event(event, now=NOW),
        id="espn-1",
        phase=Phase(state=PhaseState.SCHEDULED),
        score=Score(),
        provider_ids={"espn": "1", "thesportsdb": event["idEvent"]},
    )
    after = await provider(client, http_server).match_detail(get_league("eng.1"), before)
    assert after.id == "espn-1"
    assert after.provider_ids == {"espn": "1", "thesportsdb": "441613"}
    assert (str(after.score), after.phase.label) == ("4-1", "FT")
    assert [e.provider_event_id for e in after.events] == [t["idTimeline"] for t in timeline["timeline"]]
    assert [(r.path, r.query) for r in http_server.requests] == [
        ("/api/v1/json/123/lookupevent.php", {"id": ["441613"]}),
        ("/api/v1/json/123/lookuptimeline.php", {"id": ["441613"]}),
    ]


async def test_match_detail_drops_sample_data_for_another_event(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    # The free key answers some lookups with a fixed sample: here, the timeline of event 1032718.
    http_server.route("/api/v1/json/123/lookupevent.php", Reply.file(LOOKUP_EVENT))
    http_server.route("/api/v1/json/123/lookuptimeline.php", Reply.file(TIMELINE))
    match = normalize_event(load(LOOKUP_EVENT)["events"][0], now=NOW)
    after = await provider(client, http_server).match_detail(get_league("eng.1"), match)
    assert after.events == ()
    assert after == match


async def test_match_detail_keeps_a_live_v2_state_over_v1(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    raw = {**load(PAST_LEAGUE)["events"][0], "strStatus": "NS", "intHomeScore": None, "intAwayScore": None}
    http_server.route("/api/v1/json/123/lookupevent.php", Reply.json(json.dumps({"events": [raw]})))
    http_server.route("/api/v1/json/123/lookuptimeline.php", Reply.json('{"timeline": null}'))
    live = msgspec.structs.replace(
        normalize_event(raw, now=NOW),
        phase=Phase(state=PhaseState.LIVE, period=2, label="2H"),
        score=Score(1, 0),
        clock="61'",
    )
    after = await provider(client, http_server).match_detail(get_league("eng.1"), live)
    assert (after.phase.label, str(after.score), after.clock) == ("2H", "1-0", "61'")


async def test_match_detail_without_an_id_asks_nothing(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    match = msgspec.structs.replace(
        normalize_event(load(PAST_LEAGUE)["events"][0], now=NOW), id="espn-9", provider_ids={}
    )
    with pytest.raises(PayloadError):
        await provider(client, http_server).match_detail(get_league("eng.1"), match)
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("reply", "error", "status"),
    [
        (Reply.json('{"message": "slow down"}', status=429, **{"Retry-After": "30"}), RateLimited, 429),
        (Reply.json("<html>oops</html>", status=503), HttpStatusError, 503),
        (Reply.json('{"events": [', status=200), PayloadError, None),
        (Reply.json('{"Message": "No data"}', status=200), PayloadError, None),
        (Reply.json('{"events": "none"}', status=200), PayloadError, None),
    ],
)
async def test_http_failures_become_typed_errors(
    client: httpx.AsyncClient,
    http_server: ScriptedServer,
    reply: Reply,
    error: type[Exception],
    status: int | None,
) -> None:
    http_server.route("/api/v1/json/123/eventsday.php", reply)
    day = date(2026, 10, 4)
    with pytest.raises(error) as caught:
        await provider(client, http_server).scoreboard(get_league("nfl"), day, day)
    if status is not None:
        assert isinstance(caught.value, HttpStatusError)
        assert caught.value.status == status
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 30


async def test_closed_port_is_unavailable(client: httpx.AsyncClient) -> None:
    tsdb = TheSportsDbProvider(client, base_url=f"http://127.0.0.1:{closed_port()}", timeout_s=2)
    day = date(2026, 10, 4)
    with pytest.raises(ProviderUnavailable):
        await tsdb.scoreboard(get_league("nfl"), day, day)


async def test_league_it_does_not_carry_is_unavailable(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    unknown = League(slug="xyz.1", name="Nowhere", sport=Sport.SOCCER, country="-")
    assert not provider(client, http_server).supports(unknown)
    with pytest.raises(ProviderUnavailable):
        await provider(client, http_server).scoreboard(unknown, date(2026, 1, 1), date(2026, 1, 1))
    assert http_server.requests == []


async def test_a_v2_livescore_item_listed_twice_is_one_match(
    client: httpx.AsyncClient, http_server: ScriptedServer
) -> None:
    live_items = [item for item in load(LIVESCORE)["livescore"] if item["idLeague"] == "4490"]
    twice = {**live_items[0], "intHomeScore": "7"}  # a second copy that disagrees: the first stands
    http_server.route(
        "/api/v2/json/livescore/4490", Reply.json(json.dumps({"livescore": [*live_items, twice]}))
    )
    matches = await provider(client, http_server, key=KEY).livescore(NATIONS)
    assert len(matches) == len(live_items) == len({m.id for m in matches})
    first = next(m for m in matches if m.id == f"thesportsdb-{live_items[0]['idEvent']}")
    assert first.score.home != 7
