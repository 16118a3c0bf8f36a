"""One ``scoreterm serve`` among several: the server's side of the Redis backplane.

A :class:`BackplaneLink` sits between a :class:`~scoreterm.net.server.ScoretermServer` and its
:class:`~scoreterm.bus.redis.RedisBackplane`:

- **engine**: runs only while this instance is the leader (started when it gains the lease, cancelled
  when it loses it); its updates go to the backplane, not to the clients. The engine's first snapshot
  becomes a delta per match, so the matches it first saw reach Redis and the other instances.
- **clients**: every instance (the leader included) delivers what the backplane hands it: recorded in
  the history, mirrored into the store (so a follower serves snapshots, and continues the same seqs if
  it takes over), then the server's usual fan-out. Lost continuity becomes a ``recovered: false``
  snapshot; backplane trouble a ``status`` frame (``degraded``, ``backplane down: ...``) on every league.
- **health**: role, Redis connectivity and lag for ``/health`` and ``/metrics``.

Its long-lived tasks (the engine while leading, the forwarder, the backplane's loops) run under the
server's supervisor: one that dies is logged, shows in ``/health`` and is restarted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from prometheus_client import Gauge

from scoreterm.bus.memory import Subscription, SubscriptionLagged, league_channel, match_channel
from scoreterm.bus.redis import RedisBackplane
from scoreterm.bus.tasks import cancel_and_wait
from scoreterm.domain.model import Match, SourceStatus, Update, UpdateKind
from scoreterm.engine.store import MatchStore
from scoreterm.net.history import History

if TYPE_CHECKING:
    from scoreterm.net.server import ScoretermServer

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 3.0
ENGINE = "engine"
FORWARD = "backplane-forward"


class BackplaneLink:
    """Runs ``server`` as one instance behind ``backplane`` (see the module docstring).

    ``on_lead``, when set, is called just before the engine starts (a replay moves its tape up to
    where the previous leader was).
    """

    def __init__(self, server: ScoretermServer, backplane: RedisBackplane) -> None:
        self.server = server
        self.backplane = backplane
        self.on_lead: Callable[[], None] | None = None
        self._leading = False
        self._subscription: Subscription | None = None
        # The engine update being forwarded: a forwarder that died with it publishes it again.
        self._forwarding: Update | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._sent: dict[str, int] = {}
        self._statuses: dict[str, SourceStatus] = {}
        self._was_connected: bool | None = None
        registry = server.metrics.registry
        self._leader = Gauge(
            "scoreterm_leader", "1 while this instance polls for everyone", registry=registry
        )
        self._connected = Gauge("scoreterm_redis_connected", "1 while Redis answers", registry=registry)
        self._lag = Gauge("scoreterm_redis_lag_seconds", "Publish-to-receipt delay", registry=registry)
        self._buffered = Gauge("scoreterm_redis_buffered", "Updates waiting for Redis", registry=registry)

    @property
    def engine_task(self) -> asyncio.Task[None] | None:
        """The engine's task while this instance leads (or led last; done once a replay ends)."""
        return self.server.supervisor.task(ENGINE)

    async def start(self, ready_timeout_s: float = READY_TIMEOUT_S) -> None:
        """Follow the backplane; wait (bounded) for Redis's state, so a new instance serves it at once."""
        self._subscription = self.server.engine.bus.subscribe(["*"])
        self.server.supervisor.start(FORWARD, self._forward)
        # The leader polls for every instance's clients, not just its own.
        self.backplane.count_clients = lambda: len(self.server.clients)
        self.server.engine.options.subscribers = lambda: max(
            self.backplane.cluster_clients, len(self.server.clients)
        )
        await self.backplane.start(self, supervisor=self.server.supervisor)
        try:
            async with asyncio.timeout(ready_timeout_s):
                await self.backplane.ready.wait()
        except TimeoutError:
            log.warning("Redis is not reachable yet (%s); serving what we have", self.backplane.last_error)

    async def close(self, *, release: bool = True) -> None:
        """Stop the engine, then the backplane (``release=False``: leave the lease to expire)."""
        self._leading = False
        await self.server.supervisor.stop(ENGINE)
        await self.backplane.close(release=release)
        await self.server.supervisor.stop(FORWARD)
        await cancel_and_wait(list(self._tasks))

    # -- what the backplane says ------------------------------------------------------------------

    def deliver(self, update: Update) -> None:
        """Mirror a delta or event into the store, then record and send it like any update."""
        if update.kind in (UpdateKind.DELTA, UpdateKind.EVENT):
            self.server.engine.store.mirror(update)
        elif update.kind is UpdateKind.STATUS and update.status is not None:
            self._statuses[update.channel] = update.status
            if not self.backplane.connected:
                update = msgspec.structs.replace(update, status=self._degraded(update.status))
        self.server.deliver(update)

    def lost(self, match_id: str, state: Match | None) -> None:
        """Some updates of ``match_id`` are gone: its subscribers start over from a snapshot."""
        if state is not None:
            update = Update(
                kind=UpdateKind.DELTA,
                channel=league_channel(state.league),
                at=state.updated_at or self.server.clock.now(),
                match_id=state.id,
                seq=state.seq,
                match=state,
            )
            self.server.engine.store.mirror(update)
            self.server.history.append(update)
        known = state or self.server.engine.store.get(match_id)
        channels = {match_channel(match_id)} | ({league_channel(known.league)} if known else set())
        self._snapshots(lambda channel: channel in channels)

    def reset(self) -> None:
        """Drop everything: the store and history served a lineage that nobody kept."""
        self.server.engine.store = MatchStore()
        self.server.history = History(None, per_match=self.server.config.history_per_match)

    def resynced(self) -> None:
        """After a reset: every subscriber gets a fresh snapshot of each of its channels."""
        self._snapshots(lambda channel: True)

    def changed(self) -> None:
        """Leadership or connectivity changed: run or stop the engine, tell clients about Redis."""
        if self.backplane.is_leader and not self._leading:
            self._leading = True
            self._sent = self.backplane.last_seqs()
            if self.on_lead is not None:
                try:
                    self.on_lead()
                except Exception:  # a hook's failure must not cost the lease
                    log.exception("the on_lead hook failed")
            engine = self.server.engine
            # A replay (or a run until the matches are over) ends on its own; a live engine must not.
            finite = engine.options.until_final or engine.options.schedule is not None
            self.server.supervisor.start(ENGINE, self._run_engine, restart=not finite)
        elif not self.backplane.is_leader and self._leading:
            self._leading = False
            self._spawn(self._rebuild_after(self.server.supervisor.stop(ENGINE)))
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
        # Every instance's clients (as last shared through Redis): what the leader polls for.
        audience = max(bp.cluster_clients, len(self.server.clients))
        body = {"role": role, "instance": bp.instance_id, "cluster_connections": audience, "redis": redis}
        if not bp.is_leader:
            # A follower's engine is idle: the sources are as the leader last reported them.
            engine, statuses = self.server.engine, self._statuses
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

    # -- the engine, while leader -------------------------------------------------------------

    async def _run_engine(self) -> None:
        engine = self.server.engine
        try:
            await engine.run()  # a failure goes to the supervisor: logged, reported, restarted
        finally:
            engine.cancel_detail_fetches()

    async def _rebuild_after(self, stopping: asyncio.Future[None]) -> None:
        """The engine stopped: its store may hold changes nobody published; rebuild it from the
        history (what was delivered), so seqs continue from there if we lead again."""
        await asyncio.gather(stopping, return_exceptions=True)
        if self._leading:
            return  # leading again already: the store is the engine's
        store = MatchStore()
        for match, events in self.server.history.restore_state():
            store.restore(match, events)
        self.server.engine.store = store

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
                    self._subscription = self.server.engine.bus.subscribe(["*"])
                    continue
            update = self._forwarding
            if update.kind is UpdateKind.SNAPSHOT:
                # A match first seen in the first poll is only in the snapshot: it reaches Redis
                # (and the other instances) as a delta.
                for match in update.matches:
                    if match.seq > self._sent.get(match.id, 0):
                        await self._publish(_delta(match, update.channel, update))
            else:
                await self._publish(update)
            self._forwarding = None

    async def _publish(self, update: Update) -> None:
        if update.match_id and update.kind in (UpdateKind.DELTA, UpdateKind.EVENT):
            self._sent[update.match_id] = max(self._sent.get(update.match_id, 0), update.seq)
        await self.backplane.publish(update)

    # -- telling clients ------------------------------------------------------------------------

    def _degraded(self, status: SourceStatus) -> SourceStatus:
        reason = self.backplane.last_error or "unreachable"
        return msgspec.structs.replace(status, state="degraded", message=f"backplane down: {reason}")

    def _announce(self, connected: bool) -> None:
        for slug in self.server.leagues:
            channel = league_channel(slug)
            base = self._statuses.get(channel) or SourceStatus(provider="backplane")
            status = (
                msgspec.structs.replace(base, message="backplane recovered")
                if connected
                else self._degraded(base)
            )
            self.server.deliver(
                Update(kind=UpdateKind.STATUS, channel=channel, at=self.server.clock.now(), status=status)
            )

    def _snapshots(self, wanted: Callable[[str], bool]) -> None:
        """A ``recovered: false`` snapshot of each wanted channel to each of its subscribers."""
        self.server.resync(wanted, reason="backplane")

    def _spawn(self, step: Any) -> None:
        task = asyncio.get_running_loop().create_task(step)
        self._tasks.add(task)  # the loop keeps only a weak reference to tasks
        task.add_done_callback(self._tasks.discard)


def _delta(match: Match, channel: str, snapshot: Update) -> Update:
    return Update(
        kind=UpdateKind.DELTA, channel=channel, at=snapshot.at, match_id=match.id, seq=match.seq, match=match
    )
