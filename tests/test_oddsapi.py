"""The Odds API: consensus from real payloads, the credit budget, the fetch policy, no key no request.

HTTP goes through ``httpx.MockTransport`` serving the real files in tests/fixtures/the_odds_api with
the credit headers the API sends; time comes from a FakeClock.
"""

from __future__ import annotations

import contextlib
import json
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreterm.engine.clock import FakeClock
from scoreterm.providers.base import HttpStatusError, PayloadError, ProviderUnavailable
from scoreterm.providers.oddsapi import BudgetExhausted, OddsApiProvider, redact_key
from scoreterm.providers.oddsapi_budget import CreditBudget, FetchPolicy, should_fetch
from scoreterm.providers.oddsapi_normalize import (
    SPORT_KEYS,
    find_event,
    normalize_event,
    normalize_odds,
)

FIXTURES = Path(__file__).parent / "fixtures" / "the_odds_api"
EPL = FIXTURES / "v4_sports_soccer_epl_odds_regions-eu_2024-03-27.json"
MIXED = FIXTURES / "v4_sports_upcoming_odds_2023-04-23_mixed_sports_incl_inplay.json"
NOW = datetime(2024, 3, 27, 18, 10, tzinfo=UTC)
KEY = "s3cr3tkey"


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _credits(used: int, remaining: int, last: int = 1) -> dict[str, str]:
    return {
        "x-requests-used": str(used),
        "x-requests-remaining": str(remaining),
        "x-requests-last": str(last),
    }


def _provider(
    handler: Callable[[httpx.Request], httpx.Response],
    budget: CreditBudget,
    *,
    key: str | None = KEY,
    clock: FakeClock | None = None,
) -> OddsApiProvider:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OddsApiProvider(client, api_key=key, budget=budget, now=(clock or FakeClock(NOW)).now)


def _never(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"no request may be sent, got {request.url}")


# -- no key, no request ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_without_a_key_nothing_is_sent(key: str | None, tmp_path: Path) -> None:
    budget = CreditBudget(path=tmp_path / "odds.json")
    provider = _provider(_never, budget, key=key)
    assert not provider.configured
    with pytest.raises(ProviderUnavailable, match="no API key"):
        await provider.odds("eng.1")
    assert budget.used == 0 and not (tmp_path / "odds.json").exists()
    assert provider.fetchers[0].requests_sent == 0


# -- fetching ---------------------------------------------------------------------------------------


async def test_fetch_reads_the_credit_headers_and_remembers_them(tmp_path: Path) -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=EPL.read_bytes(), headers=_credits(used=12, remaining=488))

    path = tmp_path / "state" / "odds.json"
    provider = _provider(handler, CreditBudget.load(path))
    events = await provider.odds("eng.1")
    assert len(events) == 30 == len(_load(EPL))
    assert [u.path for u in seen] == ["/v4/sports/soccer_epl/odds"]
    assert dict(seen[0].params) == {
        "regions": "eu",
        "markets": "h2h",
        "oddsFormat": "decimal",
        "dateFormat": "iso",
        "apiKey": KEY,
    }
    assert (provider.budget.used, provider.budget.remaining) == (12, 488)
    saved = json.loads(path.read_text())
    assert saved == {"month": "2024-03", "used": 12, "remaining": 488, "cost": 1}
    again = CreditBudget.load(path)  # a restart does not forget
    assert (again.used, again.remaining, again.month) == (12, 488, "2024-03")


async def test_the_budget_stops_requests_before_they_are_sent(tmp_path: Path) -> None:
    budget = CreditBudget(monthly_limit=12, path=tmp_path / "odds.json", month="2024-03", used=12)
    with pytest.raises(BudgetExhausted, match="budget of 12 credits"):
        await _provider(_never, budget).odds("eng.1")
    out_of_credits = CreditBudget(monthly_limit=500, month="2024-03", used=3, remaining=0)
    with pytest.raises(BudgetExhausted):
        await _provider(_never, out_of_credits).odds("eng.1")


async def test_a_costlier_request_is_refused_once_the_cost_is_known(tmp_path: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, content=b"[]", headers=_credits(used=8, remaining=492, last=3))

    budget = CreditBudget(monthly_limit=10, path=tmp_path / "odds.json")
    provider = _provider(handler, budget)
    assert await provider.odds("nba") == []
    assert (budget.used, budget.cost) == (8, 3)
    with pytest.raises(BudgetExhausted):  # 8 + 3 > 10
        await provider.odds("nba")
    assert calls == 1


