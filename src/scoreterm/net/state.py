"""What a server serves: the matches as its clients have them, their recent past, the live tables.

A :class:`ServerState` is built from what the server *delivered* (``net/fanout.py``), never from what
an engine holds: its store follows every delta and event sent (``MatchStore.mirror``), its history
records them, its tables are the last one sent per ``table:<league>`` channel. Clients are served
from this alone: snapshots, resumes, the HTTP scoreboard, tables and timelines, the epoch of
``welcome``. An engine works
on a store of its own, started from this state each time it runs (``net/runner.py``), so seqs go on
from what clients saw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scoreterm.domain.model import DeltaUpdate, EventUpdate, Match, SnapshotUpdate, TableUpdate, Update
from scoreterm.domain.table import LiveTable
from scoreterm.engine.store import MatchStore
from scoreterm.net.history import History


class ServerState:
    """The served state of one server; see the module docstring.

    Args:
        history: where delivered deltas and events are recorded (SQLite, or RAM only).
    """

    def __init__(self, history: History) -> None:
        self.history = history
        self.store = MatchStore()
        self.tables: dict[str, LiveTable] = {}
        self._shared_epoch: Callable[[], str | None] = lambda: None

    @property
    def epoch(self) -> str:
        """The seq space clients resume in: the shared one when instances share it, else the history's."""
        return self._shared_epoch() or self.history.epoch

    def share_epoch(self, epoch: Callable[[], str | None]) -> None:
        """Announce ``epoch()`` (when it is known) instead of the history's: a backplane's shared one."""
        self._shared_epoch = epoch

    def restore(self) -> None:
        """Load the store from the history (after a restart: what clients saw before it).

        Raises:
            HistoryError: the history cannot be read.
        """
        self.store = self.engine_store()

    def engine_store(self) -> MatchStore:
        """A new store holding what was delivered: where an engine that starts (or takes over) goes on from.

        Raises:
            HistoryError: the history cannot be read.
        """
        store = MatchStore()
        for match, events in self.history.restore_state():
            store.restore(match, events)
        return store

    def reset(self) -> None:
        """Forget every match and its past (they belonged to a lineage nobody kept); the tables stay."""
        self.store = MatchStore()
        self.history = History(None, per_match=self.history.per_match)

    def take(self, update: Update) -> bool:
        """Record a delta or event about to be sent: mirrored into the store, appended to the history.

        A snapshot's matches are mirrored (not recorded: they are the engine's first sight of them);
        a table is kept for the next subscriber of its channel.

        Returns:
            False for a delta or event already recorded (it is not to be sent again), else True.
        """
        if isinstance(update, DeltaUpdate | EventUpdate):
            recorded = self.history.append(update)
            self.store.mirror(update)  # idempotent: a duplicate changes nothing
            return recorded
        if isinstance(update, SnapshotUpdate):
            for match in update.matches:
                self.store.mirror(as_delta(match, update.channel, update.at))
        elif isinstance(update, TableUpdate):
            self.tables[update.channel] = update.table
        return True

    def matches_of(self, channel: str) -> list[Match]:
        """The matches a ``league:`` or ``match:`` channel carries, as they stand."""
        kind, _, ident = channel.partition(":")
        if kind == "league":
            return self.store.matches(ident)
        held = self.store.get(ident) if kind == "match" else None
        return [held] if held is not None else []


def as_delta(match: Match, channel: str, at: datetime) -> DeltaUpdate:
    """``match`` as the delta that brings it, on ``channel``."""
    return DeltaUpdate(channel=channel, at=at, match_id=match.id, seq=match.seq, match=match)
