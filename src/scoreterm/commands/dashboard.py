"""``scoreterm watch`` and ``scoreterm replay`` with the Textual dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any

from scoreterm import paths
from scoreterm.commands.common import UserError, report, run_dashboard, settings_from
from scoreterm.commands.live import live_setup, load_tape, parse_speed_option
from scoreterm.commands.lookahead import day_words, make_lookahead
from scoreterm.config import ConfigError, Settings, user_zone
from scoreterm.domain.dates import parse_date_spec
from scoreterm.session import Session, live_session, replay_session


def run_watch_tui(flags: Mapping[str, Any], date_spec: str) -> int:
    """Open the dashboard on the live engine."""
    try:
        settings, leagues, zone = live_setup(flags, date_spec)
    except UserError as exc:
        return report(exc)
    session = live_session(settings, leagues, zone, date_spec=date_spec)
    today = session.clock.now().astimezone(zone).date()
    _, last = parse_date_spec(date_spec, today)
    lookahead = make_lookahead(settings, session.client, zone, last)
    extra = {"next_kickoff": lookahead, "day": day_words(date_spec, today)}
    return _run_app(session, settings, [lg.slug for lg in leagues], zone, extra)


def run_replay_tui(
    file: Path | None, demo: bool, speed: str | None, from_minute: int | None, flags: Mapping[str, Any]
) -> int:
    """Open the dashboard on a tape."""
    try:
        tape, name = load_tape(file, demo)
        chosen = parse_speed_option(speed)
        settings = settings_from(flags).settings
        zone = user_zone(settings.timezone)
    except UserError as exc:
        return report(exc)
    except ConfigError as exc:
        return report(UserError(str(exc)))
    session = replay_session(tape, zone, name=name, speed=chosen, from_minute=from_minute)
    return _run_app(session, settings, list(tape.header.leagues), zone, {"day": "on this tape"})


def _run_app(
    session: Session, settings: Settings, leagues: list[str], zone: tzinfo, extra: Mapping[str, Any] = {}
) -> int:
    from scoreterm.tui.app import AppOptions, make_app

    options = AppOptions(
        settings=settings,
        zone=zone,
        leagues=leagues,
        delay=settings.delay,
        config_file=paths.config_file(),
        **extra,
    )
    return run_dashboard(make_app(session.feed, options))
