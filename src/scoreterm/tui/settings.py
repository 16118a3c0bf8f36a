"""Settings that stick: what ``f``, ``s``, ``l`` and ``w`` change is saved to the config file.

:class:`SettingsSaver` writes one setting through :mod:`scoreterm.config_write` (comments and
layout kept, atomic); :func:`toggle_team` is the rule both team keys follow. No Textual import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoreterm.config import ConfigError, env_name
from scoreterm.domain.model import Team
from scoreterm.domain.names import normalize_team


@dataclass
class SettingsSaver:
    """Saves settings to ``file``; with no file (tests, screenshots) nothing is written.

    ``environ`` is the environment the settings were read from: a variable set there outranks the
    file, so what is saved would not be what the next start uses (see :meth:`overridden_by`).
    """

    file: Path | None = None
    environ: Mapping[str, str] = field(default_factory=dict)

    def save(self, key: str, value: Any) -> str | None:
        """Write ``key = value``; return None when saved (or nothing to save to), else why not."""
        if self.file is None:
            return None
        from scoreterm.config_write import set_setting

        try:
            set_setting(self.file, key, value)
        except ConfigError as exc:
            return str(exc)
        return None

    def overridden_by(self, key: str) -> str | None:
        """The environment variable that outranks the saved ``key`` (None when none is set)."""
        name = env_name(key)
        return name if name in self.environ else None

    def where(self) -> str:
        """The file's name for a message (``config.toml``), or ``this session`` without one."""
        return self.file.name if self.file is not None else "this session"


@dataclass(frozen=True)
class TeamToggle:
    """What a team key did: the new list, and which team was added and which removed."""

    names: list[str]
    added: str | None
    removed: tuple[str, ...]


def toggle_team(first: Team, second: Team, names: list[str]) -> TeamToggle:
    """One press on a match: neither team listed -> the first (in reading order); the first ->
    the second instead; the second (or both) -> neither. Names compare normalized."""
    listed = {normalize_team(n) for n in names}
    has_first = normalize_team(first.name) in listed
    has_second = normalize_team(second.name) in listed

    def without(*teams: Team) -> list[str]:
        gone = {normalize_team(t.name) for t in teams}
        return [n for n in names if normalize_team(n) not in gone]

    if not has_first and not has_second:
        return TeamToggle([*names, first.name], first.name, ())
    if has_first and not has_second:
        return TeamToggle([*without(first), second.name], second.name, (first.name,))
    removed = (first.name, second.name) if has_first else (second.name,)
    return TeamToggle(without(first, second), None, removed)
