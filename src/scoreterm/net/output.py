"""The two seams of a server: where its updates go out (:class:`Output`), where they come from
(:class:`Link`).

One output, ``net/fanout.py``'s :class:`~scoreterm.net.fanout.FanOut`: it records each update in the
server's state (``net/state.py``) and sends it to the subscribers. Two links feed it, and the server
talks to either the same way:

- :class:`~scoreterm.net.local.LocalLink`, one instance on its own: the engine runs here and its
  updates go straight to the output;
- :class:`~scoreterm.net.scaleout.BackplaneLink`, one of several instances sharing a Redis: the
  engine runs while this instance leads, its updates go to Redis, and what Redis delivers (the
  leader's own updates included) goes to the output.

Either way the engine is run by ``net/runner.py``, the one place that does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from scoreterm.domain.model import Match, Update


class Output(Protocol):
    """Where a link hands what the clients are to get. Every call is synchronous and in order."""

    def deliver(self, *updates: Update) -> None:
        """Record ``updates`` (committed together, before any is sent), then send each to its subscribers."""

    def lost(self, states: Mapping[str, Match | None], *, reason: str) -> None:
        """Some updates of these matches are gone for good: record each one's newest state (None: keep
        the one held) and give their subscribers a fresh snapshot (``recovered: false``)."""

    def reset(self) -> None:
        """Forget everything delivered so far (a lineage nobody kept); :meth:`resync` follows once
        the deliveries that rebuild it are done."""

    def resync(self, wanted: Callable[[str], bool], *, reason: str) -> None:
        """A fresh snapshot (``recovered: false``) of each ``wanted`` channel to each of its subscribers."""


class Link(Protocol):
    """What feeds a server's output and runs its engine: :class:`~scoreterm.net.local.LocalLink` or
    :class:`~scoreterm.net.scaleout.BackplaneLink`."""

    def audience(self) -> int:
        """How many clients the engine polls for (every instance's, behind a backplane)."""

    async def start(self) -> None:
        """Start feeding the output (and the engine, when this instance runs it)."""

    async def close(self) -> None:
        """Stop the engine and the feeding."""

    def health(self) -> dict[str, Any]:
        """What ``/health`` adds for this link (nothing on its own; role and Redis behind a backplane)."""

    def refresh_gauges(self) -> None:
        """Bring the link's own gauges up to date (before ``/metrics`` renders)."""
