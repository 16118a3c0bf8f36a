"""Plain HTTP on the WebSocket port: health, metrics, leagues, scoreboards, timelines.

Every request is first counted against its client's budget (a token bucket per address, one for
``/health`` and one for the rest; over it: 429 with ``Retry-After``), then the token is checked
(401), then the request is answered; a bad parameter is a 400. Tokens are compared as bytes, so
any token, ASCII or not, is at worst a 401.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from scoreterm import __version__
from scoreterm.domain.channels import table_channel
from scoreterm.domain.display import match_json
from scoreterm.domain.leagues import CATALOG
from scoreterm.net import protocol as p
from scoreterm.net.history import HistoryError
from scoreterm.net.limits import KeyedBuckets, client_key
from scoreterm.net.runner import ENGINE
from scoreterm.net.sendpath import BROADCAST, SHARED, send_path

if TYPE_CHECKING:
    from scoreterm.net.server import ScoretermServer

log = logging.getLogger(__name__)
_REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
}
MAX_SEQ = 2**63 - 1  # SQLite's INTEGER; a larger bind is an OverflowError


def token_bytes(text: str) -> bytes:
    """The bytes a token given as text stands for (UTF-8; never raises, lone surrogates included)."""
    return text.encode("utf-8", "surrogatepass")


def same_token(supplied: bytes, expected: str) -> bool:
    """Whether ``supplied`` is the token ``expected``, in constant time.

    ``secrets.compare_digest`` refuses ``str`` with non-ASCII characters (a TypeError, which was a
    500 per request): bytes are compared, whatever the client sent.
    """
    return secrets.compare_digest(supplied, token_bytes(expected))


def client_host(connection: ServerConnection) -> str:
    """The client's address as the socket reports it ("?" when unknown)."""
    remote = connection.remote_address
    return str(remote[0]) if remote else "?"


