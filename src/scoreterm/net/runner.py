"""The one place an engine runs behind a server: supervised, and started from what clients saw.

Both links (``net/output.py``) run their engine through an :class:`EngineRunner`: a lone instance
once, at start; an instance behind a backplane each time it becomes the leader. Every start gives
the engine a store built from the server's state (``net/state.py``: what was delivered), so its
seqs go on from there whether it starts after a restart or takes over from another instance.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from scoreterm.bus.memory import MemoryBus
from scoreterm.engine.engine import Engine
from scoreterm.engine.supervisor import Supervisor
from scoreterm.net.state import ServerState

log = logging.getLogger(__name__)
ENGINE = "engine"


class EngineRunner:
    """Runs ``engine`` under ``supervisor`` as the task ``engine``.

    A live engine that dies (or ends) is restarted; one that ends on its own — a tape played to its
    end, ``--until-final`` — is not, and only an exception counts as a failure. The engine polls as
    often as ``audience()`` clients warrant.

    Args:
        engine: the engine to run.
        state: the served state its store is started from.
        supervisor: the server's supervisor.
        audience: how many clients the engine polls for.
    """

    def __init__(
        self,
        engine: Engine[MemoryBus],
        state: ServerState,
        supervisor: Supervisor,
        audience: Callable[[], int],
    ) -> None:
        self.engine = engine
        self.state = state
        self.supervisor = supervisor
        # Called just before each start, once the engine has its store (a replay moves its tape up
        # to the newest state it holds: another instance may have played further).
        self.before_run: Callable[[], None] | None = None
        engine.options.subscribers = audience

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The engine's current task (it ends with the engine; None before the first start)."""
        return self.supervisor.task(ENGINE)

    @property
    def finite(self) -> bool:
        """True when the engine ends on its own: a replay's schedule, or a run until the matches end."""
        options = self.engine.options
        return options.until_final or options.schedule is not None

    def start(self) -> None:
        """Run the engine from the served state.

        Raises:
            HistoryError: the history cannot be read.
        """
        # The engine's store is its working copy, replaced only here, while it does not run.
        self.engine.store = self.state.engine_store()
        if self.before_run is not None:
            try:
                self.before_run()
            except Exception:  # a hook's failure must not keep the engine from running
                log.exception("the before_run hook of the engine failed")
        self.supervisor.start(ENGINE, self._run, restart=not self.finite)

    def stop(self) -> asyncio.Future[None]:
        """Stop the engine now; await the result to wait until it is over."""
        return self.supervisor.stop(ENGINE)

    async def _run(self) -> None:
        try:
            await self.engine.run()  # a failure goes to the supervisor: logged, reported, restarted
        finally:
            # Its detail fetches outlive run(): nothing fetched may land after the engine stopped.
            self.engine.cancel_detail_fetches()
