"""The odds panel through the real app: a withdrawn live line says so, and the books' consensus shows
beside the one book's line (never while a hidden match's in-play consensus would give it away).

The consensus is the real captured The Odds API answer for Newcastle v West Ham.
"""

from __future__ import annotations

from datetime import UTC

import msgspec

from scoreterm.config import Settings
from scoreterm.domain.consensus import OddsConsensus
from scoreterm.domain.model import MoneyLine, Odds, Phase, PhaseState
from scoreterm.providers.oddsapi_normalize import normalize_odds
from scoreterm.tui.app import AppOptions, make_app
from scoreterm.tui.widgets.odds import KICKOFF_LINE, NO_LIVE_PRICE
from tests.test_engine_consensus import ODDS
from tests.test_tui_match import delta, live_match, open_match, scripted, shown, snapshot, until
from tests.tui_helpers import ScriptedFeed


def newcastle_west_ham() -> OddsConsensus:
    events = normalize_odds(msgspec.json.decode(ODDS.read_bytes()))
    return next(c for c in events if (c.home_team, c.away_team) == ("Newcastle United", "West Ham United"))


async def test_a_live_line_taken_down_says_so_instead_of_showing_prices() -> None:
    pre = Odds(provider="DraftKings", moneyline=MoneyLine(home=-230, draw=330, away=750), moment="close")
    start = live_match(odds=pre, seq=1)
    feed = ScriptedFeed([snapshot(start)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        assert "-230" in shown(app, "#odds") and "closing" in shown(app, "#odds")
        withdrawn = Odds(provider="DraftKings", moneyline=MoneyLine(), in_play=True)
        feed.push(delta(msgspec.structs.replace(start, odds=withdrawn, seq=2)))
        await until(pilot, lambda: NO_LIVE_PRICE in shown(app, "#odds"))
        panel = shown(app, "#odds")
        assert "live" in panel and "-230" not in panel and "—" not in panel


async def test_the_consensus_shows_books_best_prices_and_median_chances() -> None:
    consensus = newcastle_west_ham()
    feed = ScriptedFeed([snapshot(live_match(consensus=consensus))])
    app = scripted(feed)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        await until(pilot, lambda: "Consensus" in shown(app, "#odds"))
        rows = shown(app, "#odds").splitlines()
        assert any(f"{len(consensus.books)} books" in row for row in rows), rows
        home_row = next(row for row in rows if row.strip("│ ").startswith("MEX"))
        assert f"{consensus.best_home.price:.2f}" in home_row and f"{consensus.prob.home:.1%}" in home_row
        title = next(book.title for book in consensus.books if book.book == consensus.best_home.book)
        assert title[:12] in home_row and consensus.best_home.book not in home_row  # "1xBet", not "onexbet"


async def test_a_hidden_match_does_not_show_an_in_play_consensus() -> None:
    in_play = msgspec.structs.replace(newcastle_west_ham(), in_play=True)
    feed = ScriptedFeed([snapshot(live_match(consensus=in_play))])
    settings = Settings(spoiler_free=["Mexico"])
    app = make_app(feed, AppOptions(settings=settings, zone=UTC, leagues=["fifa.world"]))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        assert "Consensus" not in shown(app, "#odds")
        await pilot.press("r")  # reveal
        await until(pilot, lambda: "Consensus" in shown(app, "#odds"))


async def test_before_kick_off_a_books_close_is_the_pre_match_line() -> None:
    latest = Odds(provider="DraftKings", moneyline=MoneyLine(home=-230, draw=330, away=750), moment="close")
    scheduled = live_match(odds=latest, phase=Phase(state=PhaseState.SCHEDULED), clock="")
    feed = ScriptedFeed([snapshot(scheduled)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        assert "pre-match" in shown(app, "#odds") and "closing" not in shown(app, "#odds")
        finished = msgspec.structs.replace(scheduled, phase=Phase(state=PhaseState.FINAL, label="FT"), seq=2)
        feed.push(delta(finished))
        await until(pilot, lambda: "closing" in shown(app, "#odds"))


async def test_with_no_live_price_the_line_at_kick_off_is_shown_as_such() -> None:
    pre = MoneyLine(home=-230, draw=330, away=750)
    start = live_match(odds=Odds(provider="DraftKings", moneyline=pre, moment="close"), seq=1)
    feed = ScriptedFeed([snapshot(start)])
    app = scripted(feed)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_match(pilot, app, "m1")
        withdrawn = Odds(provider="DraftKings", moneyline=MoneyLine(), in_play=True, close=pre)
        feed.push(delta(msgspec.structs.replace(start, odds=withdrawn, seq=2)))
        # The panel grows to its new height on the next layout: wait for the whole of it.
        await until(pilot, lambda: NO_LIVE_PRICE in shown(app, "#odds") and "+750" in shown(app, "#odds"))
        panel = shown(app, "#odds")
        assert KICKOFF_LINE in panel and "-230" in panel
        # Never above the notice, where it would read as the live price.
        assert panel.index(NO_LIVE_PRICE) < panel.index(KICKOFF_LINE) < panel.index("-230")
