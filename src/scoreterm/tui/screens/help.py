"""``?``: every key, in one modal."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from scoreterm.tui.rows import WIN_LEGEND

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Scoreboard",
        (
            ("↑ ↓  j k", "move between matches (the mouse works too)"),
            ("PgUp PgDn", "a page up / down"),
            ("Home End", "first / last match"),
            ("enter", "open the match (timeline, odds, stats)"),
            (
                "f",
                "star a team of the highlighted match (again: the other team; again: neither); "
                "favourites sort to the top; saved to the config file",
            ),
            ("s", "spoiler-free: hide a team's scores until r (same cycle as f); saved"),
            ("/", "filter by team; esc clears"),
            ("l", "switch league (your leagues, then all of them); saved"),
            ("w", f"live win % column on / off ({WIN_LEGEND}); saved"),
            ("t", "the league's table as it stands (moves with each goal)"),
            ("b", "a tournament's knock-out bracket"),
            ("r", "reveal a spoiler-free score"),
        ),
    ),
    (
        "Table and bracket",
        (
            ("l", "the next league that has one"),
            ("esc", "back"),
        ),
    ),
    (
        "Match",
        (
            ("esc", "back to the scoreboard"),
            (
                "1-6",
                "views: match, win %, lineups, commentary (preview before kick-off), shots, stats; "
                "US sports: match, win %, box score, plays, stats, preview",
            ),
            ("/", "search the commentary; esc closes the search"),
            ("r", "reveal a spoiler-free score"),
        ),
    ),
    (
        "Replay",
        (
            ("space", "pause / resume"),
            ("+ / -", "faster / slower"),
            ("] / [", "jump 5 minutes forward / back"),
        ),
    ),
    ("Anywhere", (("?", "this help"), ("q  ctrl+c", "quit"))),
)


def key_map() -> Group:
    """The key map: a heading per section, keys in a column, descriptions wrapping beside them
    (Text, not markup, so brackets in key names need no escaping)."""
    parts: list[Text | Table] = []
    for section, keys in KEYS:
        parts.append(Text(section, style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=12, no_wrap=True, style="bold")
        grid.add_column(ratio=1, overflow="fold")
        for key, what in keys:
            grid.add_row(Text(f"  {key}"), Text(what))
        parts.append(grid)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """The key map."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("scoreterm keys", id="help-title")
            yield Static(key_map(), id="help-body")
            yield Static("esc or ? closes", id="help-hint")
