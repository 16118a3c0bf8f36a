"""Shared fixtures: a scripted local HTTP server and the path to copied real payloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpserver import FIXTURES, ScriptedServer


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    """A real HTTP server on 127.0.0.1:<ephemeral> serving scripted replies."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/fixtures``: real provider payloads copied from ``../shared/fixtures``."""
    return FIXTURES
