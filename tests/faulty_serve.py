"""``python tests/faulty_serve.py FAULT serve ARGS...``: ``scoreterm serve`` with one fault injected.

For the subprocess tests of supervision (``tests/test_server_supervision.py``): the real CLI, the real
process exit, with restarts made quick (backoff base 10 ms, at most 2 restarts in a row).

Faults:
    append-fails: every history append raises (a disk that stays full): the fan-out dies, is
        restarted twice, then given up on: ``serve`` exits 1.
    position-fails-once: the first write of the replay position raises: the keeper dies once, is
        restarted, and ``serve`` goes on.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import scoreterm.commands.serve as serve
import scoreterm.engine.supervisor as supervisor
from scoreterm.backoff import Backoff
from scoreterm.cli import main
from scoreterm.net.history import History, HistoryError


def _append_fails(self: History, update: Any) -> bool:
    raise HistoryError(f"history database {self.path}: database or disk is full (injected)")


def _position_fails_once() -> None:
    real = History.set_meta
    failed: list[bool] = []

    def set_meta(self: History, key: str, value: str) -> None:
        if key.startswith("replay:") and not failed:
            failed.append(True)
            raise HistoryError(f"history database {self.path}: disk I/O error (injected)")
        real(self, key, value)

    History.set_meta = set_meta  # type: ignore[method-assign]


if __name__ == "__main__":
    fault, *args = sys.argv[1:]
    supervisor.TASK_RESTART = Backoff(base_s=0.01, cap_s=0.05)  # type: ignore[misc]
    serve.POSITION_EVERY_S = 0.05
    serve.Supervisor = functools.partial(supervisor.Supervisor, max_restarts=2)  # type: ignore[misc]
    if fault == "append-fails":
        History.append = _append_fails  # type: ignore[method-assign]
    elif fault == "position-fails-once":
        _position_fails_once()
    else:
        raise SystemExit(f"unknown fault {fault!r}")
    sys.argv = ["scoreterm", *args]
    main()
