"""The engine: polls providers per league, keeps the store, and publishes updates on the bus.

One task per league polls the active provider (chosen by health and failover), turns its answer
into canonical matches, and publishes what changed: a snapshot after the first poll, then events
and deltas, each with the match's next seq. A score change triggers an immediate detail fetch so
the scorer and minute follow within a second. Time comes only from the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Generic, Protocol, TypeVar

import msgspec

from scoreterm.domain.channels import league_channel, table_channel
from scoreterm.domain.consensus import OddsConsensus
from scoreterm.domain.dates import in_window, local_window, parse_date_spec, vendor_days
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    League,
    Match,
    PhaseState,
    ProviderState,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.domain.table import LiveTable
from scoreterm.engine.clock import Clock, ScaledClock
from scoreterm.engine.consensus import ConsensusKeeper, ConsensusSource
from scoreterm.engine.failover import CircuitBreaker, CrossChecker, FailoverPolicy
from scoreterm.engine.health import ProviderHealth
from scoreterm.engine.identity import IdentityMap
from scoreterm.engine.interval import QuotaBudget, next_interval, retry_delay
from scoreterm.engine.sources import REQUEST_BUDGETS, SourceState, guarded
from scoreterm.engine.store import Applied, MatchStore
from scoreterm.engine.tables import TableKeeper
from scoreterm.providers.base import HttpStatusError, Provider, ProviderError

log = logging.getLogger(__name__)
T = TypeVar("T")

# In replay, a schedule says how long to wait for the tape's next frame (None: tape is over).
PollSchedule = Callable[[], float | None]
SHADOW_EVERY_S = 60.0
DETAIL_EVERY_S = 120.0
# Fetches that have failed for this many poll intervals make the data on screen stale.
STALE_INTERVALS = 3
FOCUSED_DETAIL_EVERY_S = 30.0
# Before kick-off the detail brings the pre-match line (the win probability's prior), the team
# sheets (out about an hour before) and the preview: asked this often in the last hour.
PREMATCH_WINDOW = timedelta(hours=1)
PREMATCH_DETAIL_EVERY_S = 600.0


@dataclass
class EngineOptions:
    """How the engine runs: which leagues and days, and when it stops."""

    leagues: list[League]
    zone: tzinfo
    date_spec: str | None = "today"
    fixed_interval: float | None = None
    until_final: bool = False
    schedule: PollSchedule | None = None
    subscribers: Callable[[], int] = lambda: 1
    consensus: ConsensusSource | None = None
    # When the schedule ends, fetch the detail of every match that never had one; an engine that
    # plays a tape only part-way (to catch a replay up) must not, as live play would not have yet.
    detail_at_end: bool = True


@dataclass
class _LeagueState:
    league: League
    failover: FailoverPolicy
    first_poll_done: bool = False
    provider: str | None = None
    attempt: int = 0
    interval: float | None = None
    # Why the last poll did not bring data ("" when it did), and what that makes the source.
    problem: str = ""
    problem_state: ProviderState | None = None
    next_shadow: float = 0.0
    detail_tasks: set[asyncio.Task[None]] = field(default_factory=set)
    last_detail: dict[str, float] = field(default_factory=dict)


class Publisher(Protocol):
    """Where the engine's output goes (a :class:`~scoreterm.bus.memory.MemoryBus`)."""

    async def publish(self, update: Update) -> None:
        """Deliver ``update`` to whoever follows its channel."""
        ...


P = TypeVar("P", bound=Publisher)


