"""Each match's updates once, in seq order, whatever Redis pub/sub lost: the follower's side of the backplane.

Pub/sub delivers at most once: a reconnect, or a subscriber that falls behind, loses messages. The
streams keep every update, so the :class:`Sequencer` tracks the last seq it delivered per match and,
when a seq skips ahead, reads what is missing from the match's stream. What no stream holds any more
(trimmed, or Redis lost its data) is reported as lost, with the newest state Redis has, and the
consumer tells its clients so (a snapshot with ``recovered: false``) — never a silent gap.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import msgspec
import redis.asyncio as aioredis

from scoreterm.bus.memory import league_channel
from scoreterm.bus.redis_wire import Keys, decode_envelope, decode_match, seq_of
from scoreterm.domain.model import DeltaUpdate, EventUpdate, Match, SeqUpdate, TableUpdate

log = logging.getLogger(__name__)

Take = Callable[[SeqUpdate, bytes | None], Awaitable[None]]
Lost = Callable[[str, Match | None], Awaitable[None]]
_BAD = (msgspec.DecodeError, msgspec.ValidationError, ValueError)


class StreamReader:
    """Reads the streams and the ``matches`` hash of one namespace."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    async def after(
        self, match_id: str, seq: int, before: int | None = None
    ) -> list[tuple[SeqUpdate, bytes]]:
        """The entries of ``match_id`` with ``seq < entry seq < before`` (no upper bound when None)."""
        # Full ids: an incomplete one as an upper bound means <seq>-<max>, which would include <seq>-0.
        end = "+" if before is None else f"({before}-0"
        if before is not None and before <= seq + 1:
            return []
        return _entries(await self.client.xrange(self.keys.stream(match_id), f"({seq}-0", end) or [])

    async def latest(
        self, match_id: str, count: int, before: int | None = None
    ) -> list[tuple[SeqUpdate, bytes]]:
        """The last ``count`` entries of ``match_id`` (below ``before`` when given), oldest first."""
        start = "+" if before is None else f"({before}-0"
        rows = await self.client.xrevrange(self.keys.stream(match_id), start, "-", count=count) or []
        return _entries(list(reversed(rows)))

    async def top(self, match_id: str) -> int:
        """The seq of the newest entry of ``match_id`` (0 for an empty or missing stream)."""
        rows = await self.client.xrevrange(self.keys.stream(match_id), "+", "-", count=1)
        return seq_of(rows[0][0]) if rows and rows[0][0] is not None else 0

    async def state(self, match_id: str) -> Match | None:
        """The latest state of ``match_id`` Redis holds."""
        raw = await self.client.hget(self.keys.matches, match_id)
        return _match(raw) if isinstance(raw, bytes) else None

    async def states(self) -> dict[str, Match]:
        """Every match state Redis holds, by id."""
        found: dict[str, Match] = {}
        for key, raw in (await self.client.hgetall(self.keys.matches)).items():
            match = _match(raw) if isinstance(raw, bytes) else None
            if match is not None:
                found[key.decode() if isinstance(key, bytes) else str(key)] = match
        return found

    async def tables(self) -> list[TableUpdate]:
        """The latest live table of each league, as the leader last published it."""
        found: list[TableUpdate] = []
        for raw in (await self.client.hgetall(self.keys.tables)).values():
            try:
                update = decode_envelope(raw if isinstance(raw, bytes) else raw.encode()).u
            except _BAD as exc:
                log.warning("skipping an unreadable table: %s", exc)
                continue
            if isinstance(update, TableUpdate):
                found.append(update)
        return found


