"""Plain HTTP on the WebSocket port: health, metrics, leagues, scoreboards, timelines."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from scoreterm import __version__
from scoreterm.domain.display import match_json
from scoreterm.domain.leagues import CATALOG
from scoreterm.net import protocol as p

if TYPE_CHECKING:
    from scoreterm.net.server import ScoretermServer

_REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def respond(
    connection: ServerConnection,
    status: int,
    body: Any,
    headers: dict[str, str] | None = None,
    *,
    content_type: str = "application/json",
    raw: bytes | None = None,
) -> Response:
    """An HTTP response with a JSON (or ``raw``) body."""
    content = raw if raw is not None else msgspec.json.encode(body)
    all_headers = Headers({"Content-Type": content_type, "Cache-Control": "no-cache", **(headers or {})})
    if status == 304:
        content = b""
    all_headers["Content-Length"] = str(len(content))
    return Response(status, _REASONS.get(status, "OK"), all_headers, content)


class HttpEndpoints:
    """The read-only HTTP API of a server."""

    def __init__(self, server: ScoretermServer) -> None:
        self.server = server

    def token_of(self, request: Request) -> str | None:
        """The token from ``Authorization: Bearer`` or ``?token=`` (None when absent)."""
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        values = parse_qs(urlsplit(request.path).query).get("token")
        return values[0] if values else None

    def _authorized(self, request: Request) -> bool:
        token = self.server.config.token
        supplied = self.token_of(request)
        return token is None or (supplied is not None and secrets.compare_digest(supplied, token))

    def handle(self, connection: ServerConnection, request: Request) -> Response:
        """Answer a plain HTTP GET."""
        parts = urlsplit(request.path)
        path = parts.path.rstrip("/") or "/"
        if path == "/health":
            return respond(connection, 200, self.health())
        if not self._authorized(request):
            return respond(connection, 401, {"error": "missing or bad token"})
        if path == "/metrics":
            self._refresh_gauges()
            return respond(
                connection,
                200,
                None,
                raw=self.server.metrics.render(),
                content_type="text/plain; version=0.0.4; charset=utf-8",
            )
        if path == "/v1/leagues":
            served = set(self.server.leagues)
            leagues = [
                {"slug": lg.slug, "name": lg.name, "sport": lg.sport.value, "country": lg.country}
                for lg in CATALOG
                if lg.slug in served
            ]
            return respond(connection, 200, leagues)
        segments = path.strip("/").split("/")
        if len(segments) == 4 and segments[:2] == ["v1", "leagues"] and segments[3] == "scoreboard":
            return self._scoreboard(connection, request, segments[2])
        if len(segments) == 4 and segments[:2] == ["v1", "matches"] and segments[3] == "timeline":
            return self._timeline(connection, segments[2], parse_qs(parts.query))
        return respond(connection, 404, {"error": f"no such endpoint {path}"})

    def health(self) -> dict[str, Any]:
        """Server status as JSON (also used by tests)."""
        engine = self.server.engine
        body: dict[str, Any] = {
            "status": "ok",
            "version": __version__,
            "epoch": self.server.epoch,
            "connections": len(self.server.clients),
            "leagues": {slug: msgspec.to_builtins(engine.status(slug)) for slug in self.server.leagues},
            "polls": engine.polls,
            "history": self.server.history.stats(),
        }
        if self.server.link is not None:
            body.update(self.server.link.health())
        return body

    def _refresh_gauges(self) -> None:
        metrics = self.server.metrics
        metrics.polls.set(self.server.engine.polls)
        if self.server.link is not None:
            self.server.link.refresh_gauges()
        for slug in self.server.leagues:
            status = self.server.engine.status(slug)
            metrics.provider_health.labels(status.provider).set(status.health)

    def _scoreboard(self, connection: ServerConnection, request: Request, slug: str) -> Response:
        if slug not in self.server.leagues:
            return respond(connection, 404, {"error": f"league {slug!r} is not served here"})
        matches = self.server.engine.store.matches(slug)
        body = msgspec.json.encode([{**match_json(m), "seq": m.seq} for m in matches])
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return respond(connection, 304, None, {"ETag": etag})
        return respond(connection, 200, None, {"ETag": etag}, raw=body)

    def _timeline(self, connection: ServerConnection, match_id: str, query: dict[str, list[str]]) -> Response:
        try:
            after = int(query.get("after_seq", ["0"])[0])
        except ValueError:
            return respond(connection, 400, {"error": "after_seq must be an integer"})
        if self.server.engine.store.get(match_id) is None and not self.server.history.latest_seq(match_id):
            return respond(connection, 404, {"error": f"no match {match_id!r}"})
        frames = [m for u in self.server.history.timeline(match_id, after) if (m := p.from_update(u))]
        return respond(connection, 200, None, raw=b"[" + b",".join(p.encode(f) for f in frames) + b"]")
