"""The fan-out benchmark's clients: N raw WebSocket connections in one process, pinned to CPU 1.

Started by ``bench/fanout.py``; not meant to be run by hand. Each client is a bare
``asyncio.Protocol`` speaking just enough RFC 6455: the opening handshake (no
``Sec-WebSocket-Extensions`` unless ``--deflate``, so no compression is negotiated), one masked
``subscribe`` frame, frame parsing, and a pong for every ping (both servers ping every 20 s). No
websockets library on this side: its per-message cost (a task wake-up, an assembler, a UTF-8 decode)
would be charged to the latency measured here, and the swarm shares the machine with the server.

Once every client is subscribed, reading moves off asyncio's per-socket machinery: the sockets go
into one ``select.epoll`` of the swarm's, itself watched by the event loop, and :meth:`Swarm.drain`
does one ``recv`` per ready socket (asyncio keeps the transports for writing pongs). A client stamps
``time.monotonic_ns()`` just before its ``recv``, and an event frame's latency is that minus the
send time written in it (see ``bench/_fanout_common.py``). The swarm's cost still shows in the
figures: the last of N clients is read after the N-1 before it, so the swarm's time to drain N
sockets (about 9 µs each here) is a floor under the p99; ``bench/fanout.py`` prints the swarm's
CPU use so that floor can be judged.

Commands (one JSON object per line on stdin): ``connect {n, window}`` opens one slow client (a small
``SO_RCVBUF``, also subscribed to the slow channel) then ``n`` normal ones, at most ``window``
handshakes in flight so the server's accept queue (``listen`` backlog 100) never overflows;
``pause_slow`` makes the slow client stop reading; ``results`` returns the latency figures gathered
since the last ``results``; ``status``. While events arrive, ``{"complete": ev}`` is printed when all
normal clients have event ``ev``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import select
import socket
import statistics
import time
import zlib
from collections import Counter, defaultdict
from typing import Any

from _common import percentile
from _fanout_common import (
    LEAGUE_CHANNEL,
    MARK,
    SLOW_CHANNEL,
    emit,
    parse_mark,
    pin_to_core,
    raise_fd_limit,
    serve_commands,
)

CONNECT_TIMEOUT_S = 30.0
SLOW_RCVBUF = 4096
_DEFLATE_TAIL = b"\x00\x00\xff\xff"


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame. The masking key is all zeros: the format RFC 6455 demands, without
    the unpredictability it advises (which protects proxies, and there are none on loopback)."""
    length = len(payload)
    if length < 126:
        head = bytes([0x80 | opcode, 0x80 | length])
    elif length < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
    return head + b"\x00\x00\x00\x00" + payload


def subscribe_frame(channel: str) -> bytes:
    """The ``subscribe`` op for ``channel``, as a masked text frame."""
    return client_frame(0x1, f'{{"op":"subscribe","v":1,"channel":"{channel}"}}'.encode())


class Swarm:
    """What all clients share: counters, latencies, the orchestrator's notices."""

    def __init__(self, port: int, deflate: bool) -> None:
        self.port = port
        key = base64.b64encode(os.urandom(16)).decode()
        extension = (
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" if deflate else ""
        )
        self.request = (
            f"GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"{extension}\r\n"
        ).encode()
        self.clients: list[Client] = []
        self.slow: Client | None = None
        self.latencies: defaultdict[int, list[int]] = defaultdict(list)
        self.counts: Counter[int] = Counter()
        self.duplicates = 0
        self.slow_receipts = 0
        self.closed: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.expected = 0
        self.epoll = select.epoll()
        self.by_fd: dict[int, Client] = {}

    def start_fast_path(self) -> None:
        """Take the reading of every open client away from asyncio: see :meth:`drain`."""
        loop = asyncio.get_running_loop()
        for client in [*self.clients, self.slow]:
            if client is None or not client.ready or client.lost:
                continue
            assert client.transport is not None and client.sock is not None
            client.transport.pause_reading()
            self.by_fd[client.sock.fileno()] = client
            self.epoll.register(client.sock.fileno(), select.EPOLLIN)
        loop.add_reader(self.epoll.fileno(), self.drain)

    def drain(self) -> None:
        """Read every socket that has data: one ``recv`` each, stamped just before it.

        asyncio's own path (a ``Handle`` per ready socket, a 256 KiB buffer per ``recv``, the
        transport's bookkeeping) costs several times this; every microsecond spent here per client
        is added to the latency of the clients read after it. The sockets' transports stay
        registered for writing (pongs) and closing.
        """
        for fd, _ in self.epoll.poll(0, len(self.by_fd) or 1):
            client = self.by_fd[fd]
            now = time.monotonic_ns()
            try:
                data = client.sock.recv(1 << 16)  # type: ignore[union-attr]
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                client.feed(data, now)
            else:
                self.stop_reading(client)
                assert client.transport is not None
                client.transport.abort()

    def stop_reading(self, client: Client) -> None:
        """Stop reading ``client`` (it is closed, or it plays the client that stopped reading)."""
        assert client.sock is not None
        fd = client.sock.fileno()
        if self.by_fd.pop(fd, None) is not None:
            self.epoll.unregister(fd)

    def ready_clients(self) -> int:
        """Normal clients subscribed and still open: how many receipts each event should have."""
        return sum(1 for c in self.clients if c.ready and not c.lost)

    def receipt(self, ev: int, latency_ns: int) -> None:
        """One normal client got event ``ev``."""
        self.latencies[ev].append(latency_ns)
        count = self.counts[ev] = self.counts[ev] + 1
        if count == self.expected:
            emit({"complete": ev})


