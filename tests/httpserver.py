"""A real HTTP server on 127.0.0.1 that serves scripted responses (fixture files, errors, hangs).

Providers are tested over a real socket with it: each route holds a list of responses served in
order (the last one repeats), and every request is recorded (with its arrival time) for assertions;
:meth:`ScriptedServer.wait_for` blocks until the log satisfies a condition, so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Reply:
    """One scripted response. ``hang`` makes the server hold the request until shutdown."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False

    @classmethod
    def file(cls, relative: str, **headers: str) -> Reply:
        """Serve a file under ``tests/fixtures``."""
        return cls(200, (FIXTURES / relative).read_bytes(), {"Content-Type": "application/json", **headers})

    @classmethod
    def json(cls, text: str, status: int = 200, **headers: str) -> Reply:
        """Serve ``text`` as a JSON body."""
        return cls(status, text.encode(), {"Content-Type": "application/json", **headers})


@dataclass
class SeenRequest:
    """What the server received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when the request arrived


class ScriptedServer:
    """Serve scripted replies by path on an ephemeral port; use as a context manager."""

    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[SeenRequest] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with server._lock:
                    server.requests.append(
                        SeenRequest(
                            parts.path, parse_qs(parts.query), dict(self.headers.items()), time.monotonic()
                        )
                    )
                    server._arrived.notify_all()
                    replies = server.routes.get(parts.path)
                    if replies is None:
                        reply = Reply.json('{"error": "no such route"}', status=404)
                    else:
                        reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.hang:
                    server._released.wait(timeout=30)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        # ``port`` brings a stopped server back where its clients expect it.
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(self, path: str, *replies: Reply) -> None:
        """Serve ``replies`` in order at ``path`` (the last one keeps being served)."""
        with self._lock:
            self.routes[path] = list(replies)

    def seen(self, path: str) -> list[SeenRequest]:
        """A copy of the requests received so far at ``path``."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def wait_for(self, condition: Callable[[list[SeenRequest]], bool], timeout: float) -> bool:
        """Block until ``condition(requests)`` holds (checked on every arrival) or ``timeout`` passes.

        Returns:
            Whether the condition held in time.
        """
        with self._arrived:
            return self._arrived.wait_for(lambda: condition(list(self.requests)), timeout=timeout)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
