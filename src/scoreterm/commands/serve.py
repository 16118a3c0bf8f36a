"""``scoreterm serve``: run one engine (live or a tape) behind the WebSocket server.

With ``--redis`` (or ``SCORETERM_REDIS_URL``, or ``[redis] url``) the server is one of several
instances sharing that Redis: only the leader's engine polls, history lives in Redis, and an
unreachable Redis at start is retried in the background rather than fatal. Either way the server
runs the engine (``net/runner.py``): at start, or while it leads.

Background tasks run under the server's supervisor: a task that keeps dying is given up on, and
``serve`` then stops with exit 1 and one line saying which task and why — never a server that looks
alive and serves nothing. A history database that cannot be read is exit 2, one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoreterm import paths
from scoreterm.bus.memory import MemoryBus
from scoreterm.commands.common import EXIT_OK, EXIT_USAGE, UserError, report
from scoreterm.commands.live import live_setup, load_tape, parse_speed_option
from scoreterm.config import Settings
from scoreterm.engine.clock import SystemClock
from scoreterm.engine.engine import Engine
from scoreterm.engine.supervisor import Supervisor
from scoreterm.net.history import History, HistoryError
from scoreterm.net.server import ScoretermServer, ServerConfig
from scoreterm.net.state import ServerState
from scoreterm.replay.tape import Tape
from scoreterm.session import Session, live_session, replay_session

if TYPE_CHECKING:
    from scoreterm.bus.redis import RedisBackplane

POSITION_EVERY_S = 2.0
EXIT_GAVE_UP = 1  # a supervised task kept failing (see the line printed before)


@dataclass
class ServeRequest:
    """What the user asked ``serve`` to do."""

    flags: Mapping[str, Any]
    config: ServerConfig
    demo: bool = False
    replay: Path | None = None
    speed: str | None = None
    db: Path | None = None


def run_serve(request: ServeRequest) -> int:
    """Serve until SIGINT/SIGTERM; exit 0 after a graceful shutdown."""
    try:
        settings, leagues, zone = live_setup(request.flags, "today")
        source = "demo" if request.demo else f"replay-{request.replay.name}" if request.replay else "live"
        backplane = _backplane(settings, request.config, source)
        # With Redis, Redis is the durable history; each instance keeps its own recent past in RAM.
        db = None if backplane else request.db or paths.data_dir() / "serve-history.sqlite3"
        history = History(db, per_match=request.config.history_per_match)
    except UserError as exc:
        return report(exc)
    except HistoryError as exc:
        return report(UserError(str(exc)))
    if request.config.token is None:
        request.config.token = settings.server_token
    try:
        if request.demo or request.replay is not None:
            tape, name = load_tape(request.replay, request.demo)
            speed = parse_speed_option(request.speed)
            start = max(_saved_position(history, name), _recorded_until(history, tape))
            session = replay_session(tape, zone, name=name, speed=speed)
            if session.replay is not None and start > 0:
                session.replay.clock.jump(start)
        else:
            name = ""
            session = live_session(settings, leagues, zone)
    except UserError as exc:
        history.close()
        return report(exc)
    except HistoryError as exc:
        history.close()
        return report(UserError(str(exc)))
    try:
        return asyncio.run(_serve(session, history, request.config, name, backplane))
    except HistoryError as exc:  # found unreadable after the open (restoring its state)
        history.close()
        return report(UserError(str(exc)))
    except OSError as exc:
        print(
            f"scoreterm: error: cannot listen on {request.config.host}:{request.config.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK


def _backplane(settings: Settings, config: ServerConfig, source: str) -> RedisBackplane | None:
    """The backplane of ``--redis``; instances serving other leagues, or another tape, get their
    own namespace in the same Redis (their own leader and history) rather than mixing with ours."""
    if not settings.redis_url:
        return None
    # Imported only when asked for: redis takes about 0.2 s to import.
    from scoreterm.bus.redis import RedisBackplane
    from scoreterm.bus.redis_follow import BackplaneError

    name = f"{socket.gethostname()}-{os.getpid()}"
    namespace = f"scoreterm:{source}:{','.join(sorted(settings.leagues))}"
    try:
        return RedisBackplane(
            settings.redis_url, namespace=namespace, instance_id=name, backlog=config.history_per_match
        )
    except BackplaneError as exc:
        raise UserError(str(exc)) from None


async def _serve(
    session: Session,
    history: History,
    config: ServerConfig,
    tape_name: str,
    backplane: RedisBackplane | None = None,
) -> int:
    engine: Engine[MemoryBus] = session.engine
    stop = asyncio.Event()
    gave_up: list[str] = []

    def give_up(task: str, reason: str) -> None:
        gave_up.append(f"background task {task} keeps failing ({reason}); stopping")
        stop.set()

    supervisor = Supervisor(SystemClock(), on_give_up=give_up)
    state = ServerState(history)
    server = ScoretermServer(engine, state, config, SystemClock(), backplane=backplane, supervisor=supervisor)
    if backplane is not None and session.replay is not None:
        # Another instance may have played further into the tape before this one took over.
        server.runner.before_run = lambda: follow_tape(session)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
    except BaseException:
        await server.close()  # a lease taken before the bind failed is given back
        raise
    print(
        f"scoreterm: serving {', '.join(server.leagues)} on ws://{config.host}:{server.port}/v1/ws "
        f"(health: http://{config.host}:{server.port}/health)",
        file=sys.stderr,
        flush=True,
    )
    if backplane is not None:
        connected = "connected" if backplane.connected else f"not reachable yet: {backplane.last_error}"
        print(
            f"scoreterm: instance {backplane.instance_id} of the backplane {backplane.url} "
            f"({connected}; only the leader polls)",
            file=sys.stderr,
            flush=True,
        )
    if session.replay is not None:
        supervisor.start("tape-position", lambda: _keep_position(session, history, tape_name))
    try:
        await stop.wait()
    finally:
        print("scoreterm: shutting down", file=sys.stderr, flush=True)
        await server.close()  # stops every supervised task, the engine's too
        if session.replay is not None and tape_name:
            history.set_meta(f"replay:{tape_name}", f"{session.replay.position:.3f}")
        history.close()
        await session.client.aclose()
    for line in gave_up:
        print(f"scoreterm: error: {line}", file=sys.stderr, flush=True)
    return EXIT_GAVE_UP if gave_up else EXIT_OK


def follow_tape(session: Session) -> None:
    """Move a replay up to the newest state in the store before this instance starts polling it.

    A follower's tape may run behind the previous leader's (it started later): replayed from there,
    it would wind the matches back.
    """
    replay = session.replay
    assert replay is not None
    times = [m.updated_at for m in session.engine.store.matches() if m.updated_at is not None]
    if times:
        offset = (max(times) - replay.tape.header.started_at).total_seconds()
        if offset > replay.position:
            replay.clock.jump(offset - replay.position)


def _saved_position(history: History, name: str) -> float:
    """Tape seconds saved by the last run (0.0 if none, or if what is stored is not a number)."""
    try:
        position = float(history.get_meta(f"replay:{name}") or 0.0)
    except ValueError:
        return 0.0
    return position if math.isfinite(position) and position >= 0 else 0.0


def _recorded_until(history: History, tape: Tape) -> float:
    """Tape seconds of the latest update the history holds for this tape (0.0 if none).

    After a crash the position saved every few seconds can lag behind the history: replayed from
    there, the tape would wind the restored matches back (a goal "disallowed", then scored again).
    """
    start, end = tape.header.started_at, tape.frames[-1].t if tape.frames else 0.0
    offsets = [(m.updated_at - start).total_seconds() for m, _ in history.restore_state() if m.updated_at]
    return max((t for t in offsets if 0.0 <= t <= end), default=0.0)


async def _keep_position(session: Session, history: History, name: str) -> None:
    """Remember how far into the tape we are, so a restarted server carries on from there (supervised:
    a failed write is retried by a restart)."""
    replay = session.replay
    assert replay is not None
    while True:
        await asyncio.sleep(POSITION_EVERY_S)
        history.set_meta(f"replay:{name}", f"{replay.position:.3f}")
