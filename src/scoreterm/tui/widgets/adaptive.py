"""Content drawn for the width it gets: the match-centre views lay out differently at 80 and 120 columns.

:class:`AdaptiveBody` is the body of a scrolling view: at paint time (so theme changes show) it asks
its owner for a renderable built for the width it is given, and its height follows what was built.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.widget import Widget

Build = Callable[[int], RenderableType]
"""Builds the content for a width in cells."""


class Adaptive:
    """A rich renderable that builds its content for the width rich offers it."""

    def __init__(self, build: Build) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(max(options.max_width, 1))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)


class AdaptiveBody(Widget):
    """A view's content, rebuilt by its owner for the current width whenever it paints."""

    DEFAULT_CSS = "AdaptiveBody { height: auto; }"

    def __init__(self, build: Build, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.build = build

    def render(self) -> RenderableType:
        """Whatever the owner shows at this width."""
        return Adaptive(self.build)


def notice(text: str, style: str = "") -> Text:
    """A one-line centred notice ("No lineups yet")."""
    return Text(text, style=style, justify="center")


def cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending in ``…`` when cut."""
    line = Text(text)
    line.truncate(max(width, 0), overflow="ellipsis")
    return line.plain
