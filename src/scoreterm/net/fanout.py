"""The server's fan-out: every update the engine publishes, recorded once and sent to its subscribers.

:class:`FanOut` runs the pump (supervised, under the name ``fan-out``): it takes each burst the
engine published from its bus subscription, appends it to the history, commits, then broadcasts it
— each frame encoded once per tier set (:func:`send_shared`). When updates cannot be sent (a pump
that died with a burst in hand, a pump that fell behind and lost its queue, a backplane that lost
them), the clients of the channels concerned get a fresh ``recovered: false`` snapshot from the
store instead: never a silent gap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec
from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from scoreterm.bus.memory import Subscription, SubscriptionLagged, match_channel
from scoreterm.domain.model import Update, UpdateKind
from scoreterm.net import protocol as p

if TYPE_CHECKING:
    from scoreterm.net.server import Client, ScoretermServer

log = logging.getLogger(__name__)
TASK_NAME = "fan-out"


class FanOut:
    """Records and sends a server's updates; see the module docstring.

    Args:
        server: the server whose clients, history, store and supervisor this uses.
    """

    def __init__(self, server: ScoretermServer) -> None:
        self.server = server
        self.subscription: Subscription | None = None
        # Updates the pump has taken from its subscription and not yet sent (see run()).
        self._in_flight: list[Update] = []
        self._closing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Subscribe to everything the engine publishes and start the pump under the supervisor."""
        self.subscription = self.server.bus.subscribe(["*"])
        self.server.supervisor.start(TASK_NAME, self.run)

    def close(self) -> None:
        """Stop receiving (the pump itself is stopped with the supervisor)."""
        if self.subscription is not None:
            self.subscription.close()

    async def run(self) -> None:
        """Record and send what the engine publishes, burst by burst, until cancelled (supervised).

        A run that dies leaves what it had taken from the subscription in ``_in_flight``: the next
        run cannot know how far each of those got (recorded? committed? sent to whom?), so instead of
        sending them it gives their channels' subscribers a fresh snapshot (``recovered: false``).
        The subscription itself is kept across runs: nothing queued behind is lost.
        """
        if self._in_flight:
            lost, self._in_flight = self._in_flight, []
            log.warning(
                "the fan-out restarted with %d updates unsent; their channels get snapshots", len(lost)
            )
            self.resync(_channels_of(lost), reason="fan_out_restart")
        while True:
            subscription = self.subscription
            assert subscription is not None
            burst = self._in_flight
            lagged = False
            try:
                # One commit per burst (an engine poll publishes several updates at once)...
                burst.append(await subscription.get())
                while subscription.pending():
                    burst.append(await subscription.get())
            except SubscriptionLagged:
                log.error("server fell behind its engine; resubscribing (clients get snapshots)")
                self.subscription = self.server.bus.subscribe(["*"])
                lagged = True
            recorded = [update for update in burst if self.record(update)]
            # ...made before any of it is sent: what a client has seen survives a crash of the
            # process, so a restarted server never gives its seqs to other updates.
            self.server.history.flush()
            for update in recorded:
                self.broadcast(update)
            self._in_flight = []
            if lagged:
                # What the bus dropped is gone: every subscriber starts over from the store.
                self.resync(lambda channel: True, reason="lagged")

    def resync(self, wanted: Callable[[str], bool], *, reason: str) -> None:
        """Send a ``recovered: false`` snapshot of each ``wanted`` channel to each of its subscribers.

        For when some updates of those channels cannot be sent: the snapshot (the store's current
        state) replaces what the clients hold, and the live frames that follow continue from it.
        """
        store, now = self.server.engine.store, self.server.clock.now()
        groups: dict[tuple[str, frozenset[p.Tier]], list[ServerConnection]] = {}
        for client in list(self.server.clients.values()):
            for channel, tiers in client.subscriptions.items():
                if wanted(channel):
                    groups.setdefault((channel, tiers), []).append(client.ws)
        for (channel, tiers), sockets in groups.items():
            kind, _, ident = channel.partition(":")
            held = store.get(ident)
            matches = store.matches(ident) if kind == "league" else [held] if held else []
            frame = p.strip_tiers(
                p.Snapshot(channel=channel, matches=matches, recovered=False, at=now), tiers
            )
            if frame is not None:
                broadcast(sockets, p.encode(frame), text=True)
                self.server.metrics.messages_out.inc(len(sockets))
                self.server.metrics.resyncs.labels(reason).inc(len(sockets))

    def deliver(self, update: Update) -> None:
        """Record ``update`` and send it, encoded once per tier set, to every subscriber."""
        if self.record(update):
            self.broadcast(update)

    def record(self, update: Update) -> bool:
        """Append a delta or event to the history; False for one already held (not sent again)."""
        return update.kind not in (UpdateKind.DELTA, UpdateKind.EVENT) or self.server.history.append(update)

    def broadcast(self, update: Update) -> None:
        """Send ``update`` to every subscriber of its channel or its match's, encoded once per tier set."""
        message = p.from_update(update)
        if message is None:
            return
        if update.kind is UpdateKind.TABLE and update.table is not None:
            # What a new subscriber of the table channel gets first (a follower's engine has none).
            self.server.tables[update.channel] = update.table
        # A client on both the update's channel and its match's gets it once, labelled with the
        # match's (which carries the whole match: a league channel goes light) and with every tier
        # either asked for.
        channels = [update.channel]
        if update.match_id:
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


def send_shared(sockets: list[ServerConnection], data: bytes) -> None:
    """``websockets.broadcast(sockets, data, text=True)`` with the frame serialized once, not per socket.

    ``broadcast`` builds the same frame for every connection (``Frame.serialize``: checks, a BytesIO,
    a ``struct.pack``, the extension loop), about half its cost per client. Without an extension
    (no permessage-deflate) the bytes are the same for all, so they are built once and written as
    they are: what ``send_text`` + ``send_data`` would write, in the same place in the stream (only
    when nothing of websockets' is queued ahead). Any other connection goes through ``broadcast``.
    """
    frame = Frame(Opcode.TEXT, data).serialize(mask=False)
    others: list[ServerConnection] = []
    for ws in sockets:
        protocol = ws.protocol
        if (
            protocol.extensions
            or protocol.state is not State.OPEN
            or protocol.expect_continuation_frame
            or protocol.writes
            or ws.send_in_progress is not None
        ):
            others.append(ws)
            continue
        try:
            ws.transport.write(frame)
        except Exception:  # as broadcast does: one failed write must not stop the others
            log.warning("skipped broadcast to %s: write failed", ws.id, exc_info=True)
    if others:
        broadcast(others, data, text=True)


def _channels_of(updates: list[Update]) -> Callable[[str], bool]:
    """Whether a channel carries any of ``updates`` (its own channel, or its match's)."""
    channels = {u.channel for u in updates} | {match_channel(u.match_id) for u in updates if u.match_id}
    return channels.__contains__
