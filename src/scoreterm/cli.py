"""The ``scoreterm`` command line: parses flags, builds settings and hands off to a command module.

Command bodies live in ``scoreterm.commands`` and are imported only when their command runs, so
``scoreterm --help`` stays fast and never loads textual, httpx or websockets. The flags several
commands share are ``commands.options``; the ``config`` sub-app is ``commands.config_app`` and the
``serve`` command's flags ``commands.serve_cli``. Shell completion
(``scoreterm --install-completion``) is Typer's; it completes commands, options, league slugs and
aliases, and config keys.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import typer.core

from scoreterm import __version__
from scoreterm.commands.config_app import config_app
from scoreterm.commands.options import (
    DateOpt,
    DelayOpt,
    IntervalOpt,
    JsonOpt,
    LeagueOpt,
    NotifyOpt,
    ProviderOpt,
    TimeoutOpt,
    one_shot_flags,
)
from scoreterm.commands.serve_cli import serve

# Rich-formatted help makes typer import rich.markdown and markdown-it on every command (~0.2 s
# of start-up, more than everything else together); click's plain help says the same.
typer.core.HAS_RICH = False

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NO_PROVIDER = 3

app = typer.Typer(
    name="scoreterm",
    help="Live sports scores in the terminal. Offline? Try `scoreterm replay --demo`.\n\n"
    "Exit codes: 0 ok; 1 kept failing after every retry; 2 usage or configuration error (unknown "
    "league, bad date, bad config, a token the server refuses); 3 no provider could answer.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
app.add_typer(config_app, name="config")


def fail(message: str, code: int) -> NoReturn:
    """Print one clear line to stderr and exit with ``code`` (no traceback)."""
    typer.echo(f"scoreterm: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scoreterm {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Live sports scores in the terminal.

    Exit codes: 0 ok; 1 kept failing after every retry; 2 usage or configuration error (unknown
    league, bad date, bad config, a token the server refuses); 3 no provider could answer (try
    `scoreterm replay --demo` offline).
    """


@app.command()
def scores(
    league: LeagueOpt = None,
    date: DateOpt = "today",
    provider: ProviderOpt = None,
    json_output: JsonOpt = False,
    timeout: TimeoutOpt = None,
) -> None:
    """Print the matches of a day (or a range of days) once, as a table or JSON."""
    from scoreterm.commands.scores import run_scores

    flags = one_shot_flags(league, timeout, provider)
    raise typer.Exit(run_scores(flags, date_spec=date, as_json=json_output))


@app.command()
def watch(
    league: LeagueOpt = None,
    date: DateOpt = "today",
    provider: ProviderOpt = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="No dashboard: print one JSON line per change (snapshot first), for scripts and pipes.",
        ),
    ] = False,
    interval: IntervalOpt = None,
    delay: DelayOpt = None,
    notify: NotifyOpt = None,
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            help="Follow a `scoreterm serve` instead of polling providers (ws://host:8765).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="SCORETERM_TOKEN", help="Token for --server.", show_default=False),
    ] = None,
) -> None:
    """Follow matches live in a dashboard (or as JSON lines): polls adaptively, fails over between
    providers, toasts every goal. With --server, a thin client of `scoreterm serve`."""
    flags: dict[str, Any] = {
        "leagues": league or None,
        "interval": interval,
        "delay": delay,
        "notify": notify,
    }
    if provider is not None:
        flags["providers"] = [provider]
    if server is not None:
        from scoreterm.commands.remote import run_remote

        remote_flags = {"delay": delay, "notify": notify}
        raise typer.Exit(run_remote(server, league or None, token, remote_flags, as_json=json_output))
    if json_output:
        from scoreterm.commands.live import run_watch_json

        raise typer.Exit(run_watch_json(flags, date_spec=date))
    from scoreterm.commands.dashboard import run_watch_tui

    raise typer.Exit(run_watch_tui(flags, date_spec=date))


