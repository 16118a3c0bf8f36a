"""Serve a tape back to the real providers: an httpx transport on a virtual clock.

Point a provider's base URL at any host (``http://tape.invalid``) and give its client a
:class:`ReplayTransport`; every request is answered with what the tape recorded for that path and
those parameters at the current virtual time, so providers, normalizers and the engine run
exactly as they do live.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence

import httpx

from scoreterm.engine.clock import Clock
from scoreterm.replay.tape import Tape, TapeFrame

DEFAULT_GRACE_S = 1.0
# Clocks built on datetimes round to microseconds: a poll scheduled for a frame's time may find the
# clock a hair before it. A frame this close after ``after`` counts as reached, not as next.
SAME_INSTANT_S = 1e-3

_Key = tuple[str, tuple[tuple[str, str], ...]]
_NOT_ON_TAPE = b'{"error": "not on tape"}'


def _key(path: str, params: Mapping[str, str]) -> _Key:
    return path, tuple(sorted(params.items()))


class _Track:
    """The frames of one request key, in time order, with their times for bisection."""

    def __init__(self, frames: Sequence[TapeFrame], grace: float) -> None:
        self.frames = sorted(frames, key=lambda frame: frame.t)
        self.times = [frame.t for frame in self.frames]
        gaps = [b - a for a, b in zip(self.times, self.times[1:], strict=False) if b > a]
        # Never look so far ahead that a poll made on time skips this key's current frame.
        self.grace = min([grace, *(gap / 2 for gap in gaps)])

    def at(self, t: float) -> TapeFrame:
        """The latest frame at or before ``t``; the first frame when ``t`` precedes them all."""
        index = bisect.bisect_right(self.times, t) - 1
        return self.frames[max(index, 0)]


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answer requests from a tape at the virtual time ``clock.now() - tape.header.started_at``.

    Matching: the exact ``(path, sorted params)`` first, else any frame of the path (an engine
    asking for a slightly different date range still gets the recorded scoreboard), else 404
    ``{"error": "not on tape"}``. Of the matching frames the latest with ``t <= now + grace``
    is served, so a detail request made a moment after a scoreboard frame sees the summary
    recorded just after it; before the first frame of a key, its first frame is served.
    The request's host is ignored.
    """

    def __init__(self, tape: Tape, clock: Clock, grace: float = DEFAULT_GRACE_S) -> None:
        """Index ``tape`` for serving.

        Args:
            tape: what to serve.
            clock: the virtual clock; its ``now()`` decides which frames are visible.
            grace: seconds a frame may lie in the future and still be served.
        """
        self.tape = tape
        self.grace = grace
        self._clock = clock
        by_key: dict[_Key, list[TapeFrame]] = defaultdict(list)
        by_path: dict[str, list[TapeFrame]] = defaultdict(list)
        for frame in tape.frames:
            by_key[_key(frame.path, frame.params)].append(frame)
            by_path[frame.path].append(frame)
        self._by_key = {key: _Track(frames, grace) for key, frames in by_key.items()}
        self._by_path = {path: _Track(frames, grace) for path, frames in by_path.items()}
        self._times = sorted({frame.t for frame in tape.frames})
        self.requests_served = 0
        self._first_since_mark: float | None = None

    @property
    def duration(self) -> float:
        """Time of the last frame in seconds (0.0 for an empty tape)."""
        return self._times[-1] if self._times else 0.0

    def position(self) -> float:
        """Virtual seconds since the tape's ``started_at``."""
        return (self._clock.now() - self.tape.header.started_at).total_seconds()

    def next_frame_time(self, after: float) -> float | None:
        """Return the smallest frame time after ``after`` (any key), or None when the tape is over.

        Frames less than :data:`SAME_INSTANT_S` after ``after`` count as already reached.
        """
        index = bisect.bisect_right(self._times, after + SAME_INSTANT_S)
        return self._times[index] if index < len(self._times) else None

    def frame_for(self, path: str, params: Mapping[str, str], at: float | None = None) -> TapeFrame | None:
        """Return the frame a request for ``path`` + ``params`` gets at ``at`` (default: now)."""
        track = self._by_key.get(_key(path, params)) or self._by_path.get(path)
        if track is None:
            return None
        return track.at((self.position() if at is None else at) + track.grace)

    def take_first_request(self) -> float | None:
        """Where the tape stood at the first request since the last call (None: no request since).

        A poll can take a while at high speed: what the tape holds between its first request and
        now has not been seen yet, and must not count as played.
        """
        first, self._first_since_mark = self._first_since_mark, None
        return first

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the tape."""
        self.requests_served += 1
        if self._first_since_mark is None:
            self._first_since_mark = self.position()
        frame = self.frame_for(request.url.path, dict(request.url.params.multi_items()))
        if frame is None:
            return httpx.Response(
                404, headers={"content-type": "application/json"}, content=_NOT_ON_TAPE, request=request
            )
        etag = frame.etag
        if etag is not None and request.headers.get("if-none-match") == etag:
            kept = {name: value for name, value in frame.headers.items() if name in ("etag", "last-modified")}
            return httpx.Response(304, headers=_raw_headers(kept), request=request)
        return httpx.Response(
            frame.status, headers=_raw_headers(frame.headers), content=frame.content, request=request
        )


def _raw_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as bytes: httpx refuses a str that is not ASCII, and a server may have sent one."""
    return [
        (name.encode("utf-8", "replace"), value.encode("utf-8", "replace")) for name, value in headers.items()
    ]
