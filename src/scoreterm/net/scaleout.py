"""One ``scoreterm serve`` among several: the server's side of the Redis backplane.

A :class:`BackplaneLink` is the server's link (``net/output.py``) when instances share a
:class:`~scoreterm.bus.redis.RedisBackplane`, and the backplane's listener:

- **engine**: runs only while this instance is the leader (``net/runner.py`` starts it when it gains
  the lease, from the state served so far, and stops it when it loses it); its updates go to the
  backplane, not to the clients. The engine's first snapshot becomes a delta per match, so the
  matches it first saw reach Redis and the other instances.
- **clients**: every instance (the leader included) hands what the backplane delivers to the
  server's output, which records it in the served state (so a follower serves snapshots, and an
  engine that takes over continues the same seqs) and sends it. Lost continuity becomes a
  ``recovered: false`` snapshot; backplane trouble a ``status`` frame (``degraded``, ``backplane
  down: ...``) on every league.
- **health**: role, Redis connectivity and lag for ``/health`` and ``/metrics``.

Its long-lived tasks (the engine while leading, the forwarder, the backplane's loops) run under the
server's supervisor: one that dies is logged, shows in ``/health`` and is restarted.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import msgspec
from prometheus_client import Gauge

from scoreterm.bus.memory import Subscription, SubscriptionLagged
from scoreterm.bus.redis import RedisBackplane
from scoreterm.domain.channels import league_channel
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    Match,
    SnapshotUpdate,
    SourceStatus,
    StatusUpdate,
    Update,
)
from scoreterm.net.output import Output
from scoreterm.net.state import as_delta

if TYPE_CHECKING:
    from scoreterm.net.server import ScoretermServer

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 3.0
FORWARD = "backplane-forward"


class BackplaneLink:
    """Runs ``server`` as one instance behind ``backplane`` (see the module docstring)."""

    def __init__(self, server: ScoretermServer, backplane: RedisBackplane) -> None:
        self.server = server
        self.backplane = backplane
        self.output: Output = server.output
        self.runner = server.runner
        server.state.share_epoch(lambda: backplane.epoch)
        self._leading = False
        self._subscription: Subscription | None = None
        # The engine update being forwarded: a forwarder that died with it publishes it again.
        self._forwarding: Update | None = None
        self._sent: dict[str, int] = {}
        self._statuses: dict[str, SourceStatus] = {}
        self._was_connected: bool | None = None
        self._stopping: set[asyncio.Future[None]] = set()
        registry = server.metrics.registry
        self._leader = Gauge(
            "scoreterm_leader", "1 while this instance polls for everyone", registry=registry
        )
        self._connected = Gauge("scoreterm_redis_connected", "1 while Redis answers", registry=registry)
        self._lag = Gauge("scoreterm_redis_lag_seconds", "Publish-to-receipt delay", registry=registry)
        self._buffered = Gauge("scoreterm_redis_buffered", "Updates waiting for Redis", registry=registry)

    def audience(self) -> int:
        """Every instance's clients (as last shared through Redis): the leader polls for them all."""
        return max(self.backplane.cluster_clients, len(self.server.clients))

    async def start(self, ready_timeout_s: float = READY_TIMEOUT_S) -> None:
        """Follow the backplane; wait (bounded) for Redis's state, so a new instance serves it at once."""
        self._subscription = self.runner.engine.bus.subscribe(["*"])
        self.server.supervisor.start(FORWARD, self._forward)
        self.backplane.count_clients = lambda: len(self.server.clients)
        await self.backplane.start(self, supervisor=self.server.supervisor)
        try:
            async with asyncio.timeout(ready_timeout_s):
                await self.backplane.ready.wait()
        except TimeoutError:
            log.warning("Redis is not reachable yet (%s); serving what we have", self.backplane.last_error)

    async def close(self, *, release: bool = True) -> None:
        """Stop the engine, then the backplane (``release=False``: leave the lease to expire)."""
        self._leading = False
        await self.runner.stop()
        await self.backplane.close(release=release)
        await self.server.supervisor.stop(FORWARD)
        await asyncio.gather(*self._stopping, return_exceptions=True)
        if self._subscription is not None:
            self._subscription.close()

    # -- what the backplane says (its Listener) -------------------------------------------------

    def deliver(self, update: Update) -> None:
        """A delta, an event, a status or a table for the clients; a status says it while Redis is away."""
        if isinstance(update, StatusUpdate):
            self._statuses[update.channel] = update.status
            if not self.backplane.connected:
                update = msgspec.structs.replace(update, status=self._degraded(update.status))
        self.output.deliver(update)

    def lost(self, match_id: str, state: Match | None) -> None:
        """Some updates of ``match_id`` are gone: its subscribers start over from a snapshot."""
        self.output.lost({match_id: state}, reason="backplane")

    def reset(self) -> None:
        """Drop everything served: it belonged to a lineage that nobody kept."""
        self.output.reset()

    def resynced(self) -> None:
        """After a reset: every subscriber gets a fresh snapshot of each of its channels."""
        self.output.resync(lambda channel: True, reason="backplane")

    def changed(self) -> None:
        """Leadership or connectivity changed: run or stop the engine, tell clients about Redis."""
        if self.backplane.is_leader and not self._leading:
            self._leading = True
            self._sent = self.backplane.last_seqs()
            self.runner.start()
        elif not self.backplane.is_leader and self._leading:
            self._leading = False
            # The next start begins again from what was delivered, whatever this run had in hand.
            stopping = self.runner.stop()
            self._stopping.add(stopping)  # the loop keeps only a weak reference to tasks
            stopping.add_done_callback(self._stopping.discard)
        connected = self.backplane.connected
        if connected != self._was_connected:
            announce = self._was_connected is not None
            self._was_connected = connected
            if announce:
                self._announce(connected)

    # -- health -------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """What ``/health`` adds behind a backplane: role, instance, cluster audience, Redis; and, on a
        follower, the sources as the leader reports them."""
        bp = self.backplane
        lag = None if bp.lag_ms is None else round(bp.lag_ms, 1)
        redis = {
            "connected": bp.connected,
            "lag_ms": lag,
            "last_error": bp.last_error,
            "buffered": bp.buffered,
        }
        role = "leader" if bp.is_leader else "follower"
        body = {
            "role": role,
            "instance": bp.instance_id,
            "cluster_connections": self.audience(),
            "redis": redis,
        }
        if not bp.is_leader:
            # A follower's engine is idle: the sources are as the leader last reported them.
            engine, statuses = self.runner.engine, self._statuses
            body["leagues"] = {
                slug: msgspec.to_builtins(statuses.get(league_channel(slug)) or engine.status(slug))
                for slug in self.server.leagues
            }
        return body

    def refresh_gauges(self) -> None:
        """Bring the backplane gauges up to date (before ``/metrics`` renders)."""
        bp = self.backplane
        self._leader.set(1 if bp.is_leader else 0)
        self._connected.set(1 if bp.connected else 0)
        self._lag.set((bp.lag_ms or 0.0) / 1000)
        self._buffered.set(bp.buffered)

    # -- the engine's updates, to Redis ---------------------------------------------------------

    async def _forward(self) -> None:
        """The engine's updates go to the backplane (which refuses them unless we lead).

        Supervised: the update a dead run was publishing is published again first (publishing is
        idempotent: explicit stream ids, and ``_sent`` skips the matches of a snapshot already sent).
        """
        while True:
            if self._forwarding is None:
                assert self._subscription is not None
                try:
                    self._forwarding = await self._subscription.get()
                except SubscriptionLagged:
                    log.error("fell behind the engine; resubscribing")
                    self._subscription = self.runner.engine.bus.subscribe(["*"])
                    continue
            update = self._forwarding
            if isinstance(update, SnapshotUpdate):
                # A match first seen in the first poll is only in the snapshot: it reaches Redis
                # (and the other instances) as a delta.
                for match in update.matches:
                    if match.seq > self._sent.get(match.id, 0):
                        await self._publish(as_delta(match, update.channel, update.at))
            else:
                await self._publish(update)
            self._forwarding = None

    async def _publish(self, update: Update) -> None:
        if isinstance(update, DeltaUpdate | EventUpdate) and update.match_id:
            self._sent[update.match_id] = max(self._sent.get(update.match_id, 0), update.seq)
        await self.backplane.publish(update)

    # -- telling clients ------------------------------------------------------------------------

    def _degraded(self, status: SourceStatus) -> SourceStatus:
        reason = self.backplane.last_error or "unreachable"
        return msgspec.structs.replace(status, state="degraded", message=f"backplane down: {reason}")

    def _announce(self, connected: bool) -> None:
        now = self.server.clock.now()
        updates = []
        for slug in self.server.leagues:
            channel = league_channel(slug)
            base = self._statuses.get(channel) or SourceStatus(provider="backplane")
            status = (
                msgspec.structs.replace(base, message="backplane recovered")
                if connected
                else self._degraded(base)
            )
            updates.append(StatusUpdate(channel=channel, at=now, status=status))
        self.output.deliver(*updates)
