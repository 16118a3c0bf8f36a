"""The key footer, fitted to the terminal: when every key does not fit on one line, the keys a fan
can look up in ``?`` Help give way first, so quitting, help and the replay controls stay in view."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Actions whose keys leave the footer first (first listed, first gone) when the line is full.
GIVE_WAY = (
    "bracket",
    "win_column",
    "league",
    "search",
    "reveal",
    "filter",
    "favourite",
    "table",
    "view(1)",
    "open",
)


def key_width(key: FooterKey) -> int:
    """Cells a compact key takes, with the gap after it: ``t Table``."""
    return len(key.key_display) + (1 + len(key.description) if key.description else 0) + 1


class KeysFooter(Footer):
    """A compact :class:`Footer` that drops :data:`GIVE_WAY` keys, in that order, until the rest
    fit the terminal's width."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._laid_out_for = 0

    def compose(self) -> ComposeResult:
        widgets: list[Widget] = list(super().compose())
        width = self.app.size.width
        self._laid_out_for = width
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        needed = sum(key_width(k) for k in keys) - 1  # no gap after the last
        dropped: set[int] = set()
        for action in GIVE_WAY:
            if needed <= width:
                break
            for key in keys:
                if key.action == action and id(key) not in dropped:
                    dropped.add(id(key))
                    needed -= key_width(key)
        yield from (w for w in widgets if id(w) not in dropped)

    def on_resize(self, _: events.Resize) -> None:
        if self.app.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
