"""The server's update history: ordered resume, bounded rings, idempotence, durability, restarts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    Score,
    SeqUpdate,
    Side,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
)
from scoreterm.engine.store import MatchStore
from scoreterm.net.history import History, HistoryError
from scoreterm.providers.espn_normalize import normalize_scoreboard

FIXTURE = Path(__file__).parent / "fixtures/espn_soccer/eng.1_scoreboard_20260322_full_time_3_matches.json"
KICKOFF = datetime(2026, 3, 22, 14, tzinfo=UTC)
CHANNEL = "league:eng.1"


def real_matches() -> list[Match]:
    return normalize_scoreboard(msgspec.json.decode(FIXTURE.read_bytes()), "eng.1")


def as_delta(match: Match, at: datetime = KICKOFF) -> DeltaUpdate:
    return DeltaUpdate(channel=CHANNEL, at=at, match_id=match.id, seq=match.seq, match=match)


def published(store: MatchStore, match: Match, now: datetime) -> list[SeqUpdate]:
    """What the engine publishes for one apply: the new events, then the new state."""
    applied = store.apply(match, now)
    mid = applied.match.id
    updates: list[SeqUpdate] = [
        EventUpdate(channel=CHANNEL, at=now, match_id=mid, seq=e.seq, event=e) for e in applied.events
    ]
    return [*updates, as_delta(applied.match, now)] if applied.changed else updates


def engine_run() -> tuple[MatchStore, list[SeqUpdate]]:
    """Each real match seen live at 0-0, then at full time as ESPN reported it."""
    store, updates = MatchStore(), list[SeqUpdate]()
    for final in real_matches():
        live = Phase(state=PhaseState.LIVE, period=1, label="1H")
        start = msgspec.structs.replace(final, score=Score(0, 0), events=(), phase=live, clock="1'")
        updates += published(store, start, KICKOFF)
        updates += published(store, final, KICKOFF + timedelta(hours=2))
    return store, updates


BASE = real_matches()[0]


def delta(seq: int, match_id: str = BASE.id) -> DeltaUpdate:
    return as_delta(msgspec.structs.replace(BASE, id=match_id, seq=seq, clock=f"{seq}'"))


def event(seq: int, event_id: str | None, provider: str = "espn", match_id: str = BASE.id) -> EventUpdate:
    goal = MatchEvent(
        kind=EventKind.GOAL,
        minute=f"{seq}'",
        side=Side.HOME,
        score=Score(seq, 0),
        provider=provider,
        provider_event_id=event_id,
        key=f"goal:home:{seq}-0",
        seq=seq,
    )
    return EventUpdate(channel=CHANNEL, at=KICKOFF, match_id=match_id, seq=seq, event=goal)


@pytest.fixture(params=["sqlite", "memory"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.db" if request.param == "sqlite" else None) as opened:
        yield opened


def count_rows(path: Path) -> int:
    """Rows another connection (another process) can see."""
    with closing(sqlite3.connect(path)) as other:
        return int(other.execute("SELECT COUNT(*) FROM updates").fetchone()[0])


def test_append_then_since_returns_the_missed_updates_in_order(history: History) -> None:
    sent = [delta(1), event(2, "g1"), delta(3), delta(1, "other")]
    assert all(history.append(u) for u in sent)
    assert history.since(BASE.id, 0) == sent[:3]
    assert history.since(BASE.id, 1) == sent[1:3]
    assert history.since(BASE.id, 3) == [] and history.since(BASE.id, 9) == []
    assert history.since("unknown", 4) == []
    assert history.latest_seq(BASE.id) == 3 and history.latest_seq("other") == 1
    assert history.latest_seq("unknown") == 0


def test_out_of_order_append_keeps_since_sorted(history: History) -> None:
    for seq in (1, 3, 2):
        assert history.append(delta(seq))
    assert [u.seq for u in history.since(BASE.id, 0) or []] == [1, 2, 3]


def test_since_is_none_once_the_ring_has_dropped_part_of_the_gap(tmp_path: Path) -> None:
    with History(tmp_path / "h.db", per_match=5) as history:
        for seq in range(1, 11):
            history.append(delta(seq))
        assert [u.seq for u in history.since(BASE.id, 5) or []] == [6, 7, 8, 9, 10]
        assert history.since(BASE.id, 4) is None
        assert history.since(BASE.id, 0) is None
        assert history.stats() == {"matches": 1, "updates_in_ram": 5, "rows_in_db": 10}


def test_a_hole_in_the_seqs_is_never_papered_over(history: History) -> None:
    history.append(delta(1))
    history.append(delta(3))
    assert history.since(BASE.id, 0) is None
    assert history.since(BASE.id, 2) == [delta(3)]


def test_append_is_idempotent_on_match_and_seq(history: History) -> None:
    assert history.append(delta(1))
    assert not history.append(delta(1))
    assert not history.append(event(1, "g1"))
    assert history.since(BASE.id, 0) == [delta(1)]
    assert history.stats()["updates_in_ram"] == 1


def test_append_is_idempotent_on_the_providers_event_identity(history: History) -> None:
    assert history.append(event(1, "g1"))
    assert not history.append(event(2, "g1"))
    assert history.append(event(3, "g1", provider="thesportsdb"))
    assert history.append(event(4, "g1", match_id="other"))
    assert history.append(event(5, None)) and history.append(event(6, None))
    assert [u.seq for u in history.timeline(BASE.id)] == [1, 3, 5, 6]


def test_snapshots_statuses_and_incomplete_updates_are_not_recorded(history: History) -> None:
    snapshot = SnapshotUpdate(channel=CHANNEL, at=KICKOFF, matches=(BASE,))
    status = StatusUpdate(channel=CHANNEL, at=KICKOFF, status=SourceStatus(provider="espn"))
    no_match_id = msgspec.structs.replace(delta(1), match_id="")
    no_seq = msgspec.structs.replace(delta(1), seq=0)
    assert not any(history.append(u) for u in (snapshot, status, no_match_id, no_seq))
    assert history.stats() == {"matches": 0, "updates_in_ram": 0, "rows_in_db": 0}


def test_epoch_survives_a_reopen_and_a_new_file_gets_a_new_one(tmp_path: Path) -> None:
    with History(tmp_path / "a" / "deep" / "h.db") as first:
        epoch = first.epoch
    with History(tmp_path / "a" / "deep" / "h.db") as again, History(tmp_path / "b.db") as other:
        assert again.epoch == epoch and other.epoch != epoch
    assert History(None).epoch != History(None).epoch
    assert len(epoch) == 32


def test_restart_restores_seqs_events_and_resume(tmp_path: Path) -> None:
    store, sent = engine_run()
    assert any(isinstance(u, EventUpdate) for u in sent)
    with History(tmp_path / "h.db") as history:
        assert all(history.append(u) for u in sent)
    with History(tmp_path / "h.db") as history:
        matches = store.matches()
        for match in matches:
            assert history.latest_seq(match.id) == store.seq(match.id) == match.seq
            mine = [u for u in sent if u.match_id == match.id]
            assert history.since(match.id, 0) == mine
            assert history.since(match.id, mine[1].seq) == mine[2:]
        restored = history.restore_state()
        assert sorted(m.id for m, _ in restored) == sorted(m.id for m in matches)
        assert all(events for _, events in restored)
        fresh = MatchStore()
        for match, events in restored:
            assert match == store.get(match.id) and events == store.events(match.id)
            fresh.restore(match, events)
        final = real_matches()[0]
        again = fresh.apply(final, KICKOFF + timedelta(hours=3))
        assert not again.changed and again.events == []
        later = fresh.apply(msgspec.structs.replace(final, clock="91'"), KICKOFF + timedelta(hours=3))
        assert later.changed and later.match.seq == history.latest_seq(final.id) + 1
        assert history.append(as_delta(later.match))
        assert history.latest_seq(final.id) == later.match.seq


def test_reopened_ring_is_bounded_too(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        for seq in range(1, 21):
            history.append(delta(seq))
    with History(tmp_path / "h.db", per_match=4) as history:
        assert history.since(BASE.id, 15) is None
        assert [u.seq for u in history.since(BASE.id, 16) or []] == [17, 18, 19, 20]
        assert history.stats() == {"matches": 1, "updates_in_ram": 4, "rows_in_db": 20}


def test_appends_are_invisible_to_others_until_flushed(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as history:
        history.append(delta(1))
        history.append(event(2, "g1"))
        assert count_rows(path) == 0
        history.flush()
        assert count_rows(path) == 2
        history.flush()
        for seq in range(3, 203):
            history.append(delta(seq))
        assert count_rows(path) == 202  # 200 pending commit on their own
        history.append(delta(203))
        assert count_rows(path) == 202
    assert count_rows(path) == 203  # close flushes


def test_flushed_rows_survive_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    crashed = History(path)
    crashed.append(delta(1))
    crashed.append(event(2, "g1"))
    crashed.flush()
    crashed.append(delta(3))
    with History(path) as survivor:  # the first is never closed: as if its process died
        assert survivor.epoch == crashed.epoch
        assert survivor.latest_seq(BASE.id) == 2
        assert survivor.since(BASE.id, 0) == [delta(1), event(2, "g1")]
        assert [m.id for m, _ in survivor.restore_state()] == [BASE.id]
    crashed.close()


def test_timeline_lists_events_only_after_a_seq(history: History) -> None:
    _, sent = engine_run()
    for update in sent:
        history.append(update)
    match_id = sent[0].match_id
    events = [u for u in sent if u.match_id == match_id and isinstance(u, EventUpdate)]
    assert len(events) >= 3
    assert history.timeline(match_id) == events
    assert history.timeline(match_id, after_seq=events[1].seq) == events[2:]
    assert history.timeline(match_id, after_seq=events[0].seq, limit=1) == events[1:2]
    assert history.timeline("unknown") == []


def test_meta_is_committed_at_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as history:
        assert history.get_meta("tape_position") is None
        assert history.get_meta("schema_version") == "1"
        history.set_meta("tape_position", "42")
        history.set_meta("tape_position", "43")
        with closing(sqlite3.connect(path)) as other:
            assert other.execute("SELECT value FROM meta WHERE key = 'tape_position'").fetchone() == ("43",)
    with History(path) as history:
        assert history.get_meta("tape_position") == "43"
    memory = History(None)
    memory.set_meta("k", "v")
    assert memory.get_meta("k") == "v"


def test_a_corrupt_file_raises_history_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite at all \x00\xff" * 200)
    with pytest.raises(HistoryError, match=r"garbage\.db"):
        History(path)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    History(path).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(HistoryError, match=r"h\.db has history schema 99"):
        History(path)


def test_in_memory_mode_writes_no_file(tmp_path: Path) -> None:
    store, sent = engine_run()
    with History(None, per_match=3) as history:
        assert all(history.append(u) for u in sent)
        match = store.matches()[0]
        assert history.since(match.id, 0) is None
        assert len(history.since(match.id, match.seq - 3) or []) == 3
        restored = {m.id: events for m, events in history.restore_state()}
        assert restored[match.id] == store.events(match.id)
        assert history.stats()["rows_in_db"] == 0
    assert list(tmp_path.iterdir()) == []


def test_a_closed_history_refuses_writes(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.close()
    history.close()
    with pytest.raises(HistoryError, match=r"h\.db"):
        history.append(delta(1))