class Engine(Generic[P]):
    """Polls, diffs and publishes through ``bus``; see the module docstring.

    Generic in the publisher, so whoever built the engine on a bus can still subscribe to it.
    """

    def __init__(
        self,
        providers: list[Provider],
        bus: P,
        clock: Clock,
        options: EngineOptions,
        rng: random.Random | None = None,
    ) -> None:
        self.bus = bus
        self.clock = clock
        # Ages a status reports are real seconds, also when the engine plays a tape on tape time.
        self.real_clock: Clock = clock.real if isinstance(clock, ScaledClock) else clock
        self.options = options
        self.store = MatchStore()
        self.identity = IdentityMap()
        self.cross_checker = CrossChecker()
        self._rng = rng or random.Random()
        self._providers = {
            p.name: SourceState(
                p,
                ProviderHealth(clock),
                CircuitBreaker(clock, rng=self._rng),
                QuotaBudget(REQUEST_BUDGETS[p.name], clock) if p.name in REQUEST_BUDGETS else None,
                real=self.real_clock,
            )
            for p in providers
        }
        breakers = {name: state.breaker for name, state in self._providers.items()}
        health = {name: state.health for name, state in self._providers.items()}
        # A provider that cannot be asked (football-data without a token) never enters failover.
        usable = [p for p in providers if getattr(p, "configured", True)]
        self._leagues = {
            lg.slug: _LeagueState(
                lg,
                FailoverPolicy(
                    [p.name for p in usable if p.supports(lg)], clock, breakers=breakers, health=health
                ),
            )
            for lg in options.leagues
        }
        self.polls = 0
        self.focused: str | None = None
        self.tables = TableKeeper(clock)
        self.consensus = ConsensusKeeper(options.consensus, clock)

    async def run(self) -> None:
        """Poll every league until cancelled (or, with ``until_final``/a schedule, until done)."""
        async with asyncio.TaskGroup() as group:
            for state in self._leagues.values():
                group.create_task(self._poll_league(state))

    def cancel_detail_fetches(self) -> None:
        """Cancel the detail fetches in flight (they outlive :meth:`run`, which does not own them).

        For an engine that stops polling for good or for a while (a server that is no longer the
        leader of its backplane): nothing it fetched may land in the store after it stopped.
        """
        for state in self._leagues.values():
            for task in list(state.detail_tasks):
                task.cancel()

    def focus(self, match_id: str | None) -> None:
        """Someone is looking at ``match_id`` (None: nobody): fetch its detail now and keep it fresh."""
        self.focused = match_id
        match = self.store.get(match_id) if match_id else None
        if match is not None and match.league in self._leagues:
            state = self._leagues[match.league]
            state.last_detail[match.id] = self.clock.monotonic()
            self._fetch_detail_soon(state, league_channel(match.league), match)

    def snapshot(self, channel: str) -> SnapshotUpdate:
        """The current state of every match of ``channel`` (``league:<slug>``) as one update."""
        slug = channel.removeprefix("league:")
        return SnapshotUpdate(
            channel=channel,
            at=self.clock.now(),
            matches=tuple(self.store.matches(slug)),
        )

    def status(self, slug: str, next_poll_s: float | None = None) -> SourceStatus:
        """How the source of ``slug`` is doing right now.

        ``state``: ``ok`` when the last poll brought data; ``degraded`` while polls fail and are
        retried (``retrying``); ``stale`` once they have failed for three poll intervals;
        ``down`` when no provider may be asked (circuits open); ``unreachable`` when the provider
        never answered at all. ``last_ok_age_s`` counts from the last successful fetch, whether
        or not it changed anything, in real seconds (a replay's engine runs on tape time, which a
        served tape's ``/health`` must not pass off as real).
        """
        state = self._leagues[slug]
        name = state.provider or state.failover.choose() or (state.failover.order or ["none"])[0]
        provider = self._providers.get(name)
        if provider is None:
            return SourceStatus(provider=name, health=0.0, state="down", message="no provider")
        now = self.clock.monotonic()
        age = None if provider.last_ok_at is None else max(0.0, now - provider.last_ok_at)
        real = provider.last_ok_real
        real_age = None if real is None else max(0.0, self.real_clock.monotonic() - real)
        kind: ProviderState = "ok"
        message = ""
        if state.problem:
            kind, message = state.problem_state or "degraded", state.problem
            if provider.last_ok_at is None and provider.failed:
                kind = "unreachable"
            elif kind == "degraded" and age is not None and age > STALE_INTERVALS * (state.interval or 0):
                kind = "stale" if state.interval else kind
        return SourceStatus(
            provider=name,
            health=round(provider.health.score, 3),
            state=kind,
            message=message,
            last_ok=provider.last_ok,
            last_ok_age_s=None if real_age is None else round(real_age, 3),
            next_poll_s=None if next_poll_s is None else round(max(0.0, next_poll_s), 3),
            interval_s=state.interval,
            retrying=bool(state.problem) and state.attempt > 0,
            failures=state.attempt,
        )

    # -- polling --------------------------------------------------------------------------------

    def _window(self) -> tuple[datetime, datetime, date, date]:
        """The instants to keep and the vendor days to ask for; without a date spec (replay)
        every match the provider returns is kept."""
        today = self.clock.now().astimezone(self.options.zone).date()
        if self.options.date_spec is None:
            start, end = local_window(today, today, self.options.zone)
            return (
                datetime.min.replace(tzinfo=UTC),
                datetime.max.replace(tzinfo=UTC),
                *vendor_days(start, end),
            )
        first, last = parse_date_spec(self.options.date_spec, today)
        start, end = local_window(first, last, self.options.zone)
        vendor_first, vendor_last = vendor_days(start, end)
        return start, end, vendor_first, vendor_last

    async def _poll_league(self, state: _LeagueState) -> None:
        channel = league_channel(state.league.slug)
        while True:
            delay = await self._poll_once(state, channel)
            if self._finished(state):
                return
            if self.options.schedule is not None:
                scheduled = self.options.schedule()
                if scheduled is None:
                    await self._finish(state)
                    return
                delay = scheduled
            # Said once per poll, with the wait that really follows: the countdown is the truth.
            # A tape has no next poll: its frames come at the replay's pace, which the engine's
            # delay (in tape seconds) would misstate to anyone watching it served.
            await self._publish_status(state, None if self.options.schedule is not None else delay)
            await self.clock.sleep(delay)

    async def _finish(self, state: _LeagueState) -> None:
        """The tape is over: let detail fetches in flight land, and fetch the detail (odds,
        stats) of every match that never had it, so the final picture is complete."""
        await asyncio.gather(*list(state.detail_tasks), return_exceptions=True)
        if not self.options.detail_at_end:
            return
        for match in self.store.matches(state.league.slug):
            if match.id not in state.last_detail:
                state.last_detail[match.id] = self.clock.monotonic()
                await self.fetch_detail(state.league.slug, match.id)

    def _finished(self, state: _LeagueState) -> bool:
        if not self.options.until_final or not state.first_poll_done:
            return False
        matches = self.store.matches(state.league.slug)
        return all(m.phase.is_over for m in matches)

    async def _poll_once(self, state: _LeagueState, channel: str) -> float:
        name = state.failover.choose()
        if name is None:
            state.problem, state.problem_state = "no provider available", "down"
            state.attempt += 1
            reopen = min((self._providers[n].breaker.retry_in() for n in state.failover.order), default=1.0)
            return max(0.5, reopen) + self._rng.uniform(0, 0.5)
        if name != state.provider:
            state.provider, state.attempt = name, 0
        source = self._providers[name]
        if not source.breaker.allow_request():
            state.problem = f"{name}: waiting for the circuit to half-open"
            state.problem_state = "down"
            return max(0.5, source.breaker.retry_in())
        if (wait := source.quota_wait()) > 0:
            return wait
        start, end, vendor_first, vendor_last = self._window()
        self.polls += 1
        try:
            raw = await guarded(name, source.provider.scoreboard(state.league, vendor_first, vendor_last))
        except ProviderError as exc:
            source.record_failure(exc)
            state.attempt += 1
            state.problem, state.problem_state = str(exc), "degraded"
            return retry_delay(exc, state.attempt, self._rng)
        source.record_success(self.clock)
        state.attempt, state.problem, state.problem_state = 0, "", None
        matches = [self.identity.canonical(m) for m in raw if in_window(m.kickoff, start, end)]
        await self._ingest(state, channel, matches)
        self._prematch_details(state, channel)
        await self._refresh_table(state)
        await self.consensus.refresh(
            state.league, self.store.matches(state.league.slug), self._attach_consensus
        )
        await self._shadow_poll(state, name, vendor_first, vendor_last)
        state.interval = next_interval(
            self.store.matches(state.league.slug),
            self.clock.now(),
            subscribers=self.options.subscribers(),
            health=source.health.score,
            fixed=self.options.fixed_interval,
            rng=self._rng,
        )
        return state.interval

    async def _ingest(self, state: _LeagueState, channel: str, matches: list[Match]) -> None:
        now = self.clock.now()
        changes: list[Applied] = []
        for match in matches:
            flagged = msgspec.structs.replace(match, unconfirmed=self.cross_checker.unconfirmed(match.id))
            applied = self.store.apply(flagged, now)
            if applied is not None:
                changes.append(applied)
        if not state.first_poll_done:
            state.first_poll_done = True
            # Matches restored from history changed while we were down: publish those changes
            # (their seqs are taken) before the snapshot, so nobody sees a gap.
            for applied in changes:
                if not applied.first_sight:
                    await self._publish_applied(channel, applied)
            await self.bus.publish(self.snapshot(channel))
            for applied in changes:
                if applied.match.phase.is_active:
                    self._fetch_detail_soon(state, channel, applied.match)
            return
        for applied in changes:
            await self._publish_applied(channel, applied)
            if self._wants_detail(state, applied):
                self._fetch_detail_soon(state, channel, applied.match)

    def _prematch_details(self, state: _LeagueState, channel: str) -> None:
        """Fetch the detail of each match kicking off within the hour (or late by up to an hour),
        every PREMATCH_DETAIL_EVERY_S."""
        now, mono = self.clock.now(), self.clock.monotonic()
        for match in self.store.matches(state.league.slug):
            near = abs(match.kickoff - now) <= PREMATCH_WINDOW
            if match.phase.state is not PhaseState.SCHEDULED or not near:
                continue
            last = state.last_detail.get(match.id)
            if last is None or mono - last >= PREMATCH_DETAIL_EVERY_S:
                state.last_detail[match.id] = mono
                self._fetch_detail_soon(state, channel, match)

    def _wants_detail(self, state: _LeagueState, applied: Applied) -> bool:
        """Fetch detail at once on a goal or phase change, and every DETAIL_EVERY_S while live
        (substitutions and odds are only in the detail)."""
        match = applied.match
        focused = match.id == self.focused
        if not (match.phase.is_active or applied.events or focused):
            return False
        now = self.clock.monotonic()
        last = state.last_detail.get(match.id)
        urgent = applied.score_changed or any(e.kind is EventKind.PHASE_CHANGE for e in applied.events)
        every = FOCUSED_DETAIL_EVERY_S if focused else DETAIL_EVERY_S
        if urgent or last is None or now - last >= every:
            state.last_detail[match.id] = now
            return True
        return False

    async def _refresh_table(self, state: _LeagueState) -> None:
        """Ask for the official table when it is due, and publish the live table if it moved."""
        slug = state.league.slug
        if self.tables.due(slug):
            names = [state.provider, *state.failover.order] if state.provider else state.failover.order
            sources = [self._providers[n].provider for n in dict.fromkeys(names) if n in self._providers]
            await self.tables.fetch(state.league, sources)
        table = self.tables.recompute(slug, self.store.matches(slug))
        if table is not None:
            now = self.clock.now()
            await self.bus.publish(TableUpdate(channel=table_channel(slug), at=now, table=table))

    async def _attach_consensus(self, match: Match, consensus: OddsConsensus) -> None:
        applied = self.store.annotate(match.id, self.clock.now(), consensus)
        if applied is not None:
            await self._publish_applied(league_channel(match.league), applied)

    def table(self, slug: str) -> LiveTable | None:
        """The live table of ``slug`` as last published (None before any)."""
        return self.tables.live(slug)

    async def _publish_applied(self, channel: str, applied: Applied) -> None:
        now = self.clock.now()
        if applied.match.phase.state is PhaseState.FINAL and any(
            e.kind is EventKind.PHASE_CHANGE for e in applied.events
        ):
            self.tables.full_time(applied.match.league)
        if any(e.kind.is_goal or e.kind is EventKind.RED_CARD for e in applied.events if not e.enriches):
            self.consensus.trigger(applied.match.league)
        for event in applied.events:
            await self.bus.publish(
                EventUpdate(
                    channel=channel,
                    at=now,
                    match_id=applied.match.id,
                    seq=event.seq,
                    event=event,
                )
            )
        if applied.changed:
            await self.bus.publish(
                DeltaUpdate(
                    channel=channel,
                    at=now,
                    match_id=applied.match.id,
                    seq=applied.match.seq,
                    match=applied.match,
                )
            )

    def _fetch_detail_soon(self, state: _LeagueState, channel: str, match: Match) -> None:
        task = asyncio.create_task(self.fetch_detail(state.league.slug, match.id))
        state.detail_tasks.add(task)
        task.add_done_callback(state.detail_tasks.discard)

    async def fetch_detail(self, slug: str, match_id: str) -> None:
        """Fetch the detail (scorers, cards, odds, stats) of one match and publish what changed."""
        state = self._leagues[slug]
        current = self.store.get(match_id)
        name = state.failover.choose()
        if current is None or name is None:
            return
        source = self._providers[name]
        provider_id = current.provider_ids.get(name)
        if provider_id is None or source.quota_wait() > 0:
            return
        # What the detail cannot read stays as the store has it; its own flags start afresh.
        asked = msgspec.structs.replace(
            current, id=f"{name}-{provider_id}", provider=name, suspect=(), prob=None
        )
        try:
            detailed = await guarded(name, source.provider.match_detail(state.league, asked))
        except HttpStatusError as exc:
            # An optional endpoint that has nothing for this match says nothing of the scoreboard.
            if exc.status not in (404, 410):
                source.record_failure(exc)
            log.info("detail fetch for %s failed: %s", match_id, exc)
            return
        except ProviderError as exc:
            source.record_failure(exc)
            log.info("detail fetch for %s failed: %s", match_id, exc)
            return
        source.record_success(self.clock)
        # The scoreboard owns the clock: a detail fetched a moment earlier must not wind it back.
        latest = self.store.get(match_id) or current
        resolved = msgspec.structs.replace(self.identity.canonical(detailed), clock=latest.clock)
        applied = self.store.apply(resolved, self.clock.now())
        if applied is not None:
            await self._publish_applied(league_channel(slug), applied)
        if (applied is not None and applied.score_changed) or self.tables.detail_arrived(slug):
            await self._refresh_table(state)

    async def _shadow_poll(self, state: _LeagueState, active: str, first: date, last: date) -> None:
        """Now and then ask the next healthy provider too: it keeps its health known (so failover
        can switch back) and cross-checks scores."""
        others = [n for n in state.failover.order if n != active]
        if not others or self.options.schedule is not None:
            return
        now = self.clock.monotonic()
        if now < state.next_shadow:
            return
        state.next_shadow = now + SHADOW_EVERY_S
        source = self._providers[others[0]]
        if not source.breaker.allow_request() or source.quota_left() < 0.5:
            return
        try:
            raw = await guarded(source.provider.name, source.provider.scoreboard(state.league, first, last))
        except ProviderError as exc:
            source.record_failure(exc)
            return
        source.record_success(self.clock)
        for match in raw:
            resolved = self.identity.canonical(match)
            known = self.store.get(resolved.id)
            if known is not None and known.phase.is_active:
                self.cross_checker.observe(resolved.id, known.score, resolved.score)

    async def _publish_status(self, state: _LeagueState, next_poll_s: float | None) -> None:
        status = self.status(state.league.slug, next_poll_s)
        channel = league_channel(state.league.slug)
        now = self.clock.now()
        await self.bus.publish(StatusUpdate(channel=channel, at=now, status=status))
