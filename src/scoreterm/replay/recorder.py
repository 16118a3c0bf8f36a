"""Record provider traffic to a tape: an httpx transport that forwards and writes each response.

Wrap the transport of the providers' shared ``httpx.AsyncClient`` with :class:`RecordingTransport`;
every response they get is written as a :class:`~scoreterm.replay.tape.TapeFrame` and handed
back unchanged. Recording never breaks the live path: a failed write is logged and dropped.
Requests that fail without a response (timeouts, refused connections) are not recorded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

import httpx

from scoreterm.engine.clock import Clock
from scoreterm.replay.tape import RELEVANT_HEADERS, TapeFrame, TapeHeader, TapeWriter, frame_body

log = logging.getLogger(__name__)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forward requests to ``inner`` and write every response to a tape.

    The frame time is ``clock.monotonic() - start``; create the tape header with
    ``started_at = clock.now()`` at the same moment (as :meth:`to_file` does) so replay lines up.
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
        """Send ``request`` through the inner transport, record the response, return it."""
        response = await self._inner.handle_async_request(request)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        self._record(request, response, raw)
        # The raw (still content-encoded) bytes go back with the original headers, so the
        # client decodes them exactly as it would have without us in between.
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
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


def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    """Undo the Content-Encoding of ``raw`` (gzip, br...) the way httpx would for the client."""
    if "content-encoding" not in response.headers:
        return raw
    copy = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw))
    return copy.read()
