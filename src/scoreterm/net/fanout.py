"""The server's output: each update recorded once in the server's state, then sent to its subscribers.

:class:`FanOut` is the :class:`~scoreterm.net.output.Output` both links feed (``net/local.py``,
``net/scaleout.py``). A burst is recorded (history, store, tables: ``net/state.py``) and committed
before any of it is sent — what a client has seen survives a crash of the process, so a restarted
server never gives its seqs to other updates — then each frame is encoded once per tier set and
written to every subscriber without awaiting any (:func:`~scoreterm.net.sendpath.send_shared`).
When updates cannot be sent, the channels concerned get a fresh ``recovered: false`` snapshot from
the state instead: never a silent gap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import msgspec
from websockets.asyncio.server import ServerConnection

from scoreterm.domain.channels import league_channel, match_channel
from scoreterm.domain.model import DeltaUpdate, EventUpdate, Match, Update
from scoreterm.net import protocol as p
from scoreterm.net.sendpath import send_shared
from scoreterm.net.state import as_delta

if TYPE_CHECKING:
    from scoreterm.net.server import Client, ScoretermServer


class FanOut:
    """Records and sends a server's updates; see the module docstring.

    Args:
        server: the server whose state, clients and metrics this uses.
    """

    def __init__(self, server: ScoretermServer) -> None:
        self.server = server
        self._closing: set[asyncio.Task[None]] = set()

    def deliver(self, *updates: Update) -> None:
        """Record ``updates`` and commit, then send each, encoded once per tier set, to its subscribers.

        A delta or event already recorded is not sent again.
        """
        state = self.server.state
        taken = [update for update in updates if state.take(update)]
        state.history.flush()
        for update in taken:
            self.broadcast(update)

    def lost(self, states: Mapping[str, Match | None], *, reason: str) -> None:
        """Some updates of these matches are gone: record each one's newest state (None: keep the one
        held), then send their channels' subscribers a ``recovered: false`` snapshot."""
        state, channels = self.server.state, set[str]()
        for match_id, newest in states.items():
            if newest is not None:
                at = newest.updated_at or self.server.clock.now()
                state.take(as_delta(newest, league_channel(newest.league), at))
            known = newest or state.store.get(match_id)
            channels.add(match_channel(match_id))
            if known is not None:
                channels.add(league_channel(known.league))
        state.history.flush()
        self.resync(channels.__contains__, reason=reason)

    def reset(self) -> None:
        """Forget every match and its past; the subscribers hear of it from :meth:`resync`."""
        self.server.state.reset()

    def resync(self, wanted: Callable[[str], bool], *, reason: str) -> None:
        """Send a ``recovered: false`` snapshot of each ``wanted`` channel to each of its subscribers.

        For when some updates of those channels cannot be sent: the snapshot (the state as it stands)
        replaces what the clients hold, and the live frames that follow continue from it. A table
        channel gets its table again.
        """
        state, now = self.server.state, self.server.clock.now()
        groups: dict[tuple[str, frozenset[p.Tier]], list[ServerConnection]] = {}
        for client in list(self.server.clients.values()):
            for channel, tiers in client.subscriptions.items():
                if wanted(channel):
                    groups.setdefault((channel, tiers), []).append(client.ws)
        metrics = self.server.metrics
        for (channel, tiers), sockets in groups.items():
            message: p.ServerMessage | None
            if channel.startswith("table:"):
                table = state.tables.get(channel)
                message = None if table is None else p.TableFrame(channel=channel, table=table, at=now)
            else:
                matches = state.matches_of(channel)
                message = p.Snapshot(channel=channel, matches=matches, recovered=False, at=now)
                metrics.resyncs.labels(reason).inc(len(sockets))
            frame = None if message is None else p.strip_tiers(message, tiers)
            if frame is not None:
                send_shared(sockets, p.encode(frame))
                metrics.messages_out.inc(len(sockets))

    def broadcast(self, update: Update) -> None:
        """Send ``update`` to every subscriber of its channel or its match's, encoded once per tier set."""
        message = p.from_update(update)
        # A client on both the update's channel and its match's gets it once, labelled with the
        # match's (which carries the whole match: a league channel goes light) and with every tier
        # either asked for.
        channels = [update.channel]
        if isinstance(update, DeltaUpdate | EventUpdate) and update.match_id:
            channels.insert(0, match_channel(update.match_id))
        groups: dict[tuple[str, frozenset[p.Tier]], list[ServerConnection]] = {}
        for client in list(self.server.clients.values()):
            subscriptions = client.subscriptions
            held = [c for c in channels if c in subscriptions]
            if not held or self._too_slow(client):
                continue
            # Most clients hold one of the channels: no union (and no generator) to build for them.
            tiers = (
                subscriptions[held[0]]
                if len(held) == 1
                else frozenset[p.Tier]().union(*(subscriptions[c] for c in held))
            )
            groups.setdefault((held[0], tiers), []).append(client.ws)
        for (channel, tiers), sockets in groups.items():
            relabel = channel != update.channel
            labelled = msgspec.structs.replace(message, channel=channel) if relabel else message
            frame = p.strip_tiers(labelled, tiers)
            if frame is None:
                continue
            data = p.encode(frame)
            send_shared(sockets, data)
            self.server.metrics.messages_out.inc(len(sockets))

    def _too_slow(self, client: Client) -> bool:
        """Drop (close with 4010) a client whose send buffer is over the high-water mark."""
        transport = client.ws.transport
        if transport is None or transport.get_write_buffer_size() <= self.server.config.high_water_bytes:
            return False
        self.server.metrics.drops.labels("slow_consumer").inc()
        # Forgotten at once, so the rest of a burst does not count (and close) it again.
        self.server.clients.pop(client.id, None)
        task = asyncio.get_running_loop().create_task(
            self.server.disconnect(client, p.CloseCode.SLOW_CONSUMER)
        )
        self._closing.add(task)  # the loop keeps only a weak reference to tasks
        task.add_done_callback(self._closing.discard)
        return True
