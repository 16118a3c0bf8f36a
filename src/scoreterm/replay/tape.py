"""The tape format: one provider response per JSON line, optionally gzip-compressed.

Line 1 is a :class:`TapeHeader`; every following line is a :class:`TapeFrame`, the response a
provider got at ``t`` seconds after ``header.started_at``. A ``.gz`` suffix makes the writer
compress; the reader looks at the magic bytes instead, so a renamed file still reads.

The writer flushes every frame (a gzip sync point for compressed tapes), so a recorder that
crashes loses at most the frame it was writing; the reader drops such a torn last line with a
warning but refuses anything else that does not parse, naming the file and line.
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import logging
import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec

log = logging.getLogger(__name__)

FORMAT = "scoreterm-tape"
VERSION = 1
DEMO_TAPE = "demo.jsonl.gz"
# Only what a provider reacts to is kept: caching validators, rate-limit hints, the body type.
RELEVANT_HEADERS = ("etag", "last-modified", "retry-after", "content-type", "x-requestcounter-reset")

_GZIP_MAGIC = b"\x1f\x8b"
_NULL = msgspec.Raw(b"null")

UtcDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


class TapeError(Exception):
    """A tape cannot be read: missing, not a tape, an unsupported version, or corrupt."""


class TapeHeader(msgspec.Struct, frozen=True, kw_only=True):
    """Line 1 of a tape: what was recorded, and the wall-clock instant of virtual ``t = 0``."""

    format: str = FORMAT
    version: int = VERSION
    created: UtcDatetime
    started_at: UtcDatetime
    leagues: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    note: str = ""


class TapeFrame(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded response.

    ``body`` holds the JSON value verbatim (compact, never decoded on read). A body that is not
    valid JSON (including an empty one) is kept in ``body_text`` instead, with ``body`` null, so
    malformed responses replay byte for byte; ``body_text`` is left out of the line otherwise.
    """

    t: float
    provider: str
    method: str = "GET"
    path: str
    params: dict[str, str] = msgspec.field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: msgspec.Raw = _NULL
    body_text: str | msgspec.UnsetType = msgspec.UNSET

    @property
    def content(self) -> bytes:
        """The response body as served: ``body_text`` when set, else the JSON bytes."""
        if isinstance(self.body_text, str):
            return self.body_text.encode()
        return bytes(self.body)

    @property
    def etag(self) -> str | None:
        """The recorded ETag, if the provider sent one."""
        return self.headers.get("etag")


class Tape(msgspec.Struct, frozen=True):
    """A whole tape in memory: the header and the frames sorted by ``t``."""

    header: TapeHeader
    frames: tuple[TapeFrame, ...]


def json_body(value: Any) -> msgspec.Raw:
    """Encode a Python JSON value as a frame ``body``."""
    return msgspec.Raw(msgspec.json.encode(value))


def frame_body(content: bytes) -> tuple[msgspec.Raw, str | msgspec.UnsetType]:
    """Split response bytes into ``(body, body_text)`` for a frame.

    Valid JSON is re-encoded compactly (same value, no layout) so it fits on one line; anything
    else is kept as text (invalid UTF-8 replaced) with a null body.
    """
    try:
        value = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return _NULL, content.decode("utf-8", errors="replace")
    return json_body(value), msgspec.UNSET


