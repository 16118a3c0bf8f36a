"""Change one setting in the config file, keeping the user's comments, order and layout.

``scoreterm config set`` and the dashboard (favourites with ``f``, the league shown by ``l``,
spoiler-free teams with ``s``) write through here. The file is edited with tomlkit, which keeps
every comment, blank line and key order; a list the user laid out over several lines is changed
in place (items removed and appended) rather than rewritten. The new text is checked by the same
rules as :func:`scoreterm.config_load.load_settings` before anything is written, and is written
atomically (a temporary file in the same directory, fsync, rename), so a crash or a second
scoreterm writing at the same moment leaves either the old file or the new one, never half of
one. A config file that is a symbolic link (a dotfiles repository) stays one: the file it points
to is replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import tomlkit
from tomlkit.items import Array, Table

from scoreterm.config import FILE_KEYS, LIST_FIELDS, ConfigError, Settings, canonical
from scoreterm.config_file import MAX_CONFIG_BYTES, read_file
from scoreterm.config_rules import clip, problem

_UNSET_WORDS = frozenset({"", "none", "null", "unset"})


def file_key(name: str) -> str:
    """The config file key for ``name``: a file key (``espn.url``) or a setting (``espn_url``).

    Raises:
        ConfigError: not a setting scoreterm knows (the message lists them).
    """
    key = name.strip()
    if key in FILE_KEYS:
        return key
    by_field = {field: dotted for dotted, field in FILE_KEYS.items()}
    if key in by_field:
        return by_field[key]
    raise ConfigError(f"unknown setting {clip(key)} (known: {', '.join(sorted(FILE_KEYS))})")


def parse_value(key: str, text: str) -> Any:
    """Turn the text typed after ``config set KEY`` into a checked value for ``key``.

    Lists are comma-separated (``eng.1,esp.1``) or a TOML array; booleans ``true``/``false``
    (``yes``/``no``, ``on``/``off``); numbers as numbers. ``none`` means "remove the key" and
    returns None (an empty string too, except for a list, where it means an empty list).

    Raises:
        ConfigError: the value has the wrong type or breaks the setting's rule.
    """
    key = file_key(key)
    field = FILE_KEYS[key]
    raw = text.strip()
    if raw.lower() in _UNSET_WORDS and (field not in LIST_FIELDS or raw.lower() != ""):
        return None
    value: Any = raw
    if field in LIST_FIELDS:
        value = _list(raw, key)
    elif raw.lower() in ("yes", "on"):
        value = "true"
    elif raw.lower() in ("no", "off"):
        value = "false"
    return check(key, value, strict=False)


def check(key: str, value: Any, *, strict: bool = True) -> Any:
    """``value`` converted to the type of setting ``key`` and checked by its rule.

    Raises:
        ConfigError: wrong type or a broken rule, naming the key.
    """
    field = FILE_KEYS[key]
    try:
        checked = getattr(msgspec.convert({field: value}, Settings, strict=strict), field)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"bad value for {key!r}: {exc}") from exc
    found = problem(field, checked, key)
    if found is not None:
        raise ConfigError(found)
    if isinstance(checked, float) and checked.is_integer():
        checked = int(checked)  # "timeout = 5", as a person writes it (read back as 5.0)
    if field in ("leagues", "view_league"):
        fixed = canonical(Settings(**{field: checked}))
        checked = getattr(fixed, field)
    return checked


def set_setting(file: Path, key: str, value: Any) -> Any:
    """Set ``key`` (a file key or setting name) to ``value`` in ``file`` and return what was stored.

    ``value`` None removes the key. The file and its directory are created when missing.

    Raises:
        ConfigError: an unknown key, a bad value, or a file that cannot be read or written
            (the message names the file).
    """
    key = file_key(key)
    stored = None if value is None else check(key, value)
    document = _load(file)
    table_name, _, leaf = key.rpartition(".")
    table: Any = document
    if table_name:
        if table_name not in document:
            if stored is None:
                return None
            document[table_name] = tomlkit.table()
        table = document[table_name]
        if not isinstance(table, Table):
            raise ConfigError(f"config file {file}: {table_name!r} is not a table")
    if stored is None:
        if leaf in table:
            del table[leaf]
    elif isinstance(stored, list) and isinstance(table.get(leaf), Array):
        _update_in_place(table[leaf], stored)
    else:
        table[leaf] = stored
    text = tomlkit.dumps(document)
    _verify(text, file)
    write_atomic(file, text)
    return stored


def _list(raw: str, key: str) -> list[Any]:
    if raw.startswith("["):
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"bad value for {key!r}: not a TOML array: {exc}") from exc
        return list(value)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _update_in_place(array: Array, wanted: list[Any]) -> None:
    """Make ``array`` hold ``wanted`` by removing and appending, keeping the user's line layout."""
    if [*array] == wanted:
        return
    keep = [item for item in array if item in wanted]
    if keep != wanted[: len(keep)]:
        keep = []  # reordered: nothing stays in place
    for index in reversed(range(len(array))):
        if not keep or array[index] not in wanted:
            del array[index]
    for item in wanted[len(keep) :]:
        array.append(item)


def _load(file: Path) -> tomlkit.TOMLDocument:
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return tomlkit.document()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {file} is too large to edit")
    read_file(file)  # the same checks as loading: a broken file is fixed by hand, not overwritten
    try:
        return tomlkit.parse(data.decode("utf-8"))
    except Exception as exc:  # tomlkit raises its own ParseError and, on odd input, others
        raise ConfigError(f"config file {file}: cannot edit it: {exc}") from exc


def _verify(text: str, file: Path) -> None:
    """The text to write must load as the file would; otherwise nothing is written."""
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "config.toml"
        probe.write_text(text, encoding="utf-8")
        try:
            read_file(probe)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(probe), str(file))) from exc


def write_atomic(file: Path, text: str) -> None:
    """Replace ``file`` with ``text`` at once (same directory temp file, fsync, rename).

    Keeps the permissions of the file it replaces (a new file is private to the user: it may
    hold tokens), and writes through a symbolic link to the file it points to.

    Raises:
        ConfigError: the file or its directory cannot be written.
    """
    target = file.resolve() if file.is_symlink() else file
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o600
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        temp = Path(name)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, mode)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write config file {file}: {exc}") from exc
