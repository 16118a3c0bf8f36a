"""Build the configured providers and ask them, in order, until one answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

import httpx

from scoreterm.config import Settings
from scoreterm.domain.model import League, Match
from scoreterm.domain.table import Table
from scoreterm.providers.base import Provider, ProviderError
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.footballdata import FootballDataProvider
from scoreterm.providers.thesportsdb import TheSportsDbProvider


def build_provider(name: str, settings: Settings, client: httpx.AsyncClient) -> Provider:
    """Build the provider called ``name`` from ``settings``.

    Raises:
        ValueError: ``name`` is not a provider scoreterm knows.
    """
    limit = settings.max_response_bytes
    if name == "espn":
        return EspnProvider(
            client, base_url=settings.espn_url, timeout_s=settings.timeout, max_response_bytes=limit
        )
    if name == "thesportsdb":
        return TheSportsDbProvider(
            client,
            base_url=settings.thesportsdb_url,
            key=settings.thesportsdb_key,
            timeout_s=settings.timeout,
            max_response_bytes=limit,
        )
    if name == "footballdata":
        return FootballDataProvider(
            client,
            base_url=settings.footballdata_url,
            token=settings.footballdata_token,
            timeout_s=settings.timeout,
            max_response_bytes=limit,
        )
    raise ValueError(f"unknown provider {name!r} (known: espn, thesportsdb, footballdata)")


def build_providers(settings: Settings, client: httpx.AsyncClient) -> list[Provider]:
    """Build the providers in the configured order."""
    return [build_provider(name, settings, client) for name in settings.providers]


@dataclass(frozen=True)
class Attempt:
    """One provider that was asked and why it could not answer."""

    provider: str
    reason: str


class NoProviderAnswered(Exception):
    """Every provider that carries the league failed (or none carries it)."""

    def __init__(self, league: League, attempts: list[Attempt]) -> None:
        self.league = league
        self.attempts = attempts
        if attempts:
            tried = "; ".join(f"{a.provider}: {a.reason}" for a in attempts)
        else:
            tried = "no configured provider carries this league"
        super().__init__(f"no provider could answer for {league.slug} ({tried})")


async def first_answer(
    providers: list[Provider], league: League, start: date, end: date
) -> tuple[str, list[Match]]:
    """Ask each provider that supports ``league`` in turn; return the first answer.

    Raises:
        NoProviderAnswered: with every provider tried and the error it gave.
    """
    attempts: list[Attempt] = []
    for provider in providers:
        if not provider.supports(league):
            continue
        try:
            return provider.name, await provider.scoreboard(league, start, end)
        except ProviderError as exc:
            attempts.append(Attempt(provider.name, exc.message))
        except Exception as exc:  # a payload that trips a normalizer is that provider's failure
            attempts.append(Attempt(provider.name, f"unreadable answer ({type(exc).__name__}: {exc})"[:300]))
    raise NoProviderAnswered(league, attempts)


@runtime_checkable
class StandingsProvider(Protocol):
    """A provider that also has league tables."""

    name: str

    def supports(self, league: League) -> bool:
        """Return True when this provider can answer for ``league``."""
        ...

    async def standings(self, league: League, fetched_at: datetime | None = None) -> Table:
        """The official table of ``league`` as the provider has it now."""
        ...


def standings_sources(providers: list[Provider], league: League) -> list[StandingsProvider]:
    """The providers, in order, that have a table of ``league``."""
    return [p for p in providers if isinstance(p, StandingsProvider) and p.supports(league)]


async def first_table(sources: list[StandingsProvider], league: League, now: datetime) -> Table:
    """Ask each source in turn for ``league``'s table; return the first.

    Raises:
        NoProviderAnswered: with every source tried and the error it gave.
    """
    attempts: list[Attempt] = []
    for source in sources:
        try:
            return await source.standings(league, now)
        except ProviderError as exc:
            attempts.append(Attempt(source.name, exc.message))
        except Exception as exc:  # a payload that trips a normalizer is that provider's failure
            attempts.append(Attempt(source.name, f"unreadable answer ({type(exc).__name__}: {exc})"[:300]))
    raise NoProviderAnswered(league, attempts)