def parse_seq(value: str) -> int | None:
    """A seq given in a URL: ASCII digits only, 0 to 2**63-1; None for anything else."""
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None
    seq = int(value)
    return seq if seq <= MAX_SEQ else None


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
        config = server.config
        self._api_budget = KeyedBuckets(config.http_requests_per_s, config.http_burst)
        self._health_budget = KeyedBuckets(config.health_requests_per_s, config.health_burst)

    def token_of(self, request: Request) -> bytes | None:
        """The token from ``Authorization: Bearer`` or ``?token=``, as the bytes sent (None when absent).

        Header values reach us decoded as latin-1 (websockets keeps non-ASCII octets that way), and
        the query is percent-decoded as latin-1 too: both give back exactly the octets the client sent.
        """
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return _octets(header[7:].strip())
        values = parse_qs(urlsplit(request.path).query, encoding="latin-1").get("token")
        return _octets(values[0]) if values else None

    def _authorized(self, request: Request) -> bool:
        token = self.server.config.token
        supplied = self.token_of(request)
        return token is None or (supplied is not None and same_token(supplied, token))

    def handle(self, connection: ServerConnection, request: Request) -> Response:
        """Answer a plain HTTP GET."""
        parts = urlsplit(request.path)
        path = parts.path.rstrip("/") or "/"
        refused = self._over_budget(connection, path)
        if refused is not None:
            return refused
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
            query = parse_qs(parts.query, keep_blank_values=True)
            try:
                return self._timeline(connection, segments[2], query)
            except HistoryError as exc:
                # Never a wrong list: the events cannot be read, and the answer says so.
                log.warning("timeline of %s: %s", segments[2], exc)
                return respond(connection, 503, {"error": "the history cannot be read now"})
        if len(segments) == 4 and segments[:2] == ["v1", "leagues"] and segments[3] == "table":
            return self._table(connection, segments[2])
        if len(segments) == 4 and segments[:2] == ["v1", "matches"] and segments[3] == "probability":
            return self._probability(connection, segments[2])
        return respond(connection, 404, {"error": f"no such endpoint {path}"})

    def _table(self, connection: ServerConnection, slug: str) -> Response:
        """A league's live table as it stands (404 when not served here, or no table yet)."""
        if slug not in self.server.leagues:
            return respond(connection, 404, {"error": f"league {p.clip(slug)!r} is not served here"})
        table = self.server.state.tables.get(table_channel(slug))
        if table is None:
            return respond(connection, 404, {"error": f"no table for {slug} (yet)"})
        return respond(connection, 200, table)

    def _probability(self, connection: ServerConnection, match_id: str) -> Response:
        """A match's win probability now and its line so far (the points where it moved)."""
        match = self.server.state.store.get(match_id)
        if match is None:
            return respond(connection, 404, {"error": f"no match {p.clip(match_id)!r}"})
        series = match.trend.prob if match.trend is not None else ()
        body = {"match_id": match.id, "seq": match.seq, "prob": match.prob, "series": series}
        return respond(connection, 200, body)

    def _over_budget(self, connection: ServerConnection, path: str) -> Response | None:
        """A 429 when the client has spent its budget of requests (counted before the token check)."""
        config = self.server.config
        health = path == "/health"
        budget = self._health_budget if health else self._api_budget
        if (config.health_requests_per_s if health else config.http_requests_per_s) <= 0:
            return None  # 0 turns the limit off (e.g. behind a proxy that limits already)
        key, now = client_key(client_host(connection)), time.monotonic()
        if budget.allow(key, now):
            return None
        self.server.metrics.rejected.labels("http_rate").inc()
        wait = max(1, math.ceil(budget.retry_after(key, now)))
        return respond(
            connection, 429, {"error": "too many requests from this address"}, {"Retry-After": str(wait)}
        )

    def health(self) -> dict[str, Any]:
        """Server status as JSON (also used by tests).

        ``status`` is ``degraded`` while a supervised task is dead, restarting or recently restarted,
        the history cannot be read, or a league's source is not ``ok`` (its polls fail: nothing new
        flows); ``problems`` then says which and why (it is ``{}`` otherwise). The HTTP status stays
        200: every instance shares a provider's trouble, so it is no reason to take one out.
        ``send_path`` says how frames are written (``net/sendpath.py``): ``shared`` or ``broadcast``.
        A source's ``last_ok_age_s`` is in real seconds, a served tape's too; a served tape adds
        ``tape``: ``playing``, ``ended`` (played to its end: nothing more will come, and that is
        no fault) or ``stopped`` (its engine failed: see ``problems``).
        """
        engine = self.server.engine
        problems = dict(self.server.supervisor.problems())
        sources = {slug: engine.status(slug) for slug in self.server.leagues}
        for slug, source in sources.items():
            if source.state != "ok" and self.server.engine.polls:
                problems[f"league:{slug}"] = f"{source.provider} {source.state}: {source.message}"[:300]
        try:
            history: dict[str, int] | None = self.server.state.history.stats()
        except HistoryError as exc:
            history, problems["history"] = None, str(exc)
        body: dict[str, Any] = {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "version": __version__,
            "epoch": self.server.epoch,
            "connections": len(self.server.clients),
            "leagues": {slug: msgspec.to_builtins(source) for slug, source in sources.items()},
            "polls": engine.polls,
            "history": history,
            "send_path": send_path(),
        }
        tape = self._tape(problems)
        if tape is not None:
            body["tape"] = tape
        body.update(self.server.link.health())
        return body

    def _tape(self, problems: dict[str, str]) -> str | None:
        """Where a served tape stands (None when the server polls live sources)."""
        if self.server.engine.options.schedule is None:
            return None
        task = self.server.runner.task
        if task is None or not task.done():
            return "playing"
        return "stopped" if ENGINE in problems else "ended"

    def _refresh_gauges(self) -> None:
        metrics = self.server.metrics
        metrics.polls.set(self.server.engine.polls)
        for task, restarts in self.server.supervisor.stats().items():
            metrics.task_restarts.labels(task).set(restarts)
        metrics.degraded.set(1 if self.server.supervisor.problems() else 0)
        path = send_path()
        for name in (SHARED, BROADCAST):
            metrics.send_path.labels(name).set(1 if name == path else 0)
        self.server.link.refresh_gauges()
        for slug in self.server.leagues:
            status = self.server.engine.status(slug)
            metrics.provider_health.labels(status.provider).set(status.health)

    def _scoreboard(self, connection: ServerConnection, request: Request, slug: str) -> Response:
        if slug not in self.server.leagues:
            return respond(connection, 404, {"error": f"league {slug!r} is not served here"})
        matches = self.server.state.store.matches(slug)
        body = msgspec.json.encode([{**match_json(m), "seq": m.seq} for m in matches])
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return respond(connection, 304, None, {"ETag": etag})
        return respond(connection, 200, None, {"ETag": etag}, raw=body)

    def _timeline(self, connection: ServerConnection, match_id: str, query: dict[str, list[str]]) -> Response:
        after = parse_seq(query.get("after_seq", ["0"])[0])
        if after is None:
            return respond(connection, 400, {"error": f"after_seq must be an integer from 0 to {MAX_SEQ}"})
        state = self.server.state
        if state.store.get(match_id) is None and not state.history.latest_seq(match_id):
            return respond(connection, 404, {"error": f"no match {match_id!r}"})
        frames = [p.from_update(u) for u in state.history.timeline(match_id, after)]
        return respond(connection, 200, None, raw=b"[" + b",".join(p.encode(f) for f in frames) + b"]")


def _octets(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # not from the wire as websockets decodes it; still never a 500
        return token_bytes(text)
