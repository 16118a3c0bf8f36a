"""``scoreterm watch --json``, ``replay`` and ``record``: the engine run headless."""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from scoreterm import paths
from scoreterm.commands.common import EXIT_FAILED, EXIT_OK, UserError, leagues_from, report, settings_from
from scoreterm.commands.headless import OutputError, output_failed, print_feed
from scoreterm.commands.progress import RecordProgress, show_progress
from scoreterm.config import ConfigError, Settings, user_zone
from scoreterm.domain.dates import BadDateSpec, parse_date_spec
from scoreterm.domain.model import League
from scoreterm.replay.tape import Tape, TapeError, demo_tape, read_tape
from scoreterm.session import Session, StartBeyondTape, live_session, parse_speed, replay_session

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")


def parse_duration(text: str) -> float:
    """``2h``, ``90m``, ``1h30m``, ``45s`` or plain seconds -> seconds.

    Raises:
        UserError: the text is not a duration.
    """
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        found = _DURATION.match(value)
        if not value or not found or not any(found.groups()):
            raise UserError(f"bad duration {text!r}: use e.g. 2h, 90m, 1h30m or 45s") from None
        hours, minutes, secs = (float(g) if g else 0.0 for g in found.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds <= 0:
        raise UserError(f"duration must be positive, got {text!r}")
    return seconds


def _run(session: Session, body: Callable[[Session], Awaitable[int]]) -> int:
    """Run ``body`` on a started session; SIGINT/SIGTERM end it cleanly with exit code 0."""

    async def main() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            await session.feed.start()
            return await body(session)
        except asyncio.CancelledError:
            return EXIT_OK
        finally:
            await session.aclose()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return EXIT_OK


def live_setup(flags: Mapping[str, Any], date_spec: str) -> tuple[Settings, list[League], tzinfo]:
    """Settings, leagues and zone for a live run, with every user mistake as a UserError."""
    settings = settings_from(flags).settings
    leagues = leagues_from(settings.leagues)
    try:
        zone = user_zone(settings.timezone)
        parse_date_spec(date_spec, datetime.now(UTC).date())
    except (ConfigError, BadDateSpec) as exc:
        raise UserError(str(exc)) from exc
    if settings.interval is not None and settings.interval < 0.5:
        raise UserError(f"--interval must be at least 0.5 seconds, got {settings.interval:g}")
    return settings, leagues, zone


def run_watch_json(flags: Mapping[str, Any], date_spec: str) -> int:
    """Run the live engine and print one JSON line per change until interrupted."""
    try:
        settings, leagues, zone = live_setup(flags, date_spec)
    except UserError as exc:
        return report(exc)
    session = live_session(settings, leagues, zone, date_spec=date_spec)
    return _run(session, _print_until_done)


async def _print_until_done(session: Session) -> int:
    try:
        await print_feed(session.feed, sys.stdout)
    except OutputError as exc:
        return output_failed(exc)
    if session.feed.error is not None:
        return report(UserError(str(session.feed.error), EXIT_FAILED))
    return EXIT_OK


def load_tape(file: Path | None, demo: bool) -> tuple[Tape, str]:
    """The tape to play and its display name.

    Raises:
        UserError: no tape given, both given, or the tape cannot be read.
    """
    if demo == (file is not None):
        raise UserError("give a tape FILE or --demo (one of them)")
    try:
        return (demo_tape(), "demo") if demo else (read_tape(file), Path(str(file)).name)  # type: ignore[arg-type]
    except TapeError as exc:
        raise UserError(str(exc)) from exc


def run_replay_json(file: Path | None, demo: bool, speed: str | None, from_minute: int | None) -> int:
    """Play a tape through the engine and print one JSON line per update until it ends."""
    try:
        tape, name = load_tape(file, demo)
        chosen = parse_speed_option(speed)
        zone = user_zone(settings_from({}).settings.timezone)
    except (UserError, ConfigError) as exc:
        return report(exc if isinstance(exc, UserError) else UserError(str(exc)))
    try:
        session = replay_session(tape, zone, name=name, speed=chosen, from_minute=from_minute)
    except StartBeyondTape as exc:
        return report(UserError(str(exc)))
    return _run(session, _print_until_done)


def parse_speed_option(text: str | None) -> float | None:
    """The ``--speed`` value: None (default), a positive number, or infinity for ``max``."""
    if text is None:
        return None
    try:
        return parse_speed(text)
    except ValueError as exc:
        raise UserError(f"bad --speed {text!r}: use a positive number or max") from exc


def run_record(
    flags: Mapping[str, Any],
    date_spec: str,
    out: Path | None,
    duration: str | None,
    until_final: bool,
    *,
    as_json: bool = False,
) -> int:
    """Record every provider response of a live engine run to a tape, with a progress line on
    stderr (or, ``as_json``, every change as a JSON line on stdout)."""
    try:
        settings, leagues, zone = live_setup(flags, date_spec)
        seconds = parse_duration(duration) if duration else None
        if seconds is None and not until_final:
            raise UserError("say when to stop: --duration (e.g. 2h) or --until-final")
        target = out or _default_tape_path([lg.slug for lg in leagues])
        target.parent.mkdir(parents=True, exist_ok=True)
    except UserError as exc:
        return report(exc)
    except OSError as exc:
        return report(UserError(f"cannot create the tape file: {exc}"))
    try:
        session = live_session(
            settings, leagues, zone, date_spec=date_spec, until_final=until_final, record_to=target
        )
    except OSError as exc:
        return report(UserError(f"cannot write tape {target}: {exc}"))
    print(f"scoreterm: recording to {target} (Ctrl-C stops and keeps what was recorded)", file=sys.stderr)

    slugs = [lg.slug for lg in leagues]

    async def body(session: Session) -> int:
        limit = seconds if seconds is not None else math.inf
        tty = sys.stderr.isatty()
        progress = RecordProgress(sys.stderr, target, session.clock, slugs, tty=tty)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(None if math.isinf(limit) else limit):
                if as_json:
                    await _print_until_done(session)
                else:
                    await show_progress(session.feed, progress, tty=tty)
        return EXIT_OK

    code = _run(session, body)
    print(f"scoreterm: tape written to {target}", file=sys.stderr)
    return code


def _default_tape_path(slugs: list[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return paths.data_dir() / "tapes" / f"{'+'.join(slugs)}-{stamp}.jsonl.gz"
