"""The check a history database passes before the server trusts it: every page, every row.

A damaged history is refused when it is opened (``History`` turns :class:`Damaged` into
``HistoryError`` and ``serve`` exits 2), not found out later by the fan-out, where one unreadable row
used to stop every broadcast while ``/health`` said ok. The check is complete rather than sampled:
SQLite's ``quick_check`` walks every b-tree page (overwritten pages, a zeroed or cut tail), then every
row is decoded as the server will decode it and compared with the columns it is filed under (a payload
that is not JSON, NULL, valid JSON of the wrong shape, or another row's payload).

Cost: one pass over the file, once per start. Measured on a 413 MB history of 100,000 full ESPN
match states (3.7 KB each): 2.5 s, of which 0.6 s ``quick_check`` and about 19 µs per row to decode.
"""

from __future__ import annotations

import sqlite3

import msgspec

from scoreterm.domain.model import DeltaUpdate, EventUpdate, Match, Update

# What decoding a stored value can raise: msgspec's errors, a NULL or a number for TypeError, and
# RecursionError for absurd nesting.
UNDECODABLE = (msgspec.MsgspecError, TypeError, ValueError, RecursionError)
_UPDATE: msgspec.json.Decoder[Update] = msgspec.json.Decoder(Update)
_MATCH = msgspec.json.Decoder(Match)


class Damaged(Exception):
    """The database is damaged; the message says where (table, row) and how."""


def check_database(db: sqlite3.Connection) -> None:
    """Check every page and every row of an open history database.

    Raises:
        Damaged: the first problem found.
        sqlite3.Error: SQLite could not even read the file that far (damage too).
    """
    problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise Damaged("; ".join(str(p) for p in problems))
    for match_id, seq, kind, payload in db.execute("SELECT match_id, seq, kind, payload FROM updates"):
        problem = update_problem(match_id, seq, kind, payload)
        if problem:
            raise Damaged(f"updates row {match_id!r} seq {seq}: {problem}")
    for match_id, seq, payload in db.execute("SELECT match_id, seq, payload FROM matches"):
        problem = match_problem(match_id, seq, payload)
        if problem:
            raise Damaged(f"matches row {match_id!r}: {problem}")


def update_problem(match_id: object, seq: object, kind: object, payload: object) -> str:
    """What is wrong with one ``updates`` row ("" when nothing is)."""
    try:
        update = _UPDATE.decode(payload)  # type: ignore[arg-type]  # a NULL or a number is damage too
    except UNDECODABLE as exc:
        return f"payload is not an update ({_short(exc)})"
    # A delta without its match, an event update without its event, do not decode.
    if not isinstance(update, DeltaUpdate | EventUpdate):
        return f"a {update.kind.value} is never recorded"
    if (update.match_id, update.seq, update.kind.value) != (match_id, seq, kind):
        return f"payload is {update.kind.value} {update.match_id!r} seq {update.seq}, filed as {kind}"
    return ""


def match_problem(match_id: object, seq: object, payload: object) -> str:
    """What is wrong with one ``matches`` row ("" when nothing is)."""
    try:
        match = _MATCH.decode(payload)  # type: ignore[arg-type]
    except UNDECODABLE as exc:
        return f"payload is not a match ({_short(exc)})"
    if (match.id, match.seq) != (match_id, seq):
        return f"payload is match {match.id!r} seq {match.seq}, filed as seq {seq}"
    return ""


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:120] + "..."
