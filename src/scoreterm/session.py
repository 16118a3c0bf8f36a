"""Assembly: build a running feed (live engine, replay of a tape, or recording) from settings.

The CLI, the TUI and the tests all get their feed from here, so the live and replay paths share
every part below the HTTP transport.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import msgspec

from scoreterm import paths
from scoreterm.bus.local_feed import LocalFeed
from scoreterm.bus.memory import MemoryBus
from scoreterm.config import Settings
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import League
from scoreterm.engine.clock import Clock, ScaledClock, SystemClock
from scoreterm.engine.engine import Engine, EngineOptions, PollSchedule
from scoreterm.providers.base import PayloadError
from scoreterm.providers.espn_normalize import normalize_scoreboard
from scoreterm.providers.oddsapi import OddsApiProvider
from scoreterm.providers.oddsapi_budget import CreditBudget
from scoreterm.providers.registry import build_providers
from scoreterm.replay.catchup import TapeEngine, WarmUp, catch_up, tape_schedule
from scoreterm.replay.player import ReplayTransport
from scoreterm.replay.recorder import RecordingTransport
from scoreterm.replay.tape import Tape, header_leagues

TAPE_HOST = "http://tape.invalid"
DEMO_SECONDS = 120.0
# The Odds API credits spent this month, in the data directory (see odds_consensus).
ODDS_BUDGET_FILE = "oddsapi-credits.json"


@dataclass
class TapeReplay:
    """A tape being played (the :class:`~scoreterm.engine.feed.ReplayControl` of its feed)."""

    name: str
    clock: ScaledClock
    transport: ReplayTransport
    tape: Tape
    zone: tzinfo

    @property
    def position(self) -> float:
        """Seconds into the tape, never past its end (the clock runs on after the last frame)."""
        return min(self.transport.position(), self.duration)

    @property
    def duration(self) -> float:
        """Length of the tape in seconds."""
        return self.transport.duration

    def restart_at(self, offset: float) -> LocalFeed:
        """A fresh feed on the same tape, at the same speed, from ``offset`` seconds.

        The fresh feed plays the tape from its start up to that point before it goes on (see
        :mod:`scoreterm.replay.catchup`): the engine's state cannot run backwards, and one that
        skipped ahead would miss what the skipped frames held. At max speed the fresh feed starts
        paused: it would otherwise be at the end of the tape at once, as if the seek had not happened.
        Closing the feed releases all it runs on.
        """
        session = replay_session(
            self.tape,
            self.zone,
            name=self.name,
            speed=self.clock.speed,
            start_at=offset,
            real_clock=self.clock.real,
        )
        if session.replay is not None and math.isinf(self.clock.speed):
            session.replay.clock.pause()
        return session.feed


@dataclass
class Session:
    """A feed and what it runs on; close it when done."""

    feed: LocalFeed
    engine: Engine[MemoryBus]
    client: httpx.AsyncClient
    clock: Clock
    replay: TapeReplay | None = None
    recorder: RecordingTransport | None = None

    async def aclose(self) -> None:
        """Stop the engine and release the HTTP client (and finish a recording): what closing the
        feed does."""
        await self.feed.close()


def live_session(
    settings: Settings,
    leagues: list[League],
    zone: tzinfo,
    *,
    date_spec: str = "today",
    until_final: bool = False,
    record_to: Path | None = None,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Session:
    """A session on the live providers (optionally recording every response to a tape)."""
    clock = clock or SystemClock()
    inner = transport or httpx.AsyncHTTPTransport()
    recorder = None
    if record_to is not None:
        urls = {
            "espn": settings.espn_url,
            "thesportsdb": settings.thesportsdb_url,
            "footballdata": settings.footballdata_url,
        }
        # host:port tells providers apart even when they share a host (a local test server).
        hosts = {urlsplit(url).netloc or name: name for name, url in urls.items()}
        recorder = RecordingTransport.to_file(
            record_to,
            inner,
            clock,
            hosts,
            leagues=[lg.slug for lg in leagues],
            note="recorded by scoreterm record",
        )
        inner = recorder
    client = httpx.AsyncClient(transport=inner, headers={"User-Agent": "scoreterm"})
    options = EngineOptions(
        leagues=leagues,
        zone=zone,
        date_spec=date_spec,
        fixed_interval=settings.interval,
        until_final=until_final,
        consensus=odds_consensus(settings, client, clock),
    )
    bus = MemoryBus()
    engine = Engine(build_providers(settings, client), bus, clock, options)
    feed = LocalFeed(engine, bus, on_close=client.aclose)
    return Session(feed, engine, client, clock, recorder=recorder)


def odds_consensus(settings: Settings, client: httpx.AsyncClient, clock: Clock) -> OddsApiProvider | None:
    """The Odds API as the engine's consensus source when a key is set (None otherwise).

    Its credits are counted in a file in the data directory, so a restart does not forget what
    this month has spent; ``odds.credits`` 0 means never ask.
    """
    if not settings.odds_api_key or settings.odds_api_credits <= 0:
        return None
    budget = CreditBudget.load(paths.data_dir() / ODDS_BUDGET_FILE, settings.odds_api_credits)
    return OddsApiProvider(
        client,
        api_key=settings.odds_api_key,
        budget=budget,
        now=clock.now,
        base_url=settings.odds_api_url,
        timeout_s=settings.timeout,
    )


def replay_session(
    tape: Tape,
    zone: tzinfo,
    *,
    name: str,
    speed: float | None = None,
    from_minute: int | None = None,
    start_at: float | None = None,
    real_clock: Clock | None = None,
) -> Session:
    """A session that plays ``tape`` through the real providers on a virtual clock.

    ``speed`` None plays the tape in about two minutes; ``math.inf`` as fast as possible.
    ``from_minute`` starts at the first scoreboard frame whose match clock reached that minute,
    ``start_at`` (ignored when ``from_minute`` is given) that many seconds into the tape. A
    replay that starts part-way has still seen the tape before: its first snapshot holds the
    history (probability line, swings, events) of having played it from the start, and its clock
    is held (see :meth:`ScaledClock.hold`) at ``start_at`` until that history is played.

    Raises:
        TapeError: the header names a league that is not in the catalog (read_tape checks it too).
        StartBeyondTape: no match on the tape reaches ``from_minute``.
    """
    duration = tape.frames[-1].t if tape.frames else 0.0
    chosen = speed if speed is not None else float(max(1, round(duration / DEMO_SECONDS)))
    offset = max(0.0, start_at or 0.0) if from_minute is None else _checked_start(tape, from_minute)
    clock = ScaledClock(tape.header.started_at, chosen, real=real_clock)
    if offset > 0:
        # The replay stands still while it catches up: a seek lands where it was aimed, however
        # long the tape's past takes to play on this machine.
        clock.hold()
        clock.jump(offset)
    transport = ReplayTransport(tape, clock)
    client = httpx.AsyncClient(transport=transport)
    warm_up = None
    if offset > 0:

        def twin(twin_clock: ScaledClock) -> tuple[Engine[MemoryBus], httpx.AsyncClient]:
            # It plays on until the frame the replay stands at (which moves on while it plays).
            twin_transport = ReplayTransport(tape, twin_clock)
            twin_client = httpx.AsyncClient(transport=twin_transport)
            schedule = tape_schedule(twin_transport, until=transport.position)
            engine = _tape_engine(tape, zone, name, twin_client, twin_clock, schedule, detail_at_end=False)
            return engine, twin_client

        warm_up = functools.partial(catch_up, twin, tape.header.started_at, then=clock.release)
    engine = _tape_engine(tape, zone, name, client, clock, tape_schedule(transport), warm_up=warm_up)
    control = TapeReplay(name, clock, transport, tape, zone)
    feed = LocalFeed(engine, engine.bus, replay=control, on_close=client.aclose)
    return Session(feed, engine, client, clock, replay=control)


def _tape_engine(
    tape: Tape,
    zone: tzinfo,
    name: str,
    client: httpx.AsyncClient,
    clock: Clock,
    schedule: PollSchedule,
    *,
    warm_up: WarmUp | None = None,
    detail_at_end: bool = True,
) -> TapeEngine:
    """An engine on the real providers, asking ``client`` (which serves the tape) when ``schedule`` says."""
    providers = tape.header.providers or ("espn",)
    settings = Settings(
        providers=list(providers),
        espn_url=TAPE_HOST,
        thesportsdb_url=TAPE_HOST,
        footballdata_url=TAPE_HOST,
        footballdata_token="tape",
        timeout=30.0,
    )
    leagues = header_leagues(tape.header, name) or [get_league("eng.1")]
    # A tape holds the days it was recorded for: show every match on it, whatever today is.
    options = EngineOptions(
        leagues=leagues, zone=zone, date_spec=None, schedule=schedule, detail_at_end=detail_at_end
    )
    return TapeEngine(build_providers(settings, client), MemoryBus(), clock, options, warm_up=warm_up)


class StartBeyondTape(ValueError):
    """A replay asked to start at a match minute no match on the tape reaches."""


def _checked_start(tape: Tape, minute: int) -> float:
    """:func:`start_offset`, or :class:`StartBeyondTape` when the tape never gets there."""
    found, last = _scan_minutes(tape, minute)
    if found is None:
        reached = f"its matches reach {last} at most" if last else "no match on it is ever under way"
        raise StartBeyondTape(
            f"--from {minute} is past the end of the tape: {reached} "
            f"(the tape lasts {_length(tape.frames[-1].t if tape.frames else 0.0)})"
        )
    return found


def start_offset(tape: Tape, minute: int) -> float:
    """Tape seconds of the first scoreboard frame whose match clock shows ``minute`` or later
    (the last frame when none does)."""
    found, _ = _scan_minutes(tape, minute)
    if found is not None:
        return found
    return tape.frames[-1].t if tape.frames else 0.0


def _scan_minutes(tape: Tape, minute: int) -> tuple[float | None, str]:
    """The time of the first scoreboard frame at ``minute`` or later (None: there is none), and
    the latest match clock seen before it."""
    latest, latest_clock = -1, ""
    for frame in tape.frames:
        if not frame.path.endswith("/scoreboard") or frame.status != 200:
            continue
        league = frame.path.rstrip("/").split("/")[-2]
        try:
            matches = normalize_scoreboard(msgspec.json.decode(frame.content), league)
        except (PayloadError, msgspec.DecodeError, RecursionError):
            continue
        for match in matches:
            if not match.phase.is_active:
                continue
            reached = _minute_of(match.clock)
            if reached >= minute:
                return frame.t, match.clock
            if reached > latest:
                latest, latest_clock = reached, match.clock
    return None, latest_clock


def _length(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _minute_of(clock: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in clock).split()
    return sum(int(d) for d in digits) if digits else -1


def parse_speed(text: str) -> float:
    """``max`` -> infinity; otherwise a positive number.

    Raises:
        ValueError: not ``max`` nor a positive number.
    """
    if text.strip().lower() == "max":
        return math.inf
    value = float(text)
    if not value > 0 or math.isinf(value):
        raise ValueError(f"speed must be a positive number or max, got {text!r}")
    return value
