"""One frame to many sockets: built once and written straight to each — when websockets allows it.

``websockets.broadcast`` builds the same frame again for every connection (``Frame.serialize``:
checks, a ``BytesIO``, a ``struct.pack``, the extension loop), about half of the fan-out's cost per
client (docs/performance.md, "Fan-out"). :func:`send_shared` builds it once and, for a connection in
the plain state — no extension (permessage-deflate), OPEN, no fragmented message in progress,
nothing of websockets' queued ahead — writes those bytes to its transport itself: what
``send_text`` + ``send_data`` would write, in the same place in the stream. Any other connection
goes through ``broadcast``.

That reads websockets' internals (``protocol.extensions``, ``protocol.state``,
``protocol.expect_continuation_frame``, ``protocol.writes``, ``send_in_progress``, ``transport``),
which a release may change. So pyproject.toml caps websockets below its next major version, and
:func:`send_path` checks once per process, when the first server starts, that they are there and
behave as expected (:func:`probe`: on connections of websockets' own classes writing to a recorder).
If anything differs, every send goes through the public ``broadcast``: slower, never wrong. Which
path is in use is logged once, and shown by ``/health`` (``send_path``) and ``/metrics``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import TypeVar

import websockets
from websockets.asyncio.connection import Connection, broadcast
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

log = logging.getLogger(__name__)
SHARED = "shared"
BROADCAST = "broadcast"
_PROBE = b'{"type":"probe","v":1}'
C = TypeVar("C", bound=Connection)


@functools.cache
def send_path() -> str:
    """How this process writes frames: :data:`SHARED` (built once, written directly) or :data:`BROADCAST`.

    Checked (:func:`probe`) and logged the first time it is asked for: by the first server's start,
    in its event loop. ``send_path.cache_clear()`` checks again.
    """
    problem = probe()
    version = websockets.version.version
    if problem is None:
        log.info(
            "fan-out: each frame built once and written to every socket (websockets %s checked)", version
        )
        return SHARED
    log.warning(
        "fan-out: websockets %s does not work as send_shared expects (%s); every send goes through "
        "websockets.broadcast",
        version,
        problem,
    )
    return BROADCAST


def send_shared(sockets: list[ServerConnection], data: bytes) -> None:
    """``websockets.broadcast(sockets, data, text=True)``, the frame built once (see the module docstring)."""
    if send_path() != SHARED:
        broadcast(sockets, data, text=True)
        return
    others = _write_plain(sockets, Frame(Opcode.TEXT, data).serialize(mask=False))
    if others:
        broadcast(others, data, text=True)


def _write_plain(sockets: list[C], frame: bytes) -> list[C]:
    """Write ``frame`` to each plain connection's transport; the others are returned, untouched."""
    others: list[C] = []
    for ws in sockets:
        if not _plain(ws):
            others.append(ws)
            continue
        try:
            ws.transport.write(frame)
        except Exception:  # as broadcast does: one failed write must not stop the others
            log.warning("skipped broadcast to %s: write failed", ws.id, exc_info=True)
    return others


def _plain(ws: Connection) -> bool:
    """Whether bytes written to ``ws``'s transport now land where websockets' next frame would."""
    protocol = ws.protocol
    return not (
        protocol.extensions
        or protocol.state is not State.OPEN
        or protocol.expect_continuation_frame
        or protocol.writes
        or ws.send_in_progress is not None
    )


def probe() -> str | None:
    """What keeps :func:`send_shared`'s direct write from being safe with this websockets (None: nothing).

    Two connections of websockets' own classes, each writing to a :class:`_Recorder`: the frame
    websockets' ``broadcast`` writes on one must be, byte for byte, what the direct write puts on the
    other; a fresh connection must read as plain and stay so; and a fragmented message in progress,
    a frame of websockets' queued and a closing handshake must each make it not plain.
    """
    try:
        if not issubclass(ServerConnection, Connection):
            return "ServerConnection is no longer a Connection"
        theirs, ours = _connection(), _connection()
        broadcast([theirs], _PROBE, text=True)
        if _write_plain([ours], Frame(Opcode.TEXT, _PROBE).serialize(mask=False)):
            return "a new open connection without extensions does not read as plain"
        if _written(ours) != _written(theirs) or not _written(theirs):
            return "the frame built once differs from the one websockets writes"
        if not _plain(ours) or not isinstance(ours.protocol.extensions, list):
            return "writing to the transport changed the connection's state"
        fragmented, queued, closing = _connection(), _connection(), _connection()
        fragmented.protocol.send_text(b"x", fin=False)
        fragmented.send_data()  # written: only the fragment in progress is left
        queued.protocol.send_ping(b"")  # not written yet
        closing.protocol.send_close()
        closing.send_data()
        for what, connection in (
            ("a fragmented message", fragmented),
            ("a queued frame", queued),
            ("a closing handshake", closing),
        ):
            if _plain(connection):
                return f"{what} does not show in the connection's state"
    except Exception as exc:  # whatever changed, the public path still works
        return f"{type(exc).__name__}: {exc}"
    return None


def _connection() -> Connection:
    connection = Connection(ServerProtocol(state=State.OPEN))
    connection.connection_made(_Recorder())
    return connection


def _written(connection: Connection) -> bytes:
    transport = connection.transport
    return bytes(transport.written) if isinstance(transport, _Recorder) else b""


class _Recorder(asyncio.Transport):
    """A transport that keeps what is written to it (for :func:`probe`; no socket behind it)."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Kept."""
        self.written += data

    def pause_reading(self) -> None:
        """Nothing to pause."""

    def resume_reading(self) -> None:
        """Nothing to resume."""

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """No buffer to limit."""

    def get_write_buffer_size(self) -> int:
        """Everything written is kept, nothing waits."""
        return 0

    def is_closing(self) -> bool:
        """Never closes."""
        return False

    def can_write_eof(self) -> bool:
        """No half-close: :meth:`close` instead."""
        return False

    def close(self) -> None:
        """Nothing to close."""
