"""One ``scoreterm serve`` on its own: the engine runs here and its updates go straight to the clients.

:class:`LocalLink` runs the engine (``net/runner.py``) and the pump, supervised as ``fan-out``: the
pump takes each burst the engine published (an engine poll publishes several updates at once) from
its bus subscription and hands it to the output (``net/fanout.py``), which records it, commits once
and then sends it. When updates cannot be sent — a pump that died with a burst in hand, a pump that
fell behind and lost its queue — the matches concerned are reported lost with the engine's state of
them: their subscribers get a fresh ``recovered: false`` snapshot, never a silent gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scoreterm.bus.memory import MemoryBus, Subscription, SubscriptionLagged
from scoreterm.domain.channels import table_channel
from scoreterm.domain.model import (
    DeltaUpdate,
    EventUpdate,
    SnapshotUpdate,
    StatusUpdate,
    TableUpdate,
    Update,
)
from scoreterm.engine.engine import Engine
from scoreterm.engine.supervisor import Supervisor
from scoreterm.net.output import Output
from scoreterm.net.runner import EngineRunner

log = logging.getLogger(__name__)
TASK_NAME = "fan-out"
# What carries no seq and replaces what a client holds: sent again rather than reported lost.
_WHOLE = (StatusUpdate, TableUpdate)


class LocalLink:
    """Feeds ``output`` with what ``runner``'s engine publishes (see the module docstring).

    Args:
        runner: runs the engine (started with the link).
        output: the server's fan-out.
        supervisor: the server's supervisor, which runs the pump.
        clients: how many clients are connected (the engine polls for them).
    """

    def __init__(
        self, runner: EngineRunner, output: Output, supervisor: Supervisor, clients: Callable[[], int]
    ) -> None:
        self.runner = runner
        self.output = output
        self.supervisor = supervisor
        self._clients = clients
        self.subscription: Subscription | None = None
        # Updates the pump has taken from its subscription and not yet handed over (see run()).
        self._in_flight: list[Update] = []
        # The bus dropped the pump's queue and its matches have not been recovered yet.
        self._lagged = False

    @property
    def engine(self) -> Engine[MemoryBus]:
        """The engine this link runs."""
        return self.runner.engine

    def audience(self) -> int:
        """This server's clients."""
        return self._clients()

    async def start(self) -> None:
        """Subscribe to everything the engine publishes, start the pump, then the engine."""
        self.subscription = self.engine.bus.subscribe(["*"])
        self.supervisor.start(TASK_NAME, self.run)
        self.runner.start()

    async def close(self) -> None:
        """Stop the engine, then the pump."""
        await self.runner.stop()
        await self.supervisor.stop(TASK_NAME)
        if self.subscription is not None:
            self.subscription.close()

    def health(self) -> dict[str, Any]:
        """Nothing beyond the server's own."""
        return {}

    def refresh_gauges(self) -> None:
        """No gauges of its own."""

    async def run(self) -> None:
        """Hand what the engine publishes to the output, burst by burst, until cancelled (supervised).

        A run that dies leaves what it had taken from the subscription in ``_in_flight``: the next
        run cannot know how far each of those got (recorded? committed? sent to whom?), so their
        matches are reported lost instead (and a queue lost to falling behind stays to be recovered
        until it is). The subscription is kept across runs: nothing queued behind is lost.
        """
        if self._in_flight:
            log.warning(
                "the fan-out restarted with %d updates unsent; their matches get snapshots",
                len(self._in_flight),
            )
            self._recover(self._in_flight, reason="fan_out_restart")
            self._in_flight = []
        while True:
            if self._lagged:
                self._recover_all()
                self._lagged = False
            subscription = self.subscription
            assert subscription is not None
            burst = self._in_flight
            try:
                burst.append(await subscription.get())
                while subscription.pending():
                    burst.append(await subscription.get())
            except SubscriptionLagged:
                log.error("server fell behind its engine; resubscribing (clients get snapshots)")
                self.subscription = self.engine.bus.subscribe(["*"])
                self._lagged = True
            self.output.deliver(*burst)
            self._in_flight = []

    def _recover(self, lost: list[Update], reason: str) -> None:
        """``lost`` were taken and maybe not sent: their matches start over from the engine's state
        of them; statuses and tables (no seq, each replaces the last) are sent again."""
        store = self.engine.store
        ids = {u.match_id for u in lost if isinstance(u, DeltaUpdate | EventUpdate) and u.match_id}
        ids |= {m.id for u in lost if isinstance(u, SnapshotUpdate) for m in u.matches}
        if ids:
            self.output.lost({match_id: store.get(match_id) for match_id in sorted(ids)}, reason=reason)
        again = [u for u in lost if isinstance(u, _WHOLE)]
        if again:
            self.output.deliver(*again)

    def _recover_all(self) -> None:
        """The bus dropped what the pump had not read: every match, and every table, starts over."""
        engine = self.engine
        self.output.lost({m.id: m for m in engine.store.matches()}, reason="lagged")
        now = engine.clock.now()
        tables = [
            TableUpdate(channel=table_channel(league.slug), at=now, table=table)
            for league in engine.options.leagues
            if (table := engine.table(league.slug)) is not None
        ]
        if tables:
            self.output.deliver(*tables)
