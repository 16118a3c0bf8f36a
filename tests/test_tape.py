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