class Client(asyncio.Protocol):
    """One raw WebSocket client (see the module docstring)."""

    def __init__(self, swarm: Swarm, *, slow: bool = False) -> None:
        self.swarm = swarm
        self.slow = slow
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.ready = False
        self.lost = False
        self.close_code: int | None = None
        self.pending = b""
        self.last_ev = -1
        self.inflater: Any = None
        self.sock: socket.socket | None = None
        self.done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.swarm.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.done.done():
            self.done.set_result(f"closed before subscribed ({exc or 'EOF'})")
        elif self.ready and not self.slow:
            self.swarm.closed["dropped" if self.close_code is None else f"close {self.close_code}"] += 1

    def data_received(self, data: bytes) -> None:
        self.feed(data, time.monotonic_ns())

    def feed(self, data: bytes, now: int) -> None:
        """Parse what arrived at ``now``: the handshake answer, then frames."""
        if self.pending:
            data, self.pending = self.pending + data, b""
        if not self.upgraded:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.pending = data
                return
            self._upgrade(data[: end + 4])
            data = data[end + 4 :]
        pos, size = 0, len(data)
        while size - pos >= 2:
            first, length = data[pos], data[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(data[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(data[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + length:
                break
            self._frame(first, data[pos + head : pos + head + length], now)
            pos += head + length
        if pos < size:
            self.pending = data[pos:]

    def _upgrade(self, head: bytes) -> None:
        assert self.transport is not None
        status = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/1.1 ") else "?"
        if status != "101":
            self.done.set_result(f"HTTP {status}")
            self.transport.close()
            return
        self.upgraded = True
        if b"permessage-deflate" in head.lower():
            self.inflater = zlib.decompressobj(wbits=-15)
        frames = subscribe_frame(LEAGUE_CHANNEL)
        if self.slow:
            frames += subscribe_frame(SLOW_CHANNEL)
        self.transport.write(frames)

    def _frame(self, first: int, payload: bytes, now: int) -> None:
        opcode = first & 0x0F
        if opcode in (0x1, 0x2):
            if first & 0x40 and self.inflater is not None:
                payload = self.inflater.decompress(payload + _DEFLATE_TAIL)
            at = payload.find(MARK)
            if at >= 0:
                ev, sent = parse_mark(payload, at)
                if self.slow:
                    self.swarm.slow_receipts += 1
                elif ev <= self.last_ev:
                    self.swarm.duplicates += 1
                else:
                    self.last_ev = ev
                    self.swarm.receipt(ev, now - sent)
            elif not self.ready and b'"snapshot"' in payload[:40]:
                self.ready = True
                if not self.done.done():
                    self.done.set_result("ok")
        elif opcode == 0x9:
            assert self.transport is not None
            self.transport.write(client_frame(0xA, payload))
        elif opcode == 0x8:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.swarm.stop_reading(self)
            assert self.transport is not None
            self.transport.close()


async def open_client(swarm: Swarm, *, slow: bool) -> Client:
    """Connect one client and wait until its subscription is answered (or it fails)."""
    loop = asyncio.get_running_loop()
    client = Client(swarm, slow=slow)
    sock = client.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    if slow:
        # A small receive window, so that the backlog sent to it stays in the server's buffers.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RCVBUF)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            await loop.sock_connect(sock, ("127.0.0.1", swarm.port))
            await loop.create_connection(lambda: client, sock=sock)
            outcome = await client.done
    except (OSError, TimeoutError) as exc:
        sock.close()
        outcome = f"{type(exc).__name__}: {exc}"
    if outcome != "ok":
        swarm.failures[outcome] += 1
    return client


async def connect(swarm: Swarm, n: int, window: int) -> dict[str, Any]:
    """One slow client, then ``n`` normal ones with at most ``window`` handshakes in flight."""
    start = time.perf_counter()
    swarm.slow = await open_client(swarm, slow=True)
    remaining = iter(range(n))

    async def worker() -> None:
        for _ in remaining:
            swarm.clients.append(await open_client(swarm, slow=False))

    await asyncio.gather(*(worker() for _ in range(window)))
    swarm.expected = swarm.ready_clients()
    swarm.start_fast_path()
    return {
        "connected": swarm.expected,
        "slow_ok": swarm.slow.ready,
        "failed": dict(swarm.failures),
        "seconds": time.perf_counter() - start,
    }


def results(swarm: Swarm, events: int) -> dict[str, Any]:
    """Latency figures of the last ``events`` events (then reset), and the connection counters.

    A receipt that never came counts as infinitely late, so a p99 is finite only if 99 % arrived.
    ``event_p99`` is the median over events of each event's own p99: one event held up by a
    neighbour on the machine moves it less than it moves the p99 of all receipts.
    """
    ms = sorted(ns / 1e6 for lat in swarm.latencies.values() for ns in lat)
    receipts = len(ms)
    p50, p99 = tail(ms, swarm.expected * events)
    per_event = [tail(sorted(ns / 1e6 for ns in lat), swarm.expected)[1] for lat in swarm.latencies.values()]
    summary = {
        "receipts": receipts,
        "p50": p50,
        "p99": p99,
        "max": ms[-1] if receipts == swarm.expected * events and ms else math.inf,
        "event_p99": statistics.median_low(per_event) if per_event else math.nan,  # inf-safe
        "duplicates": swarm.duplicates,
        "slow_receipts": swarm.slow_receipts,
        "closed": dict(swarm.closed),
        "expected_per_event": swarm.expected,
    }
    swarm.latencies, swarm.counts = defaultdict(list), Counter()
    swarm.duplicates = swarm.slow_receipts = 0
    return summary


def tail(ms: list[float], expected: int) -> tuple[float, float]:
    """(p50, p99) of the sorted ``ms``, receipts missing from ``expected`` counted as infinitely late."""
    missing = max(0, expected - len(ms))
    if not missing:
        return percentile(ms, 0.50), percentile(ms, 0.99)
    padded = ms + [math.inf] * missing
    p50, p99 = (padded[max(0, math.ceil(q * len(padded)) - 1)] for q in (0.50, 0.99))
    return p50, p99


async def run(args: argparse.Namespace) -> None:
    """Obey the orchestrator until it says ``quit``."""
    swarm = Swarm(args.port, args.deflate)

    async def handle(command: dict[str, Any]) -> dict[str, Any]:
        cmd = command["cmd"]
        if cmd == "connect":
            return await connect(swarm, command["n"], command.get("window", 100))
        if cmd == "pause_slow":
            assert swarm.slow is not None
            swarm.stop_reading(swarm.slow)
            return {"ok": True}
        if cmd == "results":
            return results(swarm, command["events"])
        if cmd == "status":
            return {
                "ready": swarm.ready_clients(),
                "closed": dict(swarm.closed),
                "slow_lost": bool(swarm.slow and swarm.slow.lost),
            }
        raise ValueError(f"unknown command {cmd!r}")

    emit({"ready": True, "pid": os.getpid(), "pinned": args.pinned})
    await serve_commands(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--core", type=int, default=1, help="CPU to pin to (default 1)")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    args = parser.parse_args()
    args.pinned = pin_to_core(args.core)
    raise_fd_limit()
    asyncio.run(run(args))
    os._exit(0)


if __name__ == "__main__":
    main()
