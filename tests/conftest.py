"""Shared fixtures: a scripted local HTTP server and the path to copied real payloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpserver import FIXTURES, ScriptedServer
from tests.redisserver import RedisServer, find_redis_server


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    """A real HTTP server on 127.0.0.1:<ephemeral> serving scripted replies."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/fixtures``: real provider payloads copied from ``../shared/fixtures``."""
    return FIXTURES


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real, empty ``redis-server`` on a free port (no persistence), stopped after the test.

    Skipped, with the reason, when no ``redis-server`` binary is installed (CI installs one).
    """
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server not found on PATH or in /usr/sbin (apt-get install redis-server)")
    with RedisServer(binary, tmp_path / "redis") as server:
        yield server
