"""``?``: every key, in one modal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Scoreboard",
        (
            ("↑ ↓ / mouse", "move between matches"),
            ("enter", "open the match (timeline, odds, stats)"),
            ("f", "favourite the highlighted match's team (sorted to the top)"),
            ("/", "filter by team; esc clears"),
            ("l", "switch league (cycles through your leagues, then all)"),
            ("r", "reveal a spoiler-free score"),
        ),
    ),
    ("Match", (("esc", "back to the scoreboard"), ("r", "reveal a spoiler-free score"))),
    (
        "Replay",
        (
            ("space", "pause / resume"),
            ("+ / -", "faster / slower"),
            ("] / [", "jump 5 minutes forward / back"),
        ),
    ),
    ("Anywhere", (("?", "this help"), ("q", "quit"))),
)


def key_map() -> Text:
    """The key map as text (plain, so brackets in key names need no escaping)."""
    text = Text()
    for section, keys in KEYS:
        text.append(f"{section}\n", style="bold")
        for key, what in keys:
            text.append(f"  {key:<13} ", style="bold")
            text.append(f"{what}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """The key map."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("scoreterm keys", id="help-title")
            yield Static(key_map(), id="help-body")
            yield Static("esc or ? closes", id="help-hint")
