"""``scoreterm leagues`` and ``scoreterm config show``."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from scoreterm.commands.common import EXIT_OK, UserError, report, settings_from
from scoreterm.config import SECRET_FIELDS, redacted
from scoreterm.domain.leagues import CATALOG


def run_leagues(as_json: bool) -> int:
    """Print the league catalog."""
    if as_json:
        rows = [
            {
                "slug": lg.slug,
                "name": lg.name,
                "sport": lg.sport.value,
                "country": lg.country,
                "provider_ids": lg.provider_ids,
            }
            for lg in CATALOG
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    table = Table(title="Leagues", title_justify="left")
    for column in ("slug", "name", "sport", "country", "thesportsdb", "footballdata"):
        table.add_column(column)
    for lg in CATALOG:
        table.add_row(
            lg.slug,
            lg.name,
            lg.sport.value,
            lg.country,
            lg.provider_ids.get("thesportsdb", "-"),
            lg.provider_ids.get("footballdata", "-"),
        )
    Console().print(table)
    return EXIT_OK


def run_config_show(as_json: bool) -> int:
    """Print the effective settings, secrets redacted, with where each value came from."""
    try:
        loaded = settings_from({})
    except UserError as exc:
        return report(exc)
    values = redacted(loaded.settings)
    if as_json:
        print(json.dumps({"file": str(loaded.file), "settings": values, "sources": loaded.sources}, indent=2))
        return EXIT_OK
    table = Table(title=f"Settings (file: {loaded.file})", title_justify="left")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("from")
    for field, value in values.items():
        shown = "***" if field in SECRET_FIELDS and value else json.dumps(value)
        table.add_row(field, shown, loaded.sources[field])
    Console().print(table)
    return EXIT_OK
