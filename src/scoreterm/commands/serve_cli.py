"""The ``scoreterm serve`` command's flags, turned into a :class:`~scoreterm.commands.serve.ServeRequest`.

``scoreterm.cli`` registers :func:`serve`; the server and its engine (``commands.serve``) are imported
only when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from scoreterm.commands.common import UserError, report
from scoreterm.commands.options import LeagueOpt, ProviderOpt


def serve(
    league: LeagueOpt = None,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to bind. Anything but 127.0.0.1 exposes the server to your network."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0 picks a free one).")] = 8765,
    demo: Annotated[
        bool, typer.Option("--demo", help="Serve the bundled demo tape instead of live data.")
    ] = False,
    replay_file: Annotated[
        Path | None, typer.Option("--replay", help="Serve a recorded tape.", show_default=False)
    ] = None,
    speed: Annotated[
        str | None, typer.Option("--speed", help="Tape speed (times real time, or max).", show_default=False)
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="SCORETERM_TOKEN",
            help="Shared token clients must present (Authorization: Bearer, ?token= or hello).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="SQLite history file (default: the data dir). A restarted server keeps its epoch and seqs. "
            "Not used with --redis: Redis keeps the history.",
            show_default=False,
        ),
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option(
            "--origin",
            help="Allowed browser Origin (repeatable); clients without an Origin header are always allowed.",
            show_default=False,
        ),
    ] = None,
    max_connections: Annotated[int, typer.Option("--max-connections", min=1)] = 10_000,
    history: Annotated[
        int, typer.Option("--history", min=10, help="Updates kept per match for resume.")
    ] = 300,
    provider: ProviderOpt = None,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Share a Redis with other `serve` instances (redis://host:6379/0): one of them polls, "
            "all serve. Also SCORETERM_REDIS_URL or [redis] url.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Poll once, serve many: a WebSocket server (at /v1/ws) plus /health, /metrics and a small
    HTTP API on the same port. Clients: `scoreterm watch --server ws://HOST:PORT`."""
    from scoreterm.commands.serve import ServeRequest, run_serve
    from scoreterm.net.server import ServerConfig

    if league and (demo or replay_file is not None):
        # A tape holds the leagues it was recorded for: -l could only be silently ignored.
        message = "--league does not apply to a tape: serve plays the leagues it holds"
        raise typer.Exit(report(UserError(message + (" (the demo: fifa.world)" if demo else ""))))
    flags: dict[str, Any] = {"leagues": league or None, "redis_url": redis}
    if provider is not None:
        flags["providers"] = [provider]
    config = ServerConfig(
        host=host,
        port=port,
        token=token,
        origins=origin or None,
        max_connections=max_connections,
        history_per_match=history,
    )
    if demo and not league:
        flags["leagues"] = ["fifa.world"]
    request = ServeRequest(flags=flags, config=config, demo=demo, replay=replay_file, speed=speed, db=db)
    raise typer.Exit(run_serve(request))