async def test_a_failed_request_stays_counted(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    budget = CreditBudget(path=tmp_path / "odds.json", month="2024-03", used=40)
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        await _provider(handler, budget).odds("eng.1")
    assert budget.used == 41  # it may have been charged: assume it was
    assert json.loads((tmp_path / "odds.json").read_text())["used"] == 41


async def test_an_error_answer_updates_the_count_and_hides_the_key(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "quota reached"}, headers=_credits(used=500, remaining=0))

    budget = CreditBudget(path=tmp_path / "odds.json", month="2024-03", used=10)
    provider = _provider(handler, budget)
    with pytest.raises(HttpStatusError) as caught:
        await provider.odds("eng.1")
    assert caught.value.status == 401
    assert KEY not in str(caught.value) and "apiKey=***" in str(caught.value)
    assert (budget.used, budget.remaining) == (500, 0)
    assert not budget.can_spend(NOW)


async def test_a_new_month_starts_a_new_count(tmp_path: Path) -> None:
    path = tmp_path / "odds.json"
    path.write_text(json.dumps({"month": "2024-02", "used": 500, "remaining": 0, "cost": 1}))
    budget = CreditBudget.load(path)
    assert budget.can_spend(NOW)
    assert (budget.used, budget.remaining, budget.month) == (0, None, "2024-03")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"used": "lots", "month": 7}', ""])
def test_an_unreadable_budget_file_starts_afresh(tmp_path: Path, content: str) -> None:
    path = tmp_path / "odds.json"
    path.write_text(content)
    budget = CreditBudget.load(path, monthly_limit=100)
    assert budget.monthly_limit == 100 and budget.used == 0


def test_bad_credit_headers_are_ignored_and_a_failed_save_does_not_raise(tmp_path: Path) -> None:
    blocked = tmp_path / "dir"
    blocked.mkdir()
    budget = CreditBudget(path=blocked, month="2024-03", used=5)  # a directory: the save fails
    budget.record({"x-requests-used": "1e400", "x-requests-remaining": "-3", "x-requests-last": "abc"}, NOW)
    assert (budget.used, budget.remaining, budget.cost) == (5, None, 1)
    budget.record({"X-Requests-Used": "7.0"}, NOW)
    assert budget.used == 7


def test_the_key_is_scrubbed_from_text() -> None:
    assert redact_key("https://x/odds?regions=eu&apiKey=abc123&markets=h2h") == (
        "https://x/odds?regions=eu&apiKey=***&markets=h2h"
    )


# -- when to fetch ------------------------------------------------------------------------------------


def test_should_fetch_around_kick_off_and_after_goals() -> None:
    kickoff = datetime(2024, 3, 30, 15, 0, tzinfo=UTC)
    m = timedelta(minutes=1)
    assert not should_fetch(kickoff - 20 * m, kickoffs=[kickoff])
    assert should_fetch(kickoff - 14 * m, kickoffs=[kickoff])
    assert not should_fetch(kickoff - 5 * m, kickoffs=[kickoff], last_fetch=kickoff - 14 * m)
    assert not should_fetch(kickoff + 30 * m, kickoffs=[kickoff])
    goal = kickoff + 30 * m
    just_after = goal + timedelta(seconds=10)
    assert not should_fetch(just_after, kickoffs=[kickoff], triggers=[goal])  # markets suspended
    assert should_fetch(goal + m, kickoffs=[kickoff], triggers=[goal], last_fetch=kickoff)
    assert not should_fetch(goal + 2 * m, kickoffs=[kickoff], triggers=[goal], last_fetch=goal + m)
    assert not should_fetch(goal + 6 * m, kickoffs=[kickoff], triggers=[goal], last_fetch=kickoff)
    second = goal + 2 * m  # a second goal a minute after the fetch for the first: wait for the gap
    assert not should_fetch(second + m, kickoffs=[], triggers=[goal, second], last_fetch=goal + m)
    assert should_fetch(goal + 4 * m, kickoffs=[], triggers=[goal, second], last_fetch=goal + m)
    strict = FetchPolicy(min_gap=timedelta(minutes=40))
    assert not should_fetch(goal + m, kickoffs=[], triggers=[goal], last_fetch=kickoff, policy=strict)


# -- normalization on the real payloads -----------------------------------------------------------------


