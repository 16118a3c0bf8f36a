"""Which provider a league is polled from, and whether two providers agree on a score.

:class:`FailoverPolicy` fails over down the configured order at once, but moves back up only after
the current provider has been pinned for ``min_pin_s`` and the better one has been healthy for
``recovery_s`` — so a flapping primary does not drag every client back and forth.
:class:`CrossChecker` marks a match unconfirmed while two providers report different scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec

from scoreterm.domain.model import Match, Score
from scoreterm.engine.clock import Clock
from scoreterm.engine.health import CircuitBreaker, CircuitState, ProviderHealth

__all__ = ["CircuitBreaker", "CrossChecker", "FailoverPolicy", "ProviderView", "Switch", "cross_check"]

HEALTH_FLOOR = 0.3


@dataclass(frozen=True, slots=True)
class ProviderView:
    """What failover needs to know about one provider right now."""

    state: CircuitState
    score: float
    closed_for_s: float = 0.0

    @classmethod
    def of(cls, breaker: CircuitBreaker, health: ProviderHealth) -> ProviderView:
        """Read a provider's breaker and health."""
        return cls(breaker.state, health.score, breaker.closed_for())


@dataclass(frozen=True, slots=True)
class Switch:
    """One change of active provider (``None`` = no provider)."""

    at: datetime
    from_provider: str | None
    to_provider: str | None
    reason: str


class FailoverPolicy:
    """Picks the active provider of one league.

    A provider is *usable* when its circuit is not open and its health is at least ``floor``.
    The active provider stays while usable, unless it has been active ``min_pin_s`` and a provider
    earlier in ``order`` is usable with a circuit closed for ``recovery_s``: then the earliest such
    one takes over. When the active one stops being usable, the first usable one in order takes
    over at once. When none is usable but some circuits are not open, a degraded provider beats
    none: the active one if its circuit is not open, else the first such in order.

    Args:
        order: provider names, most preferred first.
        clock: where time comes from.
        min_pin_s: how long a provider stays active before failover may move back up.
        breakers: each provider's breaker, read by :meth:`choose` when it gets no views.
        health: each provider's health, read likewise.
        floor: the health score below which a provider is not usable.
        recovery_s: how long a better provider's circuit must have been closed to move back to it.
    """

    def __init__(
        self,
        order: Sequence[str],
        clock: Clock,
        min_pin_s: float = 120.0,
        *,
        breakers: Mapping[str, CircuitBreaker] | None = None,
        health: Mapping[str, ProviderHealth] | None = None,
        floor: float = HEALTH_FLOOR,
        recovery_s: float = 60.0,
    ) -> None:
        self._order = tuple(order)
        self._clock = clock
        self._min_pin_s = min_pin_s
        self._breakers = breakers or {}
        self._health = health or {}
        self._floor = floor
        self._recovery_s = recovery_s
        self._active: str | None = None
        self._active_since = clock.monotonic()
        self._switches: list[Switch] = []

    @property
    def order(self) -> tuple[str, ...]:
        """Provider names, most preferred first."""
        return self._order

    @property
    def active(self) -> str | None:
        """The provider chosen last, or None."""
        return self._active

    @property
    def switches(self) -> tuple[Switch, ...]:
        """Every change of active provider so far, oldest first."""
        return tuple(self._switches)

    def views(self) -> dict[str, ProviderView]:
        """Views of the providers whose breaker and health were given to the constructor."""
        return {
            name: ProviderView.of(self._breakers[name], self._health[name])
            for name in self._order
            if name in self._breakers and name in self._health
        }

    def choose(self, views: Mapping[str, ProviderView] | None = None) -> str | None:
        """Return the provider to poll now (see the class docstring), logging any switch.

        Args:
            views: each provider's current state; a provider missing from it is not usable.
                Defaults to :meth:`views`.
        """
        views = self.views() if views is None else views
        usable = [name for name in self._order if self._usable(views.get(name))]
        current = self._active
        if current is not None and current in usable:
            if self._clock.monotonic() - self._active_since >= self._min_pin_s:
                for name in self._order[: self._order.index(current)]:
                    view = views[name] if name in usable else None
                    if view and view.state is CircuitState.CLOSED and view.closed_for_s >= self._recovery_s:
                        return self._switch(name, f"{name} healthy again for {view.closed_for_s:.0f}s")
            return current
        if usable:
            return self._switch(usable[0], self._why_not(current, views))
        alive = [name for name in self._order if (v := views.get(name)) and v.state is not CircuitState.OPEN]
        if current in alive:
            return current
        if alive:
            return self._switch(alive[0], f"degraded: no provider has health >= {self._floor:.2f}")
        return self._switch(None, "no provider available")

    def _usable(self, view: ProviderView | None) -> bool:
        return view is not None and view.state is not CircuitState.OPEN and view.score >= self._floor

    def _why_not(self, name: str | None, views: Mapping[str, ProviderView]) -> str:
        if name is None:
            return "provider available again" if self._switches else "start"
        view = views.get(name)
        if view is None:
            return f"{name} unknown"
        if view.state is CircuitState.OPEN:
            return f"{name} circuit open"
        return f"{name} health {view.score:.2f} below {self._floor:.2f}"

    def _switch(self, name: str | None, reason: str) -> str | None:
        if name != self._active:
            self._switches.append(Switch(self._clock.now(), self._active, name, reason))
            self._active = name
            self._active_since = self._clock.monotonic()
        return name


def cross_check(a: Score, b: Score) -> bool:
    """Return True when two providers agree on a score."""
    return a.home == b.home and a.away == b.away


class CrossChecker:
    """Tracks which matches two providers currently disagree on.

    The rule is deliberately simple: a match is unconfirmed exactly while the latest scores seen
    from the two providers differ — a disagreement caused by one provider lagging a poll behind
    is unconfirmed too, until the next comparison agrees.
    """

    def __init__(self) -> None:
        self._unconfirmed: set[str] = set()

    def observe(self, match_id: str, a: Score, b: Score) -> bool:
        """Compare the latest scores of ``match_id`` from two providers; return True if unconfirmed."""
        if cross_check(a, b):
            self._unconfirmed.discard(match_id)
            return False
        self._unconfirmed.add(match_id)
        return True

    def unconfirmed(self, match_id: str) -> bool:
        """Return True while the providers disagree on ``match_id``."""
        return match_id in self._unconfirmed

    @property
    def unconfirmed_ids(self) -> frozenset[str]:
        """Every match currently unconfirmed."""
        return frozenset(self._unconfirmed)

    def forget(self, match_id: str) -> None:
        """Drop ``match_id`` (it ended, or the second provider went away)."""
        self._unconfirmed.discard(match_id)

    def apply(self, match: Match) -> Match:
        """Return ``match`` with its ``unconfirmed`` flag set from this checker."""
        flag = self.unconfirmed(match.id)
        return match if match.unconfirmed == flag else msgspec.structs.replace(match, unconfirmed=flag)
