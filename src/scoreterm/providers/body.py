"""Undo an HTTP body's Content-Encoding without ever holding more than a limit.

httpx inflates each network read in one go, so a 64 KiB read of a gzip bomb can become 64 MiB
before anyone can look at it. :class:`BoundedBody` takes the raw (still encoded) chunks and inflates
them with ``max_length``, so the decoded body never grows past ``limit`` bytes and one step.
"""

from __future__ import annotations

import zlib

from scoreterm.config_rules import DEFAULT_MAX_RESPONSE_BYTES as DEFAULT_MAX_RESPONSE_BYTES
from scoreterm.config_rules import format_size

GZIP_MAGIC = b"\x1f\x8b"
# What scoreterm asks for; anything else a server sends anyway is refused, not guessed at.
ACCEPT_ENCODING = "gzip, deflate"
# Output of one zlib call: the body grows by steps this size, never by a whole limit at once.
_STEP = 256 << 10
_IDENTITY = frozenset({"", "identity"})
_GZIP = frozenset({"gzip", "x-gzip"})


class BodyTooLarge(Exception):
    """The decoded body passed the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"larger than {format_size(limit)}")


class BodyDecodeError(Exception):
    """The body's Content-Encoding is unknown or its compressed data is corrupt."""


class BoundedBody:
    """Collect a body chunk by chunk, decoding ``content_encoding`` (identity, gzip or deflate).

    Raises :class:`BodyTooLarge` from :meth:`feed` or :meth:`finish` as soon as more than ``limit``
    decoded bytes exist, and :class:`BodyDecodeError` for an unknown encoding or corrupt data.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        """Prepare to decode a body sent with ``content_encoding`` (the header's value, or None).

        Raises:
            BodyDecodeError: the encoding is not one scoreterm asks for.
        """
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c not in _IDENTITY]
        if len(codings) > 1 or (codings and codings[0] not in _GZIP | {"deflate"}):
            raise BodyDecodeError(f"unsupported Content-Encoding {content_encoding!r}")
        self._coding = codings[0] if codings else "identity"
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._inflater: zlib._Decompress | None = None
        self._first = True
        self._done = False

    @property
    def size(self) -> int:
        """Decoded bytes so far."""
        return self._size

    def feed(self, raw: bytes) -> None:
        """Add the next raw chunk."""
        if self._coding == "identity":
            self._keep(raw)
            return
        data = raw
        while data and not self._done:
            if self._inflater is None:
                if self._coding in _GZIP and not data.startswith(GZIP_MAGIC[: len(data)]):
                    self._done = True  # bytes after the last member: ignored, as httpx does
                    return
                self._inflater = self._new_inflater()
            data = self._inflate(data)

    def finish(self) -> bytes:
        """Return the whole decoded body."""
        if self._inflater is not None:
            self._drain()
        return b"".join(self._parts)

    def _new_inflater(self) -> zlib._Decompress:
        if self._coding in _GZIP:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        # "deflate" is meant to be zlib-wrapped; some servers send it raw (see _inflate).
        return zlib.decompressobj(zlib.MAX_WBITS)

    def _inflate(self, data: bytes) -> bytes:
        """Inflate ``data`` up to the room left; return the input not consumed yet."""
        inflater = self._inflater
        assert inflater is not None
        try:
            out = inflater.decompress(data, self._room())
        except zlib.error as exc:
            if self._coding == "deflate" and self._first:
                self._first = False
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                return data
            raise BodyDecodeError(f"corrupt {self._coding} data: {exc}") from exc
        self._first = False
        self._keep(out)
        if inflater.eof:
            self._inflater = None
            if self._coding == "deflate":
                self._done = True
            return inflater.unused_data
        if inflater.unconsumed_tail:
            return inflater.unconsumed_tail
        self._drain()
        return b""

    def _drain(self) -> None:
        """Take the output zlib still holds once its input is used up (bounded like the rest)."""
        inflater = self._inflater
        while inflater is not None and not inflater.eof:
            try:
                out = inflater.decompress(b"", self._room())
            except zlib.error as exc:
                raise BodyDecodeError(f"corrupt {self._coding} data: {exc}") from exc
            if not out:
                return
            self._keep(out)

    def _room(self) -> int:
        # Never 0: zlib reads max_length=0 as "no limit".
        return min(self.limit - self._size + 1, _STEP)

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self.limit:
            raise BodyTooLarge(self.limit)
        self._parts.append(data)
