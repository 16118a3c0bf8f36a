"""``scoreterm scores``: ask the providers once and print a table or JSON."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

import httpx
from rich import box
from rich.console import Console
from rich.table import Table

from scoreterm.commands.common import (
    EXIT_NO_PROVIDER,
    EXIT_OK,
    UserError,
    leagues_from,
    report,
    settings_from,
)
from scoreterm.config import PROVIDER_NAMES, ConfigError, Settings, user_zone
from scoreterm.domain.dates import BadDateSpec, in_window, local_window, parse_date_spec, vendor_days
from scoreterm.domain.display import kickoff_text, match_json, score_text, status_text
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import League, Match, PhaseState
from scoreterm.providers.registry import Attempt, NoProviderAnswered, build_providers, first_answer

OFFLINE_HINT = "offline? `scoreterm replay --demo` shows a real match without a network"


def run_scores(flags: Mapping[str, Any], date_spec: str, as_json: bool) -> int:
    """Fetch and print the matches of ``date_spec`` for the configured leagues.

    Returns the exit code: 0, 2 for a usage/config mistake, 3 when a league got no answer (the
    matches of the other leagues are still printed).
    """
    try:
        settings = settings_from(flags).settings
        leagues = leagues_from(settings.leagues)
        for name in settings.providers:
            if name not in PROVIDER_NAMES:
                raise UserError(f"unknown provider {name!r} (known: {', '.join(PROVIDER_NAMES)})")
        try:
            zone = user_zone(settings.timezone)
        except ConfigError as exc:
            raise UserError(str(exc)) from exc
        today = datetime.now(zone).date()
        try:
            first, last = parse_date_spec(date_spec, today)
        except BadDateSpec as exc:
            raise UserError(str(exc)) from exc
    except UserError as exc:
        return report(exc)

    start, end = local_window(first, last, zone)
    vendor_first, vendor_last = vendor_days(start, end)
    matches, failures = asyncio.run(_fetch(settings, leagues, vendor_first, vendor_last))
    shown = sorted(
        (m for m in matches if in_window(m.kickoff, start, end)),
        key=lambda m: (
            settings.leagues.index(m.league) if m.league in settings.leagues else 99,
            m.kickoff,
            m.home.name,
        ),
    )
    if as_json:
        print(json.dumps([match_json(m) for m in shown], indent=2, ensure_ascii=False), flush=True)
    elif shown or not failures:
        _print_table(shown, zone, first, last)
    for failure in failures:
        print(f"scoreterm: error: {failure}; {OFFLINE_HINT}", file=sys.stderr, flush=True)
    return EXIT_NO_PROVIDER if failures else EXIT_OK


async def _fetch(
    settings: Settings, leagues: list[League], first: date, last: date
) -> tuple[list[Match], list[NoProviderAnswered]]:
    """Ask every league concurrently; the whole command is bounded by ``settings.timeout``."""
    async with httpx.AsyncClient(headers={"User-Agent": "scoreterm"}) as client:
        providers = build_providers(settings, client)

        async def one(league: League) -> list[Match]:
            try:
                async with asyncio.timeout(settings.timeout):
                    return (await first_answer(providers, league, first, last))[1]
            except TimeoutError:
                late = Attempt("providers", f"no answer within {settings.timeout:g}s")
                raise NoProviderAnswered(league, [late]) from None

        results = await asyncio.gather(*(one(lg) for lg in leagues), return_exceptions=True)
    matches: list[Match] = []
    failures: list[NoProviderAnswered] = []
    for result in results:
        if isinstance(result, NoProviderAnswered):
            failures.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            matches.extend(result)
    return matches, failures


def _print_table(matches: list[Match], zone: tzinfo, first: date, last: date) -> None:
    console = Console()
    span = first.isoformat() if first == last else f"{first.isoformat()} .. {last.isoformat()}"
    if not matches:
        console.print(f"No matches on {span}.")
        return
    console.print(f"Matches {span}, kick-off times in {_zone_name(zone)}")
    by_league: dict[str, list[Match]] = {}
    for match in matches:
        by_league.setdefault(match.league, []).append(match)
    for slug, league_matches in by_league.items():
        table = Table(title=f"[bold cyan]{_league_name(slug)}[/]", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("Kick-off", no_wrap=True, min_width=12 if first != last else 5)
        table.add_column("Home", justify="right", overflow="ellipsis", no_wrap=True, max_width=19)
        table.add_column("Score", justify="center", style="bold", no_wrap=True, min_width=11)
        table.add_column("Away", overflow="ellipsis", no_wrap=True, max_width=19)
        table.add_column("Status", no_wrap=True, min_width=7)
        for match in league_matches:
            live = match.phase.state in (PhaseState.LIVE, PhaseState.BREAK)
            table.add_row(
                kickoff_text(match, zone, with_day=first != last),
                match.home.name,
                score_text(match),
                match.away.name,
                f"[bold green]{status_text(match)}[/]" if live else status_text(match),
            )
        console.print(table)


def _league_name(slug: str) -> str:
    try:
        return get_league(slug).name
    except UnknownLeague:
        return slug


def _zone_name(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    if key and key != "localtime":
        return str(key)
    return datetime.now(zone).tzname() or "local time"
