"""The flags several commands share (as Typer option types), their shell completion, and the settings
flags of the one-shot commands.

Imported by ``scoreterm.cli`` on every run, so it imports nothing but Typer: the league catalog and
the config keys are loaded only when a completion asks for them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer


def complete_league(incomplete: str) -> list[str]:
    """The league slugs and aliases that start with ``incomplete`` (any case), for shell completion."""
    from scoreterm.domain.leagues import known_names

    return [name for name in known_names() if name.startswith(incomplete.lower())]


def complete_key(incomplete: str) -> list[str]:
    """The config file keys that start with ``incomplete``, for shell completion."""
    from scoreterm.config import FILE_KEYS

    return [key for key in FILE_KEYS if key.startswith(incomplete)]


LeagueOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--league",
        "-l",
        help="League slug or alias (eng.1 or epl, esp.1 or laliga, ucl, worldcup, nba...). "
        "Repeatable. Default: `leagues` from the config (eng.1).",
        show_default=False,
        autocompletion=complete_league,
    ),
]
DateOpt = Annotated[
    str,
    typer.Option(
        "--date",
        "-d",
        help="YYYY-MM-DD, today, yesterday, tomorrow, or a range YYYY-MM-DD..YYYY-MM-DD "
        "(days in your local time zone).",
    ),
]
ProviderOpt = Annotated[
    str | None,
    typer.Option(
        "--provider",
        "-p",
        help="Ask only this provider: espn, thesportsdb or footballdata.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.1,
        help="Seconds to wait for each provider request (default 10).",
        show_default=False,
    ),
]
IntervalOpt = Annotated[
    float | None,
    typer.Option(
        "--interval",
        min=0.5,
        help="Poll every this many seconds instead of adapting to the state of play (>= 0.5).",
        show_default=False,
    ),
]
NotifyOpt = Annotated[
    bool | None,
    typer.Option(
        "--notify/--no-notify",
        help="Desktop notifications for goals, disallowed goals, red cards and full time "
        '(favourites only unless notify_for = "all"). Default: `notify` from the config (off).',
        show_default=False,
    ),
]
DelayOpt = Annotated[
    float | None,
    typer.Option(
        "--delay",
        min=0,
        help="Spoiler guard: hold every update and toast back this many seconds "
        "(to stay in step with a TV stream).",
        show_default=False,
    ),
]


def one_shot_flags(league: list[str] | None, timeout: float | None, provider: str | None) -> dict[str, Any]:
    """The settings flags of `scores`, `table` and `bracket`."""
    flags: dict[str, Any] = {"leagues": league or None, "timeout": timeout}
    if provider is not None:
        flags["providers"] = [provider]
    return flags
