"""The tape format: round trips plain and gzip, torn last lines, corrupt tapes and non-JSON bodies."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from scoreterm.replay.tape import (
    TapeError,
    TapeFrame,
    TapeHeader,
    TapeWriter,
    frame_body,
    json_body,
    read_tape,
)

START = datetime(2026, 6, 11, 18, 55, tzinfo=UTC)
HEADER = TapeHeader(
    created=datetime(2026, 6, 11, 18, 54, tzinfo=UTC),
    started_at=START,
    leagues=("fifa.world",),
    providers=("espn",),
    note="test",
)
SCOREBOARD = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"


def frame(t: float, value: object = None, **fields: object) -> TapeFrame:
    return TapeFrame(
        t=t,
        provider="espn",
        path=SCOREBOARD,
        params={"dates": "20260611"},
        headers={"etag": f'"{t}"', "content-type": "application/json"},
        body=json_body({"t": t} if value is None else value),
        **fields,  # type: ignore[arg-type]
    )


def write(path: Path, frames: list[TapeFrame]) -> None:
    with TapeWriter(path, HEADER) as writer:
        for item in frames:
            writer.write(item)


@pytest.mark.parametrize("name", ["tape.jsonl", "tape.jsonl.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    frames = [
        frame(2.0),
        frame(0.5, {"events": [{"id": "760415", "name": "México vs Sudáfrica"}]}),
        frame(9.0),
    ]
    write(path, frames)
    tape = read_tape(path)
    assert tape.header == HEADER
    assert [f.t for f in tape.frames] == [0.5, 2.0, 9.0]
    assert msgspec.json.decode(tape.frames[0].content) == {
        "events": [{"id": "760415", "name": "México vs Sudáfrica"}]
    }
    assert tape.frames[1].etag == '"2.0"'
    assert tape.frames[1].params == {"dates": "20260611"}
    assert path.read_bytes().startswith(b"\x1f\x8b") is name.endswith(".gz")


def test_header_line_is_the_documented_json(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl"
    write(path, [frame(1.0)])
    header, line = path.read_text().splitlines()
    assert msgspec.json.decode(header) == {
        "format": "scoreterm-tape",
        "version": 1,
        "created": "2026-06-11T18:54:00Z",
        "started_at": "2026-06-11T18:55:00Z",
        "leagues": ["fifa.world"],
        "providers": ["espn"],
        "note": "test",
    }
    decoded = msgspec.json.decode(line)
    assert "body_text" not in decoded
    assert decoded["body"] == {"t": 1.0}


def test_gzip_is_detected_by_magic_not_name(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl.gz"
    write(path, [frame(1.0)])
    renamed = path.rename(tmp_path / "renamed.jsonl")
    assert len(read_tape(renamed).frames) == 1


def test_non_json_bodies_round_trip_via_body_text(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl.gz"
    malformed = b'{"events": [ <html>oops\n'
    body, text = frame_body(malformed)
    empty_body, empty_text = frame_body(b"")
    write(
        path,
        [
            TapeFrame(t=1.0, provider="espn", path="/x", status=502, body=body, body_text=text),
            TapeFrame(t=2.0, provider="espn", path="/x", status=304, body=empty_body, body_text=empty_text),
        ],
    )
    first, second = read_tape(path).frames
    assert first.content == malformed
    assert first.status == 502
    assert second.content == b""


def test_pretty_json_is_stored_compact_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl"
    body, text = frame_body(b'{\n  "a": [1,\n 2],\n  "s": "line\\nbreak"\n}\n')
    assert text is msgspec.UNSET
    write(path, [TapeFrame(t=0.0, provider="espn", path="/x", body=body)])
    assert len(path.read_text().splitlines()) == 2
    assert msgspec.json.decode(read_tape(path).frames[0].content) == {"a": [1, 2], "s": "line\nbreak"}


def test_raw_newlines_in_a_body_do_not_split_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl"
    write(path, [TapeFrame(t=0.0, provider="espn", path="/x", body=msgspec.Raw(b'{\n"a": 1\n}'))])
    assert msgspec.json.decode(read_tape(path).frames[0].content) == {"a": 1}


def test_torn_last_line_is_dropped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tape.jsonl"
    write(path, [frame(1.0), frame(2.0), frame(3.0)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 25])
    with caplog.at_level(logging.WARNING):
        tape = read_tape(path)
    assert [f.t for f in tape.frames] == [1.0, 2.0]
    assert "torn last frame" in caplog.text
    assert ":4:" in caplog.text


def test_gzip_tape_cut_mid_write_reads_up_to_the_last_flush(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl.gz"
    writer = TapeWriter(path, HEADER)
    writer.write(frame(1.0))
    writer.write(frame(2.0))
    # The recorder dies here: no gzip trailer, and the bytes of a third frame only half written.
    flushed = path.read_bytes()
    writer.write(frame(3.0, {"big": "x" * 5000}))
    torn = path.read_bytes()[: len(flushed) + 40]
    writer.close()
    path.write_bytes(torn)
    assert [f.t for f in read_tape(path).frames] == [1.0, 2.0]


def test_garbage_in_the_middle_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl"
    write(path, [frame(1.0), frame(2.0), frame(3.0)])
    lines = path.read_bytes().split(b"\n")
    lines[2] = b'{"t": 2.0, "provider": "es'
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(TapeError, match=r"tape\.jsonl:3: bad frame"):
        read_tape(path)


def test_wrongly_typed_frame_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl"
    write(path, [frame(1.0)])
    with path.open("ab") as f:
        f.write(b'{"t": "soon", "provider": "espn", "path": "/x"}\n')
        f.write(msgspec.json.encode(frame(3.0)) + b"\n")
    with pytest.raises(TapeError, match=r":3: bad frame.*\$\.t"):
        read_tape(path)


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        (b"", "empty file"),
        (b"not json", "bad header, not JSON"),
        (b"[1, 2]", "not a scoreterm-tape"),
        (b'{"format": "other-tape", "version": 1}', "not a scoreterm-tape"),
        (b'{"format": "scoreterm-tape", "version": 2}', "unsupported tape version 2"),
        (b'{"format": "scoreterm-tape", "version": 1, "created": "yesterday"}', "bad header"),
        (
            b'{"format": "scoreterm-tape", "version": 1, "created": "2026-06-11T18:54:00",'
            b' "started_at": "2026-06-11T18:55:00Z"}',
            "bad header",
        ),
    ],
)
def test_bad_headers(tmp_path: Path, first_line: bytes, message: str) -> None:
    path = tmp_path / "tape.jsonl"
    path.write_bytes(first_line + b"\n" + msgspec.json.encode(frame(1.0)) + b"\n")
    with pytest.raises(TapeError, match=message) as info:
        read_tape(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TapeError, match="cannot read tape"):
        read_tape(tmp_path / "nope.jsonl")


def test_corrupt_gzip_is_a_tape_error(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    with pytest.raises(TapeError, match="corrupt gzip"):
        read_tape(path)


def test_multi_member_gzip_reads_all_members(tmp_path: Path) -> None:
    path = tmp_path / "tape.jsonl.gz"
    write(path, [frame(1.0)])
    with gzip.open(path, "ab") as more:
        more.write(msgspec.json.encode(frame(2.0)) + b"\n")
    assert [f.t for f in read_tape(path).frames] == [1.0, 2.0]


def test_writer_refuses_after_close(tmp_path: Path) -> None:
    writer = TapeWriter(tmp_path / "tape.jsonl", HEADER)
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write(frame(1.0))


# --- Damaged and hostile tapes (issue 10): always a TapeError naming the file and line. ---

GOOD_HEADER = (
    b'{"format":"scoreterm-tape","version":1,"created":"2026-06-11T18:54:00Z",'
    b'"started_at":"2026-06-11T18:55:00Z","leagues":["fifa.world"],"providers":["espn"]}'
)


def frame_line(t: bytes = b"1.0", body: bytes = b'{"events":[]}') -> bytes:
    return b'{"t":%s,"provider":"espn","path":"%s","body":%s}' % (t, SCOREBOARD.encode(), body)


def header_with(**fields: object) -> bytes:
    header = msgspec.json.decode(GOOD_HEADER)
    header.update(fields)
    return msgspec.json.encode(header)


def write_lines(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize(
    ("lines", "where", "message"),
    [
        pytest.param(
            [b'{"format":"scoreterm-tape","version":1,"x":' + b"[" * 50_000 + b"]" * 50_000 + b"}"],
            ":1:",
            "nested too deeply",
            id="header-nested-50000-deep",
        ),
        pytest.param(
            [header_with(started_at="9999-12-31T23:59:00Z"), frame_line(b"120")],
            ":1:",
            "started_at 9999-12-31",
            id="started-in-year-9999",
        ),
        pytest.param(
            [header_with(started_at="0001-01-01T00:00:00Z"), frame_line()],
            ":1:",
            "started_at 0001-01-01",
            id="started-in-year-1",
        ),
        pytest.param(
            [header_with(created="9999-12-31T23:59:59Z"), frame_line()],
            ":1:",
            "created 9999-12-31",
            id="created-in-year-9999",
        ),
        pytest.param(
            [header_with(leagues=["eng.9"]), frame_line()],
            ":1:",
            r"unknown league 'eng.9' in the header \(did you mean",
            id="unknown-league",
        ),
        pytest.param(
            [header_with(providers=["espn", "fifa.com"]), frame_line()],
            ":1:",
            "unknown provider 'fifa.com'",
            id="unknown-provider",
        ),
        pytest.param([GOOD_HEADER, frame_line(b"1e308"), frame_line()], ":2:", r"\$\.t", id="t-1e308"),
        pytest.param([GOOD_HEADER, frame_line(b"1e400"), frame_line()], ":2:", r"\$\.t", id="t-1e400"),
        pytest.param([GOOD_HEADER, frame_line(b"-5"), frame_line()], ":2:", r"\$\.t", id="t-negative"),
        pytest.param([GOOD_HEADER, frame_line(b"NaN"), frame_line()], ":2:", "bad frame", id="t-nan"),
        pytest.param(
            [GOOD_HEADER, frame_line(b"1", b"[" * 5_000 + b"]" * 5_000), frame_line()],
            ":2:",
            "nested too deeply",
            id="body-nested-5000-deep",
        ),
        pytest.param(
            [GOOD_HEADER, frame_line(), frame_line(b"2", b"[" * 5_000 + b"]" * 5_000)],
            ":3:",
            "nested too deeply",
            id="last-body-nested-5000-deep",
        ),
        pytest.param(
            [GOOD_HEADER, b'{"t":1,"provider":"espn","path":"/x","status":99999}', frame_line()],
            ":2:",
            r"\$\.status",
            id="status-out-of-range",
        ),
    ],
)
def test_damaged_tape_is_a_tape_error_naming_the_line(
    tmp_path: Path, lines: list[bytes], where: str, message: str
) -> None:
    path = write_lines(tmp_path / "bad.jsonl", *lines)
    with pytest.raises(TapeError, match=message) as info:
        read_tape(path)
    assert f"{path}{where}" in str(info.value)


def test_a_400_digit_score_in_a_body_reads(tmp_path: Path) -> None:
    # The tape is fine; what the score means is the normalizer's business.
    body = b'{"events":[{"competitions":[{"competitors":[{"score":' + b"9" * 400 + b"}]}]}]}"
    path = write_lines(tmp_path / "big.jsonl", GOOD_HEADER, frame_line(b"1", body), frame_line(b"2"))
    tape = read_tape(path)
    assert [f.t for f in tape.frames] == [1.0, 2.0]
    assert b"9" * 400 in tape.frames[0].content


def test_a_last_frame_at_the_limit_still_reads(tmp_path: Path) -> None:
    from scoreterm.replay.tape import MAX_TAPE_SECONDS

    limit = str(MAX_TAPE_SECONDS).encode()
    path = write_lines(tmp_path / "long.jsonl", GOOD_HEADER, frame_line(b"0"), frame_line(limit))
    assert read_tape(path).frames[-1].t == MAX_TAPE_SECONDS


def test_gzip_bomb_of_one_line_stops_at_the_line_limit(tmp_path: Path) -> None:
    import tracemalloc

    from scoreterm.replay.tape import MAX_LINE_BYTES
    from tests.bombs import MIB, gzip_bomb

    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip_bomb(1024, prefix=GOOD_HEADER + b"\n" + frame_line() + b"\n"))
    assert path.stat().st_size < 2 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(TapeError, match=r"bomb\.jsonl\.gz:3: line longer than") as info:
            read_tape(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"{MAX_LINE_BYTES // MIB} MiB" in str(info.value)
    # A 1 GiB line; what was held is the line limit plus a chunk, not the bomb.
    assert peak < MAX_LINE_BYTES + 16 * MIB


def test_gzip_bomb_of_blank_lines_stops_at_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from scoreterm.replay import tape as tape_module
    from tests.bombs import MIB, gzip_bomb

    monkeypatch.setattr(tape_module, "MAX_TAPE_BYTES", 32 * MIB)
    path = tmp_path / "blank.jsonl.gz"
    path.write_bytes(gzip_bomb(256, prefix=GOOD_HEADER + b"\n" + frame_line() + b"\n", fill=b"\n"))
    tracemalloc.start()
    try:
        with pytest.raises(TapeError, match=r"blank\.jsonl\.gz:\d+: larger than 32 MiB") as info:
            read_tape(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(tmp_path) in str(info.value)
    # 32 MiB of the 256 MiB were inflated, a megabyte at a time, and none of it was kept.
    assert peak < 16 * MIB


def test_too_many_frames_is_a_tape_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoreterm.replay import tape as tape_module

    monkeypatch.setattr(tape_module, "MAX_TAPE_FRAMES", 100)
    path = write_lines(
        tmp_path / "many.jsonl", GOOD_HEADER, *(frame_line(str(i).encode()) for i in range(150))
    )
    with pytest.raises(TapeError, match=r"many\.jsonl:102: more than 100 frames"):
        read_tape(path)


def test_plain_tape_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoreterm.replay import tape as tape_module

    monkeypatch.setattr(tape_module, "MAX_TAPE_BYTES", 4096)
    path = write_lines(
        tmp_path / "big.jsonl", GOOD_HEADER, *(frame_line(str(i).encode()) for i in range(100))
    )
    with pytest.raises(TapeError, match=r"big\.jsonl:\d+: larger than 4 KiB"):
        read_tape(path)


def test_writer_refuses_a_frame_over_the_line_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoreterm.replay import tape as tape_module

    monkeypatch.setattr(tape_module, "MAX_LINE_BYTES", 1000)
    with TapeWriter(tmp_path / "tape.jsonl", HEADER) as writer:
        writer.write(frame(1.0))
        with pytest.raises(ValueError, match="longer than"):
            writer.write(frame(2.0, {"big": "x" * 2000}))
        writer.write(frame(3.0))
    assert [f.t for f in read_tape(tmp_path / "tape.jsonl").frames] == [1.0, 3.0]


def test_frame_body_keeps_a_too_deep_body_as_text() -> None:
    deep = b"[" * 5_000 + b"]" * 5_000
    body, text = frame_body(deep)
    assert bytes(body) == b"null"
    assert text == deep.decode()


def test_a_non_ascii_header_value_replays(tmp_path: Path) -> None:
    import asyncio

    import httpx

    from scoreterm.engine.clock import FakeClock
    from scoreterm.replay.player import ReplayTransport

    path = tmp_path / "tape.jsonl"
    write(path, [TapeFrame(t=1.0, provider="espn", path="/x", headers={"etag": '"é"'}, body=json_body([]))])
    transport = ReplayTransport(read_tape(path), FakeClock(START))

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get("http://tape.invalid/x")

    response = asyncio.run(get())
    assert response.status_code == 200
    assert response.json() == []


def test_seeking_a_tape_skips_a_body_nested_too_deeply(tmp_path: Path) -> None:
    from scoreterm.session import start_offset

    deep, text = frame_body(b"[" * 5_000 + b"]" * 5_000)
    path = tmp_path / "deep.jsonl"
    write(path, [TapeFrame(t=1.0, provider="espn", path=SCOREBOARD, body=deep, body_text=text), frame(2.0)])
    assert start_offset(read_tape(path), 10) == 2.0
