"""Loading the effective settings: defaults, then the config file, then ``SCORETERM_*`` environment
variables, then CLI flags.

Each effective value remembers where it came from (:class:`~scoreterm.config.LoadedSettings`), so
``scoreterm config show`` can say why a setting has the value it has, and a bad value is reported
where the user set it: the file and line, the environment variable, or the option.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from scoreterm import paths
from scoreterm.config import (
    LIST_FIELDS,
    ConfigError,
    LoadedSettings,
    Settings,
    canonical,
    env_name,
    type_problem,
)
from scoreterm.config_file import read_file
from scoreterm.config_rules import problem

_FLAGS = {"leagues": "--league", "providers": "--provider", "redis_url": "--redis"}


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    file: Path | None = None,
) -> LoadedSettings:
    """Build the effective settings: flag > env > file > default.

    Every value is checked (type, then range: see :mod:`scoreterm.config_rules`), so what comes
    back passes :func:`~scoreterm.config.validate_settings`.

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

    for field, value in read_file(file).items():
        values[field] = value
        sources[field] = f"file {file}"
    for field in Settings.__struct_fields__:
        raw = env.get(env_name(field))
        if raw is not None and raw != "":
            values[field] = _split_list(raw) if field in LIST_FIELDS else raw
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
