"""Where scoreterm keeps its files: platformdirs config, data and cache directories."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "scoreterm"


def config_dir() -> Path:
    """The user's config directory for scoreterm."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    """The config file: ``$SCORETERM_CONFIG`` when set, else ``config.toml`` in the config dir."""
    override = os.environ.get("SCORETERM_CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def data_dir() -> Path:
    """The user's data directory (tapes, server history)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The user's cache directory."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
