"""Which views the match screen offers for a sport, in the order the number keys reach them."""

from __future__ import annotations

from dataclasses import dataclass

from scoreterm.domain.model import Match, Sport
from scoreterm.tui.widgets.winchart_data import sport_of


@dataclass(frozen=True)
class View:
    """One view: its tab pane's id, its title in the tab bar, the widget that takes the keys."""

    pane: str
    title: str
    focus: str


MATCH = View("view-match", "Match", "#timeline")
CHART = View("view-chart", "Win %", "")
STATS = View("view-stats", "Stats", "#stat-bars")
SOCCER_VIEWS = (
    MATCH,
    CHART,
    View("view-lineups", "Lineups", "#lineups"),
    View("view-commentary", "Commentary", "#commentary #commentary-scroll"),
    View("view-shots", "Shots", "#shots"),
    STATS,
)
US_VIEWS = (
    MATCH,
    CHART,
    View("view-box", "Box score", "#box"),
    View("view-plays", "Plays", "#plays"),
    STATS,
    View("view-preview", "Preview", "#preview #commentary-scroll"),
)


def views_for(match: Match) -> tuple[View, ...]:
    """Soccer's views, or the US sports' (box score and plays for lineups and shots)."""
    return SOCCER_VIEWS if sport_of(match) is Sport.SOCCER else US_VIEWS
