"""Reading the TOML config file into flat, checked :class:`~scoreterm.config.Settings` fields.

The file groups provider settings in tables (``[espn] url = ...``); what comes back is keyed by
setting name (``espn_url``). Every value is checked (type, then range) and every error names the
file and the line to fix: a file that is too large, not UTF-8, not TOML (even one nested too deeply
or with an integer past Python's digit limit), or has an unknown key or a bad value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from scoreterm.config import FILE_KEYS, ConfigError, Settings, expected_kind
from scoreterm.config_rules import clip, format_size, problem

# A config file is a few hundred bytes; reading stops past this (think SCORETERM_CONFIG=/dev/zero).
MAX_CONFIG_BYTES = 1 << 20


def read_file(file: Path) -> dict[str, Any]:
    """Read the TOML file into flat, checked Settings fields; errors name the file and line.

    A missing file reads as no settings.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or has an unknown key or a bad value.
    """
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
        field = FILE_KEYS.get(key)
        where = f"config file {file}, line {_line_of(text, key)}"
        if field is None:
            known = ", ".join(sorted(FILE_KEYS))
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
