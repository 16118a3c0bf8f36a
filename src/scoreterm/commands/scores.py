"""``scoreterm scores``: ask the providers once and print a table or JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

import httpx
import msgspec
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scoreterm.commands.ask import ask_leagues, report_failures
from scoreterm.commands.common import (
    UserError,
    leagues_from,
    report,
    settings_from,
)
from scoreterm.config import PROVIDER_NAMES, ConfigError, Settings, user_zone
from scoreterm.domain.dates import BadDateSpec, in_window, local_window, parse_date_spec, vendor_days
from scoreterm.domain.display import (
    away_first,
    ellipsize,
    fit_name,
    kickoff_text,
    live_state,
    match_json,
    red_cards,
    row_text,
    text_width,
)
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import League, Match, Side
from scoreterm.engine.winprob import ProbabilityTracker
from scoreterm.providers.registry import NoProviderAnswered, build_providers, first_answer

MIN_NAME = 10
# Five columns with one cell of padding each side, a space between columns, and the two edges.
_TABLE_OVERHEAD = 5 * 2 + 4 + 2


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
        rows = [match_json(with_live_probability(m)) for m in shown]
        print(json.dumps(rows, indent=2, ensure_ascii=False), flush=True)
    elif shown or not failures:
        _print_table(shown, zone, first, last)
    return report_failures(failures)


def with_live_probability(match: Match) -> Match:
    """``match`` with the win probability of a live match (the market's price, ESPN's number or the
    model, as the engine would give it on first sight); none for the others."""
    if not match.phase.is_active:
        return msgspec.structs.replace(match, prob=None) if match.prob is not None else match
    return ProbabilityTracker().update(None, match, espn=match.prob)


async def _fetch(
    settings: Settings, leagues: list[League], first: date, last: date
) -> tuple[list[Match], list[NoProviderAnswered]]:
    """Ask every league concurrently, each within ``settings.timeout``."""
    async with httpx.AsyncClient(headers={"User-Agent": "scoreterm"}) as client:
        providers = build_providers(settings, client)

        async def one(league: League) -> list[Match]:
            return (await first_answer(providers, league, first, last))[1]

        found, failures = await ask_leagues(leagues, one, settings.timeout)
    return [match for matches in found for match in matches], failures


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
        console.print(_league_table(slug, league_matches, zone, with_day=first != last, width=console.width))


def _league_table(slug: str, matches: list[Match], zone: tzinfo, *, with_day: bool, width: int) -> Table:
    """One league's matches in its fans' order (away @ home for US sports), names as full as the
    terminal's width allows, red cards marked, the live state in full."""
    us = away_first(slug)
    rows = [(m, row_text(m, zone, with_day=with_day), live_state(m)) for m in matches]
    kickoffs = [kickoff_text(m, zone, with_day=with_day) for m in matches]
    kickoff = max(8, *map(text_width, kickoffs))
    score = max(5, *(text_width(text.score) for _, text, _ in rows))
    spare = width - kickoff - score - _TABLE_OVERHEAD
    # The names get at least MIN_NAME cells each; the status gives way first (it ellipsizes).
    status = max(6, min(max(text_width(s) for *_, s in rows), spare - 2 * MIN_NAME))
    name_width = max(4, (spare - status) // 2)
    table = Table(title=f"[bold cyan]{_league_name(slug)}[/]", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Kick-off", no_wrap=True, min_width=kickoff)
    table.add_column("Away" if us else "Home", justify="right", no_wrap=True)
    table.add_column("Score", justify="center", style="bold", no_wrap=True, min_width=score)
    table.add_column("Home" if us else "Away", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for (match, text, state), when in zip(rows, kickoffs, strict=True):
        cut = ellipsize(state, status)
        table.add_row(
            when,
            _team_cell(match, text.first, name_width, marks_first=False),
            text.score,
            _team_cell(match, text.second, name_width, marks_first=True),
            Text(cut, style="bold green") if match.phase.is_active else Text(cut),
        )
    return table


def _team_cell(match: Match, side: Side, width: int, *, marks_first: bool) -> Text:
    cards = red_cards(match.events, side)
    marks = "■" * cards
    name = fit_name(match.team(side), width - (cards + 1 if cards else 0))
    text = Text()
    if marks and marks_first:
        text.append(f"{marks} ", style="bold red")
    text.append(name)
    if marks and not marks_first:
        text.append(f" {marks}", style="bold red")
    return text


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
