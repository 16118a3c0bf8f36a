"""The bounded line reader under tapes: the same lines and numbers as ``bytes.split``, for any chunking."""

from __future__ import annotations

import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreterm.replay import lines as lines_module
from scoreterm.replay.lines import LineError, iter_lines

CONTENT = st.lists(
    st.one_of(st.sampled_from([b"", b" ", b"\t \r", b"{}", b"x" * 40]), st.binary(max_size=30)), max_size=30
).map(b"\n".join)


def expected(data: bytes) -> list[tuple[int, bytes]]:
    return [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


def read(data: bytes, max_line_bytes: int = 1 << 20) -> list[tuple[int, bytes]]:
    stream = io.BytesIO(data)
    return list(iter_lines(stream, source="t", max_bytes=1 << 20, max_line_bytes=max_line_bytes))


@settings(max_examples=300, deadline=None)
@given(data=CONTENT, chunk=st.integers(min_value=1, max_value=64), compressed=st.booleans())
def test_lines_and_numbers_match_split_for_any_chunk_size(data: bytes, chunk: int, compressed: bool) -> None:
    if data.startswith(b"\x1f\x8b"):
        data = b" " + data  # plain content must not look like gzip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lines_module, "CHUNK_BYTES", chunk)
        patch.setattr(lines_module, "INPUT_BYTES", chunk)
        assert read(gzip.compress(data) if compressed else data) == expected(data)


def test_a_line_at_the_limit_reads_and_one_byte_more_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", 3)
    assert read(b"ab\n" + b"x" * 10 + b"\nc", max_line_bytes=10) == [(1, b"ab"), (2, b"x" * 10), (3, b"c")]
    with pytest.raises(LineError) as info:
        read(b"ab\n\n" + b"x" * 11 + b"\nc", max_line_bytes=10)
    assert info.value.line == 3


def test_corrupt_gzip_names_the_line_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", 4)
    data = bytearray(gzip.compress(b"one\ntwo\nthree\nfour\n"))
    data[-8:-4] = bytes(4)  # the CRC-32: only the end of the stream shows the damage
    with pytest.raises(LineError, match="corrupt gzip data") as info:
        read(bytes(data))
    assert info.value.line == 4  # the call that meets the bad CRC also holds the end of line 4