@app.command()
def replay(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A tape written by `scoreterm record` (.jsonl, or .jsonl.gz gzipped); "
            "or give --demo instead.",
            show_default=False,
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Play the bundled demo: Mexico 2-0 South Africa, 2026 World Cup opener (no network needed).",
        ),
    ] = False,
    speed: Annotated[
        str | None,
        typer.Option(
            "--speed",
            help="Times real speed, or max. Default: the whole tape in about two minutes.",
            show_default=False,
        ),
    ] = None,
    from_minute: Annotated[
        int | None,
        typer.Option(
            "--from",
            min=0,
            help="Start at this match minute, with all that came before it (a minute no match on "
            "the tape reaches is a usage error, exit 2).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="No dashboard: print one JSON line per update.")
    ] = False,
    delay: DelayOpt = None,
    notify: NotifyOpt = None,
) -> None:
    """Play a recorded tape through the engine in the dashboard, at any speed
    (space pauses, +/- change speed, ]/[ jump 5 minutes)."""
    if json_output:
        from scoreterm.commands.live import run_replay_json

        raise typer.Exit(run_replay_json(file, demo, speed, from_minute))
    from scoreterm.commands.common import UserError, report
    from scoreterm.commands.dashboard import run_replay_tui
    from scoreterm.session import StartBeyondTape

    try:
        code = run_replay_tui(file, demo, speed, from_minute, {"delay": delay, "notify": notify})
    except StartBeyondTape as exc:  # raised before the dashboard opens
        code = report(UserError(str(exc)))
    raise typer.Exit(code)


@app.command()
def record(
    league: LeagueOpt = None,
    date: DateOpt = "today",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Tape file (.jsonl or .jsonl.gz). Default: the data dir's tapes/ folder.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Stop after this long: 2h, 90m, 45s.", show_default=False)
    ] = None,
    until_final: Annotated[
        bool, typer.Option("--until-final", help="Stop when every match is over.")
    ] = False,
    provider: ProviderOpt = None,
    interval: IntervalOpt = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print every change as a JSON line (as `watch --json`) instead of a progress line."
        ),
    ] = False,
) -> None:
    """Record what the providers return while the engine runs, to replay later. Shows a one-line
    progress status on stderr (matches, goals, tape size), or JSON lines with --json."""
    from scoreterm.commands.live import run_record

    flags: dict[str, Any] = {"leagues": league or None, "interval": interval}
    if provider is not None:
        flags["providers"] = [provider]
    raise typer.Exit(run_record(flags, date, out, duration, until_final, as_json=json_output))


app.command()(serve)


@app.command()
def table(
    league: LeagueOpt = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Apply the matches of --date that are in play or finished since the table was "
            "published: points, goals and places as they stand now (moves are marked).",
        ),
    ] = False,
    date: DateOpt = "today",
    provider: ProviderOpt = None,
    json_output: JsonOpt = False,
    timeout: TimeoutOpt = None,
) -> None:
    """Print a league's table (each group of a tournament), with its tie-break rules, once."""
    from scoreterm.commands.table import run_table

    flags = one_shot_flags(league, timeout, provider)
    raise typer.Exit(run_table(flags, live=live, date_spec=date, as_json=json_output))


@app.command()
def bracket(
    league: LeagueOpt = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            help="The knock-out days: YYYY-MM-DD..YYYY-MM-DD (default: 30 days either side of today).",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOpt = False,
    timeout: TimeoutOpt = None,
) -> None:
    """Print a tournament's knock-out bracket (rounds, ties, aggregates, who goes through), once."""
    from scoreterm.commands.table import run_bracket

    flags = one_shot_flags(league, timeout, None)
    raise typer.Exit(run_bracket(flags, date_spec=date, as_json=json_output))


@app.command()
def leagues(json_output: JsonOpt = False) -> None:
    """List the leagues scoreterm knows: the slug to type, its aliases, its id at each provider."""
    from scoreterm.commands.info import run_leagues

    raise typer.Exit(run_leagues(as_json=json_output))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="scoreterm")
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        # A one-shot command's output to a full disk: one line, as the streaming commands say it.
        from scoreterm.commands.headless import OutputError, output_failed

        sys.exit(output_failed(OutputError(exc)))
