"""Settings: defaults, then the TOML config file, then ``SCORETERM_*`` variables, then CLI flags.

The file groups provider settings in tables (``[espn] url = ...``); internally everything is one
flat, typed :class:`Settings`. Each effective value remembers where it came from, so
``scoreterm config show`` can say why a setting has the value it has.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from scoreterm import paths
from scoreterm.config_rules import (
    DEFAULT_MAX_RESPONSE_BYTES,
    FREE_PLAN_CREDITS,
    clip,
    format_size,
    problem,
    zone_problem,
)
from scoreterm.config_rules import MAX_TIMEOUT_S as MAX_TIMEOUT_S
from scoreterm.config_rules import MIN_INTERVAL_S as MIN_INTERVAL_S
from scoreterm.config_rules import PROVIDER_NAMES as PROVIDER_NAMES
from scoreterm.config_rules import TOAST_KINDS as TOAST_KINDS
from scoreterm.config_rules import redact_url as redact_url
from scoreterm.domain.leagues import resolve_slug

DEFAULT_ESPN_URL = "https://site.api.espn.com"
DEFAULT_THESPORTSDB_URL = "https://www.thesportsdb.com"
DEFAULT_FOOTBALLDATA_URL = "https://api.football-data.org"
# A config file is a few hundred bytes; reading stops past this (think SCORETERM_CONFIG=/dev/zero).
MAX_CONFIG_BYTES = 1 << 20
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
_FLAGS = {"leagues": "--league", "providers": "--provider", "redis_url": "--redis"}


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


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    file: Path | None = None,
) -> LoadedSettings:
    """Build the effective settings: flag > env > file > default.

    Every value is checked (type, then range: see :mod:`scoreterm.config_rules`), so what comes
    back passes :func:`validate_settings`.

    Args:
        flags: CLI values; None values mean "not given".
        env: the environment to read (``os.environ`` by default).
        file: the config file (``paths.config_file()`` by default); a missing file is fine.

    Raises:
        ConfigError: the file is not valid TOML, has an unknown key or a bad value (the message
            names the file and line), or an environment variable or flag has a bad value (the
            message names it).
    """
    env = os.environ if env is None else env
    file = paths.config_file() if file is None else file
    values: dict[str, Any] = {}
    sources = dict.fromkeys(Settings.__struct_fields__, "default")

    for field, value in _read_file(file).items():
        values[field] = value
        sources[field] = f"file {file}"
    for field in Settings.__struct_fields__:
        raw = env.get(env_name(field))
        if raw is not None and raw != "":
            values[field] = _split_list(raw) if field in _LIST_FIELDS else raw
            sources[field] = f"env {env_name(field)}"
    for field, value in (flags or {}).items():
        if value is not None:
            values[field] = value
            sources[field] = "flag"

    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        field = _field_of(str(exc))
        source = sources.get(field, "?")
        if field not in values:  # not one of ours to explain: msgspec's own words
            raise ConfigError(f"{_origin(field, source)}: {exc}") from exc
        name = _origin_name(field, source)
        raise ConfigError(f"{_origin(field, source)}: {type_problem(field, name, values[field])}") from exc
    for field, source in sources.items():
        if source.startswith(("env ", "flag")):
            name = _origin_name(field, source)
            found = problem(field, getattr(settings, field), name)
            if found is not None:
                raise ConfigError(f"{_origin(field, source)}: {found}")
    return LoadedSettings(canonical(settings), sources, file)


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


def _origin_name(field: str, source: str) -> str:
    if source.startswith("env "):
        return env_name(field)
    return _FLAGS.get(field, "--" + field.replace("_", "-"))


def _origin(field: str, source: str) -> str:
    """Where a value came from, as the user would look for it."""
    if source.startswith("env "):
        return f"environment variable {env_name(field)}"
    if source == "flag":
        return f"option {_origin_name(field, source)}"
    return f"setting {field!r} ({source})"


def _split_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _field_of(message: str) -> str:
    match = re.search(r"\$\.(\w+)", message)
    return match.group(1) if match else "?"


def read_file(file: Path) -> dict[str, Any]:
    """Read the TOML file into flat, checked Settings fields; errors name the file and line.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or has an unknown key or a bad value.
    """
    return _read_file(file)


def _read_file(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {file}, line 1: larger than {format_size(MAX_CONFIG_BYTES)}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"config file {file}, line {line}: not UTF-8 text") from exc
    document = _parse_toml(text, file)

    flat: dict[str, Any] = {}
    for key, value in _flatten(document):
        field = _FILE_KEYS.get(key)
        where = f"config file {file}, line {_line_of(text, key)}"
        if field is None:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(f"{where}: unknown setting {clip(key)} (known: {known})")
        try:
            checked = getattr(msgspec.convert({field: value}, Settings), field)
        except msgspec.ValidationError as exc:
            wanted = f"must be {expected_kind(field)}, got {clip(value)}"
            raise ConfigError(f"{where}: bad value for {key!r}: {wanted}") from exc
        found = problem(field, checked, key)
        if found is not None:
            raise ConfigError(f"{where}: {found}")
        flat[field] = value
    return flat


def _parse_toml(text: str, file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise ConfigError(f"config file {file}, line {line}: not valid TOML: {exc}") from exc
    except RecursionError as exc:
        line = _culprit_line(text, RecursionError)
        raise ConfigError(f"config file {file}, line {line}: not valid TOML: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer past Python's 4300-digit limit
        line = _culprit_line(text, ValueError)
        raise ConfigError(f"config file {file}, line {line}: not valid TOML: {clip(str(exc), 100)}") from exc


def _culprit_line(text: str, kind: type[Exception]) -> int:
    """The first line whose prefix of the file already fails with ``kind`` (binary search).

    tomllib reads in order, so once the prefix holds the offending value it fails the same way;
    a shorter prefix fails otherwise or not at all.
    """
    lines = text.splitlines(keepends=True)
    low, high = 1, max(1, len(lines))
    while low < high:
        middle = (low + high) // 2
        if _fails_with("".join(lines[:middle])) is kind:
            high = middle
        else:
            low = middle + 1
    return low


def _fails_with(text: str) -> type[Exception] | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return tomllib.TOMLDecodeError
    except RecursionError:
        return RecursionError
    except ValueError:
        return ValueError
    return None


def _flatten(document: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    stack: list[tuple[str, Mapping[str, Any]]] = [(prefix, document)]
    # A loop, not recursion: ``a.b.c...`` may be dotted thousands of keys deep.
    while stack:
        base, table = stack.pop()
        for key, value in table.items():
            dotted = f"{base}{key}"
            if isinstance(value, dict):
                stack.append((dotted + ".", value))
            else:
                items.append((dotted, value))
    return items


def _line_of(text: str, dotted: str) -> int:
    """Best-effort line number of ``dotted`` (``espn.url``) in the TOML source."""
    table, _, key = dotted.rpartition(".")
    in_table = table == ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
            continue
        if in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
        if table and re.match(rf"{re.escape(dotted)}\s*=", stripped):
            return number
    return 1


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
