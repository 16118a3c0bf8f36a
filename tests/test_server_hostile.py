"""Hostile requests to ``scoreterm serve`` get a 4xx or an error frame, never a 500, a 1011 or a traceback.

Issue 10: non-ASCII tokens (HTTP 401 / close 4001, nothing logged at error level), HTTP rate limits per
IP (429 + ``Retry-After``), ``after_seq`` out of range (400), and error frames that never echo more
than a clipped piece of what the client sent. Real sockets on 127.0.0.1, port 0, as in
``tests/test_server.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from scoreterm.net.history import HistoryError
from tests.servers import (
    DEMO_LEAGUE,
    DEMO_MATCH,
    FIRST_GOAL_T,
    RawWebSocket,
    closed_with,
    metric,
    running_server,
    server_config,
    until,
    ws_client,
)

LEAGUE = f"league:{DEMO_LEAGUE}"
TOKEN = "s3cret-token"
ACCENTED = "s3cré"  # a token a user may well pick; é is C3 A9 in UTF-8, E9 in latin-1


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record at error level or above (a traceback per request is what the issue found)."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


async def raw_get(port: int, path: str, headers: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 GET with headers given as raw bytes (latin-1 octets included); (status, body)."""
    async with asyncio.timeout(5):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length"))[15:])
        body = await reader.readexactly(length)
        writer.close()
    return int(head.split(b" ", 2)[1]), body


# -- item 3: non-ASCII tokens ------------------------------------------------------------------------


