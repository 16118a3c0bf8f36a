"""What a valid setting is: one rule per :class:`~scoreterm.config.Settings` field.

Types are checked by msgspec when the settings are built; these rules check what a type cannot
say (a timeout is positive and finite, a league exists, a URL has a scheme a client can use), so a
mistake stops the program with the place to fix it instead of a traceback or a poller that never
polls. Each rule returns a one-line problem, or None when the value is fine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scoreterm.domain.leagues import UnknownLeague, did_you_mean, get_league

PROVIDER_NAMES = ("espn", "thesportsdb", "footballdata")
# The kinds of toast the TUI knows (scoreterm.tui.board.ToastKind; a test keeps the two equal).
TOAST_KINDS = ("goal", "goal_disallowed", "red_card", "full_time")
# Whose goals, cards and full times a desktop notification tells (config ``notify_for``).
NOTIFY_FOR = ("favourites", "all")

MAX_TIMEOUT_S = 300.0
MIN_INTERVAL_S = 0.5
MAX_INTERVAL_S = 3600.0
MAX_DELAY_S = 3600.0
MIN_RESPONSE_BYTES = 64 << 10
# Tape lines hold one response and are capped at 64 MiB (scoreterm.replay.tape.MAX_LINE_BYTES).
MAX_RESPONSE_BYTES = 64 << 20
MAX_LIST_ITEMS = 200
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2048
MAX_SECRET_CHARS = 512
# A whole-season scoreboard is well under 1 MiB; past this a body is hostile or broken. Set per
# fetcher, and by the ``max_response_bytes`` setting.
DEFAULT_MAX_RESPONSE_BYTES = 8 << 20
# The Odds API's free plan: credits a month (one request with one region and one market costs one).
FREE_PLAN_CREDITS = 500
MAX_ODDS_CREDITS = 10**7

Rule = Callable[[Any, str], str | None]


def clip(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters so a message stays one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def redact_url(url: str) -> str:
    """``url`` with its password (``redis://user:secret@host``) replaced by ``***``."""
    return re.sub(r"(//[^/@]*:)[^/@]*@", r"\1***@", url)


def _seconds(low: float, high: float, *, low_open: bool = False) -> Rule:
    def rule(value: Any, name: str) -> str | None:
        if value is None:
            return None
        above = value > low if low_open else value >= low
        if isinstance(value, int | float) and math.isfinite(value) and above and value <= high:
            return None
        bound = f"> {low:g}" if low_open else f">= {low:g}"
        return f"{name!r} must be a number of seconds {bound} and <= {high:g}, got {clip(value)}"

    return rule


def _leagues(value: list[str], name: str) -> str | None:
    if not value:
        return f"{name!r} needs at least one league"
    if len(value) > MAX_LIST_ITEMS:
        return f"{name!r} lists more than {MAX_LIST_ITEMS} leagues"
    for slug in value:
        if len(slug) > MAX_NAME_CHARS:
            return f"unknown league {clip(slug)} in {name!r}"
        try:
            get_league(slug)
        except UnknownLeague as exc:
            hint = did_you_mean(exc.suggestions)
            return f"unknown league {clip(slug)} in {name!r}{hint}; `scoreterm leagues` lists them all"
    return None


def _providers(value: list[str], name: str) -> str | None:
    if not value:
        return f"{name!r} needs at least one provider (known: {', '.join(PROVIDER_NAMES)})"
    for provider in value:
        if provider not in PROVIDER_NAMES:
            return f"unknown provider {clip(provider)} in {name!r} (known: {', '.join(PROVIDER_NAMES)})"
    return None


def _toasts(value: list[str], name: str) -> str | None:
    for kind in value:
        if kind not in TOAST_KINDS:
            return f"unknown toast {clip(kind)} in {name!r} (known: {', '.join(TOAST_KINDS)})"
    return None


def _notify_for(value: str, name: str) -> str | None:
    if value in NOTIFY_FOR:
        return None
    return f"{name!r} must be one of {', '.join(NOTIFY_FOR)}, got {clip(value)}"


def _league(value: str | None, name: str) -> str | None:
    # None or "" shows every league.
    return _leagues([value], name) if value else None


def _names(value: list[str], name: str) -> str | None:
    if len(value) > MAX_LIST_ITEMS:
        return f"{name!r} lists more than {MAX_LIST_ITEMS} names"
    for item in value:
        if not item.strip():
            return f"empty name in {name!r}"
        if len(item) > MAX_NAME_CHARS or not item.isprintable():
            limit = f"printable and at most {MAX_NAME_CHARS} characters"
            return f"{name!r} holds {clip(item)}: a team name is {limit}"
    return None


def zone_problem(value: str | None) -> str | None:
    """Why ``value`` is not an IANA time zone name, or None (None and "" mean the system zone)."""
    if not value:
        return None
    try:
        if len(value) <= MAX_NAME_CHARS:
            ZoneInfo(value)
            return None
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    return f"unknown time zone {clip(value)} (use an IANA name like Europe/London)"


def _zone(value: str | None, name: str) -> str | None:
    return zone_problem(value)


def _url(schemes: tuple[str, ...], needs_host: bool = True) -> Rule:
    def rule(value: str | None, name: str) -> str | None:
        if value is None:
            return None
        wanted = ", ".join(f"{scheme}://" for scheme in schemes)
        wanted = " or ".join(wanted.rsplit(", ", 1))
        problem = f"{name!r} must be a URL starting with {wanted}, got {clip(redact_url(value))}"
        if len(value) > MAX_URL_CHARS or not value.isascii() or not value.isprintable() or " " in value:
            return problem
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            return problem
        if parts.scheme not in schemes or (needs_host and parts.scheme != "unix" and not parts.hostname):
            return problem
        return None

    return rule


def _redis_url(value: str | None, name: str) -> str | None:
    # Only what would break a message or a header; the bus checks the URL itself ("bad Redis URL").
    if value is None or (len(value) <= MAX_URL_CHARS and value.isascii() and value.isprintable()):
        return None
    return f"{name!r} must be a printable ASCII URL of at most {MAX_URL_CHARS} characters"


def _secret(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_SECRET_CHARS or not value.isascii() or not value.isprintable():
        return f"{name!r} must be printable ASCII of at most {MAX_SECRET_CHARS} characters"
    return None


def _response_bytes(value: int, name: str) -> str | None:
    if MIN_RESPONSE_BYTES <= value <= MAX_RESPONSE_BYTES:
        return None
    span = f"from {MIN_RESPONSE_BYTES} (64 KiB) to {MAX_RESPONSE_BYTES} (64 MiB)"
    return f"{name!r} must be {span}, got {clip(value)}"


def _credits(value: int, name: str) -> str | None:
    if 0 <= value <= MAX_ODDS_CREDITS:
        return None
    return f"{name!r} must be a count of credits from 0 (never ask) to {MAX_ODDS_CREDITS}, got {clip(value)}"


def _any(value: Any, name: str) -> str | None:
    return None


RULES: dict[str, Rule] = {
    "leagues": _leagues,
    "providers": _providers,
    "timeout": _seconds(0.0, MAX_TIMEOUT_S, low_open=True),
    "timezone": _zone,
    "espn_url": _url(("http", "https")),
    "thesportsdb_url": _url(("http", "https")),
    "thesportsdb_key": _secret,
    "footballdata_url": _url(("http", "https")),
    "footballdata_token": _secret,
    "odds_api_url": _url(("http", "https")),
    "odds_api_key": _secret,
    "odds_api_credits": _credits,
    "interval": _seconds(MIN_INTERVAL_S, MAX_INTERVAL_S),
    "favourites": _names,
    "spoiler_free": _names,
    "toasts": _toasts,
    "bell": _any,
    "delay": _seconds(0.0, MAX_DELAY_S),
    "notify": _any,
    "notify_for": _notify_for,
    "view_league": _league,
    "win_column": _any,
    "server_token": _secret,
    "redis_url": _redis_url,
    "max_response_bytes": _response_bytes,
}


def format_size(size: int) -> str:
    """``8388608`` -> ``8 MiB``, ``4096`` -> ``4 KiB``, ``1000`` -> ``1000 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MiB"
    return f"{size} bytes"


def problem(field: str, value: Any, name: str) -> str | None:
    """What is wrong with ``value`` for ``field`` (called ``name`` where the user wrote it), or None."""
    return RULES.get(field, _any)(value, name)
