"""Real gzip bombs for tests, built in milliseconds instead of compressing a gibibyte.

After a full flush deflate forgets its history, so every further megabyte of the same bytes
compresses to the very same block: the bomb is that block repeated, closed by a valid final
block and the gzip trailer (CRC-32 and size). Any gzip reader accepts the result.
"""

from __future__ import annotations

import struct
import zlib

MIB = 1 << 20
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def gzip_bomb(unpacked_mib: int, *, prefix: bytes = b"", fill: bytes = b"\0") -> bytes:
    """A single gzip member that inflates to ``prefix`` then ``unpacked_mib`` MiB of ``fill``.

    ``len(fill)`` must divide a MiB, so every megabyte is the same bytes.
    """
    if MIB % len(fill):
        raise ValueError("len(fill) must divide 1 MiB")
    chunk = fill * (MIB // len(fill))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(unpacked_mib):
        crc = zlib.crc32(chunk, crc)
    size = (len(prefix) + unpacked_mib * MIB) & 0xFFFFFFFF
    return _GZIP_HEADER + head + block * unpacked_mib + tail + struct.pack("<II", crc, size)


def inflated_size(data: bytes) -> int:
    """Inflate ``data`` (gzip) a megabyte at a time and return the total size: proves a bomb is real."""
    inflater = zlib.decompressobj(wbits=31)
    total = 0
    pending = data
    while pending and not inflater.eof:
        total += len(inflater.decompress(pending, MIB))
        pending = inflater.unconsumed_tail
    while out := inflater.decompress(b"", MIB):
        total += len(out)
    if not inflater.eof:
        raise ValueError("not a complete gzip stream")
    return total
