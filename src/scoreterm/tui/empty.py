"""Why the scoreboard is empty, in one line: never a blank table without an explanation.

Pure: the screen gathers the facts into :class:`EmptyFacts` and shows :func:`empty_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Literal, TypeAlias

from scoreterm.domain.model import StatusState

FeedState: TypeAlias = Literal["connecting", "live", "ended", "failed"]
"""Where the app's feed stands: nothing yet, updates flowing, ended (a tape played out), failed."""

OFFLINE = "offline? try scoreterm replay --demo"
_DOWN: frozenset[StatusState] = frozenset({"unreachable", "down", "stale"})
NO_NEXT = object()
"""Marks a league whose next kick-off was looked up and none was found."""
LOOKUP_FAILED = object()
"""Marks a league whose next kick-off could not be looked up (no network, provider refused)."""


@dataclass
class EmptyFacts:
    """What the screen knows when it has no row to show."""

    now: datetime
    zone: tzinfo
    leagues: list[str]
    """Names of the leagues in view."""
    day: str = "today"
    """The days followed, as words: ``today``, ``on Sat 14 Jun``."""
    feed_state: FeedState = "connecting"
    source_state: StatusState | None = None
    has_data: bool = False
    """A snapshot has arrived (the board has heard from the source)."""
    other_matches: int = 0
    """Matches on the board that the filter or the league view keep out."""
    filter_text: str = ""
    delay: float = 0.0
    held_for: float | None = None
    """Seconds until the update held back by the delay shows, while one is held."""
    replay: bool = False
    next_kickoff: dict[str, datetime | object | None] = field(default_factory=dict)
    """League name -> its next kick-off; ``NO_NEXT`` looked up and none soon; ``LOOKUP_FAILED``;
    None while not known."""


def empty_reason(facts: EmptyFacts) -> str:
    """The line to show in place of an empty table."""
    if facts.filter_text and facts.other_matches:
        return f"No team matches “{facts.filter_text}” · esc clears the filter"
    if facts.held_for is not None and not facts.has_data:
        left = max(0.0, facts.held_for)
        return f"Delayed {facts.delay:g} s (--delay): the first scores show in {left:.0f} s"
    if facts.feed_state == "failed" or (not facts.has_data and facts.source_state in _DOWN):
        return f"Cannot reach the scores provider · {OFFLINE}"
    if not facts.has_data:
        if facts.replay:
            return "Reading the tape…"
        return "Connecting… the first scores arrive with the first answer"
    where = ", ".join(facts.leagues) or "your leagues"
    line = f"No matches {facts.day} in {where}"
    if facts.other_matches:
        line += " · l shows the other leagues"
    upcoming = _next(facts)
    if upcoming:
        line += f" · next: {upcoming}"
    elif facts.source_state in _DOWN or LOOKUP_FAILED in facts.next_kickoff.values():
        line += f" · {OFFLINE}"
    return line


def _next(facts: EmptyFacts) -> str:
    found = [(when, name) for name, when in facts.next_kickoff.items() if isinstance(when, datetime)]
    if not found:
        if facts.next_kickoff and all(v is NO_NEXT for v in facts.next_kickoff.values()):
            return "none in the next two weeks"
        return ""
    when, name = min(found)
    text = kickoff_words(when, facts.now, facts.zone)
    return f"{text} ({name})" if len(facts.next_kickoff) > 1 else text


def kickoff_words(when: datetime, now: datetime, zone: tzinfo) -> str:
    """``Sat 12:30`` within the coming week, ``Sat 21 Jun 12:30`` further off (local time)."""
    local, today = when.astimezone(zone), now.astimezone(zone)
    if local.date() - today.date() < timedelta(days=6):
        return local.strftime("%a %H:%M")
    return f"{local:%a} {local.day} {local:%b %H:%M}"
