"""What command bodies share: exit codes, the one-line error, and settings from flags."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scoreterm.config import ConfigError, LoadedSettings
from scoreterm.config_load import load_settings
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import League

if TYPE_CHECKING:  # textual is imported only by the commands that show a dashboard
    from textual.app import App

EXIT_OK = 0
# Something kept failing after every retry (the engine, the server's pump): the message says what.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_PROVIDER = 3


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        self.code = code
        super().__init__(message)


def report(error: UserError) -> int:
    """Print ``error`` as one line on stderr and return its exit code."""
    print(f"scoreterm: error: {error}", file=sys.stderr, flush=True)
    return error.code


def settings_from(flags: Mapping[str, Any]) -> LoadedSettings:
    """Load settings with ``flags`` on top, turning config problems into a :class:`UserError`."""
    try:
        return load_settings(flags)
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def leagues_from(slugs: list[str]) -> list[League]:
    """Look up every slug, turning an unknown one into a :class:`UserError` with suggestions."""
    try:
        return [get_league(slug) for slug in dict.fromkeys(slugs)]
    except UnknownLeague as exc:
        raise UserError(str(exc)) from exc


def run_dashboard(app: App[Any], *, headless: bool = False) -> int:
    """Run a dashboard until it quits; its exit code: 1 when it crashed (Textual printed why)."""
    app.run(headless=headless)
    return EXIT_FAILED if app.return_code else EXIT_OK
