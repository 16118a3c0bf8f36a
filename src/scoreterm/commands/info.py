"""``scoreterm leagues`` and ``scoreterm config show``."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scoreterm.commands.common import EXIT_OK, UserError, report, settings_from
from scoreterm.config import FILE_KEYS, SECRET_FIELDS, redacted
from scoreterm.domain.leagues import CATALOG, FOOTBALLDATA, THESPORTSDB, aliases_of


def run_leagues(as_json: bool) -> int:
    """Print the league catalog: slug, name, aliases, sport, country and each provider's id."""
    if as_json:
        rows = [
            {
                "slug": lg.slug,
                "name": lg.name,
                "aliases": aliases_of(lg.slug),
                "sport": lg.sport.value,
                "country": lg.country,
                "provider_ids": lg.provider_ids,
            }
            for lg in CATALOG
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    Console().print(_leagues_table())
    return EXIT_OK


def _leagues_table() -> Table:
    # The slug is what people type, so it is never cut; the other cells stack two facts each so the
    # table fits 80 columns, and the name cell wraps (aliases on the line under the name).
    table = Table(title="Leagues", title_justify="left")
    table.add_column("slug", no_wrap=True, min_width=max(len(lg.slug) for lg in CATALOG))
    table.add_column("name and aliases", overflow="fold")
    table.add_column("sport\ncountry")
    table.add_column(f"{THESPORTSDB}\n{FOOTBALLDATA}")
    for lg in CATALOG:
        name = Text(lg.name)
        aliases = aliases_of(lg.slug)
        if aliases:
            name.append("\n" + ", ".join(aliases), style="dim")
        ids = [lg.provider_ids.get(provider, "-") for provider in (THESPORTSDB, FOOTBALLDATA)]
        table.add_row(lg.slug, name, f"{lg.sport.value}\n{lg.country}", "\n".join(ids))
    return table


def run_config_show(as_json: bool) -> int:
    """Print the effective settings, secrets redacted, with where each value came from.

    The table names each setting by its config file key (``espn.url``); ``--json`` keeps the
    setting names (``espn_url``, as in ``SCORETERM_ESPN_URL``), which ``config set`` takes too.
    """
    try:
        loaded = settings_from({})
    except UserError as exc:
        return report(exc)
    values = redacted(loaded.settings)
    if as_json:
        print(json.dumps({"file": str(loaded.file), "settings": values, "sources": loaded.sources}, indent=2))
        return EXIT_OK
    # Each setting by its key in the file (espn.url), as `config set` and the README name it.
    file_key = {field: key for key, field in FILE_KEYS.items()}
    table = Table(title=f"Settings (file: {loaded.file})", title_justify="left")
    table.add_column("setting", no_wrap=True)
    table.add_column("value")
    table.add_column("from")
    for field, value in values.items():
        shown = "***" if field in SECRET_FIELDS and value else json.dumps(value)
        table.add_row(file_key.get(field, field), shown, loaded.sources[field])
    Console().print(table)
    return EXIT_OK
