"""What a server says to one WebSocket client: the welcome, then its answer to every op the client
sends (``ping``, ``hello``, ``subscribe``, ``unsubscribe``).

A subscriber first gets what it missed when it resumes and the history holds it all, else a
snapshot (``recovered: false`` when it asked to resume) — never a silent gap. Bad input gets an
``error`` frame and the connection stays up. The connection itself (accepting it, the heartbeat,
closing it) is the server's (``net/server.py``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import msgspec
from websockets.exceptions import ConnectionClosed

from scoreterm import __version__
from scoreterm.domain.model import Match, Update
from scoreterm.net import protocol as p
from scoreterm.net.history import HistoryError
from scoreterm.net.http import same_token, token_bytes
from scoreterm.net.sendpath import send_shared

if TYPE_CHECKING:
    from scoreterm.net.server import Client, ScoretermServer

log = logging.getLogger(__name__)


class ClientOps:
    """The server's side of the conversation with each client (see the module docstring)."""

    def __init__(self, server: ScoretermServer) -> None:
        self.server = server

    def welcome(self, client: Client) -> p.Welcome:
        """The first frame ``client`` gets: its id, the server's time, epoch, leagues and limits."""
        server, config = self.server, self.server.config
        return p.Welcome(
            connection_id=client.id,
            server_time=server.clock.now(),
            heartbeat_s=config.heartbeat_s,
            epoch=server.epoch,
            leagues=list(server.leagues),
            limits=p.Limits(
                max_subscriptions=config.max_subscriptions,
                max_message_bytes=config.max_message_bytes,
                max_messages_per_s=config.max_messages_per_s,
                history_per_match=config.history_per_match,
            ),
            server=f"scoreterm/{__version__}",
        )

    async def on_message(self, client: Client, raw: str | bytes) -> None:
        """Answer one frame ``client`` sent."""
        try:
            message = p.decode_client(raw)
        except p.ProtocolError as exc:
            await self.error(client, exc.code, exc.message, exc.op)
            return
        if isinstance(message, p.Ping):
            await self.send(client, p.Pong(id=message.id, server_time=self.server.clock.now()))
        elif isinstance(message, p.Hello):
            await self._hello(client, message)
        elif not client.authed:
            await self.error(client, p.ErrorCode.UNAUTHORIZED, "send hello with the token first", message.op)
        elif isinstance(message, p.Subscribe):
            await self._subscribe(client, message)
        elif isinstance(message, p.Unsubscribe) and client.subscriptions.pop(message.channel, None) is None:
            # Echoed clipped: an error frame never amplifies what the client sent.
            await self.error(
                client,
                p.ErrorCode.NOT_SUBSCRIBED,
                f"not subscribed to {p.clip(message.channel)}",
                "unsubscribe",
            )

    async def _hello(self, client: Client, hello: p.Hello) -> None:
        server = self.server
        if client.subscriptions:
            await self.error(
                client, p.ErrorCode.HELLO_AFTER_SUBSCRIBE, "hello must come before subscribe", "hello"
            )
            return
        if server.config.token and not client.authed:
            if hello.token is None or not same_token(token_bytes(hello.token), server.config.token):
                server.metrics.rejected.labels("token").inc()
                await server.disconnect(client, p.CloseCode.UNAUTHORIZED)
                return
            client.authed = True
        client.said_hello = True
        client.epoch = hello.epoch
        client.resume = dict(hello.resume)

    async def _subscribe(self, client: Client, message: p.Subscribe) -> None:
        server = self.server
        try:
            kind, ident = p.parse_channel(message.channel)
        except p.ProtocolError as exc:
            await self.error(client, exc.code, exc.message, "subscribe")
            return
        known = (
            ident in server.leagues
            if kind in ("league", "table")
            else server.state.store.get(ident) is not None
        )
        if not known:
            what = "league" if kind in ("league", "table") else "match"
            await self.error(
                client,
                p.ErrorCode.UNKNOWN_CHANNEL,
                f"no {what} {ident!r} on this server (leagues: {', '.join(server.leagues)})",
                "subscribe",
            )
            return
        if (
            message.channel not in client.subscriptions
            and len(client.subscriptions) >= server.config.max_subscriptions
        ):
            await self.error(
                client,
                p.ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                f"at most {server.config.max_subscriptions} subscriptions",
                "subscribe",
            )
            return
        tiers = frozenset(message.tiers) if message.tiers else frozenset(p.Tier)
        # No await between reading the state and registering: nothing can slip between the two.
        if kind == "table":
            table = server.state.tables.get(message.channel)
            frames: list[p.ServerMessage] = (
                [] if table is None else [p.TableFrame(channel=message.channel, table=table)]
            )
        else:
            frames = self._catch_up(client, message.channel, server.state.matches_of(message.channel))
        client.subscriptions[message.channel] = tiers
        # Sent without yielding: were the socket full, an awaited send would let live frames
        # overtake the catch-up, and the client would drop the older catch-up frames as duplicates.
        for frame in frames:
            stripped = p.strip_tiers(frame, tiers)
            if stripped is not None:
                send_shared([client.ws], p.encode(stripped))
                server.metrics.messages_out.inc()

    def _catch_up(self, client: Client, channel: str, matches: list[Match]) -> list[p.ServerMessage]:
        """What a subscriber gets first: the missed updates if it resumes and we hold them all,
        else a snapshot (``recovered: false`` when it asked to resume)."""
        server = self.server
        wanted = {m.id: client.resume[m.id] for m in matches if m.id in client.resume}
        if not wanted:
            return [p.Snapshot(channel=channel, matches=matches, at=server.clock.now())]
        missed: list[p.ServerMessage] = []
        recovered = client.epoch == server.epoch
        latest = {m.id: m.seq for m in matches}
        for match_id, seq in wanted.items() if recovered else ():
            try:
                held = server.state.history.since(match_id, seq)
            except HistoryError as exc:  # what cannot be read cannot be replayed: a snapshot
                log.warning("resume of %s from the history failed: %s", match_id, exc)
                held = None
            # A position past our latest seq is not ours (lost in a crash, or another server's):
            # those seqs will be given to other updates, so the client must start over.
            if held is None or seq > latest[match_id]:
                recovered = False
                break
            missed.extend(p.from_update(_on_channel(u, channel)) for u in held)
        if not recovered:
            server.metrics.resumes.labels("snapshot").inc()
            return [p.Snapshot(channel=channel, matches=matches, recovered=False, at=server.clock.now())]
        server.metrics.resumes.labels("recovered").inc()
        fresh = [
            p.Delta(channel=channel, match_id=m.id, seq=m.seq, data=m, at=server.clock.now())
            for m in matches
            if m.id not in wanted
        ]
        return [p.Resumed(channel=channel, replayed=len(missed)), *missed, *fresh]

    async def send(self, client: Client, message: p.ServerMessage) -> None:
        """Send ``message`` to ``client`` (a connection that closed meanwhile is let go quietly)."""
        with contextlib.suppress(ConnectionClosed):
            await client.ws.send(p.encode(message), text=True)
            self.server.metrics.messages_out.inc()

    async def error(self, client: Client, code: p.ErrorCode, message: str, op: str | None) -> None:
        """Send ``client`` an ``error`` frame (counted by code); the connection stays up."""
        self.server.metrics.errors.labels(code.value).inc()
        await self.send(client, p.Error(code=code, message=message, op=op))


def _on_channel(update: Update, channel: str) -> Update:
    return update if update.channel == channel else msgspec.structs.replace(update, channel=channel)
