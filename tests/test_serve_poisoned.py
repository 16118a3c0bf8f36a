"""``serve`` fed a poisoned body keeps polling, says so on ``/health`` while it lasts, and recovers.

A real ``scoreterm serve`` process polls a local ESPN stand-in that serves a real scoreboard, then
a body of 100,000 nested arrays (which used to kill the engine task silently while ``/health`` said
ok), then the real scoreboard again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.httpserver import Reply, ScriptedServer

pytestmark = pytest.mark.slow
SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"
CAPTURE = "espn_soccer/fifa.world_scoreboard_live_FIRST_HALF_FRA0-3ENG_39min.json"
POISON = Reply(200, b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def health(port: int) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/health", timeout=5)
    body: dict[str, Any] = response.json()
    return body


async def polls_grow(server: ScriptedServer, by: int, within: float = 60.0) -> None:
    start = len(server.seen(SCOREBOARD))
    ok = await asyncio.to_thread(
        server.wait_for, lambda seen: len([r for r in seen if r.path == SCOREBOARD]) >= start + by, within
    )
    assert ok, f"polling stopped at {len(server.seen(SCOREBOARD))} requests"


async def test_serve_keeps_polling_through_a_poisoned_body_and_health_tells_the_truth(tmp_path: Path) -> None:
    port = free_port()
    with ScriptedServer() as espn:
        espn.route(SCOREBOARD, Reply.file(CAPTURE))
        env = {
            **os.environ,
            "SCORETERM_CONFIG": str(tmp_path / "none.toml"),
            "SCORETERM_ESPN_URL": espn.url,
            "SCORETERM_PROVIDERS": "espn",
            "SCORETERM_INTERVAL": "0.5",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "scoreterm", "serve", "--league", "fifa.world", "--port", str(port),
            "--db", str(tmp_path / "history.sqlite3"),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            assert process.stderr is not None
            ready = await asyncio.wait_for(process.stderr.readline(), timeout=30)
            assert b"serving fifa.world" in ready
            await polls_grow(espn, 2)
            assert (await health(port))["status"] == "ok"

            espn.route(SCOREBOARD, POISON)
            await polls_grow(espn, 3)  # the engine keeps asking
            during = await health(port)
            assert during["status"] == "degraded"
            assert "league:fifa.world" in during["problems"]
            assert during["leagues"]["fifa.world"]["state"] != "ok"

            espn.route(SCOREBOARD, Reply.file(CAPTURE))
            await polls_grow(espn, 1)
            for _ in range(120):
                if (await health(port))["status"] == "ok":
                    break
                await polls_grow(espn, 1)
            after = await health(port)
            assert after["status"] == "ok" and after["leagues"]["fifa.world"]["state"] == "ok"
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert json.dumps(during)  # the health body is plain JSON