class Sequencer:
    """Delivers each match's deltas and events once, in seq order, filling gaps from the streams.

    Not safe for concurrent use: the caller serialises calls (one lock around every ``offer``/``sync``).

    Args:
        reader: where missing updates are read from.
        take: called with each update to deliver (and its envelope bytes, None when made here).
        lost: called when a match's continuity is lost, with the newest state known (or None); the
            seq of that state (or the update that revealed the hole) is the new starting point.
        backlog: how many of its latest updates a match brings when first seen.
    """

    def __init__(self, reader: StreamReader, take: Take, lost: Lost, backlog: int = 300) -> None:
        self.reader = reader
        self._take = take
        self._lost = lost
        self.backlog = backlog
        self.last: dict[str, int] = {}

    def forget(self) -> None:
        """Start over: every match unknown."""
        self.last.clear()

    async def offer(self, update: SeqUpdate, raw: bytes | None, *, from_stream: bool = False) -> None:
        """Deliver ``update`` if it is the next of its match, after what is missing before it.

        ``from_stream`` says the update was read from its stream: a hole before it is not looked
        for in that stream again.
        """
        match_id, seq = update.match_id, update.seq
        if not match_id:
            return
        last = self.last.get(match_id)
        if last is not None and seq <= last:
            return
        if last is None:
            # A match new to us: bring its recent past, so clients can resume here.
            if not from_stream:
                for earlier, data in await self.reader.latest(match_id, self.backlog, before=seq):
                    await self._deliver(earlier, data)
            await self._deliver(update, raw)
            return
        if seq > last + 1 and not from_stream:
            for missing, data in await self.reader.after(match_id, last, before=seq):
                if missing.seq == self.last[match_id] + 1:
                    await self._deliver(missing, data)
        if seq == self.last[match_id] + 1:
            await self._deliver(update, raw)
        else:
            await self._hole(update, raw)

    async def sync(self) -> None:
        """Catch up every match Redis knows (and every match we know) from the streams.

        After a (re)connect: what pub/sub carried while we were away is in the streams.
        """
        states = await self.reader.states()
        for match_id in sorted(states.keys() | self.last.keys()):
            last = self.last.get(match_id)
            if last is None:
                entries = await self.reader.latest(match_id, self.backlog)
            else:
                entries = await self.reader.after(match_id, last)
            for update, data in entries:
                await self.offer(update, data, from_stream=True)
            state = states.get(match_id)
            if state is None or state.seq <= self.last.get(match_id, 0):
                continue
            if match_id not in self.last:
                # Known only by its state (its stream is gone): that state is where it starts.
                await self._deliver(_as_delta(state), None)
            else:
                self.last[match_id] = state.seq
                await self._lost(match_id, state)

    async def _deliver(self, update: SeqUpdate, raw: bytes | None) -> None:
        self.last[update.match_id] = update.seq
        await self._take(update, raw)

    async def _hole(self, update: SeqUpdate, raw: bytes | None) -> None:
        """``update`` comes after seqs no stream holds: start the match over from the newest state."""
        match_id = update.match_id
        log.warning(
            "updates of %s before seq %d are lost; clients get a fresh snapshot", match_id, update.seq
        )
        state = await self.reader.state(match_id)
        if state is not None and state.seq >= update.seq:
            self.last[match_id] = state.seq
            await self._lost(match_id, state)
            for later, data in await self.reader.after(match_id, state.seq):
                await self.offer(later, data, from_stream=True)
        elif isinstance(update, DeltaUpdate):
            self.last[match_id] = update.seq
            await self._lost(match_id, update.match)
        else:
            # An event past the hole and no newer state yet: clients restart from the state they
            # have, then get this event; the delta that follows it brings the state.
            self.last[match_id] = update.seq - 1
            await self._lost(match_id, None)
            await self._deliver(update, raw)


_Row = tuple[bytes | str | None, dict[bytes | str, bytes | str] | None]


def _entries(rows: list[_Row]) -> list[tuple[SeqUpdate, bytes]]:
    out: list[tuple[SeqUpdate, bytes]] = []
    for _, fields in rows:
        data = (fields or {}).get(b"e")
        if not isinstance(data, bytes):
            continue
        try:
            update = decode_envelope(data).u
        except _BAD as exc:
            log.warning("skipping an unreadable stream entry: %s", exc)
            continue
        if isinstance(update, DeltaUpdate | EventUpdate):
            out.append((update, data))
        else:  # only deltas and events are written to streams
            log.warning("skipping a stream entry that is a %s", update.kind)
    return out


def _match(raw: bytes) -> Match | None:
    try:
        return decode_match(raw)
    except _BAD as exc:
        log.warning("skipping an unreadable match state: %s", exc)
        return None


def _as_delta(state: Match) -> DeltaUpdate:
    at = state.updated_at or state.kickoff
    channel = league_channel(state.league)
    return DeltaUpdate(channel=channel, at=at, match_id=state.id, seq=state.seq, match=state)
