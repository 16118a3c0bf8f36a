"""A football pitch as a grid of terminal cells, for the lineups and the shot map.

:class:`Canvas` holds one character and one style per cell; :meth:`Canvas.frame` draws the
touchlines, the halfway line and both penalty areas; text and marks are written over it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

# Shares of a 105 x 68 m pitch: the penalty area is 16.5 m deep and 40.3 m wide, the goal 7.3 m.
BOX_DEPTH = 16.5 / 105
BOX_WIDTH = 40.3 / 68
GOAL_WIDTH = 7.32 / 68


class Canvas:
    """A ``width`` x ``height`` grid of styled cells."""

    def __init__(self, width: int, height: int, style: Style) -> None:
        self.width, self.height = max(width, 8), max(height, 5)
        self.style = style
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.styles: list[list[Style | None]] = [[None] * self.width for _ in range(self.height)]

    def put(self, x: int, y: int, char: str, style: Style | None = None) -> None:
        """Set one cell (outside the grid: ignored)."""
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.styles[y][x] = style if style is not None else self.style

    def write(self, x: int, y: int, text: Text) -> None:
        """Write ``text`` from ``(x, y)`` to the right, one character per cell (clipped)."""
        for offset, (char, style) in enumerate(_cells(text)):
            self.put(x + offset, y, char, style)

    def frame(self) -> None:
        """Touchlines, goal lines, the halfway line and both penalty areas, with the goals."""
        right, bottom = self.width - 1, self.height - 1
        middle = self.width // 2
        for x in range(self.width):
            self.put(x, 0, "─")
            self.put(x, bottom, "─")
        for y in range(self.height):
            self.put(0, y, "│")
            self.put(right, y, "│")
            self.put(middle, y, "│")
        for x, corner in ((0, "┌"), (right, "┐"), (middle, "┬")):
            self.put(x, 0, corner)
        for x, corner in ((0, "└"), (right, "┘"), (middle, "┴")):
            self.put(x, bottom, corner)
        depth = max(2, round(BOX_DEPTH * self.width))
        top = round((1 - BOX_WIDTH) / 2 * bottom)
        low = bottom - top
        for x0, x1, inner, edge in ((0, depth, depth, "├"), (right - depth, right, right - depth, "┤")):
            for x in range(x0 + 1, x1):
                self.put(x, top, "╌")
                self.put(x, low, "╌")
            for y in range(top + 1, low):
                self.put(inner, y, "╎")
            self.put(x0 if edge == "├" else x1, top, edge)
            self.put(x0 if edge == "├" else x1, low, edge)
        half_goal = max(1, round(GOAL_WIDTH * bottom / 2))
        for y in range(bottom // 2 - half_goal + 1, bottom // 2 + half_goal):
            self.put(0, y, "┃")
            self.put(right, y, "┃")

    def lines(self) -> list[Text]:
        """The grid as one Text per row."""
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            line = Text(no_wrap=True, overflow="crop")
            for char, style in zip(chars, styles, strict=True):
                line.append(char, style=style or "")
            out.append(line)
        return out


def _style(style: str | Style) -> Style:
    return style if isinstance(style, Style) else Style.parse(style) if style else Style()


def _cells(text: Text) -> list[tuple[str, Style | None]]:
    """``text`` as (character, style) pairs; a wide character takes its cell and blanks the next."""
    plain = text.plain
    styles = [_style(text.style)] * len(plain)
    for span in text.spans:
        extra = _style(span.style)
        for index in range(span.start, min(span.end, len(plain))):
            styles[index] = styles[index] + extra
    cells: list[tuple[str, Style | None]] = []
    for char, style in zip(plain, styles, strict=True):
        cells.append((char, style))
        if cell_len(char) == 2:
            cells.append(("", style))
    return cells
