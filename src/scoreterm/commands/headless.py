"""Headless output: one JSON line per update, flushed as written, for scripts and pipes.

Lines: ``snapshot`` (every match of a channel), ``event`` (something happened; ``score`` is the
match's score after it, in match order), ``delta`` (a match changed: ``changed`` names what, and
the line carries the whole new state), and ``status`` (a source changed state: ok, degraded,
stale, down, unreachable, or, through a server, connected, resumed, fresh, reconnecting, offline). The
same lines come out of a local engine, a remote server and a replay.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

import msgspec

from scoreterm.commands.common import EXIT_FAILED, EXIT_OK
from scoreterm.domain.display import match_json, prob_json
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    Match,
    MatchEvent,
    Odds,
    SnapshotUpdate,
    SourceStatus,
    StatusState,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.domain.table import LiveTable
from scoreterm.engine.feed import Feed

_DETAILS = ("odds", "stats", "venue")
_NOT_SHOWN = ("centre", "trend", "consensus", "stage")


class LinePrinter:
    """Turns updates into JSON objects, remembering what it has said (matches, source states)."""

    def __init__(self) -> None:
        self.known: dict[str, Match] = {}
        self._states: dict[str, tuple[StatusState, str]] = {}
        self._tables: dict[str, dict[str, Any]] = {}

    def line(self, update: Update) -> dict[str, Any] | None:
        """The JSON object printed for ``update``; None when it says nothing new."""
        match update:
            case SnapshotUpdate():
                for match in update.matches:
                    self.known[match.id] = match
                return {
                    "type": "snapshot",
                    "channel": update.channel,
                    "matches": [state_json(m) for m in update.matches],
                }
            case DeltaUpdate():
                return self._delta(update.match, update.seq)
            case EventUpdate():
                return {
                    "type": "event",
                    "match_id": update.match_id,
                    "seq": update.seq,
                    **event_json(update.event),
                }
            case StatusUpdate():
                return self._status(update.channel, update.status)
            case TableUpdate():
                # A table comes again when only what the line leaves out moved (the official
                # table's time stamp after a refetch): the same line again would say nothing new.
                line = table_json(update.table)
                if self._tables.get(update.table.league) == line:
                    return None
                self._tables[update.table.league] = line
                return line

    def _delta(self, match: Match, seq: int) -> dict[str, Any]:
        before = self.known.get(match.id)
        self.known[match.id] = match
        changed = changed_fields(before, match)
        line: dict[str, Any] = {"type": "delta", "match_id": match.id, "seq": seq, "changed": changed}
        line.update(state_json(match))
        if match.odds is not None and "odds" in changed:
            line["odds"] = odds_json(match.odds)
        if "stats" in changed:
            line["stats"] = [{"name": s.name, "home": s.home, "away": s.away} for s in match.stats]
        if "venue" in changed:
            line["venue"] = match.venue
        if "events" in changed:
            line["events"] = _event_changes(before, match)
        return line

    def state_of(self, channel: str) -> StatusState | None:
        """The last state said for ``channel``'s source (None before any)."""
        said = self._states.get(channel)
        return said[0] if said is not None else None

    def _status(self, channel: str, status: SourceStatus) -> dict[str, Any] | None:
        said = (status.state, status.provider)
        if self._states.get(channel) == said:
            return None
        self._states[channel] = said
        return {
            "type": "status",
            "channel": channel,
            "state": status.state,
            "provider": status.provider,
            "message": status.message,
            "health": status.health,
            "last_ok_age_s": status.last_ok_age_s,
            "next_poll_s": status.next_poll_s,
            "retrying": status.retrying,
        }


def state_json(match: Match) -> dict[str, Any]:
    """A match as a JSON object: :func:`match_json` plus its seq, trust flags and win probability."""
    return {
        **match_json(match),
        "seq": match.seq,
        "unconfirmed": match.unconfirmed,
        "suspect": list(match.suspect),
    }


def event_json(event: MatchEvent) -> dict[str, Any]:
    """The fields of an ``event`` line."""
    score = event.score
    return {
        "kind": event.kind.value,
        "minute": event.minute,
        "side": event.side.value if event.side else None,
        "player": event.player,
        "other_player": event.other_player,
        "detail": event.detail,
        "score": {"home": score.home, "away": score.away} if score else None,
        "synthetic": event.synthetic,
        "enriches": event.enriches,
        "revises": event.revises,
        "key": event.key,
        "prob_before": prob_json(event.prob_before),
        "prob_after": prob_json(event.prob_after),
    }


