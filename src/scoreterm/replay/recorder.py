"""Record provider traffic to a tape: an httpx transport that forwards and writes each response.

Wrap the transport of the providers' shared ``httpx.AsyncClient`` with :class:`RecordingTransport`;
every response they get is written as a :class:`~scoreterm.replay.tape.TapeFrame` and handed
back unchanged. Recording never breaks the live path: a failed write is logged and dropped.
Requests that fail without a response (timeouts, refused connections) are not recorded.

The body streams through to the client as it arrives and a copy is kept for the tape, up to
:data:`~scoreterm.replay.tape.MAX_LINE_BYTES` (raw and decoded); a response that is larger, or
that the client stops reading (a fetcher past its size cap), is not recorded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping

import httpx

from scoreterm.engine.clock import Clock
from scoreterm.providers.body import BoundedBody
from scoreterm.replay import tape
from scoreterm.replay.tape import RELEVANT_HEADERS, TapeFrame, TapeHeader, TapeWriter, frame_body

log = logging.getLogger(__name__)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forward requests to ``inner`` and write every response to a tape.

    The frame time is ``clock.monotonic() - start``; create the tape header with
    ``started_at = clock.now()`` at the same moment (as :meth:`to_file` does) so replay lines up.
    ``write_errors`` counts responses whose frame could not be written, ``skipped`` those not
    read to the end or too large to keep.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        writer: TapeWriter,
        clock: Clock,
        hosts: Mapping[str, str],
        *,
        start: float | None = None,
        owns_writer: bool = False,
    ) -> None:
        """Wrap ``inner``.

        Args:
            inner: the transport that really sends the requests.
            writer: where frames go.
            clock: time source for frame times.
            hosts: host (or ``host:port``, which wins) -> provider name
                (``{"site.api.espn.com": "espn"}``); an unknown
                host is recorded under its own name.
            start: the monotonic instant of ``t = 0``; now when None.
            owns_writer: close ``writer`` in :meth:`aclose`.
        """
        self._inner = inner
        self._writer = writer
        self._clock = clock
        self._hosts = dict(hosts)
        self._start = clock.monotonic() if start is None else start
        self._owns_writer = owns_writer
        self.write_errors = 0
        self.skipped = 0

    @classmethod
    def to_file(
        cls,
        path: str | os.PathLike[str],
        inner: httpx.AsyncBaseTransport,
        clock: Clock,
        hosts: Mapping[str, str],
        *,
        leagues: Iterable[str] = (),
        note: str = "",
    ) -> RecordingTransport:
        """Start a new tape at ``path`` (gzip when it ends in ``.gz``) recording from now.

        The transport owns the tape and finishes it in :meth:`aclose`.

        Raises:
            OSError: the file cannot be created.
        """
        now = clock.now()
        header = TapeHeader(
            created=now,
            started_at=now,
            leagues=tuple(leagues),
            providers=tuple(sorted(set(hosts.values()))),
            note=note,
        )
        writer = TapeWriter(path, header)
        return cls(inner, writer, clock, hosts, start=clock.monotonic(), owns_writer=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the inner transport; the response is recorded once read."""
        response = await self._inner.handle_async_request(request)

        def done(raw: bytes | None) -> None:
            if raw is None:
                self.skipped += 1
                log.warning(
                    "recorder: %s %s not recorded (not read to the end, or too large)",
                    request.method,
                    request.url,
                )
            else:
                self._record(request, response, raw)

        # The raw (still content-encoded) bytes go on with the original headers, so the
        # client decodes them exactly as it would have without us in between.
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_TeeStream(response, done, tape.MAX_LINE_BYTES),
            extensions=response.extensions,
            request=request,
        )

    def _record(self, request: httpx.Request, response: httpx.Response, raw: bytes) -> None:
        try:
            body, body_text = frame_body(_decoded(response, raw))
            frame = TapeFrame(
                t=self._clock.monotonic() - self._start,
                provider=self._hosts.get(request.url.netloc.decode("ascii"))
                or self._hosts.get(request.url.host, request.url.host),
                method=request.method,
                path=request.url.path,
                params=dict(request.url.params.multi_items()),
                status=response.status_code,
                headers={
                    name: response.headers[name] for name in RELEVANT_HEADERS if name in response.headers
                },
                body=body,
                body_text=body_text,
            )
            self._writer.write(frame)
        except Exception as exc:  # recording is best effort; the live path must not see it
            self.write_errors += 1
            log.warning("recorder: could not record %s %s: %s", request.method, request.url, exc)

    async def aclose(self) -> None:
        """Close the inner transport, and the tape when this transport owns it."""
        try:
            await self._inner.aclose()
        finally:
            if self._owns_writer:
                self._writer.close()


class _TeeStream(httpx.AsyncByteStream):
    """Pass ``response``'s raw body through, keeping a copy of up to ``limit`` bytes.

    ``done`` gets the copy when the body was read to the end within the limit, else None; it is
    called once, at the end of the body or when the client closes the stream early.
    """

    def __init__(self, response: httpx.Response, done: Callable[[bytes | None], None], limit: int) -> None:
        self._response = response
        self._done: Callable[[bytes | None], None] | None = done
        self._limit = limit
        self._parts: list[bytes] | None = []
        self._size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            if self._parts is not None:
                self._size += len(chunk)
                if self._size > self._limit:
                    self._parts = None
                else:
                    self._parts.append(chunk)
            yield chunk
        self._finish(None if self._parts is None else b"".join(self._parts))

    async def aclose(self) -> None:
        try:
            await self._response.aclose()
        finally:
            self._finish(None)

    def _finish(self, raw: bytes | None) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(raw)


def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    """Undo the Content-Encoding of ``raw`` (gzip, deflate), never past the tape's line limit.

    Raises:
        BodyTooLarge: the decoded body would not fit on a tape line.
        BodyDecodeError: an encoding we do not ask for, or corrupt data.
    """
    body = BoundedBody(response.headers.get("content-encoding"), tape.MAX_LINE_BYTES)
    body.feed(raw)
    return body.finish()
