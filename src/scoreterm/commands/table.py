"""``scoreterm table`` and ``scoreterm bracket``: a league's table (live with ``--live``) and a
tournament's knock-out bracket, once, as text that fits 80 columns or as JSON."""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx
import msgspec

from scoreterm.commands.ask import ask_leagues, report_failures
from scoreterm.commands.common import (
    UserError,
    leagues_from,
    report,
    settings_from,
)
from scoreterm.config import ConfigError, Settings, user_zone
from scoreterm.domain.bracket import Bracket
from scoreterm.domain.dates import BadDateSpec, in_window, local_window, parse_date_spec, vendor_days
from scoreterm.domain.live_table import live_table
from scoreterm.domain.model import League, Match
from scoreterm.domain.table import LiveTable
from scoreterm.domain.table_text import render_bracket, render_live_table
from scoreterm.domain.tiebreak import rules_for
from scoreterm.providers.base import ProviderError
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.espn_bracket import fetch_bracket
from scoreterm.providers.registry import (
    Attempt,
    NoProviderAnswered,
    build_providers,
    first_answer,
    first_table,
    standings_sources,
)

T = TypeVar("T")
# Either side of today when no --date is given: a knock-out stage (World Cup: three weeks) fits.
BRACKET_SPAN = timedelta(days=30)


def run_table(flags: Mapping[str, Any], *, live: bool, date_spec: str, as_json: bool) -> int:
    """Print the official table of each league (with ``live``: the matches of ``date_spec`` in play
    applied); exit 3 when no provider had a table."""
    try:
        settings, leagues, first, last, zone = _setup(flags, date_spec)
    except UserError as exc:
        return report(exc)
    start, end = local_window(first, last, zone)
    vendor_first, vendor_last = vendor_days(start, end)

    async def one(client: httpx.AsyncClient, league: League) -> LiveTable:
        providers = build_providers(settings, client)
        official = await first_table(standings_sources(providers, league), league, datetime.now(UTC))
        matches: list[Match] = []
        if live:
            matches = (await first_answer(providers, league, vendor_first, vendor_last))[1]
            matches = [m for m in matches if in_window(m.kickoff, start, end)]
        return live_table(official, matches, rules_for(league.slug, league.sport))

    tables, failures = _gather(settings, leagues, one)
    width = min(shutil.get_terminal_size((80, 24)).columns, 120)
    if as_json:
        print(json.dumps([msgspec.to_builtins(t) for t in tables], indent=2, ensure_ascii=False))
    else:
        for index, table in enumerate(tables):
            print(("\n" if index else "") + "\n".join(render_live_table(table, width)))
    return report_failures(failures)


def run_bracket(flags: Mapping[str, Any], *, date_spec: str | None, as_json: bool) -> int:
    """Print the knock-out bracket of each league from the scoreboards of ``date_spec`` (None: the
    month either side of today, which holds a whole knock-out stage)."""
    try:
        settings, leagues, first, last, _zone = _setup(flags, date_spec)
    except UserError as exc:
        return report(exc)

    async def one(client: httpx.AsyncClient, league: League) -> Bracket:
        espn = EspnProvider(client, base_url=settings.espn_url, timeout_s=settings.timeout)
        try:
            bracket = await fetch_bracket(espn.fetchers[0], league, first, last)
        except ProviderError as exc:
            raise NoProviderAnswered(league, [Attempt(exc.provider, exc.message)]) from exc
        if not bracket.rounds:
            raise UserError(f"no knock-out matches for {league.slug} on {first}..{last}: try --date")
        return bracket

    try:
        brackets, failures = _gather(settings, leagues, one)
    except UserError as exc:
        return report(exc)
    width = min(shutil.get_terminal_size((80, 24)).columns, 120)
    if as_json:
        print(json.dumps([msgspec.to_builtins(b) for b in brackets], indent=2, ensure_ascii=False))
    else:
        for index, bracket in enumerate(brackets):
            print(("\n" if index else "") + "\n".join(render_bracket(bracket, width)))
    return report_failures(failures)


def _setup(flags: Mapping[str, Any], date_spec: str | None) -> tuple[Settings, list[League], date, date, Any]:
    settings = settings_from(flags).settings
    leagues = leagues_from(settings.leagues)
    try:
        zone = user_zone(settings.timezone)
        today = datetime.now(zone).date()
        if date_spec is None:
            first, last = today - BRACKET_SPAN, today + BRACKET_SPAN
        else:
            first, last = parse_date_spec(date_spec, today)
    except (ConfigError, BadDateSpec) as exc:
        raise UserError(str(exc)) from exc
    return settings, leagues, first, last, zone


def _gather(
    settings: Settings,
    leagues: list[League],
    one: Callable[[httpx.AsyncClient, League], Awaitable[T]],
) -> tuple[list[T], list[NoProviderAnswered]]:
    """``one`` for every league over one client; two requests each (a table, a scoreboard), so
    twice the timeout of one."""

    async def main() -> tuple[list[T], list[NoProviderAnswered]]:
        async with httpx.AsyncClient(headers={"User-Agent": "scoreterm"}) as client:
            return await ask_leagues(leagues, functools.partial(one, client), settings.timeout * 2)

    return asyncio.run(main())
