"""Asking every league at once for the one-shot commands (``scores``, ``table``, ``bracket``): each
league bounded in time, a league no provider answered reported on one line, the rest shown."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from scoreterm.commands.common import EXIT_NO_PROVIDER, EXIT_OK
from scoreterm.domain.model import League
from scoreterm.providers.registry import Attempt, NoProviderAnswered

T = TypeVar("T")
OFFLINE_HINT = "offline? `scoreterm replay --demo` shows a real match without a network"


async def ask_leagues(
    leagues: list[League], ask: Callable[[League], Awaitable[T]], timeout_s: float
) -> tuple[list[T], list[NoProviderAnswered]]:
    """``ask`` about every league concurrently, each within ``timeout_s``: the answers in league
    order, and the leagues that got none. Any other exception is a bug and propagates."""

    async def bounded(league: League) -> T:
        try:
            async with asyncio.timeout(timeout_s):
                return await ask(league)
        except TimeoutError:
            late = Attempt("providers", f"no answer within {timeout_s:g}s")
            raise NoProviderAnswered(league, [late]) from None

    results = await asyncio.gather(*(bounded(lg) for lg in leagues), return_exceptions=True)
    found: list[T] = []
    failures: list[NoProviderAnswered] = []
    for result in results:
        if isinstance(result, NoProviderAnswered):
            failures.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            found.append(result)
    return found, failures


def report_failures(failures: list[NoProviderAnswered]) -> int:
    """Print one line per league no provider answered; the exit code of the command."""
    for failure in failures:
        print(f"scoreterm: error: {failure}; {OFFLINE_HINT}", file=sys.stderr, flush=True)
    return EXIT_NO_PROVIDER if failures else EXIT_OK
