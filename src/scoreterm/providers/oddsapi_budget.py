"""The Odds API's credits: a strict monthly budget, remembered across restarts, and when to spend.

The free plan gives 500 credits a month; one ``/odds`` request with one region and one market
costs 1 (``x-requests-last`` says what the last one cost). Every answer, errors included, carries
``x-requests-used`` and ``x-requests-remaining`` for the account: :class:`CreditBudget` adopts them
as the truth, reserves a request's cost *before* it is sent (so two requests in flight cannot
overshoot) and refuses any request that could take ``used`` past the configured monthly budget.
What it knows is saved to a small JSON file after every change. Usage is taken to reset at the
start of each UTC month (the free plan's cycle); the first answer of a month corrects it if not.

:func:`should_fetch` is the policy: one request covers every event of a sport, so it is asked per
league with the kick-offs and the goals and red cards seen there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scoreterm.config_rules import FREE_PLAN_CREDITS as FREE_PLAN_CREDITS

log = logging.getLogger(__name__)

USED = "x-requests-used"
REMAINING = "x-requests-remaining"
LAST = "x-requests-last"
_MAX_CREDITS = 10**9


@dataclass
class CreditBudget:
    """Credits spent this month, and whether one more request fits in ``monthly_limit``.

    Args:
        monthly_limit: the most credits scoreterm may use in a month (the account's count).
        path: where the state is saved; None keeps it in memory only.
    """

    monthly_limit: int = FREE_PLAN_CREDITS
    path: Path | None = None
    month: str = ""
    used: int = 0
    remaining: int | None = None
    cost: int = 1

    @classmethod
    def load(cls, path: Path, monthly_limit: int = FREE_PLAN_CREDITS) -> CreditBudget:
        """The budget saved at ``path``; a fresh one when the file is absent or unreadable."""
        budget = cls(monthly_limit=monthly_limit, path=path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return budget
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("odds budget file %s unreadable (%s): starting from its first answer", path, exc)
            return budget
        if isinstance(raw, dict):
            month = raw.get("month")
            budget.month = month if isinstance(month, str) else ""
            budget.used = _count(raw.get("used")) or 0
            budget.remaining = _count(raw.get("remaining"))
            budget.cost = max(_count(raw.get("cost")) or 1, 1)
        return budget

    def can_spend(self, now: datetime) -> bool:
        """True when one more request, at the last known cost, stays within the budget."""
        self._roll(now)
        if self.used + self.cost > self.monthly_limit:
            return False
        return self.remaining is None or self.remaining >= self.cost

    def reserve(self, now: datetime) -> bool:
        """Count one request as spent if it fits; False (and nothing counted) when it does not."""
        if not self.can_spend(now):
            return False
        self.used += self.cost
        if self.remaining is not None:
            self.remaining -= self.cost
        self.save()
        return True

    def record(self, headers: Mapping[str, str], now: datetime) -> None:
        """Adopt the account's counts from an answer's credit headers (absent or bad ones ignored)."""
        self._roll(now)
        used = _count(_header(headers, USED))
        remaining = _count(_header(headers, REMAINING))
        last = _count(_header(headers, LAST))
        if used is not None:
            self.used = used
        if remaining is not None:
            self.remaining = remaining
        if last is not None and last > 0:
            self.cost = last
        if used is not None or remaining is not None or last is not None:
            self.save()

    def save(self) -> None:
        """Write the state to ``path`` (atomically); a write failure is logged, never raised."""
        if self.path is None:
            return
        state = {"month": self.month, "used": self.used, "remaining": self.remaining, "cost": self.cost}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot save the odds budget to %s: %s", self.path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _roll(self, now: datetime) -> None:
        month = f"{now.year:04d}-{now.month:02d}"
        if month != self.month:
            if self.month:  # a new month: the account's count starts again
                self.used, self.remaining = 0, None
            self.month = month
            self.save()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _count(value: object) -> int | None:
    """A credit count from a header or the file: a non-negative whole number, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 15:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, int):
        return value if 0 <= value <= _MAX_CREDITS else None
    if isinstance(value, float) and value == value and 0 <= value <= _MAX_CREDITS:
        return int(value)
    return None


@dataclass(frozen=True)
class FetchPolicy:
    """When a league's odds are worth a credit.

    - once in ``[kick-off - before_kickoff, kick-off + after_kickoff]`` (the closing price);
    - once after each goal or red card, from ``settle`` after it (books suspend their markets for
      a moment after a goal) until ``after_event`` after it;
    - never twice within ``min_gap``.

    With the defaults a match costs about one credit plus one per goal and red card (fewer when
    matches of a league share kick-offs), so 500 credits cover about 100 matches a month.
    """

    before_kickoff: timedelta = timedelta(minutes=15)
    after_kickoff: timedelta = timedelta(minutes=2)
    settle: timedelta = timedelta(seconds=30)
    after_event: timedelta = timedelta(minutes=5)
    min_gap: timedelta = timedelta(minutes=3)


def should_fetch(
    now: datetime,
    *,
    kickoffs: Iterable[datetime],
    triggers: Iterable[datetime] = (),
    last_fetch: datetime | None = None,
    policy: FetchPolicy | None = None,
) -> bool:
    """True when the policy says a league's odds should be fetched now.

    Args:
        now: the current time (aware).
        kickoffs: kick-off times of the league's matches of interest.
        triggers: when the goals and red cards of those matches were seen.
        last_fetch: when the league's odds were last fetched.
        policy: the windows (defaults: :class:`FetchPolicy`).
    """
    rules = policy or FetchPolicy()
    if last_fetch is not None and now - last_fetch < rules.min_gap:
        return False
    for kickoff in kickoffs:
        opens = kickoff - rules.before_kickoff
        if opens <= now <= kickoff + rules.after_kickoff and (last_fetch is None or last_fetch < opens):
            return True
    for seen in triggers:
        if seen + rules.settle <= now <= seen + rules.after_event and (
            last_fetch is None or last_fetch < seen
        ):
            return True
    return False