def test_outcomes_are_matched_by_name_not_order() -> None:
    events = normalize_odds(_load(MIXED))
    game = next(e for e in events if e.home_team == "Internacional")
    raw = next(e for e in _load(MIXED) if e["home_team"] == "Internacional")
    betclic = next(b for b in raw["bookmakers"] if b["key"] == "betclic")
    assert [o["name"] for o in betclic["markets"][0]["outcomes"]] == ["Flamengo", "Internacional", "Draw"]
    line = next(b for b in game.books if b.book == "betclic")
    assert (line.home, line.away, line.draw) == (14.0, 1.32, 4.0)
    assert game.in_play and game.dispersion > 0.4  # books out of step in play
    medians = [statistics.median(b.prob.home for b in game.books)]
    assert min(b.prob.home for b in game.books) <= game.prob.home <= max(b.prob.home for b in game.books)
    assert game.prob.home == pytest.approx(medians[0], rel=0.05)


def test_epl_consensus_margins_and_best_prices() -> None:
    raw = _load(EPL)
    events = normalize_odds(raw)
    first = events[0]
    assert (first.home_team, first.away_team) == ("Newcastle United", "West Ham United")
    h2h = [b for b in raw[0]["bookmakers"] if any(m["key"] == "h2h" for m in b["markets"])]
    assert len(first.books) == len(h2h)
    assert first.margins["sport888"] == pytest.approx(1 / 1.85 + 1 / 3.8 + 1 / 4 - 1)
    prices = {b["key"]: {o["name"]: o["price"] for o in b["markets"][0]["outcomes"]} for b in h2h}
    best_home = max(p["Newcastle United"] for p in prices.values())
    assert (
        first.best_home.price == best_home and prices[first.best_home.book]["Newcastle United"] == best_home
    )
    for event in events:
        assert event.prob.draw is not None and event.prob.source == "market"
        assert event.prob.home + event.prob.draw + event.prob.away == pytest.approx(1.0)
        assert not event.in_play


def test_suspended_books_and_two_way_markets() -> None:
    raw = _load(MIXED)
    events = normalize_odds(raw)
    # SC Freiburg v Schalke: both books quote 1.0 (settled), so nothing usable is left.
    assert not any(e.home_team == "SC Freiburg" for e in events)
    assert len(events) == len(raw) - 1
    cricket = next(e for e in events if e.sport_key == "cricket_ipl")
    assert cricket.prob.draw is None and cricket.best_draw is None
    assert sum(e.in_play for e in events) == sum(
        1
        for e in raw
        if e["home_team"] != "SC Freiburg"
        and any(b["last_update"] > e["commence_time"] for b in e["bookmakers"])
    )


def test_find_event_by_names_and_kick_off() -> None:
    events = normalize_odds(_load(EPL))
    kickoff = datetime(2024, 3, 30, 12, 30, tzinfo=UTC)
    found = find_event(events, "Newcastle", "West Ham United", kickoff + timedelta(minutes=5))
    assert found is not None and found.home_team == "Newcastle United"
    assert find_event(events, "West Ham United", "Newcastle United", kickoff) is None  # sides matter
    assert find_event(events, "Newcastle United", "West Ham United", kickoff + timedelta(days=1)) is None


def test_every_catalog_sport_key_is_known() -> None:
    assert SPORT_KEYS["eng.1"] == "soccer_epl" and SPORT_KEYS["nhl"] == "icehockey_nhl"
    assert len(set(SPORT_KEYS.values())) == len(SPORT_KEYS)


def test_a_payload_that_is_not_a_list_is_a_payload_error() -> None:
    with pytest.raises(PayloadError):
        normalize_odds({"message": "Invalid API key"})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**400), 10**400) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(junk=JSON, price=JSON, name=st.sampled_from(["A", "B", "Draw", "C", ""]))
def test_malformed_events_never_raise_anything_but_payload_error(junk: Any, price: Any, name: str) -> None:
    event = {
        "id": "x",
        "commence_time": "2024-03-30T12:30:00Z",
        "home_team": "A",
        "away_team": "B",
        "bookmakers": [
            {"key": "b", "markets": [{"key": "h2h", "outcomes": [{"name": name, "price": price}, junk]}]},
            junk,
        ],
    }
    with contextlib.suppress(PayloadError):
        normalize_event(junk)
    result = normalize_event(event)
    assert result is None or 0.0 <= result.prob.home <= 1.0
    normalize_odds([event, junk])
