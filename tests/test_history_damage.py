"""A damaged history database is refused when it is opened, with one clear error — never a fan-out that
silently stops later (issue 10, item 5).

The choice: :class:`History` checks the file when it opens it, and refuses any damage with
``HistoryError`` ("... is not a readable scoreterm history database ..."), which ``serve`` prints as
one line and exits 2. Dropping damaged rows instead would keep a server up on a history that can no
longer prove which seqs it gave out; the operator moves the file aside and clients resync from
fresh snapshots (a new epoch). What damage appears *after* the check (another process writing into
the file) costs only the rings it touches: a resume there gets ``recovered: false``.

Every damage kind is built here from a real history (ESPN matches through the store), with sqlite3
for row damage and byte overwrites for page damage.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import msgspec
import pytest

from scoreterm.domain.model import DeltaUpdate, SeqUpdate
from scoreterm.net.history import History, HistoryError
from tests.test_history import engine_run
from tests.test_server import cli_env

Damage = Callable[[Path], None]
UNREADABLE = "is not a readable scoreterm history database"


def build(path: Path) -> list[SeqUpdate]:
    """A closed history at ``path`` holding a real engine run (3 matches, deltas and events)."""
    _, sent = engine_run()
    with History(path) as history:
        assert all(history.append(u) for u in sent)
    return sent


def sql(path: Path, statement: str) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(statement)


def nullable(path: Path, table: str) -> None:
    """Rebuild ``table`` without NOT NULL on ``payload`` (as an older or foreign writer might have)."""
    with closing(sqlite3.connect(path)) as db:
        (schema,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        db.executescript(
            f"BEGIN; ALTER TABLE {table} RENAME TO old_{table};"
            f"{schema.replace('payload BLOB NOT NULL', 'payload BLOB')};"
            f"INSERT INTO {table} SELECT * FROM old_{table}; DROP TABLE old_{table}; COMMIT;"
        )


def latest(kind: str) -> str:
    return f"(SELECT MAX(seq) FROM updates WHERE kind = '{kind}')"


def page_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA page_count").fetchone()[0])


def page_size(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA page_size").fetchone()[0])


def overwrite_pages(pages: list[int], fill: Callable[[int], bytes]) -> Damage:
    def damage(path: Path) -> None:
        size = page_size(path)
        with path.open("r+b") as f:
            for page in pages:  # 1-based, as SQLite counts
                f.seek((page - 1) * size)
                f.write(fill(size))

    return damage


def random_bytes(seed: int) -> Callable[[int], bytes]:
    rng = random.Random(seed)
    return lambda size: rng.randbytes(size)


def zeroed_tail(pages: int) -> Damage:
    def damage(path: Path) -> None:
        size, count = page_size(path), page_count(path)
        overwrite_pages(list(range(count - pages + 1, count + 1)), lambda n: bytes(n))(path)
        assert size * count == path.stat().st_size

    return damage


def truncated(pages: int) -> Damage:
    def damage(path: Path) -> None:
        with path.open("r+b") as f:
            f.truncate(path.stat().st_size - pages * page_size(path))

    return damage


def middle_pages(path: Path) -> None:
    count = page_count(path)
    overwrite_pages([count // 3, count // 2, 2 * count // 3], random_bytes(7))(path)


def real_payloads() -> tuple[str, str]:
    """(a Match, an Update) of the real run, as hex for SQL: valid JSON, each the wrong shape elsewhere."""
    _, sent = engine_run()
    match = next(u.match for u in sent if isinstance(u, DeltaUpdate))
    return msgspec.json.encode(match).hex(), msgspec.json.encode(sent[0]).hex()


A_MATCH, AN_UPDATE = real_payloads()
LAST_DELTA, LAST_EVENT = latest("delta"), latest("event")
# name -> (table whose payload is made nullable first, or None; the damaging statement)
ROW_DAMAGE: dict[str, tuple[str | None, str]] = {
    "update payload not JSON": (None, f"UPDATE updates SET payload = x'6e6f7065' WHERE seq = {LAST_DELTA}"),
    "update payload NULL": ("updates", f"UPDATE updates SET payload = NULL WHERE seq = {LAST_EVENT}"),
    "update payload truncated JSON": (
        None,
        "UPDATE updates SET payload = substr(payload, 1, 40) WHERE seq = 1",
    ),
    "update payload {}": (None, "UPDATE updates SET payload = '{}' WHERE seq = 2"),
    "update payload a list": (None, "UPDATE updates SET payload = '[1, 2, 3]' WHERE seq = 2"),
    "update payload a Match": (None, f"UPDATE updates SET payload = x'{A_MATCH}' WHERE seq = {LAST_DELTA}"),
    "update payload of another row": (
        None,
        f"UPDATE updates SET payload = (SELECT payload FROM updates WHERE seq = 1) WHERE seq = {LAST_DELTA}",
    ),
    "update payload with a wrong-typed field": (
        None,
        "UPDATE updates SET payload = json_set(CAST(payload AS TEXT), '$.match.score', 'two')"
        " WHERE kind = 'delta'",
    ),
    "event row without its event": (
        None,
        "UPDATE updates SET payload = json_remove(CAST(payload AS TEXT), '$.event')"
        f" WHERE seq = {LAST_EVENT}",
    ),
    "match payload not JSON": (None, "UPDATE matches SET payload = x'00ff' WHERE rowid = 1"),
    "match payload NULL": ("matches", "UPDATE matches SET payload = NULL WHERE rowid = 2"),
    "match payload an Update": (None, f"UPDATE matches SET payload = x'{AN_UPDATE}' WHERE rowid = 1"),
    "match payload of another match": (
        None,
        "UPDATE matches SET payload = (SELECT payload FROM matches WHERE rowid = 2) WHERE rowid = 1",
    ),
}


def row_damage(name: str) -> Damage:
    table, statement = ROW_DAMAGE[name]

    def damage(path: Path) -> None:
        if table is not None:
            nullable(path, table)
        with closing(sqlite3.connect(path)) as db, db:
            assert db.execute(statement).rowcount >= 1, name

    return damage


PAGE_DAMAGE: dict[str, Damage] = {
    "random pages in the middle": middle_pages,
    "zeroed last page": zeroed_tail(1),
    "zeroed last 4 pages": zeroed_tail(4),
    "truncated by a page": truncated(1),
    "truncated by 3 pages": truncated(3),
}


@pytest.mark.parametrize("name", ROW_DAMAGE)
def test_a_damaged_row_is_refused_when_the_file_is_opened(tmp_path: Path, name: str) -> None:
    path = tmp_path / "damaged.sqlite3"
    build(path)
    row_damage(name)(path)
    with pytest.raises(HistoryError, match=UNREADABLE) as refused:
        History(path)
    assert "damaged.sqlite3" in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize("damage", PAGE_DAMAGE.values(), ids=PAGE_DAMAGE.keys())
def test_a_damaged_page_is_refused_when_the_file_is_opened(tmp_path: Path, damage: Damage) -> None:
    path = tmp_path / "damaged.sqlite3"
    build(path)
    damage(path)
    with pytest.raises(HistoryError, match=UNREADABLE) as refused:
        History(path)
    assert "damaged.sqlite3" in str(refused.value) and "\n" not in str(refused.value)


def test_every_page_overwritten_in_turn_is_refused_or_harmless(tmp_path: Path) -> None:
    """Each page of the file, one at a time, overwritten with random bytes: the open refuses it, or
    (a page nothing uses) the history reads back everything it holds, exactly."""
    pristine = tmp_path / "pristine.sqlite3"
    sent = build(pristine)
    with History(pristine) as history:
        expected = {u.match_id: history.since(u.match_id, 0) for u in sent}
    refused = 0
    for page in range(2, page_count(pristine) + 1):
        path = tmp_path / f"page{page}.sqlite3"
        path.write_bytes(pristine.read_bytes())
        overwrite_pages([page], random_bytes(page))(path)
        try:
            history = History(path)
        except HistoryError as exc:
            assert UNREADABLE in str(exc)
            refused += 1
            continue
        with history:
            assert {mid: history.since(mid, 0) for mid in expected} == expected, page
            assert len(history.restore_state()) == 3
    assert refused >= page_count(pristine) - 2


def test_a_healthy_history_opens_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "fine.sqlite3"
    sent = build(path)
    with History(path) as history:
        assert history.stats()["rows_in_db"] == len(sent)
        assert len(history.restore_state()) == 3


# -- damage after the check: only the damaged rings are lost ---------------------------------------


def test_a_ring_damaged_after_the_open_is_dropped_and_the_resume_falls_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite3"
    sent = build(path)
    match_ids = sorted({u.match_id for u in sent})
    damaged, healthy = match_ids[0], match_ids[1]
    with History(path) as history:
        sql(path, f"UPDATE updates SET payload = x'00' WHERE match_id = '{damaged}' AND seq = 2")
        with caplog.at_level(logging.WARNING, logger="scoreterm.net.history"):
            assert history.since(damaged, 1) is None  # the client gets a snapshot, recovered: false
        assert any(damaged in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
        assert history.since(healthy, 0) == [u for u in sent if u.match_id == healthy]
        top = history.latest_seq(damaged)
        later = next(u for u in reversed(sent) if u.match_id == damaged and isinstance(u, DeltaUpdate))
        newer = msgspec.structs.replace(
            later, seq=top + 1, match=msgspec.structs.replace(later.match, seq=top + 1)
        )
        assert history.append(newer)
        assert history.since(damaged, top) == [newer]
        assert history.since(damaged, 1) is None  # still: the ring does not reach back
        with pytest.raises(HistoryError, match=r"h\.sqlite3"):
            history.timeline(damaged)  # the HTTP API answers 503, not a wrong list


# -- serve on a damaged file: exit 2, one line ------------------------------------------------------


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize(
    "damage",
    [row_damage("update payload not JSON"), row_damage("update payload a Match"), middle_pages],
    ids=["payload not JSON", "wrong-shape payload", "damaged pages"],
)
def test_serve_on_a_damaged_history_exits_2_with_one_line(tmp_path: Path, damage: Damage) -> None:
    path = tmp_path / "damaged.sqlite3"
    build(path)
    damage(path)
    result = subprocess.run(
        [sys.executable, "-m", "scoreterm", "serve", "--demo", "--port", "0", "--db", str(path)],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=30,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("scoreterm: error: ") and UNREADABLE in lines[0] and str(path) in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
