"""How long to wait before trying again: exponential backoff with full jitter, one policy per retry loop.

Every loop that retries (a provider poll that failed, ``watch --server`` reconnecting, the Redis
backplane reconnecting, a supervised task restarting) takes its policy from here, so the numbers
live in one place and can be compared. Full jitter spreads many clients that failed together over
the whole window instead of sending them back at the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_RNG = random.Random()


def full_jitter(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in ``[0, min(cap, base * 2**(attempt-1))]``.

    ``attempt`` is 1 for the first retry.
    """
    exponent = min(max(attempt, 1) - 1, 62)  # beyond this the cap wins anyway; avoid huge floats
    return (rng or _RNG).uniform(0.0, min(cap, base * 2.0**exponent))


@dataclass(frozen=True, slots=True)
class Backoff:
    """A retry policy: the first ceiling (``base_s``) doubles per attempt up to ``cap_s``."""

    base_s: float
    cap_s: float

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first)."""
        return full_jitter(attempt, base=self.base_s, cap=self.cap_s, rng=rng)


PROVIDER_RETRY = Backoff(base_s=1.0, cap_s=60.0)
"""A provider fetch failed: providers rate-limit, so back off far (a 429's Retry-After wins if longer)."""

SERVER_RECONNECT = Backoff(base_s=0.5, cap_s=30.0)
"""``watch --server`` lost its server: come back soon, but a restarting server is not stampeded."""

REDIS_RECONNECT = Backoff(base_s=0.05, cap_s=5.0)
"""The Redis backplane lost Redis: a failover takes seconds, and frames wait while it is down."""

TASK_RESTART = Backoff(base_s=1.0, cap_s=30.0)
"""A supervised background task died: restart it quickly, slower if it keeps dying."""
