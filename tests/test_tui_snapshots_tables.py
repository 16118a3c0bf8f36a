"""SVG snapshots of the table (``t``) and bracket (``b``) screens at 120x40 and 80x24, on the real
inputs of ``test_tui_tables.py`` and a fake clock. Regenerate on purpose with ``--snapshot-update``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from scoreterm.engine.clock import FakeClock
from scoreterm.tui.app import ScoretermApp
from tests.test_tui_tables import body, bracket_app, table_app
from tests.tui_helpers import until

SIZES = [(120, 40), (80, 24)]


def clock() -> FakeClock:
    return FakeClock(datetime(2025, 5, 25, 16, 10, 30, tzinfo=UTC))


async def open_with(pilot: Pilot[Any], key: str, marker: str) -> None:
    app = pilot.app
    assert isinstance(app, ScoretermApp)
    await until(pilot, lambda: bool(app.board.matches))
    await pilot.press(key)
    await until(pilot, lambda: any(marker in line for line in body(app)))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_table_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = table_app(clock())

    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: "eng.1" in app.board.tables)
        await open_with(pilot, "t", "Liverpool")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_bracket_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = bracket_app(clock())

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_with(pilot, "b", "Round of 32")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