def table_json(table: LiveTable) -> dict[str, Any]:
    """A ``table`` line: the league's live table as it stands, each row with its move and live match."""
    groups = []
    for group in table.groups:
        rows = []
        for row in group.entries:
            entry, live = row.entry, row.live
            rows.append(
                {
                    "rank": entry.rank,
                    "team": entry.team.name,
                    "played": entry.played,
                    "points": entry.points,
                    "goal_difference": entry.goal_difference,
                    "move": row.move,
                    "live": None
                    if live is None
                    else f"{live.goals_for}-{live.goals_against} {live.clock}".strip(),
                }
            )
        groups.append({"name": group.name, "rows": rows})
    return {"type": "table", "league": table.league, "groups": groups}


def odds_json(odds: Odds) -> dict[str, Any]:
    """A book's lines as a JSON object."""
    return msgspec.to_builtins(odds)  # type: ignore[no-any-return]


def changed_fields(before: Match | None, after: Match) -> list[str]:
    """Names of what a client can see that differs between two states of a match."""
    if before is None:
        return ["match"]
    old, new = match_json(before), match_json(after)
    fields = [name for name in new if old.get(name) != new[name]]
    for name in ("unconfirmed", "suspect", "situation", *_DETAILS):
        if getattr(before, name) != getattr(after, name):
            fields.append(name)
    if _event_changes(before, after):
        fields.append("events")
    # Parts the line leaves out; a league channel over --server carries none of them, so a delta
    # there can say [] (the match centre moved: subscribe to match:<id> for it).
    fields += [name for name in _NOT_SHOWN if getattr(before, name) != getattr(after, name)]
    return fields


def _event_changes(before: Match | None, after: Match) -> dict[str, list[Any]]:
    """The itemised events ``after`` adds, changes (with what they now say) and drops."""
    old = {e.key: _shown(e) for e in before.events} if before is not None else {}
    added = [e.key for e in after.events if e.key not in old]
    revised = [
        {"key": e.key, "minute": e.minute, "player": e.player, "detail": e.detail}
        for e in after.events
        if e.key in old and old[e.key] != _shown(e)
    ]
    gone = sorted(set(old) - {e.key for e in after.events})
    changes: dict[str, list[Any]] = {"added": added, "revised": revised, "removed": gone}
    return {name: items for name, items in changes.items() if items}


def _shown(event: MatchEvent) -> tuple[object, ...]:
    return (event.kind, event.minute, event.side, event.player, event.other_player, event.detail, event.score)


StatusHook = Callable[[str, SourceStatus, StatusState | None], None]


class OutputError(Exception):
    """Writing the lines failed: the reader went away (a closed pipe) or the disk is full.

    Raised by :func:`print_feed` (apart from the feed's own errors); :func:`output_failed` turns it
    into the command's exit.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error

    @property
    def closed(self) -> bool:
        """Whether the reader closed the pipe (``| head -3`` took what it wanted)."""
        return isinstance(self.error, BrokenPipeError) or self.error.errno == errno.EPIPE


def output_failed(error: OutputError, out: TextIO | None = None) -> int:
    """Exit code for lines that could not be written, with one line on stderr when it is a fault.

    A closed pipe exits 0 in silence: the stream never ends by itself, so ``| head -3`` is the way to
    take three lines, and a ``set -o pipefail`` script must not fail for it. Anything else (a full disk)
    says ``cannot write output: ...`` and exits 1. Either way ``out`` (stdout by default) then points
    at /dev/null, so the interpreter's last flush of what is still buffered does not fail again.
    """
    target = out if out is not None else sys.stdout
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, target.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's StringIO): nothing to flush later
        pass
    if error.closed:
        return EXIT_OK
    print(f"scoreterm: error: cannot write output: {error}", file=sys.stderr, flush=True)
    return EXIT_FAILED


async def print_feed(feed: Feed, out: TextIO, *, on_status: StatusHook | None = None) -> int:
    """Print every update of ``feed`` as JSON lines until it ends; return the lines printed.

    ``on_status(channel, status, previous_state)`` hears every change of a source's state.

    Raises:
        OutputError: ``out`` could not be written (a closed pipe, a full disk).
    """
    printer = LinePrinter()
    printed = 0
    async for update in feed:
        before = printer.state_of(update.channel)
        line = printer.line(update)
        if line is not None and on_status is not None and isinstance(update, StatusUpdate):
            on_status(update.channel, update.status, before)
        if line is not None:
            try:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                out.flush()
            except OSError as exc:
                raise OutputError(exc) from exc
            printed += 1
    return printed