async def test_non_ascii_tokens_are_a_401_not_a_500(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_server(server_config(token=TOKEN)) as rs:
        assert await raw_get(rs.port, "/metrics?token=%C3%A9") == (401, b'{"error":"missing or bad token"}')
        status, _ = await raw_get(rs.port, "/v1/leagues", b"Authorization: Bearer s3cr\xe9\r\n")
        assert status == 401
        status, _ = await raw_get(rs.port, "/v1/leagues?token=%FF%FE")  # not even UTF-8
        assert status == 401
        with pytest.raises(InvalidStatus) as refused:
            async with ws_client(f"{rs.url}?token=%C3%A9"):
                pass
        assert refused.value.response.status_code == 401
        assert metric(rs, "scoreterm_rejected_total", reason="token") == 1
    assert errors_logged(caplog) == []


async def test_a_hello_with_a_non_ascii_token_closes_with_4001(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_server(server_config(token=TOKEN)) as rs, ws_client(rs.url) as client:
        await client.send_json({"op": "hello", "v": 1, "token": ACCENTED})
        closed, frames = await closed_with(client)
        assert frames == [] and closed.rcvd is not None and closed.rcvd.code == 4001
        await until(lambda: not rs.server.clients)
    assert errors_logged(caplog) == []


async def test_a_non_ascii_server_token_is_accepted_every_way_it_can_be_sent() -> None:
    """Compared as bytes: UTF-8 in the query and in ``hello``, the header's octets as sent."""
    async with running_server(server_config(token=ACCENTED)) as rs:
        header = b"Authorization: Bearer " + ACCENTED.encode() + b"\r\n"
        assert (await raw_get(rs.port, "/v1/leagues", header))[0] == 200
        assert (await raw_get(rs.port, "/v1/leagues?token=s3cr%C3%A9"))[0] == 200
        assert (await raw_get(rs.port, "/v1/leagues?token=s3cre"))[0] == 401
        async with ws_client(rs.url) as client:
            await client.send_json({"op": "hello", "v": 1, "token": ACCENTED})
            assert (await client.subscribe(LEAGUE))["type"] == "snapshot"


# -- item 3: HTTP rate limits per IP ------------------------------------------------------------------


async def test_http_requests_over_the_per_ip_budget_get_429_with_retry_after() -> None:
    config = server_config(http_requests_per_s=0.5, http_burst=3, health_requests_per_s=0.5, health_burst=5)
    async with running_server(config) as rs, httpx.AsyncClient(timeout=5) as http:
        answers = [(await http.get(f"{rs.http}/v1/leagues")).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        refused = await http.get(f"{rs.http}/v1/nothing")  # a 404 would cost as much: counted too
        assert refused.status_code == 429 and "error" in refused.json()
        assert 1 <= int(refused.headers["Retry-After"]) <= 2  # one request's worth at 0.5/s
        # /health has a budget of its own: still answered while the API is refused.
        health = [(await http.get(f"{rs.http}/health")).status_code for _ in range(6)]
        assert health == [200] * 5 + [429]
        # WebSocket upgrades are counted by their own window, not by the HTTP budget.
        async with ws_client(rs.url) as client:
            await client.assert_alive()
        assert metric(rs, "scoreterm_rejected_total", reason="http_rate") == 3


async def test_the_token_check_comes_after_the_rate_limit() -> None:
    """A token guesser is slowed down like anyone else (and its 401s stop costing a log line)."""
    config = server_config(token=TOKEN, http_requests_per_s=0.5, http_burst=2)
    async with running_server(config) as rs, httpx.AsyncClient(timeout=5) as http:
        codes = [
            (await http.get(f"{rs.http}/metrics", params={"token": f"guess{i}"})).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 429, 429]


# -- item 4: after_seq out of range ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "after_seq",
    ["99999999999999999999999", str(2**63), "-1", "1e3", " 7", "1_000", "\u0663", "", "0x10", "nan"],
)
async def test_a_bad_after_seq_is_a_400(after_seq: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_server() as rs, httpx.AsyncClient(timeout=5) as http:
        url = f"{rs.http}/v1/matches/{DEMO_MATCH}/timeline"
        bad = await http.get(url, params={"after_seq": after_seq})
        assert bad.status_code == 400, after_seq
        assert "after_seq" in bad.json()["error"]
        assert (await http.get(url, params={"after_seq": str(2**63 - 1)})).json() == []  # the largest is fine
    assert errors_logged(caplog) == []


async def test_history_timeline_and_since_take_any_int(tmp_path: Path) -> None:
    async with running_server(history_path=tmp_path / "h.sqlite3") as rs:
        rs.jump_to(FIRST_GOAL_T)
        await until(lambda: rs.history.latest_seq(DEMO_MATCH) > 2)
        assert rs.history.timeline(DEMO_MATCH, 10**30) == []
        assert rs.history.timeline(DEMO_MATCH, -(10**30))  # every event, like after_seq 0
        assert rs.history.since(DEMO_MATCH, 10**30) == []


# -- item 7: error frames never amplify ----------------------------------------------------------------


async def test_an_error_frame_echoes_a_clipped_channel_only() -> None:
    async with running_server() as rs, ws_client(rs.url) as client:
        huge = "league:" + "x" * 60_000
        for op in ("unsubscribe", "subscribe"):
            await client.send_json({"op": op, "v": 1, "channel": huge})
            error = await client.recv_json()
            assert error["type"] == "error" and error["op"] == op
            assert len(json.dumps(error)) < 512, (op, len(json.dumps(error)))
            assert "xxxx..." in error["message"]
        await client.assert_alive()


async def test_a_raw_client_gets_a_small_answer_to_a_big_frame() -> None:
    """The same, measured in bytes on the wire."""
    async with running_server() as rs:
        ws = await RawWebSocket.connect(rs.port)
        try:
            opcode, _ = await ws.read_frame()  # welcome
            assert opcode == 1
            payload = json.dumps({"op": "unsubscribe", "channel": "match:" + "y" * 60_000}).encode()
            mask = b"\x01\x02\x03\x04"
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            ws.writer.write(b"\x81\xfe" if len(payload) < 65536 else b"\x81\xff")
            ws.writer.write(len(payload).to_bytes(2 if len(payload) < 65536 else 8, "big") + mask + masked)
            opcode, answer = await ws.read_frame()
            assert opcode == 1 and json.loads(answer)["code"] == "not_subscribed"
            assert len(answer) < 512
        finally:
            await ws.close()


async def test_a_history_that_fails_to_read_turns_a_resume_into_a_snapshot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the exception escaped the connection handler (close 1011, a traceback per resume)."""
    caplog.set_level(logging.INFO)
    async with running_server() as rs:
        rs.jump_to(FIRST_GOAL_T)
        await until(lambda: rs.history.latest_seq(DEMO_MATCH) > 2)

        def unreadable(match_id: str, after_seq: int) -> None:
            raise HistoryError("history database h.sqlite3: database disk image is malformed")

        monkeypatch.setattr(rs.history, "since", unreadable)
        async with ws_client(rs.url) as client:
            await client.send_json({"op": "hello", "epoch": rs.history.epoch, "resume": {DEMO_MATCH: 1}})
            answer = await client.subscribe(LEAGUE)
            assert answer["type"] == "snapshot" and answer["recovered"] is False
            await client.assert_alive()
    assert errors_logged(caplog) == []