class TapeWriter:
    """Append frames to a new tape file; gzip-compressed when the name ends in ``.gz``.

    Use as a context manager. The header is written on construction; each :meth:`write` ends
    with a flush to the OS (no fsync), so a crash loses at most the frame being written.
    """

    def __init__(self, path: str | os.PathLike[str], header: TapeHeader) -> None:
        """Create (or truncate) ``path`` and write ``header``.

        Raises:
            OSError: the file cannot be created.
        """
        self.path = Path(path)
        self.frames_written = 0
        self._raw = self.path.open("wb")
        # mtime=0 and no embedded name keep compressed tapes reproducible byte for byte.
        self._gz = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=9)
            if self.path.suffix == ".gz"
            else None
        )
        self._encoder = msgspec.json.Encoder()
        self._closed = False
        self._write_line(self._encoder.encode(header))

    def write(self, frame: TapeFrame) -> None:
        """Append ``frame`` as one line and flush it.

        Raises:
            ValueError: the writer is closed.
            OSError: the write failed.
        """
        self._write_line(self._encoder.encode(frame))
        self.frames_written += 1

    def _write_line(self, line: bytes) -> None:
        if self._closed:
            raise ValueError(f"tape {self.path} is closed")
        # A raw newline in valid JSON can only be layout (strings escape theirs), so it may go.
        if b"\n" in line:
            line = line.replace(b"\n", b" ")
        if self._gz is not None:
            self._gz.write(line + b"\n")
            self._gz.flush(zlib.Z_SYNC_FLUSH)
        else:
            self._raw.write(line + b"\n")
            self._raw.flush()

    def close(self) -> None:
        """Finish the file (the gzip trailer for compressed tapes). Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._gz is not None:
                self._gz.close()
        finally:
            self._raw.close()

    def __enter__(self) -> TapeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_tape(path: str | os.PathLike[str]) -> Tape:
    """Read the tape at ``path`` (plain or gzip, by content).

    Raises:
        TapeError: the file is missing or unreadable, is not a scoreterm tape of a supported
            version, or has a bad line before the last one.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TapeError(f"cannot read tape {os.fspath(path)}: {exc.strerror or exc}") from exc
    return parse_tape(data, os.fspath(path))


def demo_tape() -> Tape:
    """Load the demo tape shipped in the package (Mexico 2-0 South Africa, 2026 World Cup).

    Raises:
        TapeError: the package was installed without its data file.
    """
    resource = importlib.resources.files("scoreterm.replay") / "data" / DEMO_TAPE
    source = f"scoreterm.replay/data/{DEMO_TAPE}"
    try:
        data = resource.read_bytes()
    except OSError as exc:
        raise TapeError(f"the demo tape {source} is missing from this installation") from exc
    return parse_tape(data, source)


def parse_tape(data: bytes, source: str = "<tape>") -> Tape:
    """Parse tape bytes (plain or gzip); ``source`` names the tape in errors and warnings.

    Raises:
        TapeError: see :func:`read_tape`.
    """
    lines = _decompress(data, source).split(b"\n")
    header = _parse_header(lines[0], source)
    last = max((i for i, line in enumerate(lines) if line.strip()), default=0)
    decoder = msgspec.json.Decoder(TapeFrame)
    frames: list[TapeFrame] = []
    for index in range(1, last + 1):
        line = lines[index]
        if not line.strip():
            continue
        try:
            frames.append(decoder.decode(line))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            if index == last:
                log.warning("%s:%d: dropping a torn last frame (%s)", source, index + 1, exc)
                break
            raise TapeError(f"{source}:{index + 1}: bad frame: {exc}") from exc
    frames.sort(key=lambda frame: frame.t)
    return Tape(header, tuple(frames))


def _decompress(data: bytes, source: str) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        return data
    out = io.BytesIO()
    rest = data
    while rest.startswith(_GZIP_MAGIC):
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.write(inflater.decompress(rest))
        except zlib.error as exc:
            raise TapeError(f"{source}: corrupt gzip data: {exc}") from exc
        if not inflater.eof:
            # A recorder that died never wrote the trailer; everything up to its last sync point reads.
            log.warning("%s: gzip stream ends early (recording interrupted?); reading what is there", source)
            break
        rest = inflater.unused_data
    return out.getvalue()


def _parse_header(line: bytes, source: str) -> TapeHeader:
    if not line.strip():
        raise TapeError(f"{source}:1: empty file, expected a {FORMAT} header")
    try:
        raw = msgspec.json.decode(line)
    except msgspec.DecodeError as exc:
        raise TapeError(f"{source}:1: bad header, not JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise TapeError(f"{source}:1: not a {FORMAT} (format is {found!r})")
    if raw.get("version") != VERSION:
        raise TapeError(f"{source}:1: unsupported tape version {raw.get('version')!r} (this reads {VERSION})")
    try:
        return msgspec.json.decode(line, type=TapeHeader)
    except msgspec.ValidationError as exc:
        raise TapeError(f"{source}:1: bad header: {exc}") from exc
