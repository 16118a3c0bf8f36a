"""``scoreterm config``: the Typer sub-app of ``path``, ``show``, ``set`` and ``unset``.

``scoreterm.cli`` mounts :data:`config_app` as ``config``. Each command's body is imported only when
it runs (``commands.info``, ``commands.config_cmd``), so ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from scoreterm.commands.options import JsonOpt, complete_key

config_app = typer.Typer(
    help="Where the config file is, what the settings are, and changing them.", no_args_is_help=True
)


@config_app.command("path")
def config_path() -> None:
    """Print where the config file is (it may not exist yet)."""
    from scoreterm import paths

    typer.echo(str(paths.config_file()))


@config_app.command("show")
def config_show(json_output: JsonOpt = False) -> None:
    """Print the effective settings and where each comes from (secrets redacted)."""
    from scoreterm.commands.info import run_config_show

    raise typer.Exit(run_config_show(as_json=json_output))


@config_app.command("set")
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            help="A key as in the file (favourites, espn.url, notify...) or a setting name (espn_url).",
            autocompletion=complete_key,
            show_default=False,
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help="The value: lists comma-separated (eng.1,esp.1) or a TOML array; true/false; "
            "numbers; `none` removes the key.",
            show_default=False,
        ),
    ],
) -> None:
    """Set KEY to VALUE in the config file, keeping its comments and layout (checked first)."""
    from scoreterm.commands.config_cmd import run_config_set

    raise typer.Exit(run_config_set(key, value))


@config_app.command("unset")
def config_unset(
    key: Annotated[
        str, typer.Argument(help="The key to remove.", autocompletion=complete_key, show_default=False)
    ],
) -> None:
    """Remove KEY from the config file (its default applies again)."""
    from scoreterm.commands.config_cmd import run_config_set

    raise typer.Exit(run_config_set(key, None))
