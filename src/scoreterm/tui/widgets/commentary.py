"""The commentary view: the story so far, newest first, searchable; the preview before kick-off.

``/`` opens the search line (case and accents ignored: ``quinones`` finds Quiñones); ``esc`` in it
clears the search and closes it. Before kick-off, and until the first line of commentary, the view
shows the preview (form, head-to-head, venue, kick-off, odds).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, tzinfo

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Input

from scoreterm.domain.centre import CommentaryItem
from scoreterm.domain.centre_text import minute_text
from scoreterm.domain.model import Match, PhaseState
from scoreterm.tui.widgets.adaptive import AdaptiveBody, notice
from scoreterm.tui.widgets.preview import preview_body

HIDDEN_TEXT = "Commentary hidden — press r to reveal"
NO_COMMENTARY = "No commentary from this provider"
_KINDS = {
    "goal": "commentary--goal",
    "own_goal": "commentary--goal",
    "yellow_card": "commentary--yellow",
    "red_card": "commentary--red",
    "var": "commentary--red",
    "phase": "commentary--phase",
}


def folded(text: str) -> str:
    """``text`` lower-cased without accents, for searching (``Quiñones`` -> ``quinones``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def matching(items: tuple[CommentaryItem, ...], needle: str) -> list[CommentaryItem]:
    """The items whose text or minute contains ``needle`` (folded), newest first."""
    wanted = folded(needle.strip())
    newest_first = list(reversed(items))
    if not wanted:
        return newest_first
    return [item for item in newest_first if wanted in folded(f"{item.minute} {item.text}")]


class SearchInput(Input):
    """The search line: ``esc`` clears it and gives the keys back to the view."""

    BINDINGS = [Binding("escape", "close", "Close search")]

    def action_close(self) -> None:
        """Clear the search and hide the line."""
        self.value = ""
        self.display = False
        self.parent_view().focus_lines()

    def parent_view(self) -> CommentaryView:
        """The commentary view this line searches."""
        return next(a for a in self.ancestors if isinstance(a, CommentaryView))


class CommentaryView(Vertical):
    """The minute-by-minute commentary, or the preview before it starts."""

    COMPONENT_CLASSES = {
        "commentary--muted",
        "commentary--goal",
        "commentary--yellow",
        "commentary--red",
        "commentary--phase",
        "commentary--header",
    }

    match: reactive[Match | None] = reactive(None, init=False)
    """The match (its ``centre`` holds the commentary and the preview)."""
    hidden: reactive[bool] = reactive(False, init=False)
    """True while a spoiler-free match is not revealed (the preview stays)."""
    search: reactive[str] = reactive("", init=False)
    """The text searched for (empty: everything)."""

    def __init__(self, *, zone: tzinfo = UTC, preview_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone
        self.preview_only = preview_only

    def compose(self) -> ComposeResult:
        search = SearchInput(placeholder="search the commentary (esc closes)", id="commentary-search")
        search.display = False
        yield search
        with VerticalScroll(id="commentary-scroll"):
            yield AdaptiveBody(self.body, id="commentary-lines")

    def watch_match(self) -> None:
        self._show()

    def watch_hidden(self) -> None:
        self._show()

    def watch_search(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one("#commentary-lines", AdaptiveBody).refresh(layout=True)

    def open_search(self) -> None:
        """Show the search line and type into it."""
        search = self.query_one("#commentary-search", SearchInput)
        search.display = True
        search.focus()

    def focus_lines(self) -> None:
        """Give the keys to the scrolling lines."""
        self.query_one("#commentary-scroll").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_lines()

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)

    @property
    def previewing(self) -> bool:
        """True while the view shows the preview (before kick-off, no commentary yet)."""
        match = self.match
        if match is None:
            return False
        if self.preview_only:
            return True
        commentary = match.centre.commentary if match.centre is not None else ()
        return match.phase.state is PhaseState.SCHEDULED and not commentary

    def body(self, width: int) -> RenderableType:
        """The lines (or the preview), built for ``width``."""
        muted = self._style("commentary--muted")
        match = self.match
        if match is None:
            return notice("Waiting for data…", str(muted))
        if self.previewing:
            return preview_body(match, self.zone, muted, self._style("commentary--header"))
        if self.hidden:
            return notice(HIDDEN_TEXT, str(muted))
        items = match.centre.commentary if match.centre is not None else ()
        if not items:
            return notice(NO_COMMENTARY, str(muted))
        shown = matching(items, self.search)
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="right", width=6, no_wrap=True)
        table.add_column(ratio=1)
        for item in shown:
            style = self._style(_KINDS[item.kind]) if item.kind in _KINDS else Style()
            table.add_row(Text(minute_text(item.minute), style=muted), Text(item.text, style=style))
        if not self.search.strip():
            return table
        found = f"{len(shown)} of {len(items)} lines match “{self.search.strip()}”"
        return Group(Text(found, style=muted), table)
