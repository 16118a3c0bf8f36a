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

DEFAULT_ESPN_URL = "https://site.api.espn.com"
DEFAULT_THESPORTSDB_URL = "https://www.thesportsdb.com"
DEFAULT_FOOTBALLDATA_URL = "https://api.football-data.org"
PROVIDER_NAMES = ("espn", "thesportsdb", "footballdata")
SECRET_FIELDS = frozenset({"thesportsdb_key", "footballdata_token", "server_token"})


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
    interval: float | None = None
    favourites: list[str] = msgspec.field(default_factory=list)
    spoiler_free: list[str] = msgspec.field(default_factory=list)
    toasts: list[str] = msgspec.field(
        default_factory=lambda: ["goal", "goal_disallowed", "red_card", "full_time"]
    )
    bell: bool = False
    delay: float = 0.0
    server_token: str | None = None
    redis_url: str | None = None


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
    "espn.url": "espn_url",
    "thesportsdb.url": "thesportsdb_url",
    "thesportsdb.key": "thesportsdb_key",
    "footballdata.url": "footballdata_url",
    "footballdata.token": "footballdata_token",
    "server.token": "server_token",
    "redis.url": "redis_url",
}
_LIST_FIELDS = frozenset({"leagues", "providers", "favourites", "spoiler_free", "toasts"})
ENV_PREFIX = "SCORETERM_"


class ConfigError(Exception):
    """The config file (or an environment variable) cannot be used; the message says where."""


class LoadedSettings(msgspec.Struct, frozen=True):
    """Effective settings plus, for each field, where its value came from."""

    settings: Settings
    sources: dict[str, str]
    file: Path


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

    Args:
        flags: CLI values; None values mean "not given".
        env: the environment to read (``os.environ`` by default).
        file: the config file (``paths.config_file()`` by default); a missing file is fine.

    Raises:
        ConfigError: the file is not valid TOML, has an unknown key or a value of the wrong type,
            or an environment variable has an unusable value.
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
        raise ConfigError(f"bad setting {field!r} (from {sources.get(field, '?')}): {exc}") from exc
    return LoadedSettings(settings, sources, file)


def _split_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _field_of(message: str) -> str:
    match = re.search(r"\$\.(\w+)", message)
    return match.group(1) if match else "?"


def _read_file(file: Path) -> dict[str, Any]:
    """Read the TOML file into flat Settings fields, with errors that name the file and line."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise ConfigError(f"config file {file}, line {line}: not valid TOML: {exc}") from exc

    flat: dict[str, Any] = {}
    for key, value in _flatten(document):
        field = _FILE_KEYS.get(key)
        where = f"{file}, line {_line_of(text, key)}"
        if field is None:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {known})")
        try:
            msgspec.convert({field: value}, Settings)
        except msgspec.ValidationError as exc:
            raise ConfigError(f"{where}: bad value for {key!r}: {exc}") from exc
        flat[field] = value
    return flat


def _flatten(document: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in document.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            items.extend(_flatten(value, dotted + "."))
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


def redact_url(url: str) -> str:
    """``url`` with its password (``redis://user:secret@host``) replaced by ``***``."""
    return re.sub(r"(//[^/@]*:)[^/@]*@", r"\1***@", url)


def user_zone(name: str | None) -> tzinfo:
    """The user's time zone: an IANA name from settings, else ``$TZ``, else the system zone.

    Raises:
        ConfigError: ``name`` is not a known IANA zone.
    """
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"unknown time zone {name!r} (use an IANA name like Europe/London)") from exc
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
