"""The tape format: one provider response per JSON line, optionally gzip-compressed.

Line 1 is a :class:`TapeHeader`; every following line is a :class:`TapeFrame`, the response a
provider got at ``t`` seconds after ``header.started_at``. A ``.gz`` suffix makes the writer
compress; the reader looks at the magic bytes instead, so a renamed file still reads.

The writer flushes every frame (a gzip sync point for compressed tapes), so a recorder that
crashes loses at most the frame it was writing; the reader drops such a torn last line with a
warning but refuses anything else that does not parse, naming the file and line.

A tape may come from anyone, so reading one is bounded: at most :data:`MAX_TAPE_BYTES` of content
(after decompression, read as a stream), lines of at most :data:`MAX_LINE_BYTES`, at most
:data:`MAX_TAPE_FRAMES` frames, frame times within :data:`MAX_TAPE_SECONDS`, a start between
1970 and 2999, and only leagues and providers scoreterm knows. Anything else is a
:class:`TapeError` naming the file and line.
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import logging
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import msgspec

from scoreterm.config_rules import PROVIDER_NAMES, clip, format_size
from scoreterm.domain.leagues import UnknownLeague, get_league
from scoreterm.domain.model import League
from scoreterm.replay.lines import LineError, iter_lines

log = logging.getLogger(__name__)

FORMAT = "scoreterm-tape"
VERSION = 1
DEMO_TAPE = "demo.jsonl.gz"
# Only what a provider reacts to is kept: caching validators, rate-limit hints, the body type.
RELEVANT_HEADERS = ("etag", "last-modified", "retry-after", "content-type", "x-requestcounter-reset")

# Limits of a tape that is read (module constants: tests and unusual tapes may change them).
MAX_TAPE_BYTES = 512 << 20
"""Content of a tape after decompression; a longer tape (or a gzip bomb) is refused."""
MAX_LINE_BYTES = 64 << 20
"""One line: one response with its metadata. The writer refuses longer frames."""
MAX_TAPE_FRAMES = 500_000
"""Frames in a tape: each costs memory beyond its bytes (a day of ten leagues is ~100,000)."""
MAX_TAPE_SECONDS = 366 * 86_400.0
"""Latest frame time: a tape spans at most a year after its ``started_at``."""
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(3000, 1, 1, tzinfo=UTC)

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

    t: Annotated[float, msgspec.Meta(ge=0.0, le=MAX_TAPE_SECONDS)]
    provider: str
    method: str = "GET"
    path: str
    params: dict[str, str] = msgspec.field(default_factory=dict)
    status: Annotated[int, msgspec.Meta(ge=100, le=599)] = 200
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
    else (nested too deeply for a reader, too) is kept as text (invalid UTF-8 replaced) with a
    null body.
    """
    try:
        value = msgspec.json.decode(content)
    except (msgspec.DecodeError, RecursionError):
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
            ValueError: the writer is closed, or the frame is longer than :data:`MAX_LINE_BYTES`
                (nothing is written then).
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
        if len(line) > MAX_LINE_BYTES:
            raise ValueError(f"a tape line longer than {format_size(MAX_LINE_BYTES)} would not read back")
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
    """Read the tape at ``path`` (plain or gzip, by content), streaming it in bounded memory.

    Raises:
        TapeError: the file is missing or unreadable, is not a scoreterm tape of a supported
            version, breaks a limit, or has a bad line before the last one.
    """
    try:
        with Path(path).open("rb") as stream:
            return _read(stream, os.fspath(path))
    except OSError as exc:
        raise TapeError(f"cannot read tape {os.fspath(path)}: {exc.strerror or exc}") from exc


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
    return _read(io.BytesIO(data), source)


def header_leagues(header: TapeHeader, source: str = "<tape>") -> list[League]:
    """The catalog leagues named in ``header``.

    Raises:
        TapeError: a league is not in the catalog (``source:1``, with suggestions).
    """
    leagues = []
    for slug in header.leagues:
        try:
            leagues.append(get_league(slug))
        except UnknownLeague as exc:
            hint = f" (did you mean {', '.join(exc.suggestions)}?)" if exc.suggestions else ""
            raise TapeError(f"{source}:1: unknown league {clip(slug)} in the header{hint}") from exc
    return leagues


def _read(stream: BinaryIO, source: str) -> Tape:
    lines = iter_lines(stream, source=source, max_bytes=MAX_TAPE_BYTES, max_line_bytes=MAX_LINE_BYTES)
    try:
        return _parse_lines(lines, source)
    except LineError as exc:
        raise TapeError(f"{source}:{exc.line}: {exc.message}") from exc


def _parse_lines(lines: Iterator[tuple[int, bytes]], source: str) -> Tape:
    first = next(lines, None)
    if first is None or first[0] != 1:
        raise TapeError(f"{source}:1: empty file, expected a {FORMAT} header")
    header = _parse_header(first[1], source)
    decoder = msgspec.json.Decoder(TapeFrame)
    frames: list[TapeFrame] = []
    # A line that does not parse is only forgiven when it is the last one (a torn write).
    torn: tuple[int, str] | None = None
    for number, line in lines:
        if torn is not None:
            raise TapeError(f"{source}:{torn[0]}: bad frame: {torn[1]}")
        if len(frames) >= MAX_TAPE_FRAMES:
            raise TapeError(f"{source}:{number}: more than {MAX_TAPE_FRAMES} frames")
        try:
            frames.append(decoder.decode(line))
        except msgspec.ValidationError as exc:  # complete JSON, so not torn: wrong
            raise TapeError(f"{source}:{number}: bad frame: {exc}") from exc
        except msgspec.DecodeError as exc:
            torn = (number, str(exc))
        except RecursionError as exc:
            raise TapeError(f"{source}:{number}: bad frame: JSON nested too deeply") from exc
    if torn is not None:
        log.warning("%s:%d: dropping a torn last frame (%s)", source, torn[0], torn[1])
    frames.sort(key=lambda frame: frame.t)
    return Tape(header, tuple(frames))


def _parse_header(line: bytes, source: str) -> TapeHeader:
    try:
        raw = msgspec.json.decode(line)
    except msgspec.DecodeError as exc:
        raise TapeError(f"{source}:1: bad header, not JSON: {exc}") from exc
    except RecursionError as exc:
        raise TapeError(f"{source}:1: bad header: JSON nested too deeply") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise TapeError(f"{source}:1: not a {FORMAT} (format is {clip(found)})")
    if raw.get("version") != VERSION:
        raise TapeError(
            f"{source}:1: unsupported tape version {clip(raw.get('version'))} (this reads {VERSION})"
        )
    try:
        header = msgspec.json.decode(line, type=TapeHeader)
    except msgspec.ValidationError as exc:
        raise TapeError(f"{source}:1: bad header: {exc}") from exc
    for name in ("created", "started_at"):
        when: datetime = getattr(header, name)
        if not EARLIEST_START <= when < LATEST_START:
            # Replay adds frame times to started_at and looks at the days around it: keep it sane.
            raise TapeError(f"{source}:1: {name} {when.isoformat()} is out of range (1970 to 2999)")
    header_leagues(header, source)
    for provider in header.providers:
        if provider not in PROVIDER_NAMES:
            known = ", ".join(PROVIDER_NAMES)
            raise TapeError(f"{source}:1: unknown provider {clip(provider)} in the header (known: {known})")
    return header
