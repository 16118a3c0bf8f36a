"""Settings: defaults, then the TOML config file, then ``SCORETERM_*`` variables, then CLI flags.

The file groups provider settings in tables (``[espn] url = ...``); internally everything is one
flat, typed :class:`Settings`. Each effective value remembers where it came from, so
``scoreterm config show`` can say why a setting has the value it has.

This module is the model: the fields and their defaults, their file keys and environment names,
and how a value of the wrong type is described. Reading the file is ``config_file``; loading
everything in that order is ``config_load`` (:func:`~scoreterm.config_load.load_settings`); the
rule of each field is ``config_rules``, and changing the file ``config_write``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from scoreterm.config_rules import DEFAULT_MAX_RESPONSE_BYTES, FREE_PLAN_CREDITS, clip, problem, zone_problem
from scoreterm.config_rules import MAX_TIMEOUT_S as MAX_TIMEOUT_S
from scoreterm.config_rules import MIN_INTERVAL_S as MIN_INTERVAL_S
from scoreterm.config_rules import PROVIDER_NAMES as PROVIDER_NAMES
from scoreterm.config_rules import TOAST_KINDS as TOAST_KINDS
from scoreterm.config_rules import redact_url as redact_url
from scoreterm.domain.leagues import resolve_slug

DEFAULT_ESPN_URL = "https://site.api.espn.com"
DEFAULT_THESPORTSDB_URL = "https://www.thesportsdb.com"
DEFAULT_FOOTBALLDATA_URL = "https://api.football-data.org"
DEFAULT_ODDS_API_URL = "https://api.the-odds-api.com"
SECRET_FIELDS = frozenset({"thesportsdb_key", "footballdata_token", "odds_api_key", "server_token"})


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every setting scoreterm reads, with its default."""

    leagues: list[str] = msgspec.field(default_factory=lambda: ["eng.1"])
    providers: list[str] = msgspec.field(default_factory=lambda: list(PROVIDER_NAMES))
    timeout: float = 10.0
    timezone: str | None = None
    espn_url: str = DEFAULT_ESPN_URL
    thesportsdb_url: str = DEFAULT_THESPORTSDB_URL
    thesportsdb_key: str | None = None
    footballdata_url: str = DEFAULT_FOOTBALLDATA_URL
    footballdata_token: str | None = None
    odds_api_url: str = DEFAULT_ODDS_API_URL
    odds_api_key: str | None = None
    odds_api_credits: int = FREE_PLAN_CREDITS
    interval: float | None = None
    favourites: list[str] = msgspec.field(default_factory=list)
    spoiler_free: list[str] = msgspec.field(default_factory=list)
    toasts: list[str] = msgspec.field(
        default_factory=lambda: ["goal", "goal_disallowed", "red_card", "full_time"]
    )
    bell: bool = False
    delay: float = 0.0
    notify: bool = False
    notify_for: str = "favourites"
    view_league: str | None = None
    win_column: bool = False
    server_token: str | None = None
    redis_url: str | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


# File key (dotted for tables) -> Settings field.
_FILE_KEYS: dict[str, str] = {
    "leagues": "leagues",
    "providers": "providers",
    "timeout": "timeout",
    "timezone": "timezone",
    "interval": "interval",
    "favourites": "favourites",
    "spoiler_free": "spoiler_free",
    "toasts": "toasts",
    "bell": "bell",
    "delay": "delay",
    "notify": "notify",
    "notify_for": "notify_for",
    "view_league": "view_league",
    "win_column": "win_column",
    "espn.url": "espn_url",
    "thesportsdb.url": "thesportsdb_url",
    "thesportsdb.key": "thesportsdb_key",
    "footballdata.url": "footballdata_url",
    "footballdata.token": "footballdata_token",
    "odds.url": "odds_api_url",
    "odds.api_key": "odds_api_key",
    "odds.credits": "odds_api_credits",
    "server.token": "server_token",
    "redis.url": "redis_url",
    "max_response_bytes": "max_response_bytes",
}
_LIST_FIELDS = frozenset({"leagues", "providers", "favourites", "spoiler_free", "toasts"})
FILE_KEYS = _FILE_KEYS
"""Config file key (dotted for tables) -> :class:`Settings` field."""
LIST_FIELDS = _LIST_FIELDS
"""The settings that are lists."""
ENV_PREFIX = "SCORETERM_"
# What a setting of the wrong type should have been, in words, where its type alone does not say.
_KINDS: dict[str, str] = {
    "timeout": "a number of seconds",
    "interval": "a number of seconds",
    "delay": "a number of seconds",
    "odds_api_credits": "a whole number of credits",
    "max_response_bytes": "a whole number of bytes",
}


class ConfigError(Exception):
    """The config file (or an environment variable) cannot be used; the message says where."""


class LoadedSettings(msgspec.Struct, frozen=True):
    """Effective settings plus, for each field, where its value came from."""

    settings: Settings
    sources: dict[str, str]
    file: Path


def expected_kind(field: str) -> str:
    """What setting ``field`` takes, in words: ``a number of seconds``, ``true or false``..."""
    if field in _KINDS:
        return _KINDS[field]
    if field in _LIST_FIELDS:
        return "a list of strings"
    default = next((f.default for f in msgspec.structs.fields(Settings) if f.name == field), None)
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return "a string"


def type_problem(field: str, name: str, value: Any) -> str:
    """The one-line complaint for ``value`` of the wrong type for ``field`` (called ``name``)."""
    return f"{name!r} must be {expected_kind(field)}, got {clip(value)}"


def env_name(field: str) -> str:
    """The environment variable that sets ``field`` (``espn_url`` -> ``SCORETERM_ESPN_URL``)."""
    return ENV_PREFIX + field.upper()


def canonical(settings: Settings) -> Settings:
    """``settings`` with league aliases (``epl``) turned into catalog slugs (``eng.1``), once each.

    Call it on checked settings only: an unknown league is left as it is.
    """
    leagues = list(dict.fromkeys(resolve_slug(slug) or slug for slug in settings.leagues))
    view = settings.view_league
    view = (resolve_slug(view) or view) if view else None
    if leagues == settings.leagues and view == settings.view_league:
        return settings
    return msgspec.structs.replace(settings, leagues=leagues, view_league=view)


def validate_settings(settings: Settings) -> None:
    """Check every field of ``settings`` (built in code, say) against its rule.

    Raises:
        ConfigError: the first field that breaks its rule, by name.
    """
    for field in Settings.__struct_fields__:
        found = problem(field, getattr(settings, field), field)
        if found is not None:
            raise ConfigError(f"bad setting {field!r}: {found}")


def redacted(settings: Settings) -> dict[str, Any]:
    """Settings as a plain dict with secrets replaced by ``"***"`` (None stays None)."""
    plain: dict[str, Any] = msgspec.to_builtins(settings)
    for field in SECRET_FIELDS:
        if plain.get(field):
            plain[field] = "***"
    if plain.get("redis_url"):
        plain["redis_url"] = redact_url(plain["redis_url"])
    return plain


def user_zone(name: str | None) -> tzinfo:
    """The user's time zone: an IANA name from settings, else ``$TZ``, else the system zone.

    Raises:
        ConfigError: ``name`` is not a known IANA zone.
    """
    if name:
        found = zone_problem(name)
        if found is not None:
            raise ConfigError(found)
        return ZoneInfo(name)
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        try:
            return ZoneInfo(tz_env)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        with localtime.open("rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    fallback = datetime.now(UTC).astimezone().tzinfo
    return fallback if fallback is not None else UTC
