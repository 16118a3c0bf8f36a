"""Read a line-oriented file, plain or gzip (told by its magic bytes), in bounded memory.

A tape comes from anywhere (a colleague, a bug report), so reading one must not trust it: the
gzip stream is inflated a chunk at a time (``max_length``), so a bomb costs at most a chunk
before the size limit stops it; a line is never held past the line limit; and blank lines,
however many, are counted without being split one by one.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from scoreterm.config_rules import format_size

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
# Compressed input is read in smaller pieces: zlib copies the unconsumed input on every call.
INPUT_BYTES = 64 << 10
GZIP_MAGIC = b"\x1f\x8b"
_NON_BLANK = re.compile(rb"\S")


class LineError(Exception):
    """The file breaks a limit or cannot be inflated; ``line`` is where reading stood (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def iter_lines(
    stream: BinaryIO, *, source: str, max_bytes: int, max_line_bytes: int
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, line)`` for every non-blank line of ``stream`` (plain or gzip).

    Args:
        stream: the file, opened in binary mode.
        source: names the file in warnings.
        max_bytes: limit on the (uncompressed) content, and on the compressed input.
        max_line_bytes: limit on one line, without its newline.

    Raises:
        LineError: a limit is passed, or the gzip data is corrupt.
        OSError: reading ``stream`` failed.
    """
    position = [1]  # the current line number, also for errors raised while inflating
    try:
        yield from _split(_chunks(stream, source, max_bytes), position, max_bytes, max_line_bytes)
    except _InflateError as exc:
        raise LineError(position[0], str(exc)) from exc


def _split(
    chunks: Iterator[bytes], position: list[int], max_bytes: int, max_line_bytes: int
) -> Iterator[tuple[int, bytes]]:
    number = 1
    carry: list[bytes] = []  # the start of a line that goes on in the next chunk
    carried = 0
    total = 0
    too_long = f"line longer than {format_size(max_line_bytes)}"
    for chunk in chunks:
        position[0] = number
        total += len(chunk)
        if total > max_bytes:
            raise LineError(number, f"larger than {format_size(max_bytes)}")
        start = 0
        if carry:
            end = chunk.find(b"\n")
            piece = chunk if end == -1 else chunk[:end]
            carry.append(piece)
            carried += len(piece)
            if carried > max_line_bytes:
                raise LineError(number, too_long)
            if end == -1:
                continue
            line = b"".join(carry)
            carry, carried = [], 0
            if line.strip():
                yield number, line
            number += 1
            start = end + 1
        while (found := _NON_BLANK.search(chunk, start)) is not None:
            # Skip the blank lines before the next text in one step (a bomb of newlines is cheap).
            line_start = chunk.rfind(b"\n", start, found.start()) + 1 or start
            number += chunk.count(b"\n", start, line_start)
            end = chunk.find(b"\n", line_start)
            if end == -1:
                carry, carried = [chunk[line_start:]], len(chunk) - line_start
                if carried > max_line_bytes:
                    raise LineError(number, too_long)
                break
            if end - line_start > max_line_bytes:
                raise LineError(number, too_long)
            yield number, chunk[line_start:end]
            number += 1
            start = end + 1
        else:
            # Only blanks left in this chunk: count their newlines in one step (a bomb of them is
            # cheap) and keep the blanks after the last one, the start of the next line.
            number += chunk.count(b"\n", start)
            tail = chunk[chunk.rfind(b"\n", start) + 1 or start :]
            if tail:
                carry, carried = [tail], len(tail)
                if carried > max_line_bytes:
                    raise LineError(number, too_long)
        position[0] = number
    line = b"".join(carry)
    if line.strip():
        yield number, line


class _InflateError(Exception):
    """The gzip data is corrupt or too large; the caller adds the line number."""


def _chunks(stream: BinaryIO, source: str, max_bytes: int) -> Iterator[bytes]:
    head = stream.read(len(GZIP_MAGIC))
    if head != GZIP_MAGIC:
        if head:
            yield head
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
        return
    yield from _inflate(stream, head, source, max_bytes)


def _inflate(stream: BinaryIO, head: bytes, source: str, max_bytes: int) -> Iterator[bytes]:
    """Inflate every gzip member of ``stream`` at most a chunk at a time."""
    inflater = zlib.decompressobj(wbits=31)
    pending = head
    read = len(head)
    while True:
        if not pending:
            pending = stream.read(INPUT_BYTES)
            read += len(pending)
            if read > max_bytes:
                raise _InflateError(f"larger than {format_size(max_bytes)} compressed")
            if not pending:
                if not inflater.eof:
                    # A recorder that died never wrote the trailer; all up to its last sync point reads.
                    log.warning(
                        "%s: gzip stream ends early (recording interrupted?); reading what is there", source
                    )
                return
        if inflater.eof:
            if len(pending) < len(GZIP_MAGIC):
                more = stream.read(INPUT_BYTES)
                read += len(more)
                pending += more
            if not pending.startswith(GZIP_MAGIC):
                return  # trailing bytes that are not another member: ignored, as gzip(1) does
            inflater = zlib.decompressobj(wbits=31)
        try:
            out = inflater.decompress(pending, CHUNK_BYTES)
        except zlib.error as exc:
            raise _InflateError(f"corrupt gzip data: {exc}") from exc
        pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
        if out:
            yield out
        # A full chunk may leave output inside zlib with no input left: ask again before reading on.
        while len(out) == CHUNK_BYTES and not pending and not inflater.eof:
            try:
                out = inflater.decompress(b"", CHUNK_BYTES)
            except zlib.error as exc:
                raise _InflateError(f"corrupt gzip data: {exc}") from exc
            pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
            if out:
                yield out
