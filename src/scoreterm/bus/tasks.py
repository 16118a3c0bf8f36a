"""Task helpers for the backplane: run steps until the first ends, cancel and really wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any


async def first_to_end(*steps: Coroutine[Any, Any, Any]) -> None:
    """Run ``steps`` together until one ends; cancel the others and raise what it raised."""
    tasks = [asyncio.create_task(step) for step in steps]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel_and_wait(tasks)
    for task in done:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error


async def cancel_and_wait(tasks: list[asyncio.Task[Any]], patience_s: float = 5.0) -> None:
    """Cancel ``tasks`` and wait (bounded) until they are over.

    Cancelled again and again: on Python 3.11, ``asyncio.wait_for`` (redis-py sends with it) loses a
    cancellation that comes just as the reply does, and the task would go on. A cancellation of the
    caller meanwhile does not cut this short (the tasks would be left running, their errors never
    retrieved): it is raised once they are over.
    """
    pending = [task for task in tasks if not task.done()]
    deadline = time.monotonic() + patience_s
    interrupted = False
    while pending and time.monotonic() < deadline:
        for task in pending:
            task.cancel()
        try:
            _, still = await asyncio.wait(pending, timeout=0.05)
        except asyncio.CancelledError:
            interrupted = True
            still = {task for task in pending if not task.done()}
        pending = list(still)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved, so asyncio does not report it as never retrieved
    if interrupted:
        raise asyncio.CancelledError
