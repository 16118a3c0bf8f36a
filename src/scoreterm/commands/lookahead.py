"""What an empty dashboard says: the days followed in words, and the league's next kick-off.

The engine polls only the days asked for; when they hold no match, the dashboard asks the
providers once, in the background, for the two weeks after them ("No matches today in Premier
League · next: Sat 12:30"). Built here, with the live session's HTTP client, and handed to the
app as a plain async function: the TUI makes no network call of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, tzinfo

import httpx

from scoreterm.config import Settings
from scoreterm.domain.dates import local_window, parse_date_spec, vendor_days
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import PhaseState
from scoreterm.providers.registry import build_providers, first_answer

LOOKAHEAD_DAYS = 14


def day_words(spec: str, today: date) -> str:
    """``today``, ``tomorrow``, ``on Sat 14 Jun``, ``from Thu 11 Jun to Sun 19 Jul``."""
    word = spec.strip().lower()
    if word in ("today", "tomorrow", "yesterday"):
        return word
    first, last = parse_date_spec(spec, today)
    if first == last:
        return f"on {_day(first)}"
    return f"from {_day(first)} to {_day(last)}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def make_lookahead(
    settings: Settings, client: httpx.AsyncClient, zone: tzinfo, last_day: date
) -> Callable[[str], Awaitable[datetime | None]]:
    """An async ``next_kickoff(slug)``: the first kick-off in the two weeks after ``last_day``
    (None when there is none). It raises when no provider answers (the dashboard then says
    "offline?"), and gives up after the configured timeout."""
    providers = build_providers(settings, client)

    async def next_kickoff(slug: str) -> datetime | None:
        league = get_league(slug)
        start, end = local_window(
            last_day + timedelta(days=1), last_day + timedelta(days=LOOKAHEAD_DAYS), zone
        )
        async with asyncio.timeout(settings.timeout):
            _, matches = await first_answer(providers, league, *vendor_days(start, end))
        upcoming = [
            m.kickoff for m in matches if m.phase.state is PhaseState.SCHEDULED and start <= m.kickoff < end
        ]
        return min(upcoming, default=None)

    return next_kickoff
