"""The footer and the status line fit the terminal: at 80 columns the replay controls, help and
quit stay in view and the keys that ``?`` Help lists give way first; at 120 every key is there."""

from __future__ import annotations

import math
import re

import pytest
from textual.widgets._footer import FooterKey

from scoreterm.tui.app import ScoretermApp
from scoreterm.tui.widgets.footer import KeysFooter, key_width
from scoreterm.tui.widgets.status_bar import StatusBar
from tests.tui_helpers import demo_app, until

REPLAY_KEYS = {"space", "+", "-", "]", "["}


def footer_keys(app: ScoretermApp) -> list[FooterKey]:
    return list(app.screen.query_one(KeysFooter).query(FooterKey))


@pytest.mark.parametrize("width", [80, 120])
async def test_the_replay_controls_help_and_quit_always_fit(width: int) -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(width, 24)) as pilot:
        await until(pilot, lambda: bool(app.board.matches) and bool(footer_keys(app)))
        await pilot.pause()
        keys = footer_keys(app)
        shown = {k.key_display for k in keys}
        assert REPLAY_KEYS | {"q", "?"} <= shown
        assert all(k.region.right <= width for k in keys), [(k.key_display, k.region) for k in keys]
        if width >= 120:
            assert {"Table", "Bracket"} <= {k.description for k in keys}  # the board's keys fit too


async def test_narrowing_the_terminal_refits_the_footer() -> None:
    app, _ = demo_app(math.inf)
    async with app.run_test(size=(140, 24)) as pilot:
        await until(pilot, lambda: "Bracket" in {k.description for k in footer_keys(app)})
        await pilot.resize_terminal(80, 24)

        def fitted() -> bool:
            keys = footer_keys(app)
            return (
                bool(keys)
                and all(k.region.right <= 80 for k in keys)
                and "[" in {k.key_display for k in keys}
            )

        await until(pilot, fitted)


def test_any_key_counts_its_label_and_a_gap() -> None:
    assert key_width(FooterKey("t", "t", "Table", "table")) == len("t Table ")


async def test_the_status_line_of_a_replay_fits_80_columns_on_one_line() -> None:
    app, _ = demo_app(62)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "updated" in bar.render_status().plain)
        replay = app.feed.replay
        assert replay is not None
        await pilot.press("space")
        await until(pilot, lambda: replay.clock.paused)
        line = bar.render_status().plain
        # The longest it gets: an h:mm:ss position, a two-digit speed and "playing".
        longest = line.replace("paused", "playing").replace("‖", "▶")
        longest = re.sub(r"\d+:\d\d/", "1:50:20/", longest, count=1)
        assert "\n" not in longest and len(longest) <= 80 - 2, longest  # the bar's padding
